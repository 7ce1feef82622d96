"""The results chain edited in the browser: a new results chain from a first form, then a form
per box, link and indicator generated from the model (:mod:`gvckit.web.resultsforms`), the
model's message beside the field it names; every save a version with optimistic locking (a
stale one refused and kept as a draft); removing an indicator that has actuals needs
confirming; the history of versions and drafts. The same services as the API."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.errors import InputError
from gvckit.interventions.results import BoxLevel, ResultsChain, results_from_data
from gvckit.store import results as rs
from gvckit.store import workspaces as ws
from gvckit.web.chainforms import item_values
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.render import page
from gvckit.web.resultsforms import HEADER, PARTS, TITLES, apply_edit, fields_for, located

router = APIRouter()
Who = Annotated[Caller, Depends(current)]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=200)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _visible(request: Request, who: Caller, results_id: int, needed: str = "viewer"
             ) -> tuple[rs.ResultsRow, ws.Workspace]:  # fmt: skip
    engine = engine_of(request)
    row = rs.get_results(engine, results_id)
    return row, ws.access(engine, who.user, row.workspace_id, needed)


@router.post("/workspaces/{workspace_id}/results/new")
async def new_results(workspace_id: Id, request: Request, who: Who) -> Response:
    """A new results chain from the first form: its name and a first box."""
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    form = await _form(request)
    data = {"name": form.get("name", "").strip(), "boxes": [
        {k: form.get(f"box_{k}", "").strip() for k in ("id", "level", "text")}]}  # fmt: skip
    try:
        results = results_from_data(data, file="the new results chain")
    except InputError as exc:
        from gvckit.web.pages.chains import _chains

        return _chains(request, who, workspace_id, 422, form, results_new=str(exc))
    row = rs.create_results(engine, who.user, workspace_id, results)
    return RedirectResponse(f"/results/{row.id}/edit", status_code=303)


def _edit_page(request: Request, row: rs.ResultsRow, w: ws.Workspace, status: int = 200,
               error: dict[str, Any] | None = None, conflict: rs.StaleError | None = None
               ) -> HTMLResponse:  # fmt: skip
    data = json.loads(row.content)
    parts = []
    for part in PARTS:
        items = data.get(part, [])
        parts.append({"key": part, "title": TITLES[part], "fields": fields_for(part, data),
                      "items": [item_values(i) for i in items],
                      "actuals": [len(i.get("actuals", [])) for i in items]})  # fmt: skip
    header = {k: data.get(k) or "" for k in HEADER}
    return page(request, "results_edit.html", status=status, row=row, ws=w, parts=parts,
                header=header, error=error or {}, conflict=conflict,
                levels=[lv.value for lv in BoxLevel])  # fmt: skip


@router.get("/results/{results_id}/edit", response_class=HTMLResponse)
def edit(results_id: Id, request: Request, who: Who) -> HTMLResponse:
    row, w = _visible(request, who, results_id, "analyst")
    return _edit_page(request, row, w)


def _base(form: dict[str, str]) -> int:
    text = form.get("version", "")
    if not text.isdigit() or len(text) > 9:
        raise InputError("the form lacks the version it edits; reload the page", field="version")
    return int(text)


async def _save(request: Request, who: Caller, row: rs.ResultsRow, w: ws.Workspace,
                data: dict[str, Any], base: int, where: dict[str, Any],
                drop_actuals: bool = False) -> Response:  # fmt: skip
    """Check ``data`` with the model and save it on version ``base``: the page again with the
    model's message (422), the conflict (409) or the actuals it would lose (422)."""
    engine = engine_of(request)
    try:
        results = results_from_data(data, file="the form")
    except InputError as exc:
        index = where["index"]
        position = index if isinstance(index, int) else len(data.get(where["part"], [])) - 1
        return _edit_page(request, row, w, 422, located(exc, where["part"], index, position,
                                                        where["values"]))  # fmt: skip
    try:
        rs.save_results(engine, who.user, row.id, results, base, drop_actuals=drop_actuals)
    except rs.StaleError as exc:
        return _edit_page(request, rs.get_results(engine, row.id), w, 409, conflict=exc)
    except rs.ActualsLostError as exc:
        return _edit_page(request, row, w, 422, where | {"message": str(exc), "field": None,
                                                        "confirm": True})  # fmt: skip
    return RedirectResponse(f"/results/{row.id}/edit#{where['part']}", status_code=303)


@router.post("/results/{results_id}/edit")
async def save_part(results_id: Id, request: Request, who: Who) -> Response:
    """Add, change or remove one box, link or indicator."""
    row, w = _visible(request, who, results_id, "analyst")
    form = await _form(request)
    part = form.get("part", "")
    index = int(form["index"]) if form.get("index", "").isdigit() else None
    base = _base(form)
    # edits apply to the version the form showed, so that a stale one is kept whole as a draft
    old = rs.get_version(engine_of(request), row.id, base) if base <= row.version else row.content
    delete = form.get("action") == "delete"
    data = apply_edit(old, part, index, form, delete=delete)
    where = {"part": part, "index": index if index is not None else "new", "values": form}
    return await _save(request, who, row, w, data, base, where,
                       drop_actuals=delete and form.get("drop_actuals") == "on")  # fmt: skip


@router.post("/results/{results_id}/header")
async def save_header(results_id: Id, request: Request, who: Who) -> Response:
    """The results chain's name, description and currency."""
    row, w = _visible(request, who, results_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = json.loads(rs.get_version(engine_of(request), row.id, base))
    for key in HEADER:
        value = form.get(key, "").strip()
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    where = {"part": "header", "index": "header", "values": form}
    return await _save(request, who, row, w, data, base, where)


@router.get("/results/{results_id}/history", response_class=HTMLResponse)
def history(results_id: Id, request: Request, who: Who, a: int | None = None,
            b: int | None = None) -> HTMLResponse:  # fmt: skip
    """Every version (who, when, what changed), a diff of any two, restore; the drafts kept
    from refused saves."""
    row, w = _visible(request, who, results_id)
    return _history(request, row, w, a, b)


def _history(request: Request, row: rs.ResultsRow, w: ws.Workspace, a: int | None = None,
             b: int | None = None, status: int = 200, error: str = "") -> HTMLResponse:  # fmt: skip
    from gvckit.auth.users import role_at_least

    engine = engine_of(request)
    diff = None
    if a is not None and b is not None:
        diff = rs.changes(rs.get_version(engine, row.id, a), rs.get_version(engine, row.id, b))
    return page(request, "results_history.html", status=status, row=row, ws=w,
                versions=rs.versions(engine, row.id), drafts=rs.list_drafts(engine, row.id),
                results=ResultsChain.model_validate_json(row.content), diff=diff, a=a, b=b,
                error=error, can_edit=role_at_least(w.role, "analyst"))  # fmt: skip


@router.post("/results/{results_id}/restore")
async def restore(results_id: Id, request: Request, who: Who) -> Response:
    """Save an earlier version as the next one (nothing is deleted); actuals entered since
    then are lost only when the form confirms it."""
    row, w = _visible(request, who, results_id, "analyst")
    form = await _form(request)
    version = form.get("restore", "")
    if not version.isdigit() or len(version) > 9:
        raise InputError("choose the version to restore", field="restore")
    engine = engine_of(request)
    old = ResultsChain.model_validate_json(rs.get_version(engine, row.id, int(version)))
    try:
        rs.save_results(engine, who.user, row.id, old, _base(form),
                        drop_actuals=form.get("drop_actuals") == "on")  # fmt: skip
    except (rs.StaleError, rs.ActualsLostError) as exc:
        status = 409 if isinstance(exc, rs.StaleError) else 422
        return _history(request, rs.get_results(engine, row.id), w, status=status,
                        error=str(exc))  # fmt: skip
    return RedirectResponse(f"/results/{row.id}/history", status_code=303)
