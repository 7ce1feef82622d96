"""Results chains of a workspace and monitoring: import, read, edit with optimistic locking
(``If-Match``; a stale save kept as a draft), versions, export, enter actuals (analysts),
progress against targets (:func:`gvckit.interventions.monitoring.progress`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gvckit.errors import ChainError, InputError
from gvckit.interventions.results import ResultsChain
from gvckit.store import results as rs
from gvckit.store import workspaces as ws
from gvckit.web.api import versions as vs
from gvckit.web.api.models import (
    ERRORS,
    ChainCreated,
    ChainSaved,
    Conflict,
    DraftOut,
    JobCreated,
    VersionOut,
)
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
    row = rs.create_results(engine, who.user, workspace_id, await results_body(request),
                            "imported")  # fmt: skip
    return ChainCreated(id=row.id, version=row.version)


@router.get(
    "/results/{results_id}",
    response_class=Response,
    responses=vs.json_doc("the results chain in the files' schema; ETag: its version"),
)
def get_results(results_id: Id, request: Request, who: Who) -> Response:
    row = visible_results(request, who, results_id, "viewer")
    return vs.json_response(row.content, {"ETag": f'"{row.version}"'})


@router.put(
    "/results/{results_id}",
    response_model=ChainSaved,
    openapi_extra=RESULTS_BODY,
    responses={
        409: {"model": Conflict, "description": "a stale version; the edit kept as a draft"}
    },
)
async def put_results(
    results_id: Id,
    request: Request,
    who: Who,
    if_match: Annotated[str | None, Header(description="the version edited")] = None,
    drop_actuals: Annotated[
        bool,
        Query(description="confirm that actuals entered for removed indicators are to be deleted"),
    ] = False,
) -> Any:
    """Save a new version of the results chain (boxes, links, indicators); ``If-Match:
    VERSION`` names the version edited. A stale version is refused (409) and the edit kept as a
    draft; an edit that would delete actuals already entered is refused (422) unless
    ``drop_actuals=true``."""
    row = visible_results(request, who, results_id, "analyst")
    base = vs.if_match(if_match, ChainError)
    results = await results_body(request)
    return vs.saved(lambda: rs.save_results(engine_of(request), who.user, row.id, results, base,
                                            drop_actuals=drop_actuals))  # fmt: skip


@router.get("/results/{results_id}/versions", response_model=list[VersionOut])
def list_versions(results_id: Id, request: Request, who: Who) -> list[VersionOut]:
    """Every saved version, newest first: who, when, what changed."""
    row = visible_results(request, who, results_id, "viewer")
    return vs.versions(rs.HISTORY, engine_of(request), row.id)


@router.get(
    "/results/{results_id}/versions/{version}",
    response_class=Response,
    responses=vs.json_doc("the results chain as it was saved in that version"),
)
def get_version(results_id: Id, version: Id, request: Request, who: Who) -> Response:
    row = visible_results(request, who, results_id, "viewer")
    return vs.json_response(rs.get_version(engine_of(request), row.id, version))


@router.get("/results/{results_id}/diff", response_model=list[str])
def diff(results_id: Id, request: Request, who: Who, a: vs.VersionQ, b: vs.VersionQ
         ) -> list[str]:  # fmt: skip
    """What changed from version ``a`` to version ``b``, one line per field."""
    row = visible_results(request, who, results_id, "viewer")
    return vs.diff(rs.HISTORY, engine_of(request), row.id, a, b)


@router.post(
    "/results/{results_id}/versions/{version}/restore",
    response_model=ChainSaved,
    responses={409: {"model": Conflict, "description": "a stale version; nothing restored"}},
)
def restore(
    results_id: Id,
    version: Id,
    request: Request,
    who: Who,
    if_match: Annotated[str | None, Header(description="the current version")] = None,
    drop_actuals: Annotated[
        bool, Query(description="confirm that actuals entered since that version are to be deleted")
    ] = False,
) -> Any:
    """Save the content of ``version`` as a new version (nothing is deleted); actuals entered
    since then would be lost, so that needs ``drop_actuals=true`` (422 otherwise)."""
    row = visible_results(request, who, results_id, "analyst")
    engine = engine_of(request)
    old = ResultsChain.model_validate_json(rs.get_version(engine, row.id, version))
    base = vs.if_match(if_match, ChainError)
    return vs.saved(lambda: rs.save_results(engine, who.user, row.id, old, base,
                                            drop_actuals=drop_actuals))  # fmt: skip


@router.get("/results/{results_id}/drafts", response_model=list[DraftOut])
def list_drafts(results_id: Id, request: Request, who: Who) -> list[DraftOut]:
    """Edits refused as stale, kept (newest first)."""
    row = visible_results(request, who, results_id, "viewer")
    return vs.drafts(rs.HISTORY, engine_of(request), row.id)


@router.get(
    "/results/{results_id}/drafts/{draft_id}",
    response_class=Response,
    responses=vs.json_doc("the refused edit, a results chain"),
)
def get_draft(results_id: Id, draft_id: Id, request: Request, who: Who) -> Response:
    row = visible_results(request, who, results_id, "viewer")
    return vs.json_response(rs.get_draft(engine_of(request), row.id, draft_id).content)


RESULTS_EXPORTS = {"yaml": "application/yaml", "json": "application/json"}


def export_results(results: ResultsChain, fmt: str) -> str:
    """The results chain as YAML or JSON that :func:`~gvckit.interventions.results.read_results`
    reads back to an equal results chain."""
    import json

    data = results.model_dump(mode="json", by_alias=True, exclude_none=True)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@router.get(
    "/results/{results_id}/export",
    response_class=Response,
    responses={200: {"content": {m: {} for m in RESULTS_EXPORTS.values()},
                     "description": "the results chain as a file that imports back equal"}},
)  # fmt: skip
def export(results_id: Id, request: Request, who: Who,
           format: Literal["yaml", "json"] = "yaml") -> Response:  # fmt: skip
    """The results chain as YAML or JSON."""
    from gvckit.store.tables import safe_name

    row = visible_results(request, who, results_id, "viewer")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", safe_name(row.name)).strip("-")[:80] or "results"
    return Response(
        export_results(row.results, format), media_type=RESULTS_EXPORTS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )  # fmt: skip


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
