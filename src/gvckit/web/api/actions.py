"""From analysis to action in a workspace: constraint sets and interventions, imported (a
multipart file or a JSON body in the library's schema; constraints also drafted from a chain of
the workspace), read, saved with optimistic locking (``If-Match``), their versions and drafts;
the ranking of a constraint set (``gvckit constraints rank``) and the design audit of an
intervention against a chain (``gvckit audit``), as the same JSON records as the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from gvckit.errors import InputError
from gvckit.interventions.constraints import ConstraintSet
from gvckit.interventions.typology import Intervention
from gvckit.store import actions as ac
from gvckit.store import workspaces as ws
from gvckit.web.api import versions as vs
from gvckit.web.api.chains import visible_chain
from gvckit.web.api.models import ERRORS, ChainCreated, ChainSaved, Conflict, DraftOut, VersionOut
from gvckit.web.deps import Caller, Id, current, engine_of

__all__ = ["document_body", "router", "visible", "weighted"]

router = APIRouter(tags=["actions"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]
Weight = Annotated[float | None, Query(ge=0, le=1e6, allow_inf_nan=False)]
NameQ = Annotated[str | None, Query(min_length=1, max_length=300, description="its name")]

#: What each kind is called in paths and messages, and its model.
KINDS: dict[str, tuple[str, str, type[ConstraintSet] | type[Intervention]]] = {
    "constraints": ("constraints", "a constraint set", ConstraintSet),
    "interventions": ("interventions", "an intervention", Intervention),
}


class Listed(BaseModel):
    id: int
    name: str
    version: int
    chain: int | None


def _body_schema(what: str, extra: str = "") -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {
                    "type": "object", "description": f"{what} in the YAML files' schema{extra}"}},
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary",
                                            "description": f"{what}: .yaml or .json"}},
                }},
            },
        }
    }  # fmt: skip


async def _raw_body(request: Request) -> tuple[bytes, str, bool]:
    """The bytes a request carries, the name to show in messages and whether it is a JSON body:
    a multipart ``file`` or the body itself, within the document limits."""
    from gvckit.limits import document_limits, workbook_limits
    from gvckit.store.tables import safe_name

    limit = max(document_limits().max_bytes, workbook_limits().max_bytes)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("send the file as the multipart field 'file'")
        name = safe_name(upload.filename) if upload.filename else "upload.yaml"
        raw = await upload.read(limit + 1)
        if len(raw) > limit:
            raise InputError(f"{name}: the file is larger than {limit} bytes")
        return raw, name, False
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise InputError(f"request body: larger than {limit} bytes")
    return bytes(body), "request body", True


async def document_body(request: Request, kind: str) -> tuple[Any, Any]:
    """The document a request carries (constraint set or intervention) and, for a JSON body,
    its parsed data (to look for ``from_chain``); the model's message as an
    :class:`~gvckit.errors.InputError` (422) otherwise."""
    from gvckit.documents import load_document, validate

    raw, name, is_json = await _raw_body(request)
    _, what, model = KINDS[kind]
    if not is_json:
        parse = ac.parse_constraints if kind == "constraints" else ac.parse_intervention
        return parse(raw, name), None
    doc = load_document(raw, name=name, kind="json", what=what)
    if kind == "constraints" and isinstance(doc.data, dict) and "from_chain" in doc.data:
        return None, doc.data
    return validate(model, doc.data, file=name, lines=doc.lines, expected=what), None


def visible(request: Request, who: Caller, kind: str, doc_id: int, needed: str) -> ac.Stored:
    """The stored document if the caller has ``needed`` in its workspace (404 otherwise)."""
    engine = engine_of(request)
    row = ac.get(engine, kind, doc_id)
    ws.access(engine, who.user, row.workspace_id, needed)
    return row


def _chain_in(request: Request, who: Caller, chain_id: int | None, workspace_id: int) -> Any:
    """The chain ``chain_id`` of the same workspace (404 for another's), or None."""
    if chain_id is None:
        return None
    row = visible_chain(request, who, chain_id, "viewer")
    if row.workspace_id != workspace_id:
        raise ws.NotFoundError("not found")
    return row


def _from_chain(request: Request, who: Caller, workspace_id: int, data: dict[str, Any]
                ) -> tuple[ConstraintSet, Any]:  # fmt: skip
    from gvckit.interventions.derive import constraints_from_chain

    unknown = set(data) - {"from_chain", "snapshot"}
    if unknown:
        raise InputError(f"request body: unknown key {sorted(unknown)[0]!r} beside from_chain")
    chain_id, year = data.get("from_chain"), data.get("snapshot")
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or not 1 <= chain_id < 2**31:
        raise InputError("request body: from_chain must be the id of a chain of the workspace")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise InputError("request body: snapshot must be a year")
    row = _chain_in(request, who, chain_id, workspace_id)
    chain = row.chain
    year = chain.snapshot(year).year
    return constraints_from_chain(chain, year, file=row.name), row


def weighted(cs: ConstraintSet, given: dict[str, float | None]) -> ConstraintSet:
    """``cs`` with the weights given (a criterion not given weighs 0, as with
    ``gvckit constraints rank --weights``); ``cs`` itself when none is given."""
    from gvckit.interventions.constraints import with_weights

    if all(v is None for v in given.values()):
        return cs
    return with_weights(cs, {k: v or 0.0 for k, v in given.items() if v is not None})


def _records(text: str) -> Response:
    return Response(text, media_type="application/json")


@router.post(
    "/workspaces/{workspace_id}/constraints",
    status_code=201,
    response_model=ChainCreated,
    openapi_extra=_body_schema(
        "a constraint set",
        '; or {"from_chain": ID, "snapshot": YEAR} to draft it from a chain\'s evidence',
    ),
)
async def import_constraints(workspace_id: Id, request: Request, who: Who, name: NameQ = None,
                             chain: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                             ) -> ChainCreated:  # fmt: skip
    """Store a constraint set: a file (YAML or JSON), a JSON body in the library's schema, or
    ``{"from_chain": ID}`` (drafted by ``constraints_from_chain``); 422 with the model's message
    (field path and line) if it is not valid."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    cs, data = await document_body(request, "constraints")
    row = _chain_in(request, who, chain, workspace_id)
    summary = "imported"
    if data is not None:
        cs, row = _from_chain(request, who, workspace_id, data)
        summary = f"drafted from chain {row.id} (version {row.version})"
    shown = name or (f"Constraints of {row.name}" if row is not None else cs.chain) or "Constraints"
    stored = ac.create(engine, who.user, "constraints", workspace_id, cs, shown,
                       None if row is None else row.id, summary)  # fmt: skip
    return ChainCreated(id=stored.id, version=stored.version)


@router.post(
    "/workspaces/{workspace_id}/interventions",
    status_code=201,
    response_model=ChainCreated,
    openapi_extra=_body_schema("an intervention"),
)
async def import_intervention(workspace_id: Id, request: Request, who: Who, name: NameQ = None,
                              chain: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                              ) -> ChainCreated:  # fmt: skip
    """Store an intervention (a YAML or JSON file, the chain workbook's ``intervention`` sheet,
    or a JSON body in the library's schema); 422 with the model's message otherwise."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    iv, _ = await document_body(request, "interventions")
    row = _chain_in(request, who, chain, workspace_id)
    stored = ac.create(engine, who.user, "interventions", workspace_id, iv, name or iv.title,
                       None if row is None else row.id, "imported")  # fmt: skip
    return ChainCreated(id=stored.id, version=stored.version)


def _document_routes(kind: str) -> None:
    """The routes both kinds share: list, read, save, export, versions, diff, drafts."""
    path, what, _ = KINDS[kind]
    history_of = ac.KINDS[kind][0]
    one = f"/{path}/{{doc_id}}"

    def add(method: str, route: str, fn: Callable[..., Any], **kw: Any) -> None:
        fn.__name__ = f"{fn.__name__}_{kind}"
        router.add_api_route(route, fn, methods=[method], **kw)

    def list_all(workspace_id: Id, request: Request, who: Who) -> list[Listed]:
        engine = engine_of(request)
        ws.access(engine, who.user, workspace_id, "viewer")
        return [Listed(id=r.id, name=r.name, version=r.version, chain=r.chain_id)
                for r in ac.list_rows(engine, kind, workspace_id)]  # fmt: skip

    add("GET", f"/workspaces/{{workspace_id}}/{path}", list_all, response_model=list[Listed],
        summary=f"The workspace's {path}")  # fmt: skip

    def get_one(doc_id: Id, request: Request, who: Who) -> Response:
        row = visible(request, who, kind, doc_id, "viewer")
        return vs.json_response(row.content, {"ETag": f'"{row.version}"'})

    add(
        "GET",
        one,
        get_one,
        response_class=Response,
        summary=f"Read {what}",
        responses=vs.json_doc(f"{what} in the YAML files' schema; ETag: its version"),
    )

    async def put_one(doc_id: Id, request: Request, who: Who, if_match_: Annotated[
            str | None, Header(alias="If-Match", description="the version edited")] = None,
    ) -> Any:  # fmt: skip
        row = visible(request, who, kind, doc_id, "analyst")
        base = vs.if_match(if_match_)
        doc, _ = await document_body(request, kind)
        if doc is None:
            raise InputError("request body: from_chain drafts a new set; PUT the set itself")
        return vs.saved(lambda: ac.save(engine_of(request), who.user, kind, row.id, doc, base))

    add(
        "PUT",
        one,
        put_one,
        response_model=ChainSaved,
        summary=f"Save {what}",
        openapi_extra=_body_schema(what),
        responses={409: {"model": Conflict, "description": "a stale version; the edit kept"}},
    )

    def export(doc_id: Id, request: Request, who: Who,
               format: Literal["yaml", "json"] = "yaml") -> Response:  # fmt: skip
        import json

        import yaml

        row = visible(request, who, kind, doc_id, "viewer")
        data = json.loads(row.content)
        text = (json.dumps(data, indent=2, ensure_ascii=False) if format == "json" else
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True))  # fmt: skip
        media = "application/json" if format == "json" else "application/yaml; charset=utf-8"
        return Response(
            text,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{kind}-{row.id}.{format}"'},
        )

    add(
        "GET",
        f"{one}/export",
        export,
        response_class=Response,
        summary=f"Export {what}",
        responses={
            200: {
                "content": {"application/json": {}, "application/yaml": {}},
                "description": "a file that imports back equal",
            }
        },
    )

    def history(doc_id: Id, request: Request, who: Who) -> list[VersionOut]:
        row = visible(request, who, kind, doc_id, "viewer")
        return vs.versions(history_of, engine_of(request), row.id)

    add(
        "GET",
        f"{one}/versions",
        history,
        response_model=list[VersionOut],
        summary="Every saved version, newest first",
    )

    def version(doc_id: Id, number: Id, request: Request, who: Who) -> Response:
        row = visible(request, who, kind, doc_id, "viewer")
        return vs.json_response(history_of.content(engine_of(request), row.id, number))

    add(
        "GET",
        f"{one}/versions/{{number}}",
        version,
        response_class=Response,
        summary="The document as saved in that version",
        responses=vs.json_doc("the document in that version"),
    )

    def diff(doc_id: Id, request: Request, who: Who, a: vs.VersionQ, b: vs.VersionQ
             ) -> list[str]:  # fmt: skip
        row = visible(request, who, kind, doc_id, "viewer")
        return vs.diff(history_of, engine_of(request), row.id, a, b)

    add(
        "GET",
        f"{one}/diff",
        diff,
        response_model=list[str],
        summary="What changed from version a to b",
    )

    def restore(doc_id: Id, number: Id, request: Request, who: Who, if_match_: Annotated[
            str | None, Header(alias="If-Match", description="the current version")] = None,
    ) -> Any:  # fmt: skip
        row = visible(request, who, kind, doc_id, "analyst")
        base = vs.if_match(if_match_)
        return vs.saved(lambda: history_of.restore(engine_of(request), who.user, row.id, number,
                                                   base))  # fmt: skip

    add(
        "POST",
        f"{one}/versions/{{number}}/restore",
        restore,
        response_model=ChainSaved,
        summary="Save an earlier version's content as the next version",
        responses={409: {"model": Conflict, "description": "a stale version; nothing restored"}},
    )

    def drafts(doc_id: Id, request: Request, who: Who) -> list[DraftOut]:
        row = visible(request, who, kind, doc_id, "viewer")
        return vs.drafts(history_of, engine_of(request), row.id)

    add(
        "GET",
        f"{one}/drafts",
        drafts,
        response_model=list[DraftOut],
        summary="Edits refused as stale, kept",
    )

    def draft(doc_id: Id, draft_id: Id, request: Request, who: Who) -> Response:
        row = visible(request, who, kind, doc_id, "viewer")
        found = history_of.get_draft(engine_of(request), row.id, draft_id)
        return vs.json_response(found.content)

    add(
        "GET",
        f"{one}/drafts/{{draft_id}}",
        draft,
        response_class=Response,
        summary="A refused edit",
        responses=vs.json_doc("the refused edit in the YAML files' schema"),
    )


for _kind in KINDS:
    _document_routes(_kind)

RECORDS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "array",
                                                      "items": {"type": "object"}}}},
          "description": "the CLI's rows as JSON records"}
}  # fmt: skip


@router.get("/constraints/{doc_id}/ranking", response_class=Response, responses=RECORDS)
def ranking(doc_id: Id, request: Request, who: Who, severity: Weight = None,
            reach: Weight = None, feasibility: Weight = None, leverage: Weight = None,
            ) -> Response:  # fmt: skip
    """The ranking of ``gvckit constraints rank`` (with ``--weights`` when weights are given:
    they replace the set's, a criterion not given weighs 0)."""
    from gvckit.interventions.constraints import prioritise

    row = visible(request, who, "constraints", doc_id, "viewer")
    given = {"severity": severity, "reach": reach, "feasibility": feasibility,
             "leverage": leverage}  # fmt: skip
    return _records(ac.records(prioritise(weighted(row.constraints, given))))


@router.get("/constraints/{doc_id}/sensitivity", response_class=Response, responses=RECORDS)
def sensitivity(doc_id: Id, request: Request, who: Who, severity: Weight = None,
                reach: Weight = None, feasibility: Weight = None, leverage: Weight = None,
                ) -> Response:  # fmt: skip
    """The ±20 % weight check of ``gvckit constraints rank --sensitivity``."""
    from gvckit.interventions.constraints import sensitivity as check

    row = visible(request, who, "constraints", doc_id, "viewer")
    given = {"severity": severity, "reach": reach, "feasibility": feasibility,
             "leverage": leverage}  # fmt: skip
    return _records(ac.records(check(weighted(row.constraints, given))))


@router.get("/constraints/{doc_id}/recommend", response_class=Response, responses=RECORDS)
def recommended(doc_id: Id, request: Request, who: Who) -> Response:
    """The approaches of ``gvckit approaches recommend`` for the set."""
    from gvckit.interventions.recommend import recommend

    row = visible(request, who, "constraints", doc_id, "viewer")
    return _records(ac.records(recommend(row.constraints)))


@router.get("/interventions/{doc_id}/audit", response_class=Response, responses=RECORDS)
def design_audit(
    doc_id: Id,
    request: Request,
    who: Who,
    chain: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The findings of ``gvckit audit`` for the intervention (with ``--chain``: against that
    chain of the workspace)."""
    from gvckit.interventions.audit import audit

    row = visible(request, who, "interventions", doc_id, "viewer")
    found = _chain_in(request, who, chain, row.workspace_id)
    return _records(ac.records(audit(row.intervention, None if found is None else found.chain)))


class AuditOut(BaseModel):
    id: int
    version: int
    chain: int | None
    chain_version: int | None
    chain_name: str
    user: str
    findings: list[dict[str, Any]]


def _audit_out(a: ac.AuditRow) -> AuditOut:
    import json

    return AuditOut(
        id=a.id,
        version=a.version,
        chain=a.chain_id,
        chain_version=a.chain_version,
        chain_name=a.chain_name,
        user=a.user,
        findings=json.loads(a.findings),
    )


@router.post("/interventions/{doc_id}/audits", status_code=201, response_model=AuditOut)
def keep_audit(
    doc_id: Id,
    request: Request,
    who: Who,
    chain: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> AuditOut:
    """Audit the intervention (against a chain of the workspace) and keep the findings with
    it."""
    from gvckit.interventions.audit import audit

    engine = engine_of(request)
    row = visible(request, who, "interventions", doc_id, "analyst")
    found = _chain_in(request, who, chain, row.workspace_id)
    frame = audit(row.intervention, None if found is None else found.chain)
    key = ac.record_audit(engine, who.user, row, None if found is None else found.id,
                          None if found is None else found.version,
                          "" if found is None else found.name, frame)  # fmt: skip
    return _audit_out(next(a for a in ac.list_audits(engine, row.id) if a.id == key))


@router.get("/interventions/{doc_id}/audits", response_model=list[AuditOut])
def kept_audits(doc_id: Id, request: Request, who: Who) -> list[AuditOut]:
    """The audits kept with the intervention, newest first."""
    row = visible(request, who, "interventions", doc_id, "viewer")
    return [_audit_out(a) for a in ac.list_audits(engine_of(request), row.id)]
