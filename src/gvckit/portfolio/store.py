"""The portfolio database: scan IATI files, classify each activity and store it (SQLAlchemy).

SQLite in a local file by default (``sqlite:///gvckit.db`` or ``$GVCKIT_DB``), PostgreSQL with a
``postgresql+psycopg://`` URL. The schema is created and upgraded by the shared Alembic history
(:mod:`gvckit.store`; the portfolio's revisions are in ``migrations/versions``).

Re-scanning is idempotent: an activity is keyed by its IATI identifier and replaced with its
finances. An identifier found in two files (within a scan or across scans), or twice in one file,
is a duplicate: it is stored once — the version with the latest ``last-updated-datetime``, else
the one seen first — and the pair is listed in ``portfolio_duplicates`` so that amounts are
never counted twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from operator import itemgetter
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, String, Table, delete, func, insert, select, update

from gvckit.portfolio.classify import Classification, classify_activity
from gvckit.portfolio.codelists import Codelists
from gvckit.portfolio.iati import (
    SKIPPED_BUDGET,
    SKIPPED_TRANSACTION,
    Activity,
    FileProblem,
    Limits,
    read_activities,
)
from gvckit.portfolio.rates import Rates
from gvckit.portfolio.schema import ACTIVITIES, DUPLICATES, FILES, FINANCES, PROBLEMS, SCANS
from gvckit.store.database import open_engine

__all__ = ["DEFAULT_URL", "SKIP_WARNING", "FileSkips", "PortfolioStore", "ScanResult",
           "activity_finance_group", "finance_group"]  # fmt: skip

DEFAULT_URL = "sqlite:///gvckit.db"
_BATCH = 500
#: Share of a file's transactions or budgets skipped above which a scan warns.
SKIP_WARNING = 0.01


def finance_group(finance_type: str, aid_type: str) -> str:
    """The IDB review's funding categories from the DAC codes: technical cooperation (aid type
    D01/D02), else by finance type: grant (1xx, 2xx), loan (4xx), equity (5xx), debt relief
    (6xx), guarantee (7xx, 1100), other; ``unknown`` without a finance type (an activity's
    group: :func:`activity_finance_group`)."""
    if aid_type.upper().startswith("D0"):
        return "technical cooperation"
    code = finance_type.strip()
    if not code.isdigit():
        return "unknown"
    n = int(code)
    if n == 1100 or 700 <= n < 800:
        return "guarantee"
    groups = {1: "grant", 2: "grant", 4: "loan", 5: "equity", 6: "debt relief"}
    return groups.get(n // 100, "other")


def activity_finance_group(act: Activity) -> str:
    """:func:`finance_group` of an activity. IATI 2.0x lets a transaction declare its own finance
    and aid type, the activity's defaults being the fallback: an activity without a default
    takes the codes its transactions declare (World Bank projects declare loans only per
    transaction); ``mixed`` when those fall in different groups."""
    finance = [act.finance_type] if act.finance_type else act.transaction_finance_types or [""]
    aid = [act.aid_type] if act.aid_type else act.transaction_aid_types or [""]
    groups = {finance_group(f, a) for f in finance for a in aid}
    return groups.pop() if len(groups) == 1 else "mixed"


@dataclass
class FileSkips:
    """Transactions and budgets of one file: read, skipped, and the problems that skipped them
    (kind → count)."""

    file: str
    transactions: int = 0
    transactions_skipped: int = 0
    budgets: int = 0
    budgets_skipped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, act: Activity) -> None:
        self.transactions += act.transactions_read
        self.budgets += act.budgets_read
        for kind in act.problem_kinds:
            if kind in SKIPPED_TRANSACTION:
                self.transactions_skipped += 1
            elif kind in SKIPPED_BUDGET:
                self.budgets_skipped += 1
            else:
                continue
            self.kinds[kind] = self.kinds.get(kind, 0) + 1

    @property
    def share(self) -> float:
        """The larger of the shares of transactions and of budgets skipped."""
        tx = self.transactions_skipped / self.transactions if self.transactions else 0.0
        bu = self.budgets_skipped / self.budgets if self.budgets else 0.0
        return max(tx, bu)


@dataclass
class ScanResult:
    """Counts of one scan: ``problem_counts`` by kind over the activities stored, ``skipped``
    the files that lost more than :data:`SKIP_WARNING` of their transactions or budgets."""

    scan_id: int
    files: int
    activities: int
    value_chain: dict[str, int]
    duplicates: int
    problems: list[FileProblem] = field(default_factory=list)
    problem_counts: dict[str, int] = field(default_factory=dict)
    skipped: list[FileSkips] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len({p.file for p in self.problems})


class PortfolioStore:
    """A portfolio database (context manager). ``url`` defaults to ``$GVCKIT_DB`` or
    ``sqlite:///gvckit.db``."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or os.environ.get("GVCKIT_DB") or DEFAULT_URL
        self.engine: Engine = open_engine(self.url)  # the shared Alembic history

    def __enter__(self) -> PortfolioStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- scanning ------------------------------------------------------------------------

    def scan(
        self,
        files: Sequence[Path],
        *,
        limits: Limits | None = None,
        rates: Rates | None = None,
        codelists: Codelists | None = None,
        progress: Callable[[Path], None] | None = None,
        workers: int | None = None,
    ) -> ScanResult:
        """Read, classify and store the activities of ``files``; bad files are recorded.
        ``codelists`` names the codes (:func:`~gvckit.portfolio.codelists.read_codelists`).
        Files are parsed and classified by ``workers`` processes (default: the CPUs less the
        one this storing process needs, at most 4; 1 parses in this process, as does the default
        on two CPUs, where worker processes measured slower) and stored in file order, so
        results do not depend on it."""
        problems: list[FileProblem] = []
        once: dict[Path, Path] = {}
        for f in files:  # each file once, where first named (two names of one file: one read)
            once.setdefault(f.resolve(), f)
        files = list(once.values())
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
            key = conn.execute(
                insert(SCANS).values(started_at=started, paths=json.dumps([str(f) for f in files]),
                                     files=len(files), activities=0, refused=0)
            ).inserted_primary_key  # fmt: skip
        assert key is not None
        scan_id = int(key[0])
        self._names = codelists or Codelists()
        self._files: list[dict[str, Any]] = []
        self._dups: dict[tuple[str, str], str] = {}  # (identifier, dropped file) -> kept file
        seen: dict[str, tuple[str, str]] = {}  # identifier -> (file, last_updated) this scan
        batch: dict[str, tuple[Activity, Classification]] = {}  # newer duplicates replace
        total = 0
        skipped: list[FileSkips] = []
        for path, (items, bad) in _parsed(files, limits or Limits(), workers):
            if progress is not None:
                progress(path)
            problems.extend(bad)
            count = len(items)
            skips = FileSkips(str(path))
            for act, _ in items:
                skips.add(act)
            if skips.share > SKIP_WARNING:
                skipped.append(skips)
            for act, verdict in items:
                prior = seen.get(act.iati_identifier)
                if prior is not None:  # in another file or again in the same one
                    newer = act.last_updated > prior[1]
                    kept, dropped = (act.file, prior[0]) if newer else (prior[0], act.file)
                    self._dups[(act.iati_identifier, dropped)] = kept
                    if not newer:
                        continue
                seen[act.iati_identifier] = (act.file, act.last_updated)
                batch[act.iati_identifier] = (act, verdict)
                if len(batch) >= _BATCH:
                    self._store(list(batch.values()), scan_id, rates)
                    batch = {}
            total += count
            self._file_record(path, scan_id, count, bad)
        self._store(list(batch.values()), scan_id, rates)
        counts: dict[str, int] = {"yes": 0, "possible": 0, "no": 0}
        with self.engine.begin() as conn:
            counts.update(conn.execute(
                select(ACTIVITIES.c.value_chain, func.count())
                .where(ACTIVITIES.c.scan_id == scan_id)
                .group_by(ACTIVITIES.c.value_chain)).all())  # fmt: skip
            conn.execute(SCANS.update().where(SCANS.c.id == scan_id).values(
                activities=total, refused=len({p.file for p in problems})))  # fmt: skip
        duplicates = len({ident for ident, _ in self._dups})
        by_kind = self.problem_counts(scan_id)
        return ScanResult(scan_id, len(files), total, counts, duplicates, problems,
                          by_kind, skipped)  # fmt: skip

    def _file_record(self, path: Path, scan_id: int, count: int, bad: list[FileProblem]) -> None:
        status = "ok" if not bad else ("partial" if count else "refused")
        self._files.append({
            "path": str(path), "scan_id": scan_id, "activities": count, "status": status,
            "line": bad[0].line if bad else None,
            "reason": "; ".join(p.reason for p in bad)[:2000] if bad else None,
        })  # fmt: skip

    def _store(
        self, batch: list[tuple[Activity, Classification]], scan_id: int, rates: Rates | None
    ) -> None:
        """Upsert a batch of activities with the file records and duplicates gathered so far;
        an activity already stored from another file is a duplicate: the later update wins."""
        with self.engine.begin() as conn:
            ids = [a.iati_identifier for a, _ in batch]
            stored = {r[0]: (r[1], r[2] or "") for r in conn.execute(
                select(ACTIVITIES.c.iati_identifier, ACTIVITIES.c.file,
                       ACTIVITIES.c.last_updated)
                .where(ACTIVITIES.c.iati_identifier.in_(ids)))}  # fmt: skip
            keep: list[tuple[Activity, Classification]] = []
            newer_stored: list[str] = []  # read in this scan, a later update kept from another
            for act, verdict in batch:
                old = stored.get(act.iati_identifier)
                if old is not None and old[0] != act.file:
                    older = old[1] > act.last_updated
                    kept, dropped = (old[0], act.file) if older else (act.file, old[0])
                    self._dups[(act.iati_identifier, dropped)] = kept
                    if older:
                        newer_stored.append(act.iati_identifier)
                        continue
                keep.append((act, verdict))
            if newer_stored:  # still one of this scan's activities (its counts, its -o file)
                conn.execute(update(ACTIVITIES).values(scan_id=scan_id)
                             .where(ACTIVITIES.c.iati_identifier.in_(newer_stored)))  # fmt: skip
            ids = [a.iati_identifier for a, _ in keep]
            for table in (FINANCES, PROBLEMS, ACTIVITIES):
                conn.execute(delete(table).where(table.c.iati_identifier.in_(ids)))
            rows = [_activity_row(act, v, scan_id, self._names) for act, v in keep]
            fins = [f for act, _ in keep for f in _finance_rows(act, rates)]
            probs = [{"iati_identifier": act.iati_identifier, "message": m, "kind": k}
                     for act, _ in keep
                     for m, k in zip(act.problems, act.problem_kinds, strict=True)]  # fmt: skip
            for table, data in ((ACTIVITIES, rows), (FINANCES, fins), (PROBLEMS, probs)):
                _insert_many(conn, table, data)
            if self._files:
                paths = [f["path"] for f in self._files]
                conn.execute(delete(FILES).where(FILES.c.path.in_(paths)))
                conn.execute(insert(FILES), self._files)
                self._files = []
            for (ident, dropped), kept in self._dups.items():
                conn.execute(delete(DUPLICATES).where(DUPLICATES.c.iati_identifier == ident,
                                                      DUPLICATES.c.file == dropped))  # fmt: skip
                conn.execute(insert(DUPLICATES).values(iati_identifier=ident, file=dropped,
                                                       kept_file=kept))  # fmt: skip

    # -- reading -------------------------------------------------------------------------

    def activities(self, where: Any = None) -> pd.DataFrame:
        """The activities table (one row per activity), optionally filtered."""
        query = select(ACTIVITIES).order_by(ACTIVITIES.c.iati_identifier)
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return frame.drop(columns=["detail"])

    def finances(self, identifiers: Iterable[str] | None = None) -> pd.DataFrame:
        """The finances table (one row per transaction or budget period), optionally of the
        activities ``identifiers`` (asked :data:`_BATCH` at a time: a portfolio may hold more
        activities than a statement may have parameters, 32,766 in SQLite, 65,535 in
        PostgreSQL)."""
        query = select(FINANCES).order_by(FINANCES.c.id)
        with self.engine.connect() as conn:
            if identifiers is None:
                return pd.read_sql(query, conn).drop(columns=["id"])
            ids = list(dict.fromkeys(identifiers))
            rows = [row for k in range(0, len(ids), _BATCH) for row in conn.execute(
                query.where(FINANCES.c.iati_identifier.in_(ids[k : k + _BATCH])))]  # fmt: skip
        rows.sort(key=itemgetter(0))  # the id, as one query would order them
        columns = [c.name for c in FINANCES.columns]
        frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
        return frame.drop(columns=["id"])

    def activity(self, identifier: str) -> dict[str, Any] | None:
        """Everything stored about one activity, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ACTIVITIES).where(ACTIVITIES.c.iati_identifier == identifier)
            ).mappings().first()  # fmt: skip
            if row is None:
                return None
            out = dict(row)
            out["detail"] = json.loads(out["detail"] or "{}")
            out["duplicates"] = [
                r[0]
                for r in conn.execute(
                    select(DUPLICATES.c.file).where(DUPLICATES.c.iati_identifier == identifier)
                )
            ]
            out["problems"] = [
                r[0]
                for r in conn.execute(
                    select(PROBLEMS.c.message).where(PROBLEMS.c.iati_identifier == identifier)
                )
            ]
        out["finances"] = self.finances([identifier]).to_dict("records")
        return out

    def problem_counts(self, scan_id: int | None = None) -> dict[str, int]:
        """Problems of the stored activities by kind (most frequent first), optionally of the
        activities stored by one scan."""
        query = (select(PROBLEMS.c.kind, func.count()).group_by(PROBLEMS.c.kind)
                 .order_by(func.count().desc(), PROBLEMS.c.kind))  # fmt: skip
        if scan_id is not None:
            same = ACTIVITIES.c.iati_identifier == PROBLEMS.c.iati_identifier
            query = query.join(ACTIVITIES, same).where(ACTIVITIES.c.scan_id == scan_id)
        with self.engine.connect() as conn:
            return {str(kind or "other"): int(n) for kind, n in conn.execute(query)}

    def problems(self) -> pd.DataFrame:
        """Problems by kind, file and activity (``count``), then the files refused or read in
        part (kind ``file refused`` / ``file partial``, with the reason as activity)."""
        count = func.count().label("count")
        query = (
            select(PROBLEMS.c.kind, ACTIVITIES.c.file, PROBLEMS.c.iati_identifier, count)
            .join(ACTIVITIES, ACTIVITIES.c.iati_identifier == PROBLEMS.c.iati_identifier)
            .group_by(PROBLEMS.c.kind, ACTIVITIES.c.file, PROBLEMS.c.iati_identifier)
            .order_by(PROBLEMS.c.kind, ACTIVITIES.c.file, PROBLEMS.c.iati_identifier)
        )
        files = (select(FILES.c.status, FILES.c.path, FILES.c.reason)
                 .where(FILES.c.status != "ok").order_by(FILES.c.path))  # fmt: skip
        with self.engine.connect() as conn:
            rows = [(k or "other", f, i, int(n)) for k, f, i, n in conn.execute(query)]
            rows += [(f"file {status}", path, reason or "", 1)
                     for status, path, reason in conn.execute(files)]  # fmt: skip
        return pd.DataFrame(rows, columns=["kind", "file", "iati_identifier", "count"])

    def files(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(FILES).order_by(FILES.c.path), conn)

    def duplicates(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(DUPLICATES).order_by(DUPLICATES.c.iati_identifier), conn)


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with one driver-level ``executemany``: the
    statement is compiled once, which spares SQLAlchemy's per-row parameter processing (the
    columns are plain strings and numbers, which need none). A text longer than its column
    (``String(n)``, enforced by PostgreSQL) is cut to the column's length."""
    if not rows:
        return
    limits = [(c.name, c.type.length) for c in table.columns
              if isinstance(c.type, String) and c.type.length and c.name in rows[0]]  # fmt: skip
    for r in rows:
        for key, n in limits:
            v = r[key]
            if v.__class__ is str and len(v) > n:
                r[key] = v[:n]
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    if conn.dialect.positional:
        row = itemgetter(*(compiled.positiontup or []))
        conn.exec_driver_sql(str(compiled), [row(r) for r in rows])
    else:
        conn.exec_driver_sql(str(compiled), rows)


def _join(items: Iterable[Any]) -> str:
    return ";".join(str(i) for i in items)


def _classified(path: Path, limits: Limits) -> tuple[list[tuple[Activity, Classification]],
                                                     list[FileProblem]]:  # fmt: skip
    """Parse and classify one file (run in a worker process)."""
    problems: list[FileProblem] = []
    out = []
    for act in read_activities([path], limits, problems):
        out.append((act, classify_activity(act)))
    return out, problems


Parsed = tuple[list[tuple[Activity, Classification]], list[FileProblem]]


def _parsed(
    files: Sequence[Path], limits: Limits, workers: int | None
) -> Iterator[tuple[Path, Parsed]]:
    """(file, its classified activities and problems) in file order, a few files ahead."""
    n = workers if workers is not None else min(4, (os.cpu_count() or 1) - 1)
    if n <= 1 or len(files) < 2:
        for path in files:
            yield path, _classified(path, limits)
        return
    ahead = 2 * n  # bounded: results wait for the database, not the other way round
    # fork: workers only parse and classify, and need not re-import the caller's __main__
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=get_context(method)) as pool:
        pending: deque[tuple[Path, Future[Parsed]]] = deque()
        queue = iter(files)
        for path in queue:
            pending.append((path, pool.submit(_classified, path, limits)))
            if len(pending) >= ahead:
                break
        while pending:
            path, future = pending.popleft()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_classified, nxt, limits)))
            yield path, future.result()


def _activity_row(
    act: Activity, verdict: Classification, scan_id: int, names: Codelists
) -> dict[str, Any]:
    start = act.dates.get("2") or act.dates.get("1") or ""
    end = act.dates.get("4") or act.dates.get("3") or ""
    year = int(start[:4]) if start[:4].isdigit() else None
    detail = {
        "titles": act.titles, "descriptions": act.descriptions, "dates": act.dates,
        "participating_orgs": act.participating_orgs, "policy_markers": act.policy_markers,
        "tags": act.tags, "sectors": act.sectors,
        "sectors_from_transactions": act.sectors_from_transactions,
        "hierarchy": act.hierarchy, "collaboration_type": act.collaboration_type,
        "default_currency": act.default_currency,
        "value_chain": {"p_chain": verdict.p_chain, "p_yes": verdict.p_yes,
                        "sentences": verdict.sentences, "discounts": verdict.discounts},
    }  # fmt: skip
    return {
        "iati_identifier": act.iati_identifier, "file": act.file, "line": act.line,
        "scan_id": scan_id, "iati_version": act.version,
        "reporting_org_ref": act.reporting_org_ref, "reporting_org_name": act.reporting_org_name,
        "reporting_org_type": act.reporting_org_type, "title": act.title, "status": act.status,
        "start_date": start or None, "end_date": end or None, "year": year,
        "countries": _join(f"{c}:{p:g}" if p is not None else c for c, p in act.countries),
        "regions": _join(f"{c}:{p:g}" if p is not None else c for c, _, p in act.regions),
        "sectors": _join(f"{c}:{p:g}" if p is not None else c for c, v, p in act.sectors
                         if v in ("1", "2")),
        "aid_type": act.aid_type, "finance_type": act.finance_type,
        "finance_group": activity_finance_group(act),
        "flow_type": act.flow_type, "value_chain": verdict.value_chain,
        "confidence": verdict.confidence, "value_chain_evidence": _evidence(verdict),
        "pattern": _join(verdict.pattern), "fields_of_action": _join(verdict.fields),
        "upgrading": _join(verdict.upgrading), "beneficiaries": _join(verdict.beneficiaries),
        "analyses": _join(verdict.analyses),
        "typology_evidence": " | ".join(verdict.typology_evidence),
        "last_updated": act.last_updated, "detail": json.dumps(detail, ensure_ascii=False),
        "status_name": names.name("ActivityStatus", act.status),
        "aid_type_name": names.name("AidType", act.aid_type),
        "finance_type_name": names.name("FinanceType", act.finance_type),
        "flow_type_name": names.name("FlowType", act.flow_type),
        "reporting_org_type_name": names.name("OrganisationType", act.reporting_org_type),
        "country_names": names.names_of("Country", [c for c, _ in act.countries]),
        "sector_names": names.names_of("Sector", [c for c, v, _ in act.sectors if v == "1"]
                                       ) or names.names_of(
            "SectorCategory", [c for c, v, _ in act.sectors if v == "2"]),
    }  # fmt: skip


def _evidence(verdict: Classification) -> str:
    """Matched words, then what was discounted and the decisive sentences, ' | ' between."""
    parts = [*verdict.evidence, *(f"discounted: {d}" for d in verdict.discounts),
             *(f"sentence: {s}" for s in verdict.sentences)]  # fmt: skip
    return " | ".join(parts)


def _finance_rows(act: Activity, rates: Rates | None) -> list[dict[str, Any]]:
    rows = []
    for f in act.finances:
        usd = rates.to_usd(f.value, f.currency, f.value_date) if rates is not None else None
        rows.append({
            "iati_identifier": act.iati_identifier, "kind": f.kind, "currency": f.currency,
            "value": f.value, "value_date": f.value_date, "period_start": f.period_start,
            "period_end": f.period_end, "currency_flag": f.currency_flag, "value_usd": usd,
        })  # fmt: skip
    return rows
