"""A job's page: live progress (htmx polling a fragment), then the chart, a paginated table and
downloads of the result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.jobs import queue
from gvckit.store import tables as tb
from gvckit.store import workspaces as ws
from gvckit.web.deps import Caller, Id, current, engine_of, settings_of
from gvckit.web.render import page
from gvckit.web.results import chart_json, frame_of, label_columns

router = APIRouter()
Who = Annotated[Caller, Depends(current)]
PAGE = 50


def _visible(request: Request, who: Caller, job_id: Id) -> tuple[queue.Job, ws.Workspace]:
    engine = engine_of(request)
    job = queue.get_job(engine, job_id)
    return job, ws.access(engine, who.user, job.workspace_id, "viewer")


def _context(request: Request, job: queue.Job, w: ws.Workspace, number: int) -> dict[str, Any]:
    ctx: dict[str, Any] = {"job": job, "ws": w, "can_edit": role_at_least(w.role, "analyst")}
    if job.status == "done" and not (job.table_id is None and job.measure == "report"):
        frame = frame_of(settings_of(request).data_dir, job)
        pages = max(1, -(-len(frame) // PAGE))
        number = min(max(number, 1), pages)
        ctx.update(
            chart=chart_json(frame) if "value" in frame.columns else None,
            columns=list(frame.columns), keys=label_columns(frame),
            rows=frame.iloc[(number - 1) * PAGE : number * PAGE].itertuples(index=False),
            page_no=number, pages=pages, total=len(frame),
        )  # fmt: skip
    return ctx


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def show(job_id: Id, request: Request, who: Who, page_no: int = 1) -> Response:
    job, w = _visible(request, who, job_id)
    if job.kind == "scan":  # a portfolio scan: its own page
        return RedirectResponse(f"/workspaces/{w.id}/portfolio/scans/{job.id}", status_code=303)
    if job.table_id is None:  # a report, or an impact estimate
        return page(request, "job.html", table=None, **_context(request, job, w, page_no))
    table = tb.get_table(engine_of(request), job.table_id)
    return page(request, "job.html", table=table, **_context(request, job, w, page_no))


@router.get("/jobs/{job_id}/state", response_class=HTMLResponse)
def state(job_id: Id, request: Request, who: Who, page_no: int = 1) -> Response:
    """htmx fragment: progress while it runs, the result once done (polling stops)."""
    job, w = _visible(request, who, job_id)
    if job.kind == "scan":  # a portfolio scan's result is its problems: its own fragment
        return RedirectResponse(f"/workspaces/{w.id}/portfolio/scans/{job.id}/state",
                                status_code=303)  # fmt: skip
    return page(request, "_job_state.html", **_context(request, job, w, page_no))


@router.get("/jobs/{job_id}/rows", response_class=HTMLResponse)
def rows(job_id: Id, request: Request, who: Who, page_no: int = 1) -> HTMLResponse:
    """htmx fragment: one page of the result table."""
    job, w = _visible(request, who, job_id)
    return page(request, "_rows.html", **_context(request, job, w, page_no))


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: Id, request: Request, who: Who) -> Response:
    _, w = _visible(request, who, job_id)
    ws.access(engine_of(request), who.user, w.id, "analyst")
    queue.cancel(engine_of(request), job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/rerun")
def rerun(job_id: Id, request: Request, who: Who) -> Response:
    _, w = _visible(request, who, job_id)
    ws.access(engine_of(request), who.user, w.id, "analyst")
    queue.rerun(engine_of(request), job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
