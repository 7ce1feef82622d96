"""A table's page: its ``table info``, the measure form generated from the registry (a new
measure appears without a new page) and the table's recent jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import OptionError
from gvckit.icio.measures import MEASURES
from gvckit.jobs import queue
from gvckit.store import tables as tb
from gvckit.store import workspaces as ws
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.render import page

router = APIRouter()
Who = Annotated[Caller, Depends(current)]


def _visible(request: Request, who: Caller, table_id: Id) -> tuple[tb.TableRow, ws.Workspace]:
    engine = engine_of(request)
    row = tb.get_table(engine, table_id)
    return row, ws.access(engine, who.user, row.workspace_id, "viewer")


def table_page(
    request: Request, who: Caller, table_id: Id, status: int = 200, chosen: str = "bm",
    error: str | None = None,
) -> HTMLResponse:  # fmt: skip
    row, w = _visible(request, who, table_id)
    spec = MEASURES.get(chosen) or next(iter(MEASURES.values()))
    return page(
        request, "table.html", status=status, table=row, ws=w, info=row.summary,
        measures=MEASURES, spec=spec, can_edit=role_at_least(w.role, "analyst"),
        jobs=queue.list_jobs(engine_of(request), row.id, 20), error=error,
    )  # fmt: skip


@router.get("/tables/{table_id}", response_class=HTMLResponse)
def show(table_id: Id, request: Request, who: Who, measure: str = "bm") -> HTMLResponse:
    return table_page(request, who, table_id, chosen=measure)


@router.get("/tables/{table_id}/options", response_class=HTMLResponse)
def options(table_id: Id, request: Request, who: Who, measure: str = "bm") -> HTMLResponse:
    """htmx fragment: the chosen measure's options."""
    _visible(request, who, table_id)
    spec = MEASURES.get(measure)
    if spec is None:
        raise OptionError(f"unknown measure {measure!r}")
    return page(request, "_options.html", spec=spec)


@router.post("/tables/{table_id}/measures")
async def run(table_id: Id, request: Request, who: Who) -> Response:
    form = await request.form()
    measure = str(form.get("measure", ""))
    spec = MEASURES.get(measure)
    opts: dict[str, object] = {}
    if spec is not None:
        opts = {k: str(form.get(k)) for k in spec.options if form.get(k)}
    groups = [g.strip() for g in str(form.get("groups", "")).splitlines() if g.strip()]
    if groups:
        opts["groups"] = groups
    row, w = _visible(request, who, table_id)
    ws.access(engine_of(request), who.user, w.id, "analyst")
    try:
        job = queue.submit_measure(engine_of(request), who.user, w.id, row.id, measure, opts)
    except OptionError as exc:
        return table_page(request, who, table_id, 422, chosen=measure, error=str(exc))
    return RedirectResponse(f"/jobs/{job}", status_code=303)
