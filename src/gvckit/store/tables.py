"""ICIO tables in a workspace: uploads streamed to the data dir under generated names, checked
by the same readers as the CLI (:func:`gvckit.icio.read`), summarised once
(:func:`gvckit.icio.summary.table_summary`) and referenced from a row.

An upload is written to ``uploads/.part-<random>`` while it arrives (refused beyond the size
limit), read and checked there, and only then renamed and recorded: a failed or interrupted
upload leaves no row and no visible file (:func:`clean_partial` removes leftovers at start).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, insert

from gvckit.auth.users import User
from gvckit.errors import GvcError, InputError
from gvckit.store.schema import TABLES
from gvckit.store.workspaces import row_by_id, workspace_rows

__all__ = [
    "EXAMPLES",
    "TableRow",
    "TooLargeError",
    "clean_partial",
    "get_table",
    "list_tables",
    "new_part",
    "record_table",
    "safe_name",
    "store_table",
    "table_path",
]

log = logging.getLogger("gvckit.web")

#: Suffixes kept on stored files (the readers recognise formats partly by them).
SUFFIXES = (".csv.gz", ".csv.bz2", ".csv.zst", ".csv", ".tsv", ".txt", ".gz", ".zip", ".xlsx",
            ".xlsm", ".xlsb", ".rdata", ".rda", ".parquet")  # fmt: skip
FORMATS = ("auto", "wide", "oecd", "eora26", "exiobase", "figaro", "wiod", "adb", "template")
_DATA = Path(__file__).resolve().parents[1] / "data"
#: Bundled example tables: key → (file, what it is).
EXAMPLES = {"wiod2011": (_DATA / "wiod2013_2011.csv.gz", "WIOD 2013 release, 2011 (bundled)")}


class TooLargeError(GvcError):
    """An upload over the size limit."""


@dataclass(frozen=True)
class TableRow:
    id: int
    workspace_id: int
    name: str
    path: str
    format: str
    year: int | None
    size: int
    summary: dict[str, Any]
    created_at: dt.datetime


def safe_name(client_name: str | None) -> str:
    """A name to show for an upload: the last part of the client's file name without control
    characters, at most 200 characters. Never used as a path."""
    base = re.split(r"[\\/]", client_name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base[:200] or "table"


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in SUFFIXES if lower.endswith(s)), "")


def clean_partial(data_dir: Path) -> int:
    """Remove uploads and results left half-written by an interrupted server."""
    count = 0
    for folder in (data_dir / "uploads", data_dir / "results"):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.startswith(".part-") or p.name.startswith(".tmp"):
                    with suppress(FileNotFoundError):
                        p.unlink()
                        count += 1
    return count


def _chunks(source: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk


def new_part(data_dir: Path, client_name: str | None) -> Path:
    """A new generated name for an upload being received (``uploads/.part-<random><suffix>``;
    the suffix, from a fixed list, helps the readers recognise the format)."""
    uploads = data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    return uploads / f".part-{secrets.token_hex(16)}{_suffix(safe_name(client_name))}"


def store_table(
    engine: Engine,
    data_dir: Path,
    user: User,
    workspace_id: int,
    source: IO[bytes],
    client_name: str | None,
    *,
    fmt: str = "auto",
    year: int | None = None,
    max_bytes: int,
) -> int:
    """Stream ``source`` to the data dir, then :func:`record_table`; an upload over
    ``max_bytes`` is :class:`TooLargeError` and leaves nothing."""
    part = new_part(data_dir, client_name)
    try:
        size = 0
        with open(part, "xb") as out:
            for chunk in _chunks(source):
                size += len(chunk)
                if size > max_bytes:
                    name = safe_name(client_name)
                    raise TooLargeError(f"{name}: the upload is larger than {max_bytes} bytes")
                out.write(chunk)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return record_table(engine, data_dir, user, workspace_id, part, client_name, fmt=fmt,
                        year=year)  # fmt: skip


def record_table(
    engine: Engine,
    data_dir: Path,
    user: User,
    workspace_id: int,
    part: Path,
    client_name: str | None,
    *,
    fmt: str = "auto",
    year: int | None = None,
) -> int:
    """Check the received file ``part`` with the readers, rename it and record it; returns the
    table id. A bad table raises the reader's error (its file shown as the client's name);
    either way ``part`` is gone afterwards and nothing is kept on failure."""
    from gvckit import icio
    from gvckit.icio.summary import table_summary

    name = safe_name(client_name)
    final = part.with_name(f"{secrets.token_hex(16)}{_suffix(name)}")
    try:
        if fmt not in FORMATS:
            raise InputError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        with open(part, "rb+") as fh:
            os.fsync(fh.fileno())
        size = part.stat().st_size
        options: dict[str, Any] = {} if year is None else {"year": year}
        try:
            table = icio.read(part, format=fmt, **options)
        except GvcError as exc:
            raise InputError(str(exc).replace(str(part), name)) from None
        except Exception as exc:  # a reader bug must not become a server error
            log.warning("reader failed on an upload: %s", type(exc).__name__)
            raise InputError(f"{name}: cannot read this table ({type(exc).__name__})") from None
        summary = table_summary(table)
        used = fmt if fmt != "auto" else icio.detect_format(part)
        os.replace(part, final)
        with engine.begin() as conn:
            key = conn.execute(
                insert(TABLES).values(
                    workspace_id=workspace_id,
                    name=name,
                    path=str(final.relative_to(data_dir)),
                    format=used,
                    year=year,
                    size=size,
                    summary=json.dumps(summary, allow_nan=True),
                    created_by=user.id,
                    created_at=dt.datetime.now(dt.UTC),
                )
            ).inserted_primary_key
        assert key is not None
        return int(key[0])
    except BaseException:
        for p in (part, final):
            with suppress(FileNotFoundError):
                p.unlink()
        raise


def add_example(engine: Engine, data_dir: Path, user: User, workspace_id: int, key: str) -> int:
    """Add bundled example ``key`` to the workspace, through the same checks as an upload (the
    upload limit does not apply: the file ships with gvckit)."""
    if key not in EXAMPLES:
        raise InputError(f"no bundled example {key!r}; choose one of {', '.join(EXAMPLES)}")
    path, _ = EXAMPLES[key]
    with open(path, "rb") as fh:
        return store_table(engine, data_dir, user, workspace_id, fh, path.name, max_bytes=1 << 31)


def _row(row: Any) -> TableRow:
    m = row._mapping
    return TableRow(
        m["id"], m["workspace_id"], m["name"], m["path"], m["format"], m["year"], m["size"],
        json.loads(m["summary"]), m["created_at"],
    )  # fmt: skip


def get_table(engine: Engine, table_id: int) -> TableRow:
    return _row(row_by_id(engine, TABLES, table_id))


def list_tables(engine: Engine, workspace_id: int) -> list[TableRow]:
    return [_row(r) for r in workspace_rows(engine, TABLES, workspace_id)]


def table_path(data_dir: Path, row: TableRow) -> Path:
    return data_dir / row.path
