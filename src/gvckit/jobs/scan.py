"""The computation a portfolio scan job runs: gather the IATI files of an upload (plain XML,
gzip, or a zip of XML files) or of a folder under a configured root, scan them into the
workspace (:func:`gvckit.store.portfolio_scan.ingest`), and write the scan's problems (file, line,
reason) atomically as the job's result (Parquet).

A zip is unpacked member by member into a folder of the data dir under generated names, bounded
in members and in bytes (its declared sizes are not trusted: copying stops at the limit); a
member that is not a file, or that would pass the limits, is a problem of the scan, not its end.
A file that is not IATI XML is reported by the scanner and the others are still read.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from gvckit.errors import InputError

if TYPE_CHECKING:
    from gvckit.portfolio.codelists import Codelists
    from gvckit.store.portfolio_scan import ScanCounts

__all__ = ["MAX_MEMBERS", "gather", "run_scan"]

MAX_MEMBERS = 5000
_CHUNK = 1 << 20


def _unzip(
    archive: Path, into: Path, max_bytes: int, problems: list[dict[str, Any]], shown: str
) -> dict[str, str]:
    """Extract the XML members of ``archive`` into ``into``: {extracted path: shown name}."""
    out: dict[str, str] = {}
    total = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS:
                problems.append({"file": shown, "line": None,
                                 "reason": f"more than {MAX_MEMBERS} files in the zip; "
                                           f"the first {MAX_MEMBERS} are read"})  # fmt: skip
            for k, m in enumerate(members[:MAX_MEMBERS]):
                name = f"{shown}:{m.filename}"[:300]
                if not m.filename.lower().endswith((".xml", ".xml.gz")):
                    continue
                target = (
                    into / f"{k:05d}{'.xml.gz' if m.filename.lower().endswith('.gz') else '.xml'}"
                )
                try:
                    with zf.open(m) as src, open(target, "xb") as dst:
                        while chunk := src.read(_CHUNK):
                            total += len(chunk)
                            if total > max_bytes:
                                raise OverflowError
                            dst.write(chunk)
                except OverflowError:
                    target.unlink(missing_ok=True)
                    problems.append({"file": name, "line": None, "reason":
                                     f"the zip unpacks to more than {max_bytes} bytes; "
                                     "the rest is not read"})  # fmt: skip
                    break
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError,
                        NotImplementedError) as exc:  # fmt: skip
                    target.unlink(missing_ok=True)
                    why = f"cannot unpack this member: {type(exc).__name__}"
                    problems.append({"file": name, "line": None, "reason": why})
                    continue
                out[str(target)] = name
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        problems.append({"file": shown, "line": None,
                         "reason": f"not a readable zip file ({type(exc).__name__})"})  # fmt: skip
    return out


def gather(
    inputs: dict[str, Any],
    data_dir: Path,
    work: Path,
    max_bytes: int,
    roots: Sequence[str] = (),
) -> tuple[list[Path], dict[str, str], list[dict[str, Any]], str]:
    """(files to scan, their shown names, problems met while gathering, what was scanned).
    A folder scan names its root by its place in ``roots`` (the configured scan roots) and its
    path relative to it; every file found must still lie inside the root."""
    problems: list[dict[str, Any]] = []
    if "upload" in inputs:
        path = data_dir / str(inputs["upload"])
        shown = str(inputs.get("name") or "upload")
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if magic.startswith(b"PK"):
            work.mkdir(parents=True, exist_ok=True)
            names = _unzip(path, work, max_bytes, problems, shown)
            return [Path(p) for p in names], names, problems, shown
        return [path], {str(path): shown}, problems, shown
    from gvckit.portfolio.iati import find_files

    k = inputs.get("root")
    if not isinstance(k, int) or not 0 <= k < len(roots):
        raise InputError("the scan's folder is no longer configured (GVCKIT_PORTFOLIO_ROOTS)")
    root = Path(roots[k]).resolve()
    target = (root / str(inputs["path"])).resolve()
    if not target.is_relative_to(root) or not target.exists():
        raise InputError("the scanned path is no longer under its configured folder")
    found = [f for f in find_files([target]) if f.resolve().is_relative_to(root)]
    names = {str(f): str(f.relative_to(root)) if f.is_relative_to(root) else f.name
             for f in found}  # fmt: skip
    return found, names, problems, str(inputs["path"])


def run_scan(
    db_url: str,
    data_dir: str,
    workspace_id: int,
    job_id: int,
    inputs: dict[str, Any],
    max_bytes: int,
    result: str,
    progress: Callable[[float, str], None] | None = None,
    done: Callable[[Connection, str], bool] | None = None,
    roots: Sequence[str] = (),
    codelists: Codelists | None = None,
) -> str:
    """Scan ``inputs`` into the workspace, the codes named with ``codelists`` (the workbench's,
    :func:`gvckit.store.portfolio.workbench_codelists`; none: unnamed); the problems go to
    ``result`` (Parquet). ``done``
    (the job recording itself done with its message) runs in the transaction that stores the
    activities: when it returns False (the job was cancelled meanwhile) nothing is stored,
    ``result`` is removed and :class:`~gvckit.store.portfolio_scan.ScanWithdrawnError` raised."""
    from gvckit.store.database import open_engine
    from gvckit.store.portfolio import ingest

    say = progress or (lambda _p, _m: None)
    say(0.02, "gathering the files")
    work = Path(result).with_suffix(".unpacked")
    engine = open_engine(db_url, upgrade=False)

    def publish(conn: Connection, counts: ScanCounts) -> bool:
        shutil.rmtree(work, ignore_errors=True)  # every file is read: gone before it is done
        _write_problems(counts.problems, result)
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in counts.problem_kinds.items())
        message = (f"{counts.activities} activities from {counts.files} files, "
                   f"{counts.refused} with problems; problems: {kinds or 'none'}")  # fmt: skip
        if done is None or done(conn, message):
            return True
        Path(result).unlink(missing_ok=True)
        return False

    try:
        files, names, problems, source = gather(inputs, Path(data_dir), work, max_bytes, roots)
        say(0.05, f"scanning {len(files)} files")
        ingest(engine, workspace_id, job_id, source, files, names=names, progress=say,
               problems=problems, publish=publish, codelists=codelists)  # fmt: skip
    except BaseException:
        Path(result).unlink(missing_ok=True)
        raise
    finally:
        engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return result


def _write_problems(problems: list[dict[str, Any]], result: str) -> None:
    """The scan's problems (file, line, reason) to ``result`` (Parquet, written atomically)."""
    import pandas as pd

    from gvckit.files import atomic_write

    frame = pd.DataFrame(problems, columns=["file", "line", "reason"])
    frame["line"] = frame["line"].astype("Int64")
    with atomic_write(result) as fh:
        frame.to_parquet(fh, index=False)
