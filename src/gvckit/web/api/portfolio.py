"""The portfolio review of a workspace: scans (uploads or a folder under a configured root) as
jobs, the activity list with filters and full-text search, one activity, reviewers' verdicts,
the classifier's agreement with them, exports and the IDB review's tables."""

from __future__ import annotations

import csv
import hmac
import io
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gvckit.errors import InputError
from gvckit.jobs import queue
from gvckit.store import portfolio as pf
from gvckit.store import workspaces as ws
from gvckit.store.tables import safe_name
from gvckit.web.api.models import ERRORS, JobCreated
from gvckit.web.deps import Caller, CsrfError, Id, current, engine_of, settings_of, uploader
from gvckit.web.uploads import receive_upload
from gvckit.workbooks import exact_row

router = APIRouter(tags=["portfolio"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]
BASE = "/workspaces/{workspace_id}/portfolio"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The unpacked size of one upload (a zip's members together) is bounded like one IATI file.
UNPACKED_BYTES = 2**30

SCAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "IATI XML, gzip of it, or a zip of them"}},
            }},
            "application/json": {"schema": {
                "type": "object", "required": ["path"],
                "properties": {"path": {"type": "string", "maxLength": 1000,
                                        "description": "a file or folder under a scan root"}},
            }},
        },
    }
}  # fmt: skip


def _under_root(roots: tuple[Path, ...], raw: object) -> dict[str, Any]:
    """The job inputs for a requested scan path: it must exist and resolve (links followed)
    inside one of the configured roots; relative paths are taken from each root in turn. The
    inputs name the root by its place in the configuration and the path relative to it, so
    that no server path reaches the job's options (members see them)."""
    if not roots:
        raise InputError("no folders are configured for scanning (GVCKIT_PORTFOLIO_ROOTS)")
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 1000 or "\x00" in raw:
        raise InputError("path must be a file or folder under a configured scan root")
    for k, root in enumerate(roots):
        candidate = (root / raw.strip()).resolve()
        if candidate.is_relative_to(root) and candidate.exists():
            return {"path": candidate.relative_to(root).as_posix() or ".", "root": k}
    raise InputError("path must be a file or folder under a configured scan root")


@router.post(BASE + "/scans", status_code=202, response_model=JobCreated,
             openapi_extra=SCAN_BODY)  # fmt: skip
async def scan(
    workspace_id: Id,
    request: Request,
    up: Annotated[tuple[Caller, str | None], Depends(uploader)],
) -> JobCreated:
    """Scan IATI files into the workspace as a job: an upload (multipart ``file``: XML, gzip
    or zip of XML) or ``{"path": ...}`` under a folder an admin configured. 202 with the job."""
    who, pending = up
    return JobCreated(job=await start_scan(request, who, pending, workspace_id))


async def start_scan(request: Request, who: Caller, pending: str | None, workspace_id: int) -> int:
    """Queue a scan from the request (multipart upload or JSON ``path``); the job's id."""
    engine = engine_of(request)
    settings = settings_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        if pending is not None:
            raise CsrfError("missing or wrong CSRF token; reload the page and try again")
        from gvckit.documents import load_document

        doc = load_document(await request.body(), name="request body", kind="json",
                            what='{"path": ...}')  # fmt: skip
        raw = doc.data.get("path") if isinstance(doc.data, dict) else None
        inputs: dict[str, Any] = _under_root(settings.portfolio_roots, raw)
    elif ctype.startswith("application/x-www-form-urlencoded"):  # the page's folder form
        form = await request.form()
        given = form.get("csrf_token")
        if pending is not None and not (
            isinstance(given, str) and hmac.compare_digest(given, pending)
        ):
            raise CsrfError("missing or wrong CSRF token; reload the page and try again")
        inputs = _under_root(settings.portfolio_roots, form.get("path"))
    else:
        got = await receive_upload(request, settings.data_dir, settings.max_upload_bytes, pending)
        assert got.part is not None
        final = got.part.with_name(got.part.name.removeprefix(".part-"))
        got.part.rename(final)
        inputs = {"upload": str(final.relative_to(settings.data_dir)),
                  "name": safe_name(got.filename)}  # fmt: skip
    inputs["max_bytes"] = UNPACKED_BYTES
    return queue.submit_scan(engine, who.user, workspace_id, inputs)


@router.get(BASE + "/scans")
def list_scans(workspace_id: Id, request: Request, who: Who) -> list[dict[str, Any]]:
    """The workspace's scans, newest first: files, activities, files with problems, and the
    problems (file, line, reason), and the problems of the activities stored by kind."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    out = []
    for s in pf.scans(engine, workspace_id):
        out.append({"id": s["id"], "job": s["job_id"], "source": s["source"],
                    "files": s["files"], "activities": s["activities"],
                    "refused": s["refused"], "problems": s["problems"],
                    "problem_kinds": s["problem_kinds"],
                    "created_at": s["created_at"].isoformat()})  # fmt: skip
    return out


def filters(
    q: Annotated[str, Query(max_length=500)] = "",
    value_chain: Annotated[
        Literal["", "yes", "possible", "no", "yes,possible"],
        Query(description="the classifier's verdict; yes,possible: the value chain activities"),
    ] = "",
    publisher: Annotated[str, Query(max_length=200)] = "",
    country: Annotated[str, Query(max_length=10)] = "",
    sector: Annotated[str, Query(max_length=10)] = "",
    year: Annotated[
        str, Query(max_length=4, pattern=r"^(\d{4})?$", description="start year, e.g. 2015")
    ] = "",
    status: Annotated[str, Query(max_length=8)] = "",
    verdict: Literal["", "yes", "possible", "no", "unreviewed"] = "",
    pattern: Annotated[str, Query(max_length=100)] = "",
    field: Annotated[str, Query(max_length=100)] = "",
    upgrading: Annotated[str, Query(max_length=100)] = "",
    queue: Literal["", "unreviewed", "disagree", "sample-no"] = "",
) -> pf.Filters:
    """The list's filters (shared by the list, its exports and the review tables)."""
    return pf.Filters(q, value_chain, publisher, country, sector, int(year) if year else None,
                      status, verdict,
                      pattern, field, upgrading, queue)  # fmt: skip


Filtered = Annotated[pf.Filters, Depends(filters)]
Sort = Literal["-confidence", "confidence", "identifier", "title", "year", "-year", "usd", "-usd"]


@router.get(BASE + "/activities")
def activities(
    workspace_id: Id, request: Request, who: Who, f: Filtered,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50, sort: Sort = "-confidence",
) -> dict[str, Any]:  # fmt: skip
    """``{"total": N, "items": [...]}``: the activities matching the filters, one page.
    ``q``: every word, as a prefix, case- and accent-insensitive, in a title or description."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    total, items = pf.list_activities(engine, workspace_id, f, page=page, per_page=per_page,
                                      sort=sort)  # fmt: skip
    return {"total": total, "page": page, "per_page": per_page, "items": items}


EXPORT_COLUMNS = ["iati_identifier", "title", "value_chain", "confidence", "publisher",
                  "publisher_name", "countries", "sectors", "year", "status", "pattern",
                  "fields_of_action", "upgrading", "usd", "reviews"]  # fmt: skip


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula in a spreadsheet
    return value


@router.get(BASE + "/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})  # fmt: skip
def export(
    workspace_id: Id, request: Request, who: Who, f: Filtered,
    format: Literal["csv", "xlsx"] = "csv", sort: Sort = "-confidence",
) -> Response:  # fmt: skip
    """Every activity matching the filters, sorted, as CSV or XLSX."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    _, items = pf.list_activities(engine, workspace_id, f, per_page=0, sort=sort)
    rows = [[_cell(it[c]) for c in EXPORT_COLUMNS] for it in items]
    return _table_response(EXPORT_COLUMNS, rows, format, f"portfolio-ws{workspace_id}")


def _table_response(columns: list[str], rows: list[list[Any]], fmt: str, name: str) -> Response:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("activities")
        sheet.append(columns)
        for r in rows:
            sheet.append(exact_row(sheet, r))
        buf = io.BytesIO()
        book.save(buf)
        disposition = f'attachment; filename="{name}.xlsx"'
        return Response(
            buf.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition}
        )
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    disposition = f'attachment; filename="{name}.csv"'
    return Response(
        text.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )  # fmt: skip


@router.get(BASE + "/reviewed", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})  # fmt: skip
def reviewed(workspace_id: Id, request: Request, who: Who) -> Response:
    """The reviewed activities in the columns of the labelled evaluation set
    (``tests/data/iati_vc_labels.csv``)."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    rows = [[r[c] for c in pf.LABEL_COLUMNS] for r in pf.reviewed_set(engine, workspace_id)]
    return _table_response(pf.LABEL_COLUMNS, rows, "csv", f"reviewed-ws{workspace_id}")


@router.get(BASE + "/agreement")
def agreement(workspace_id: Id, request: Request, who: Who) -> dict[str, Any]:
    """Precision, recall and Cohen's kappa of the classifier against the reviewers (each
    reviewer's latest verdict on an activity), and between reviewers, with 95 % intervals."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return pf.agreement_of(engine, workspace_id)


@router.get(BASE + "/tables")
def tables(workspace_id: Id, request: Request, who: Who, f: Filtered) -> dict[str, Any]:
    """The IDB review's tables over the activities the filters select."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return pf.review_tables(engine, workspace_id, f)


class ReviewIn(BaseModel):
    verdict: Literal["yes", "possible", "no"]
    note: str = Field("", max_length=5000)
    pattern: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    fields_of_action: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    upgrading: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )


class ReviewCreated(BaseModel):
    id: int
    reviewer: str
    verdict: str


@router.post(BASE + "/activities/{iati_identifier:path}/reviews", status_code=201,
             response_model=ReviewCreated)  # fmt: skip
def review(
    workspace_id: Id, iati_identifier: str, body: ReviewIn, request: Request, who: Who
) -> ReviewCreated:
    """Record the caller's verdict (analyst role): who and when are kept, earlier reviews and
    the classifier's verdict stay."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    new = pf.add_review(engine, workspace_id, iati_identifier, who.user, body.verdict, body.note,
                        pattern=body.pattern, fields_of_action=body.fields_of_action,
                        upgrading=body.upgrading)  # fmt: skip
    return ReviewCreated(id=new, reviewer=who.user.name, verdict=body.verdict)


@router.get(BASE + "/activities/{iati_identifier:path}")
def activity(workspace_id: Id, iati_identifier: str, request: Request, who: Who) -> dict[str, Any]:
    """One activity: its fields, evidence, typology, organisations, texts, finances (original
    currency and US dollars) and reviews."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return pf.get_activity(engine, workspace_id, iati_identifier)
