"""The workspace's report (``gvckit report`` on its chain and results chain) as a job: HTML,
and PDF if asked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from gvckit.errors import OptionError
from gvckit.jobs import queue
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.store.results import list_results
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
    options = {"chain": chosen.id, "version": chosen.version, "title": spec.title,
               "pdf": spec.pdf, "results": results[-1].id if results else None}  # fmt: skip
    return queue.submit_report(engine, who.user, workspace_id, options)


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
