"""Value chains of a workspace: import (YAML, JSON, workbook, or a JSON body), read, save with
optimistic locking (``If-Match``), the accounts views, the map, versions, drafts, restore."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from gvckit.chain.model import Chain
from gvckit.errors import ChainError
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.web.api import versions as vs
from gvckit.web.api.models import (
    ERRORS,
    ChainCreated,
    ChainListed,
    ChainSaved,
    Conflict,
    DraftOut,
    VersionOut,
)
from gvckit.web.chainviews import EXPORTS, account_rows, export_chain
from gvckit.web.deps import Caller, Id, current, engine_of

__all__ = ["chain_body", "router", "visible_chain"]

router = APIRouter(tags=["chains"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]

#: The request body: a chain file (multipart ``file``) or the chain itself as JSON.
CHAIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object",
                                            "description": "a chain in the YAML files' schema"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary",
                                            "description": "the chain: .yaml, .json or .xlsx"}},
                }
            },
        },
    }
}  # fmt: skip


def _read_limited(data: bytes, limit: int, name: str) -> bytes:
    if len(data) > limit:
        raise ChainError(f"{name}: the file is larger than {limit} bytes")
    return data


async def chain_body(request: Request) -> Chain:
    """The chain a request carries: multipart ``file`` (YAML, JSON or xlsx) or a JSON body;
    the model's message (field path and line) as a :class:`ChainError` (422) otherwise."""
    from gvckit.limits import document_limits, workbook_limits
    from gvckit.store.tables import safe_name

    limit = max(document_limits().max_bytes, workbook_limits().max_bytes)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ChainError("send the chain as the multipart field 'file'")
        name = safe_name(upload.filename) if upload.filename else "chain.yaml"
        raw = _read_limited(await upload.read(limit + 1), limit, name)
        return ch.parse_chain(raw, name)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ChainError(f"request body: larger than {limit} bytes")
    from gvckit.chain.readers import chain_from_data
    from gvckit.documents import load_document

    doc = load_document(bytes(body), name="request body", kind="json", what="a chain",
                        error=ChainError)  # fmt: skip
    return chain_from_data(doc.data, file="request body", lines=doc.lines)


def visible_chain(request: Request, who: Caller, chain_id: int, needed: str) -> ch.ChainRow:
    """The chain if the caller has ``needed`` in its workspace (404 for non-members)."""
    engine = engine_of(request)
    row = ch.get_chain(engine, chain_id)
    ws.access(engine, who.user, row.workspace_id, needed)
    return row


@router.post(
    "/workspaces/{workspace_id}/chains",
    status_code=201,
    response_model=ChainCreated,
    openapi_extra=CHAIN_BODY,
)
async def import_chain(workspace_id: Id, request: Request, who: Who) -> ChainCreated:
    """Import a chain (multipart ``file`` in YAML, JSON or xlsx, or a JSON body in the chain
    schema); 422 with the model's message (field path and line) if it is not valid."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    chain = await chain_body(request)
    row = ch.create_chain(engine, who.user, workspace_id, chain, "imported")
    return ChainCreated(id=row.id, version=row.version)


@router.get("/workspaces/{workspace_id}/chains", response_model=list[ChainListed])
def list_chains(workspace_id: Id, request: Request, who: Who) -> list[ChainListed]:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return [ChainListed(id=r.id, name=r.name, version=r.version)
            for r in ch.list_chains(engine, workspace_id)]  # fmt: skip


@router.get(
    "/chains/{chain_id}",
    response_class=Response,
    responses=vs.json_doc("the chain in the YAML files' schema; ETag: its version"),
)
def get_chain(chain_id: Id, request: Request, who: Who) -> Response:
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.json_response(row.content, {"ETag": f'"{row.version}"'})


@router.put(
    "/chains/{chain_id}",
    response_model=ChainSaved,
    openapi_extra=CHAIN_BODY,
    responses={
        409: {"model": Conflict, "description": "a stale version; the edit kept as a draft"}
    },
)
async def put_chain(
    chain_id: Id,
    request: Request,
    who: Who,
    if_match: Annotated[str | None, Header(description="the version edited")] = None,
) -> Any:
    """Save a new version of the chain; ``If-Match: VERSION`` names the version edited. A stale
    version is refused (409) and the edit kept as a draft."""
    row = visible_chain(request, who, chain_id, "analyst")
    base = vs.if_match(if_match, ChainError)
    chain = await chain_body(request)
    return vs.saved(lambda: ch.save_chain(engine_of(request), who.user, row.id, chain, base))


@router.get(
    "/chains/{chain_id}/export",
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in EXPORTS.values()},
                     "description": "the chain as a file that imports back to an equal chain"}},
)  # fmt: skip
def export(
    chain_id: Id,
    request: Request,
    who: Who,
    format: Literal["yaml", "json", "xlsx"] = "yaml",
) -> Response:
    """The chain as YAML, JSON or the Excel workbook."""
    from gvckit.store.tables import safe_name

    row = visible_chain(request, who, chain_id, "viewer")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", safe_name(row.name)).strip("-")[:80] or "chain"
    return Response(
        export_chain(row.chain, format), media_type=EXPORTS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )  # fmt: skip


@router.get(
    "/chains/{chain_id}/accounts",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "array",
                                                                   "items": {"type": "object"}}}},
                     "description": "the rows of `gvckit chain accounts` as JSON records"}},
)  # fmt: skip
def accounts(
    chain_id: Id,
    request: Request,
    who: Who,
    view: Literal["accounts", "prices", "distribution"] = "accounts",
    snapshot: Annotated[int | None, Query(ge=-(10**6), le=10**6)] = None,
) -> Response:
    """The same rows as ``gvckit chain accounts --view VIEW --snapshot YEAR``."""
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.json_response(account_rows(row.chain, view, snapshot))


@router.get(
    "/chains/{chain_id}/map.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "the chain map"}},
)
def chain_map(
    chain_id: Id,
    request: Request,
    who: Who,
    snapshot: Annotated[int | None, Query(ge=-(10**6), le=10**6)] = None,
) -> Response:
    from gvckit.chain.chainmap import chain_map_svg

    row = visible_chain(request, who, chain_id, "viewer")
    chain = row.chain
    chain.snapshot(snapshot)  # a missing year is the model's message
    return Response(chain_map_svg(chain, snapshot), media_type="image/svg+xml")


@router.get("/chains/{chain_id}/versions", response_model=list[VersionOut])
def list_versions(chain_id: Id, request: Request, who: Who) -> list[VersionOut]:
    """Every saved version, newest first: who, when, what changed."""
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.versions(ch.HISTORY, engine_of(request), row.id)


@router.get(
    "/chains/{chain_id}/versions/{version}",
    response_class=Response,
    responses=vs.json_doc("the chain as it was saved in that version"),
)
def get_version(chain_id: Id, version: Id, request: Request, who: Who) -> Response:
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.json_response(ch.get_version(engine_of(request), row.id, version))


@router.get("/chains/{chain_id}/diff", response_model=list[str])
def diff(chain_id: Id, request: Request, who: Who, a: vs.VersionQ, b: vs.VersionQ) -> list[str]:
    """What changed from version ``a`` to version ``b``, one line per field."""
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.diff(ch.HISTORY, engine_of(request), row.id, a, b)


@router.post(
    "/chains/{chain_id}/versions/{version}/restore",
    response_model=ChainSaved,
    responses={409: {"model": Conflict, "description": "a stale version; nothing restored"}},
)
def restore(
    chain_id: Id,
    version: Id,
    request: Request,
    who: Who,
    if_match: Annotated[str | None, Header(description="the current version")] = None,
) -> Any:
    """Save the content of ``version`` as a new version (nothing is deleted)."""
    row = visible_chain(request, who, chain_id, "analyst")
    base = vs.if_match(if_match, ChainError)
    return vs.saved(lambda: ch.restore(engine_of(request), who.user, row.id, version, base))


@router.get("/chains/{chain_id}/drafts", response_model=list[DraftOut])
def list_drafts(chain_id: Id, request: Request, who: Who) -> list[DraftOut]:
    """Edits refused as stale, kept (newest first)."""
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.drafts(ch.HISTORY, engine_of(request), row.id)


@router.get(
    "/chains/{chain_id}/drafts/{draft_id}",
    response_class=Response,
    responses=vs.json_doc("the refused edit, a chain in the YAML files' schema"),
)
def get_draft(chain_id: Id, draft_id: Id, request: Request, who: Who) -> Response:
    row = visible_chain(request, who, chain_id, "viewer")
    return vs.json_response(ch.get_draft(engine_of(request), row.id, draft_id).content)
