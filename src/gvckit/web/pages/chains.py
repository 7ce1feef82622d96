"""A chain's pages: the views (map, accounts, price build-up, distribution, governance per
link, upgrading, the five questions), the forms that build and edit it, its history (diff,
restore) and drafts; the workspace's chains and report. The same services as the API."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gvckit.auth.users import role_at_least
from gvckit.chain.model import ActorKind, Chain
from gvckit.errors import ChainError, GvcError, InputError
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.web.chainforms import (
    MAPPINGS,
    PARTS,
    TITLES,
    apply_edit,
    fields_for,
    item_values,
    new_chain_data,
    part_items,
)
from gvckit.web.chainviews import people_table
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.render import page

router = APIRouter()
Who = Annotated[Caller, Depends(current)]


def _visible(request: Request, who: Caller, chain_id: int, needed: str = "viewer"
             ) -> tuple[ch.ChainRow, ws.Workspace]:  # fmt: skip
    engine = engine_of(request)
    row = ch.get_chain(engine, chain_id)
    return row, ws.access(engine, who.user, row.workspace_id, needed)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=200)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _year(chain: Chain, snapshot: int | None) -> int:
    return chain.snapshot(snapshot).year


@router.get("/workspaces/{workspace_id}/chains", response_class=HTMLResponse)
def chains_page(workspace_id: Id, request: Request, who: Who) -> HTMLResponse:
    return _chains(request, who, workspace_id)


def _chains(request: Request, who: Caller, workspace_id: int, status: int = 200,
            form: dict[str, str] | None = None, **errors: str) -> HTMLResponse:  # fmt: skip
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    from gvckit.store.portfolio import has_activities
    from gvckit.store.results import list_results
    from gvckit.store.tables import list_tables
    from gvckit.web.pages.constraint_sets import report_choices

    return page(request, "chains.html", status=status, ws=w, results=list_results(engine, w.id),
                chains=ch.list_chains(engine, w.id), can_edit=role_at_least(w.role, "analyst"),
                tables=list_tables(engine, w.id), portfolio=has_activities(engine, w.id),
                **report_choices(engine, w.id),
                kinds=[k.value for k in ActorKind], errors=errors, form=form or {})  # fmt: skip


@router.post("/workspaces/{workspace_id}/chains/new")
async def new_chain(workspace_id: Id, request: Request, who: Who) -> Response:
    """A new chain from the first form: header, year, a first stage and a first actor."""
    from gvckit.chain.readers import chain_from_data

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    form = await _form(request)
    try:
        chain = chain_from_data(new_chain_data(form), file="the new chain")
    except ChainError as exc:
        return _chains(request, who, workspace_id, 422, form, new=str(exc),
                       new_field=_new_field(exc.field or ""))  # fmt: skip
    row = ch.create_chain(engine, who.user, workspace_id, chain)
    return RedirectResponse(f"/chains/{row.id}/edit", status_code=303)


#: Where on the first form the model's message about a field of the new chain goes.
_NEW_FIELDS = {"snapshots[0].year": "year", "snapshots[0].stages[0].name": "stage",
               "snapshots[0].actors[0].id": "actor", "snapshots[0].actors[0].kind": "kind",
               "snapshots[0].actors[0].stage": "stage"}  # fmt: skip


def _new_field(path: str) -> str:
    """The field of the first form that ``path`` (the model's field path) names, or ''."""
    if path in ("name", "product", "country", "currency", "unit"):
        return path
    return _NEW_FIELDS.get(path, "")


@router.post("/workspaces/{workspace_id}/chains/import")
async def import_chain(workspace_id: Id, request: Request, who: Who) -> Response:
    """Import a chain file (YAML, JSON or the workbook) through the bounded readers."""
    from gvckit.web.api.chains import chain_body

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    try:
        chain = await chain_body(request)
    except InputError as exc:
        return _chains(request, who, workspace_id, 422, upload=str(exc))
    row = ch.create_chain(engine, who.user, workspace_id, chain, "imported")
    return RedirectResponse(f"/chains/{row.id}", status_code=303)


@router.post("/workspaces/{workspace_id}/reports")
async def report(workspace_id: Id, request: Request, who: Who) -> Response:
    from gvckit.web.api.models import ReportIn
    from gvckit.web.api.reports import submit
    from gvckit.web.pages.constraint_sets import actions_page

    form = await _form(request)
    again = actions_page if form.get("from") == "actions" else _chains
    table = form.get("table", "")
    peers = [p.strip() for p in form.get("peers", "").split(",") if p.strip()]
    picked = {k: form.get(k, "") for k in ("chain", "results", "constraints", "intervention")}
    leave_out = [k for k, v in picked.items() if v == "none"]
    if form.get("portfolio_offered") and form.get("portfolio") != "on":
        leave_out.append("portfolio")
    try:
        spec = ReportIn(**{k: int(v) for k, v in picked.items() if v.isdigit()},
                        title=form.get("title") or None, pdf=form.get("pdf") == "on",
                        table=int(table) if table.isdigit() else None,
                        country=form.get("country", "").strip() or None,
                        sector=form.get("sector", "").strip() or None,
                        peers=peers or None, leave_out=leave_out)  # fmt: skip
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        return again(request, who, workspace_id, 422,
                     report=f"{where}: {exc.errors()[0]['msg']}")  # fmt: skip
    try:
        job = submit(request, who, workspace_id, spec)
    except GvcError as exc:
        return again(request, who, workspace_id, 422, report=str(exc))
    return RedirectResponse(f"/jobs/{job}", status_code=303)


def _views(chain: Chain, year: int) -> dict[str, Any]:
    """Each view of the snapshot as a table for people (the API's numbers)."""
    from gvckit import chain as vc
    from gvckit.chain.questions import questions

    accounts = vc.accounts(chain, year)
    wide = accounts.pivot_table(index=["actor", "stage"], columns="indicator", values="value",
                                sort=False).reset_index()  # fmt: skip
    wide.columns.name = None
    return {
        "accounts": people_table(wide),
        "prices": people_table(vc.price_buildup(chain, year).drop(columns="year")),
        "distribution": people_table(vc.distribution(chain, year).drop(columns="year")),
        "governance": people_table(vc.governance(chain, year).drop(columns="year")),
        "questions": people_table(questions(chain, year).drop(columns="year", errors="ignore")),
    }


@router.get("/chains/{chain_id}", response_class=HTMLResponse)
def show(chain_id: Id, request: Request, who: Who, snapshot: int | None = None,
         up_from: int | None = None, up_to: int | None = None) -> HTMLResponse:  # fmt: skip
    from gvckit.chain.chainmap import chain_map_svg

    row, w = _visible(request, who, chain_id)
    chain = row.chain
    year = _year(chain, snapshot)
    years = sorted(s.year for s in chain.snapshots)
    upgrading = None
    if len(years) >= 2:
        from gvckit.chain.upgrading import upgrading as upgrade

        a = up_from if up_from in years else years[-2]
        b = up_to if up_to in years else years[-1]
        upgrading = {"from": a, "to": b, "table": people_table(upgrade(chain, a, b))}
    return page(request, "chain.html", row=row, chain=chain, ws=w, year=year, years=years,
                svg=chain_map_svg(chain, year), views=_views(chain, year), upgrading=upgrading,
                can_edit=role_at_least(w.role, "analyst"),
                drafts=ch.list_drafts(engine_of(request), row.id))  # fmt: skip


@router.get("/chains/{chain_id}/actor", response_class=HTMLResponse)
def actor(chain_id: Id, request: Request, who: Who, actor: str = "",
          snapshot: int | None = None) -> HTMLResponse:  # fmt: skip
    """htmx fragment: one actor's accounts (clicked on the map)."""
    from gvckit import chain as vc

    row, _ = _visible(request, who, chain_id)
    chain = row.chain
    year = _year(chain, snapshot)
    frame = vc.accounts(chain, year)
    mine = frame[frame["actor"] == actor]
    if mine.empty:
        raise ChainError(f"no actor {actor[:100]!r} in {year}", field="actor")
    return page(request, "_actor.html", actor=actor, year=year, chain=chain,
                table=people_table(mine[["indicator", "value"]]))  # fmt: skip


def _edit_page(request: Request, who: Caller, row: ch.ChainRow, w: ws.Workspace, year: int,
               status: int = 200, error: dict[str, Any] | None = None,
               conflict: ch.StaleError | None = None) -> HTMLResponse:  # fmt: skip
    data = json.loads(row.content)
    snap = next(s for s in data["snapshots"] if s["year"] == year)
    parts = []
    for part in PARTS:
        items = part_items(data, snap, part)
        parts.append({"key": part, "title": TITLES[part], "fields": fields_for(part, snap),
                      "items": [item_values(i) for i in items]})  # fmt: skip
    header = {k: data.get(k) or "" for k in HEADER}
    return page(request, "chain_edit.html", status=status, row=row, ws=w, year=year,
                years=sorted(s["year"] for s in data["snapshots"]), parts=parts, header=header,
                error=error or {}, conflict=conflict)  # fmt: skip


@router.get("/chains/{chain_id}/edit", response_class=HTMLResponse)
def edit(chain_id: Id, request: Request, who: Who, snapshot: int | None = None) -> HTMLResponse:
    row, w = _visible(request, who, chain_id, "analyst")
    return _edit_page(request, who, row, w, _year(row.chain, snapshot))


_PATH = re.compile(r"snapshots\[(\d+)\]\.(\w+)\[(\d+)\](?:\.(.+))?")
#: The chain's own fields, edited in its header form (all but the notes required).
HEADER = ("name", "product", "country", "currency", "unit", "notes")


def _field_of(exc: ChainError, k: int, part: str) -> str | None:
    """The form field a message about a mapping entry or a source names (None if another)."""
    path = exc.field or ""
    if part in MAPPINGS:
        key, value = MAPPINGS[part]
        if re.fullmatch(rf"{part}\[\d+\]\.{key}", path):  # the form's own check
            return key
        if re.fullmatch(rf"snapshots\[{k}\]\.{part}\..+", path):
            return key if "is not a" in exc.reason else value
    found = re.fullmatch(rf"{part}\[\d+\]\.(\w+)", path)
    return found.group(1) if found and part == "sources" else None


def _located(exc: ChainError, k: int, part: str, index: int | None, form: dict[str, str]
             ) -> dict[str, Any]:  # fmt: skip
    """Where on the edit page the model's message goes: the form and the field it names."""
    found = _PATH.fullmatch(exc.field or "")
    where: dict[str, Any] = {"message": str(exc), "part": part, "index": index, "values": form,
                             "field": None}  # fmt: skip
    if found and int(found.group(1)) == k and found.group(2) == part:
        where["index"] = index if index is not None else "new"
        where["field"] = found.group(4)
    elif part in MAPPINGS or part == "sources":
        where["field"] = _field_of(exc, k, part)
    if where["index"] is None:
        where["index"] = "new"
    return where


async def _save(request: Request, who: Caller, row: ch.ChainRow, w: ws.Workspace, year: int,
                data: dict[str, Any], base: int, where: dict[str, Any]) -> Response:  # fmt: skip
    from gvckit.chain.readers import chain_from_data

    try:
        chain = chain_from_data(data, file="the form")
    except ChainError as exc:
        return _edit_page(request, who, row, w, year, 422, where | {"message": str(exc),
                          "exc": exc})  # fmt: skip
    try:
        ch.save_chain(engine_of(request), who.user, row.id, chain, base)
    except ch.StaleError as exc:
        current = ch.get_chain(engine_of(request), row.id)
        return _edit_page(request, who, current, w, year, 409, conflict=exc)
    return RedirectResponse(f"/chains/{row.id}/edit?snapshot={year}#{where.get('part', '')}",
                            status_code=303)  # fmt: skip


def _base(form: dict[str, str]) -> int:
    text = form.get("version", "")
    if not text.isdigit():
        raise ChainError("the form lacks the version it edits; reload the page")
    return int(text)


@router.post("/chains/{chain_id}/edit")
async def save_part(chain_id: Id, request: Request, who: Who) -> Response:
    """Add, change or remove one stage, actor, link, end market, supporter or cluster."""
    row, w = _visible(request, who, chain_id, "analyst")
    form = await _form(request)
    part = form.get("part", "")
    if part not in PARTS:
        raise ChainError(f"part must be one of {', '.join(PARTS)}")
    year_text = form.get("year", "")
    year = int(year_text) if year_text.lstrip("-").isdigit() else _year(row.chain, None)
    index = int(form["index"]) if form.get("index", "").isdigit() else None
    base = _base(form)
    # edits apply to the version the form showed, so that a stale one is kept whole as a draft
    old = ch.get_version(engine_of(request), row.id, base) if base <= row.version else row.content
    from gvckit.chain.readers import chain_from_data

    k = next((n for n, s in enumerate(row.chain.snapshots) if s.year == year), 0)
    try:
        data, k = apply_edit(old, year, part, index, form, delete=form.get("action") == "delete")
        chain_from_data(data, file="the form")
    except ChainError as exc:
        return _edit_page(request, who, row, w, year, 422, _located(exc, k, part, index, form))
    return await _save(request, who, row, w, year, data, base, {"part": part})


@router.post("/chains/{chain_id}/header")
async def save_header(chain_id: Id, request: Request, who: Who) -> Response:
    """The chain's name, product, country, currency and unit."""
    row, w = _visible(request, who, chain_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = json.loads(ch.get_version(engine_of(request), row.id, base))
    for key in HEADER:
        data[key] = form.get(key, "").strip()
    if not data["notes"]:
        del data["notes"]
    year = _year(row.chain, int(form["year"]) if form.get("year", "").isdigit() else None)
    where = {"part": "header", "index": "header", "values": form, "field": None}
    return await _save(request, who, row, w, year, data, base, where)


@router.post("/chains/{chain_id}/snapshots")
async def add_snapshot(chain_id: Id, request: Request, who: Who) -> Response:
    """A new snapshot year, starting as a copy of the latest one."""
    row, w = _visible(request, who, chain_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = json.loads(ch.get_version(engine_of(request), row.id, base))
    latest = max(data["snapshots"], key=lambda s: s["year"])
    text = form.get("new_year", "").strip()
    new = dict(latest, year=int(text) if text.lstrip("-").isdigit() else text)
    data["snapshots"].append(new)
    where = {"part": "snapshot", "index": "snapshot", "values": form, "field": None}
    year = new["year"] if isinstance(new["year"], int) else latest["year"]
    return await _save(request, who, row, w, year, data, base, where)


@router.get("/chains/{chain_id}/history", response_class=HTMLResponse)
def history(chain_id: Id, request: Request, who: Who, a: int | None = None,
            b: int | None = None) -> HTMLResponse:  # fmt: skip
    row, w = _visible(request, who, chain_id)
    engine = engine_of(request)
    versions = ch.versions(engine, row.id)
    diff = None
    if a is not None and b is not None:
        diff = ch.changes(ch.get_version(engine, row.id, a), ch.get_version(engine, row.id, b))
    return page(request, "chain_history.html", row=row, ws=w, versions=versions, diff=diff,
                a=a, b=b, drafts=ch.list_drafts(engine, row.id),
                can_edit=role_at_least(w.role, "analyst"))  # fmt: skip


@router.post("/chains/{chain_id}/restore")
async def restore(chain_id: Id, request: Request, who: Who) -> Response:
    row, _ = _visible(request, who, chain_id, "analyst")
    form = await _form(request)
    version = form.get("restore", "")
    if not version.isdigit():
        raise ChainError("choose the version to restore")
    try:
        ch.restore(engine_of(request), who.user, row.id, int(version), _base(form))
    except ch.StaleError as exc:
        raise ChainError(str(exc)) from None
    return RedirectResponse(f"/chains/{row.id}/history", status_code=303)


@router.get("/chains/{chain_id}/drafts/{draft_id}", response_class=HTMLResponse)
def draft(chain_id: Id, draft_id: Id, request: Request, who: Who) -> HTMLResponse:
    """A refused edit: what it changed against the current version, and the file to take."""
    row, w = _visible(request, who, chain_id)
    d = ch.get_draft(engine_of(request), row.id, draft_id)
    return page(request, "chain_draft.html", row=row, ws=w, draft=d,
                diff=ch.changes(row.content, d.content))  # fmt: skip
