"""Tables of a workspace (uploads checked by the readers) and measures on them (as jobs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from gvckit.jobs import queue
from gvckit.store import tables as tb
from gvckit.store import workspaces as ws
from gvckit.web.api.models import ERRORS, Created, JobCreated, TableOut
from gvckit.web.deps import Caller, Id, current, engine_of, uploader
from gvckit.web.uploads import OPENAPI_BODY, store_upload

router = APIRouter(tags=["tables"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]


def table_out(row: tb.TableRow) -> TableOut:
    s = row.summary
    return TableOut(
        id=row.id, workspace=row.workspace_id, name=row.name, format=row.format, year=row.year,
        countries=s["countries"], sectors=s["sectors"], n=s["rows"], totals=s["totals"],
        balance=s["balance"],
    )  # fmt: skip


@router.post(
    "/workspaces/{workspace_id}/tables",
    status_code=201,
    response_model=Created,
    openapi_extra=OPENAPI_BODY,
)
async def upload(
    workspace_id: Id,
    request: Request,
    up: Annotated[tuple[Caller, str | None], Depends(uploader)],
) -> Created:
    """Upload a table (multipart: ``file``, optional ``format``, ``year``): streamed into the
    data dir, checked by the readers; 422 with the reader's line if it is not a table."""
    who, pending = up
    ws.access(engine_of(request), who.user, workspace_id, "analyst")
    return Created(id=await store_upload(request, who, pending, workspace_id))


@router.get("/workspaces/{workspace_id}/tables", response_model=list[TableOut])
def list_tables(workspace_id: Id, request: Request, who: Who) -> list[TableOut]:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return [table_out(t) for t in tb.list_tables(engine, workspace_id)]


def visible_table(request: Request, who: Caller, table_id: Id, needed: str) -> tb.TableRow:
    """The table if the caller has ``needed`` in its workspace (404 for non-members)."""
    engine = engine_of(request)
    row = tb.get_table(engine, table_id)
    ws.access(engine, who.user, row.workspace_id, needed)
    return row


@router.get("/tables/{table_id}", response_model=TableOut)
def info(table_id: Id, request: Request, who: Who) -> TableOut:
    return table_out(visible_table(request, who, table_id, "viewer"))


@router.post("/tables/{table_id}/measures/{name}", status_code=202, response_model=JobCreated)
def run_measure(
    table_id: Id,
    name: str,
    request: Request,
    who: Who,
    options: Annotated[dict[str, Any] | None, Body(description="the measure's options")] = None,
) -> JobCreated:
    row = visible_table(request, who, table_id, "analyst")
    job = queue.submit_measure(
        engine_of(request), who.user, row.workspace_id, row.id, name, options or {}
    )
    return JobCreated(job=job)
