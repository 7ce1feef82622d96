"""Jobs: state, result downloads, cancel and rerun."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from gvckit.jobs import queue
from gvckit.store import workspaces as ws
from gvckit.web.api.models import ERRORS, JobOut
from gvckit.web.deps import Caller, Id, current, engine_of, settings_of
from gvckit.web.results import MEDIA, REPORT_MEDIA, result_bytes

router = APIRouter(tags=["jobs"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]


def visible_job(request: Request, who: Caller, job_id: Id, needed: str) -> queue.Job:
    engine = engine_of(request)
    job = queue.get_job(engine, job_id)
    ws.access(engine, who.user, job.workspace_id, needed)
    return job


def job_out(job: queue.Job) -> JobOut:
    result = f"/api/jobs/{job.id}/result" if job.status == "done" else None
    return JobOut(
        id=job.id, status=job.status, progress=job.progress, message=job.message,
        result=result, measure=job.measure, options=job.options, table=job.table_id,
        owner=job.owner,
    )  # fmt: skip


@router.get("/jobs/{job_id}", response_model=JobOut)
def state(job_id: Id, request: Request, who: Who) -> JobOut:
    return job_out(visible_job(request, who, job_id, "viewer"))


@router.get(
    "/jobs/{job_id}/result",
    response_class=Response,
    responses={
        200: {"content": {m.split(";")[0]: {} for m in (*MEDIA.values(), *REPORT_MEDIA.values())}}
    },
)
def result(
    job_id: Id,
    request: Request,
    who: Who,
    format: Literal["csv", "json", "parquet", "html", "pdf"] | None = None,
) -> Response:
    """The result: a measure's table (csv, the default; json, parquet), a report's html (the
    default) or pdf."""
    job = visible_job(request, who, job_id, "viewer")
    fmt = format or ("html" if job.measure == "report" and job.table_id is None else "csv")
    body = result_bytes(settings_of(request).data_dir, job, fmt)
    name = f"{job.measure}-job{job.id}.{fmt}"
    return Response(
        body, media_type={**MEDIA, **REPORT_MEDIA}[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel(job_id: Id, request: Request, who: Who) -> JobOut:
    visible_job(request, who, job_id, "analyst")
    queue.cancel(engine_of(request), job_id)
    return job_out(queue.get_job(engine_of(request), job_id))


@router.post("/jobs/{job_id}/rerun", response_model=JobOut)
def rerun(job_id: Id, request: Request, who: Who) -> JobOut:
    visible_job(request, who, job_id, "analyst")
    queue.rerun(engine_of(request), job_id)
    return job_out(queue.get_job(engine_of(request), job_id))
