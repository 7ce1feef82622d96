"""Results chains of a workspace and monitoring: import, read, enter actuals (analysts),
progress against targets (:func:`gvckit.interventions.monitoring.progress`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gvckit.errors import InputError
from gvckit.interventions.results import ResultsChain
from gvckit.store import results as rs
from gvckit.store import workspaces as ws
from gvckit.web.api.models import ERRORS, ChainCreated, ChainSaved, JobCreated
from gvckit.web.deps import Caller, Id, current, engine_of

__all__ = ["ActualIn", "results_body", "router", "visible_results"]

router = APIRouter(tags=["monitoring"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]

Sex = Literal["female", "male", "mixed", "other", "unknown"]
FirmSize = Literal["micro", "small", "medium", "large"]


class ActualIn(BaseModel):
    indicator: str = Field(min_length=1, max_length=300)
    date: dt.date
    value: float = Field(allow_inf_nan=False)
    sex: Sex | None = None
    firm_size: FirmSize | None = None


RESULTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object",
                                            "description": "a results chain"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
        },
    }
}  # fmt: skip


async def results_body(request: Request) -> ResultsChain:
    """The results chain a request carries (multipart ``file``, YAML or JSON; or a JSON body)."""
    from gvckit.limits import document_limits
    from gvckit.store.tables import safe_name

    limit = document_limits().max_bytes
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("send the results chain as the multipart field 'file'")
        name = safe_name(upload.filename) if upload.filename else "results.yaml"
        return rs.parse_results(await upload.read(limit + 1), name)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise InputError(f"request body: larger than {limit} bytes")
    return rs.parse_results(bytes(body), "request body.json")


def visible_results(request: Request, who: Caller, results_id: int, needed: str
                    ) -> rs.ResultsRow:  # fmt: skip
    engine = engine_of(request)
    row = rs.get_results(engine, results_id)
    ws.access(engine, who.user, row.workspace_id, needed)
    return row


@router.post("/workspaces/{workspace_id}/results", status_code=201, response_model=ChainCreated,
             openapi_extra=RESULTS_BODY)  # fmt: skip
async def import_results(workspace_id: Id, request: Request, who: Who) -> ChainCreated:
    """Import a results chain (YAML or JSON file, or a JSON body)."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    row = rs.create_results(engine, workspace_id, await results_body(request))
    return ChainCreated(id=row.id, version=row.version)


@router.get(
    "/results/{results_id}",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def get_results(results_id: Id, request: Request, who: Who) -> Response:
    row = visible_results(request, who, results_id, "viewer")
    return Response(row.content, media_type="application/json")


@router.post("/results/{results_id}/actuals", status_code=201, response_model=ChainSaved)
def add_actual(results_id: Id, actual: ActualIn, request: Request, who: Who) -> ChainSaved:
    """Enter a dated actual of an indicator, for all or for one group (sex, firm size)."""
    row = visible_results(request, who, results_id, "analyst")
    groups: dict[str, str] = {}
    for key, value in (("sex", actual.sex), ("firm_size", actual.firm_size)):
        if value:
            groups[key] = value
    version = rs.add_actual(engine_of(request), who.user, row.id, actual.indicator, actual.date,
                            actual.value, groups)  # fmt: skip
    return ChainSaved(version=version)


@router.get(
    "/results/{results_id}/progress",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "array",
                                                                   "items": {"type": "object"}}}}}},
)  # fmt: skip
def progress(results_id: Id, request: Request, who: Who) -> Response:
    """Progress of each indicator against its target (``gvckit results progress``'s rows)."""
    from gvckit.interventions.monitoring import progress as compute

    row = visible_results(request, who, results_id, "viewer")
    frame = compute(row.results)
    text = frame.to_json(orient="records", force_ascii=False, date_format="iso",
                         double_precision=15)  # fmt: skip
    return Response(text, media_type="application/json")


COLUMNS = ("outcome", "unit", "time", "treated", "post", "cluster")


async def submit_impact(request: Request, who: Caller, results_id: int) -> int:
    """Store the uploaded panel CSV (multipart ``file``, optional column fields) in the data dir
    under a generated name and queue the difference-in-differences estimate as a job."""
    import os

    from gvckit.jobs import queue
    from gvckit.store.tables import TooLargeError, new_part
    from gvckit.web.deps import settings_of

    row = visible_results(request, who, results_id, "analyst")
    settings = settings_of(request)
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InputError("send the panel as the multipart field 'file' (CSV)")
    columns = {k: str(v).strip()[:200] for k in COLUMNS if isinstance(v := form.get(k), str)
               and v.strip()}  # fmt: skip
    part = new_part(settings.data_dir, "panel.csv")
    final = part.with_name(part.name.removeprefix(".part-"))
    try:
        size = 0
        with open(part, "xb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise TooLargeError(f"the panel is larger than {settings.max_upload_bytes}"
                                        " bytes")  # fmt: skip
                out.write(chunk)
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    options = {"results": row.id, "panel": str(final.relative_to(settings.data_dir)),
               "columns": columns}  # fmt: skip
    return queue.submit_report(engine_of(request), who.user, row.workspace_id, options, "impact")


@router.post(
    "/results/{results_id}/impact",
    status_code=202,
    response_model=JobCreated,
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "the panel (CSV)"},
            **{k: {"type": "string", "description": f"the {k} column"} for k in COLUMNS}}}}}}},
)  # fmt: skip
async def impact(results_id: Id, request: Request, who: Who) -> JobCreated:
    """Estimate the impact by difference in differences from a panel CSV (a job; its result is
    the estimate, as ``gvckit results --impact``)."""
    return JobCreated(job=await submit_impact(request, who, results_id))
