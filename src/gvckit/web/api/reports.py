"""The workspace's report (``gvckit report`` on its chain, constraint set, intervention and its
design audit, results chain, table and portfolio: each chosen, the latest, or left out) as a
job: HTML, and PDF if asked."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.engine import Engine

from gvckit.errors import OptionError
from gvckit.jobs import queue
from gvckit.store import chains as ch
from gvckit.store import portfolio as pf
from gvckit.store import workspaces as ws
from gvckit.store.results import list_results
from gvckit.store.tables import list_tables
from gvckit.web.api.models import ERRORS, JobCreated, ReportIn
from gvckit.web.deps import Caller, Id, current, engine_of

__all__ = ["router", "submit"]

router = APIRouter(tags=["reports"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]


def _pick(rows: list[Any], chosen: int | None, part: str, left_out: bool, what: str
          ) -> Any | None:  # fmt: skip
    """The row ``chosen`` of ``rows`` (the latest when none is chosen), or None when the part
    is left out or the workspace has none."""
    if left_out:
        if chosen is not None:
            raise OptionError(f"{part} {chosen} is chosen and left out: choose one")
        return None
    if chosen is None:
        return rows[-1] if rows else None
    found = [r for r in rows if r.id == chosen]
    if not found:
        raise OptionError(f"no {what} {chosen} in this workspace")
    return found[0]


def submit(request: Request, who: Caller, workspace_id: int, spec: ReportIn) -> int:
    """Queue the report of the workspace: each part chosen (or the latest of its kind, unless
    left out) is taken as it is now (its version)."""
    from gvckit.store import actions as ac

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    out = set(spec.leave_out)
    chain = _pick(ch.list_chains(engine, workspace_id), spec.chain, "chain", "chain" in out,
                  "chain")  # fmt: skip
    results = _pick(list_results(engine, workspace_id), spec.results, "results",
                    "results" in out, "results chain")  # fmt: skip
    cs = _pick(ac.list_rows(engine, "constraints", workspace_id), spec.constraints,
               "constraints", "constraints" in out, "constraint set")  # fmt: skip
    iv = _pick(ac.list_rows(engine, "interventions", workspace_id), spec.intervention,
               "intervention", "intervention" in out, "intervention")  # fmt: skip
    options: dict[str, Any] = {
        "chain": None if chain is None else chain.id,
        "version": None if chain is None else chain.version,
        "results": None if results is None else results.id,
        "constraints": None if cs is None else [cs.id, cs.version],
        "intervention": None if iv is None else [iv.id, iv.version],
        "title": spec.title, "pdf": spec.pdf,
    }  # fmt: skip
    if iv is not None:
        kept = [a for a in ac.list_audits(engine, iv.id) if a.version == iv.version]
        if kept and kept[0].chain_id is not None:
            options["audit_chain"] = [kept[0].chain_id, kept[0].chain_version]
    options.update(_table_options(engine, workspace_id, spec))
    options["portfolio"] = "portfolio" not in out and pf.has_activities(engine, workspace_id)
    parts = ("chain", "results", "constraints", "intervention", "table")
    if not any(options.get(k) is not None for k in parts) and not options["portfolio"]:
        raise OptionError("the report needs something from the workspace: a chain, constraints,"
                          " an intervention, a results chain, a table or a portfolio")  # fmt: skip
    return queue.submit_report(engine, who.user, workspace_id, options)


def _table_options(engine: Engine, workspace_id: int, spec: ReportIn) -> dict[str, Any]:
    """The table of the position section (the chosen or latest one) and its country, sector
    and peers, checked against the table's own lists; no table without a country."""
    tables = list_tables(engine, workspace_id)
    if spec.table is not None:
        tables = [t for t in tables if t.id == spec.table]
        if not tables:
            raise OptionError(f"no table {spec.table} in this workspace")
    if spec.country is None:
        if spec.table is not None or spec.sector is not None or spec.peers:
            raise OptionError("the position section needs a country (and optionally a sector)")
        return {}
    if not tables:
        raise OptionError("a country needs a table in the workspace: upload or add one")
    table = tables[-1]
    countries = [str(c) for c in table.summary.get("countries", [])]
    for code in [spec.country, *(spec.peers or [])]:
        if code not in countries:
            raise OptionError(f"country {code!r} is not in table {table.id} ({table.name})")
    sectors = [str(s) for s in table.summary.get("sectors", [])]
    if spec.sector is not None and spec.sector not in sectors:
        raise OptionError(f"sector {spec.sector!r} is not in table {table.id} ({table.name})")
    return {"table": table.id, "country": spec.country, "sector": spec.sector,
            "peers": spec.peers or None}  # fmt: skip


@router.post("/workspaces/{workspace_id}/report", status_code=202, response_model=JobCreated)
def report(
    workspace_id: Id,
    request: Request,
    who: Who,
    spec: Annotated[ReportIn | None, Body()] = None,
) -> JobCreated:
    """Build the workspace's report as a job; its result (``/api/jobs/{job}/result``) is the
    HTML report (``?format=pdf`` for the PDF when ``pdf`` was asked for)."""
    return JobCreated(job=submit(request, who, workspace_id, spec or ReportIn()))
