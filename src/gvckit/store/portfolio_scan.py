"""Scanning IATI files into a workspace's portfolio review: each file parsed and classified by
the portfolio scanner (:mod:`gvckit.portfolio.store`, the same parsing, classification and US
dollar conversion as ``gvckit portfolio scan``) in worker processes, its rows stored under the
workspace with their texts and search index. :mod:`gvckit.store.portfolio` reads them back.

The codes are named with the IATI codelists given to :func:`ingest` (the workbench gives its own,
:func:`gvckit.store.portfolio.workbench_codelists`, the ones its review tables name countries
with), exactly as ``gvckit portfolio scan --codelists`` names them. The parsing processes get
that very object when they start (no process reads a folder or an environment variable for it),
so all the files of a scan are named alike whatever the start method.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, select, update

from gvckit.errors import GvcError
from gvckit.store import search
from gvckit.store.portfolio_schema import ACTIVITIES, SCANS
from gvckit.store.portfolio_stage import Stage

if TYPE_CHECKING:
    from gvckit.portfolio.codelists import Codelists

__all__ = ["VERDICTS", "ScanCounts", "ScanWithdrawnError", "bar_list", "ingest", "now"]

VERDICTS = ("yes", "possible", "no")


def now() -> dt.datetime:
    """The time stamps of scans and reviews (UTC)."""
    return dt.datetime.now(dt.UTC)


def _codes(joined: str | None) -> list[str]:
    """Codes of a stored list "A:50;B" (percentages dropped)."""
    return [p.split(":")[0] for p in (joined or "").split(";") if p]


def bar_list(items: Sequence[str]) -> str:
    """A list of codes stored as ``;A;B;`` (empty for none), so that one code is found with
    ``LIKE '%;A;%'``."""
    return ";" + ";".join(items) + ";" if items else ""


# -- scanning --------------------------------------------------------------------------------


@dataclass
class ScanCounts:
    scan_id: int
    files: int
    activities: int
    refused: int
    problems: list[dict[str, Any]]
    value_chain: dict[str, int]
    #: Problems of the activities stored by the scan, by kind (most frequent first), as the
    #: CLI's scan counts them (:data:`gvckit.portfolio.iati.PROBLEM_KINDS`).
    problem_kinds: dict[str, int] = field(default_factory=dict)


def _usd(fins: list[dict[str, Any]]) -> float | None:
    values = [f["value_usd"] for f in fins if f["kind"] == "commitment"]
    known = [v for v in values if v is not None]
    return float(sum(known)) if known else None


class ScanWithdrawnError(GvcError):
    """The scan's job was cancelled (or rerun) before its activities were stored: nothing was."""


def ingest(
    engine: Engine,
    workspace_id: int,
    job_id: int | None,
    source: str,
    files: Sequence[Path],
    *,
    names: dict[str, str] | None = None,
    progress: Callable[[float, str], None] | None = None,
    workers: int | None = None,
    problems: list[dict[str, Any]] | None = None,
    publish: Callable[[Connection, ScanCounts], bool] | None = None,
    codelists: Codelists | None = None,
) -> ScanCounts:
    """Scan ``files`` into the workspace: each file parsed and classified by the portfolio
    scanner (a bad file is a problem, never the end of the scan: the good activities of every
    file are kept); an activity already in the workspace is updated in place (its reviews stay).
    ``names`` maps a file to the name shown for it (uploads never show server paths).
    ``codelists`` names the codes (status, aid, finance and flow types, the reporting
    organisation's type, countries, sectors) as :meth:`PortfolioStore.scan
    <gvckit.portfolio.store.PortfolioStore.scan>` does; none: they stay unnamed.

    Nothing is visible before the scan ends: the rows wait in a temporary table of the scan's
    own connection (:mod:`gvckit.store.portfolio_stage`; it goes with the connection when the
    scan fails or its process is killed) and are merged into the workspace in one transaction.
    ``publish`` runs last in that transaction (a job records itself done there); when it returns
    False the transaction is rolled back and :class:`ScanWithdrawnError` raised.
    ``workers`` parsing processes (0: parse in this process) run ahead of the storing."""
    say = progress or (lambda _p, _m: None)
    shown = names or {}
    problems = list(problems or [])
    updated: dict[str, str] = {}  # identifier -> last updated, this scan
    kinds_of: dict[str, list[str]] = {}  # identifier -> its problems' kinds, this scan
    total = 0
    jobs = [(p, shown.get(str(p), p.name)) for p in files]
    scan = {"workspace_id": workspace_id, "job_id": job_id, "source": source[:2000],
            "files": len(files), "activities": 0, "refused": 0, "problems": "[]",
            "created_at": now()}  # fmt: skip
    with (
        _parsing(jobs, workers, codelists) as parsed,
        engine.connect() as conn,
        Stage(conn, workspace_id, scan) as stage,
    ):
        for k, (rows, bad) in enumerate(parsed, start=1):
            problems += bad
            for row in rows:
                total += 1
                ident, when = row["iati_identifier"], row.pop("last_updated")
                kinds = row.pop("problem_kinds")
                prior = updated.get(ident)
                if prior is not None and not when > prior:
                    continue  # as the CLI: a later copy replaces only if updated later
                updated[ident] = when
                kinds_of[ident] = kinds
                stage.add(row)
            say(0.05 + 0.85 * k / max(1, len(files)), f"scanned {k} of {len(files)} files")
        say(0.92, f"storing {len(updated):,} activities")
        refused = len({p["file"] for p in problems})
        tally = Counter(k for kinds in kinds_of.values() for k in kinds)
        by_kind = dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
        with stage.storing() as scan_id:
            conn.execute(update(SCANS).where(SCANS.c.id == scan_id).values(
                activities=total, refused=refused,
                problems=json.dumps({"files": problems[:10000], "kinds": by_kind},
                                    ensure_ascii=False)))  # fmt: skip
            counts = dict.fromkeys(VERDICTS, 0)
            counts.update({r[0]: int(r[1]) for r in conn.execute(
                select(ACTIVITIES.c.value_chain, func.count())
                .where(ACTIVITIES.c.scan_id == scan_id)
                .group_by(ACTIVITIES.c.value_chain))})  # fmt: skip
            result = ScanCounts(scan_id, len(files), total, refused, problems, counts, by_kind)
            if publish is not None and not publish(conn, result):
                raise ScanWithdrawnError("the scan was cancelled: nothing was stored")
    return result


@cache
def _rates() -> Any:
    """The shipped US dollar rates (read once per process)."""
    from gvckit.portfolio.rates import shipped_rates

    return shipped_rates()


#: The codelists of a parsing process's scan (set when the process starts, :func:`_start`).
_NAMES: Codelists | None = None


def _file_rows(
    path: Path, name: str, codelists: Codelists | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse and classify one file with the portfolio scanner and build its rows (in a worker
    process): (activity rows, problems). ``codelists`` names the codes (default: the ones the
    parsing process was started with; none: unnamed)."""
    from gvckit.portfolio.codelists import Codelists
    from gvckit.portfolio.iati import Limits
    from gvckit.portfolio.store import _activity_row, _classified, _finance_rows

    rates = _rates()
    names = codelists or _NAMES or Codelists()
    items, bad = _classified(path, Limits())
    problems = [{"file": name, "line": p.line, "reason": p.reason.replace(str(path), name)}
                for p in bad]  # fmt: skip
    rows = []
    for act, verdict in items:
        row = _activity_row(act, verdict, 0, names)
        row["file"] = name
        del row["scan_id"]
        fins = _finance_rows(act, rates)
        detail = json.loads(row.pop("detail"))
        texts = [t for _, t in act.titles] + [t for _, _, t in act.descriptions]
        rows.append({
            "iati_identifier": act.iati_identifier, "title": act.title or "",
            "reporting_org_ref": act.reporting_org_ref or "",
            "reporting_org_name": act.reporting_org_name or "",
            "countries": bar_list(_codes(row["countries"])),
            "sectors": bar_list(_codes(row["sectors"])),
            "year": row["year"], "status": act.status or "", "value_chain": verdict.value_chain,
            "confidence": float(verdict.confidence), "pattern": bar_list(verdict.pattern),
            "fields_of_action": bar_list(verdict.fields), "upgrading": bar_list(verdict.upgrading),
            "analyses": bar_list(verdict.analyses),
            "usd": _usd(fins), "last_updated": act.last_updated or "",
            "problem_kinds": list(act.problem_kinds),
            "search_text": search.search_text(texts),
            "data": json.dumps({"row": row, "detail": detail, "finances": fins},
                               ensure_ascii=False, default=str),
        })  # fmt: skip
    return rows, problems


Built = tuple[list[dict[str, Any]], list[dict[str, Any]]]


@contextmanager
def _parsing(
    jobs: Sequence[tuple[Path, str]], workers: int | None, codelists: Codelists | None = None
) -> Iterator[Iterator[Built]]:
    """:func:`_file_rows` of each (file, name) in order, named with ``codelists`` (each
    process gets them once, when it starts), by ``workers`` processes (default:
    the CPUs less the one storing, at least 2, at most 4; 0 parses in this process), a few files
    ahead: the files are parsed while the rows of earlier ones are stored. (Two on two CPUs:
    parsing is most of the work, the storing process mostly waits for the database.)

    The processes start when the block is entered, before the caller opens its database
    connection, so that none of them holds that connection's socket; they die with the caller
    (Linux), so that a cancelled scan's connection closes and its transaction ends at once."""
    n = workers if workers is not None else min(4, max(2, (os.cpu_count() or 1) - 1))
    if n < 1 or len(jobs) < 2:
        yield (_file_rows(path, name, codelists) for path, name in jobs)
        return
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=n, mp_context=get_context(method),
                               initializer=_start, initargs=(codelists,))  # fmt: skip
    try:
        queue = iter(jobs)
        pending: deque[Future[Built]] = deque(
            pool.submit(_file_rows, path, name) for path, name in islice(queue, 4 * n)
        )

        def results() -> Iterator[Built]:
            while pending:
                future = pending.popleft()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append(pool.submit(_file_rows, *nxt))
                yield future.result()

        yield results()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start(codelists: Codelists | None) -> None:
    """In a parsing process, when it starts: keep the scan's codelists (:data:`_NAMES`) and
    die with the scanning process."""
    global _NAMES
    _NAMES = codelists
    _die_with_parent()


def _die_with_parent() -> None:
    """In a parsing process: be killed when the scanning process ends (Linux; elsewhere the
    process ends when it next finds its work queue closed)."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
