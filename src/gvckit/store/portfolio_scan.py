"""Scanning IATI files into a workspace's portfolio review: each file parsed and classified by
the portfolio scanner (:mod:`gvckit.portfolio.store`, the same parsing, classification and US
dollar conversion as ``gvckit portfolio scan``) in worker processes, its rows stored under the
workspace with their texts and search index. :mod:`gvckit.store.portfolio` reads them back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from gvckit.store import search
from gvckit.store.portfolio_schema import ACTIVITIES, SCANS, TEXTS

__all__ = ["VERDICTS", "ScanCounts", "bar_list", "ingest", "now"]

VERDICTS = ("yes", "possible", "no")
_BATCH = 500


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
) -> ScanCounts:
    """Scan ``files`` into the workspace: each file parsed and classified by the portfolio
    scanner (a bad file is a problem, never the end of the scan: the good activities of every
    file are kept); an activity already in the workspace is updated in place (its reviews stay).
    ``names`` maps a file to the name shown for it (uploads never show server paths)."""
    say = progress or (lambda _p, _m: None)
    shown = names or {}
    with engine.begin() as conn:
        key = conn.execute(insert(SCANS).values(
            workspace_id=workspace_id, job_id=job_id, source=source[:2000], files=len(files),
            activities=0, refused=0, problems="[]", created_at=now(),
        )).inserted_primary_key  # fmt: skip
    assert key is not None
    scan_id = int(key[0])
    problems = list(problems or [])
    batch: dict[str, dict[str, Any]] = {}
    updated: dict[str, str] = {}  # identifier -> last updated, this scan
    kinds_of: dict[str, list[str]] = {}  # identifier -> its problems' kinds, this scan
    total = 0
    jobs = [(p, shown.get(str(p), p.name)) for p in files]
    for k, (rows, bad) in enumerate(_pipeline(jobs, workers), start=1):
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
            batch[ident] = {**row, "workspace_id": workspace_id, "scan_id": scan_id}
            if len(batch) >= _BATCH:
                _store(engine, workspace_id, list(batch.values()))
                batch = {}
        say(0.05 + 0.9 * k / max(1, len(files)), f"scanned {k} of {len(files)} files")
    _store(engine, workspace_id, list(batch.values()))
    refused = len({p["file"] for p in problems})
    tally = Counter(k for kinds in kinds_of.values() for k in kinds)
    by_kind = dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
    with engine.begin() as conn:
        search.merge_index(conn)
        conn.execute(update(SCANS).where(SCANS.c.id == scan_id).values(
            activities=total, refused=refused,
            problems=json.dumps({"files": problems[:10000], "kinds": by_kind},
                                ensure_ascii=False)))  # fmt: skip
        counts = dict.fromkeys(VERDICTS, 0)
        counts.update({r[0]: int(r[1]) for r in conn.execute(
            select(ACTIVITIES.c.value_chain, func.count()).where(ACTIVITIES.c.scan_id == scan_id)
            .group_by(ACTIVITIES.c.value_chain))})  # fmt: skip
    return ScanCounts(scan_id, len(files), total, refused, problems, counts, by_kind)


@cache
def _context() -> tuple[Any, Any]:
    """The shipped US dollar rates and the codelists (once per process)."""
    from gvckit.portfolio.codelists import Codelists
    from gvckit.portfolio.rates import shipped_rates

    return shipped_rates(), Codelists()


def _file_rows(path: Path, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse and classify one file with the portfolio scanner and build its rows (in a worker
    process): (activity rows, problems)."""
    from gvckit.portfolio.iati import Limits
    from gvckit.portfolio.store import _activity_row, _classified, _finance_rows

    rates, codelists = _context()
    items, bad = _classified(path, Limits())
    problems = [{"file": name, "line": p.line, "reason": p.reason.replace(str(path), name)}
                for p in bad]  # fmt: skip
    rows = []
    for act, verdict in items:
        row = _activity_row(act, verdict, 0, codelists)
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
            "usd": _usd(fins), "last_updated": act.last_updated or "",
            "problem_kinds": list(act.problem_kinds),
            "search_text": search.search_text(texts),
            "data": json.dumps({"row": row, "detail": detail, "finances": fins},
                               ensure_ascii=False, default=str),
        })  # fmt: skip
    return rows, problems


Built = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _pipeline(jobs: Sequence[tuple[Path, str]], workers: int | None) -> Iterator[Built]:
    """:func:`_file_rows` of each (file, name) in order, by ``workers`` processes (default, as
    the CLI's scan: the CPUs less the one storing, at most 4; 1 parses in this process), a
    few files ahead."""
    n = workers if workers is not None else min(4, (os.cpu_count() or 1) - 1)
    if n <= 1 or len(jobs) < 2:
        for path, name in jobs:
            yield _file_rows(path, name)
        return
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=get_context(method)) as pool:
        pending: deque[Future[Built]] = deque()
        queue = iter(jobs)
        for path, name in queue:
            pending.append(pool.submit(_file_rows, path, name))
            if len(pending) >= 2 * n:
                break
        while pending:
            future = pending.popleft()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(_file_rows, *nxt))
            yield future.result()


def _ids(conn: Any, workspace_id: int, identifiers: list[str]) -> dict[str, int]:
    """Row ids of the workspace's activities with these identifiers."""
    query = select(ACTIVITIES.c.iati_identifier, ACTIVITIES.c.id).where(
        ACTIVITIES.c.workspace_id == workspace_id, ACTIVITIES.c.iati_identifier.in_(identifiers)
    )
    return {r[0]: int(r[1]) for r in conn.execute(query)}


def _store(engine: Engine, workspace_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert new activities, update those already in the workspace (by identifier: their
    reviews stay), and keep their texts and the search index in step."""
    if not rows:
        return
    long = {r["iati_identifier"]: (r.pop("search_text"), r.pop("data")) for r in rows}
    with engine.begin() as conn:
        search.defer_index(conn)
        ids = list(long)
        old = _ids(conn, workspace_id, ids)
        fresh = [r for r in rows if r["iati_identifier"] not in old]
        if fresh:
            conn.execute(insert(ACTIVITIES), fresh)
        for r in rows:
            if r["iati_identifier"] in old:
                conn.execute(update(ACTIVITIES).where(
                    ACTIVITIES.c.id == old[r["iati_identifier"]]).values(**r))  # fmt: skip
        if old:
            conn.execute(delete(TEXTS).where(TEXTS.c.activity_id.in_(list(old.values()))))
            search.unindex(conn, list(old.values()))
        now = _ids(conn, workspace_id, ids)
        conn.execute(insert(TEXTS), [{"activity_id": now[i], "search_text": t, "data": d}
                                     for i, (t, d) in long.items()])  # fmt: skip
        search.index_rows(conn, [(now[i], t) for i, (t, _) in long.items()])
