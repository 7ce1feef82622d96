"""The workspace's report (``gvckit report`` on its chain and results chain) as a job: HTML,
and PDF if asked."""

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


def submit(request: Request, who: Caller, workspace_id: int, spec: ReportIn) -> int:
    """Queue the report of the workspace; the chain is taken as it is now (its version)."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    chains = ch.list_chains(engine, workspace_id)
    if spec.chain is not None:
        chains = [c for c in chains if c.id == spec.chain]
        if not chains:
            raise OptionError(f"no chain {spec.chain} in this workspace")
    if not chains:
        raise OptionError("the report needs a chain in the workspace: import or build one")
    chosen = chains[-1]
    results = list_results(engine, workspace_id)
    if spec.results is not None:
        results = [r for r in results if r.id == spec.results]
        if not results:
            raise OptionError(f"no results chain {spec.results} in this workspace")
    options: dict[str, Any] = {"chain": chosen.id, "version": chosen.version, "title": spec.title,
               "pdf": spec.pdf, "results": results[-1].id if results else None}  # fmt: skip
    options.update(_table_options(engine, workspace_id, spec))
    options["portfolio"] = pf.has_activities(engine, workspace_id)
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
