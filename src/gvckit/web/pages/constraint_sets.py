"""From analysis to action in a workspace: the page listing its constraint sets and
interventions (and the report form), and a constraint set's page — ranked with the weights of
its sliders (:func:`gvckit.interventions.constraints.prioritise`), the ±20 % sensitivity, the
recommended approaches and the approach matrix; weights saved with the set; each constraint
edited, added or removed in a form with the model's message beside the field; its history and
drafts. The same services as the API (:mod:`gvckit.store.actions`)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import GvcError, InputError
from gvckit.interventions.constraints import CRITERIA, ConstraintSet
from gvckit.store import actions as ac
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.store.versioned import StaleError, changes
from gvckit.web.chainviews import people_table
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.pages.documents import draft_page, visible
from gvckit.web.render import page

__all__ = ["actions_page", "report_choices", "router"]

router = APIRouter()
Who = Annotated[Caller, Depends(current)]
Weight = Annotated[int | None, Query(ge=0, le=100)]

#: The fields of a constraint's form: name → (label, the model's field path).
FIELDS = {
    "id": ("Id", "id"), "type": ("Type", "type"), "title": ("Title", "title"),
    "root_cause": ("Root cause", "root_cause"), "severity": ("Severity (1–5)", "severity"),
    "feasibility": ("Feasibility (1–5)", "feasibility"),
    "leverage": ("Leverage (1–5)", "leverage"),
    "msmes": ("Reach: MSMEs", "reach.msmes"), "workers": ("Reach: workers", "reach.workers"),
    "stages": ("Where: stages (comma-separated)", "where.stages"),
    "actor_kinds": ("Where: actor kinds (comma-separated)", "where.actor_kinds"),
    "links": ("Where: links (source -> target; semicolon-separated)", "where.links"),
    "evidence": ("Evidence (added to what it has)", "evidence"),
}  # fmt: skip


def report_choices(engine: Any, workspace_id: int) -> dict[str, Any]:
    """What the report form offers: the workspace's chains, results chains, constraint sets,
    interventions, tables and whether it has a portfolio."""
    from gvckit.store.portfolio import has_activities
    from gvckit.store.results import list_results
    from gvckit.store.tables import list_tables

    return {"report": {
        "chain": ch.list_chains(engine, workspace_id),
        "results": list_results(engine, workspace_id),
        "constraints": ac.list_rows(engine, "constraints", workspace_id),
        "intervention": ac.list_rows(engine, "interventions", workspace_id),
        "tables": list_tables(engine, workspace_id),
        "portfolio": has_activities(engine, workspace_id),
    }}  # fmt: skip


def actions_page(request: Request, who: Caller, workspace_id: int, status: int = 200,
                 **errors: str) -> HTMLResponse:  # fmt: skip
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    return page(request, "actions.html", status=status, ws=w, chains=ch.list_chains(engine, w.id),
                sets=ac.list_rows(engine, "constraints", w.id),
                interventions=ac.list_rows(engine, "interventions", w.id),
                can_edit=role_at_least(w.role, "analyst"), errors=errors,
                **report_choices(engine, w.id))  # fmt: skip


@router.get("/workspaces/{workspace_id}/actions", response_class=HTMLResponse)
def actions(workspace_id: Id, request: Request, who: Who) -> HTMLResponse:
    """The workspace's constraint sets and interventions, and its report."""
    return actions_page(request, who, workspace_id)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=100)
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/workspaces/{workspace_id}/constraints/draft")
async def draft_from_chain(workspace_id: Id, request: Request, who: Who) -> Response:
    """Draft a constraint set from a chain's evidence and store it."""
    from gvckit.interventions.derive import constraints_from_chain

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    form = await _form(request)
    try:
        chosen, year = form.get("chain", ""), form.get("snapshot", "").strip()
        if not chosen.isdigit():
            raise InputError("choose the chain to draft the constraints from", field="chain")
        row = ch.get_chain(engine, int(chosen))
        if row.workspace_id != workspace_id:
            raise ws.NotFoundError("not found")
        if year and not re.fullmatch(r"-?\d{1,7}", year):
            raise InputError(f"snapshot: {year[:20]!r} is not a year", field="snapshot")
        chain = row.chain
        snap = chain.snapshot(int(year) if year else None).year
        cs = constraints_from_chain(chain, snap, file=row.name)
    except GvcError as exc:
        if isinstance(exc, ws.NotFoundError):
            raise
        return actions_page(request, who, workspace_id, 422, draft=str(exc))
    stored = ac.create(engine, who.user, "constraints", workspace_id, cs,
                       f"Constraints of {row.name} ({snap})", row.id,
                       f"drafted from chain {row.id} (version {row.version})")  # fmt: skip
    return RedirectResponse(f"/constraints/{stored.id}", status_code=303)


@router.post("/workspaces/{workspace_id}/constraints/import")
async def import_constraints(workspace_id: Id, request: Request, who: Who) -> Response:
    """Import a constraints file (YAML or JSON) into the workspace."""
    return await _import(request, who, workspace_id, "constraints")


@router.post("/workspaces/{workspace_id}/interventions/import")
async def import_intervention(workspace_id: Id, request: Request, who: Who) -> Response:
    """Import an intervention (YAML, JSON or the chain workbook's sheet) into the workspace."""
    return await _import(request, who, workspace_id, "interventions")


async def _import(request: Request, who: Caller, workspace_id: int, kind: str) -> Response:
    from gvckit.limits import document_limits, workbook_limits
    from gvckit.store.tables import safe_name

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    limit = max(document_limits().max_bytes, workbook_limits().max_bytes)
    try:
        if upload is None or isinstance(upload, str):
            raise InputError("choose the file (YAML or JSON)")
        name = safe_name(upload.filename) if upload.filename else "upload.yaml"
        raw = await upload.read(limit + 1)
        if len(raw) > limit:
            raise InputError(f"{name}: the file is larger than {limit} bytes")
        if kind == "constraints":
            cs = ac.parse_constraints(raw, name)
            stored = ac.create(engine, who.user, kind, workspace_id, cs, cs.chain or name,
                               summary=f"imported from {name}")  # fmt: skip
        else:
            iv = ac.parse_intervention(raw, name)
            stored = ac.create(engine, who.user, kind, workspace_id, iv, iv.title,
                               summary=f"imported from {name}")  # fmt: skip
    except InputError as exc:
        return actions_page(request, who, workspace_id, 422, **{kind: str(exc)})
    return RedirectResponse(f"/{kind}/{stored.id}", status_code=303)


def _visible(request: Request, who: Caller, doc_id: int, needed: str = "viewer"
             ) -> tuple[ac.Stored, ws.Workspace]:  # fmt: skip
    return visible(request, who, "constraints", doc_id, needed)


def _sliders(cs: ConstraintSet) -> dict[str, int]:
    """The weights as the sliders show them (percent, as set: the ranking renormalises)."""
    return {c: round(100 * cs.weights.get(c, 0.0)) for c in CRITERIA}


def _set_page(request: Request, row: ac.Stored, w: ws.Workspace, status: int = 200,
              preview: dict[str, int | None] | None = None, error: dict[str, Any] | None = None,
              conflict: StaleError | None = None, a: int | None = None, b: int | None = None,
              ) -> HTMLResponse:  # fmt: skip
    from gvckit.interventions.approaches import constraint_types, matrix
    from gvckit.interventions.constraints import prioritise, sensitivity, with_weights
    from gvckit.interventions.recommend import recommend

    cs = row.constraints
    weight_error = ""
    shown = cs
    if preview and any(v is not None for v in preview.values()):
        try:
            shown = with_weights(cs, {k: (v or 0) / 100 for k, v in preview.items()})
        except GvcError as exc:
            weight_error = str(exc).removeprefix("--weights: ")
    engine = engine_of(request)
    history = ac.CONSTRAINTS.history(engine, row.id)
    diff = None
    if a is not None and b is not None:
        diff = changes(ac.CONSTRAINTS.content(engine, row.id, a),
                       ac.CONSTRAINTS.content(engine, row.id, b))  # fmt: skip
    chain = None
    if row.chain_id is not None:
        chain = next((c for c in ch.list_chains(engine, w.id) if c.id == row.chain_id), None)
    return page(
        request, "constraint_set.html", status=status, row=row, ws=w, cs=cs, chain=chain,
        sliders=_sliders(shown), saved=_sliders(cs), previewing=shown is not cs,
        weight_error=weight_error, ranked=people_table(prioritise(shown)),
        sensitivity=people_table(sensitivity(shown, 0.2)), recommend=people_table(recommend(cs)),
        matrix=people_table(matrix()), types=[t.key for t in constraint_types()],
        fields=FIELDS, items=[_values(c) for c in json.loads(row.content)["constraints"]],
        error=error or {}, conflict=conflict, versions=history, diff=diff, a=a, b=b,
        drafts=ac.CONSTRAINTS.list_drafts(engine, row.id),
        can_edit=role_at_least(w.role, "analyst"),
    )  # fmt: skip


def _values(c: dict[str, Any]) -> dict[str, str]:
    """A constraint's form values (text)."""
    where = c.get("where", {})
    reach = c.get("reach", {})
    return {
        "id": c["id"], "type": c["type"], "title": c["title"],
        "root_cause": c.get("root_cause") or "",
        **{k: str(c.get(k, 3)) for k in ("severity", "feasibility", "leverage")},
        "msmes": str(reach.get("msmes", 0)), "workers": str(reach.get("workers", 0)),
        "stages": ", ".join(where.get("stages", [])),
        "actor_kinds": ", ".join(where.get("actor_kinds", [])),
        "links": "; ".join(where.get("links", [])), "evidence": "",
        "evidence_items": "; ".join(e["text"] for e in c.get("evidence", [])),
    }  # fmt: skip


@router.get("/constraints/{doc_id}", response_class=HTMLResponse)
def show(doc_id: Id, request: Request, who: Who, severity: Weight = None, reach: Weight = None,
         feasibility: Weight = None, leverage: Weight = None,
         a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
         b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> HTMLResponse:  # fmt: skip
    """The set ranked with its saved weights, or with the sliders' (a preview until saved)."""
    row, w = _visible(request, who, doc_id)
    preview = {"severity": severity, "reach": reach, "feasibility": feasibility,
               "leverage": leverage}  # fmt: skip
    return _set_page(request, row, w, preview=preview, a=a, b=b)


def _base(form: dict[str, str]) -> int:
    text = form.get("version", "")
    if not text.isdigit():
        raise InputError("the form lacks the version it edits; reload the page")
    return int(text)


def _edited(request: Request, row: ac.Stored, base: int) -> dict[str, Any]:
    """The set as the form showed it (version ``base``): an edit applies to that version, so
    that a stale one is refused and kept whole as a draft, even when what it edits was removed
    or changed meanwhile."""
    engine = engine_of(request)
    content = ac.KINDS["constraints"][0].content(engine, row.id, base) \
        if base < row.version else row.content  # fmt: skip
    data: dict[str, Any] = json.loads(content)
    return data


def _save(request: Request, who: Caller, row: ac.Stored, w: ws.Workspace, data: dict[str, Any],
          base: int, where: dict[str, Any], anchor: str) -> Response:  # fmt: skip
    """Check ``data`` with the model and save it on ``base``; the page again with the model's
    message where it belongs, or with the conflict (the edit kept as a draft)."""
    from gvckit.documents import validate

    try:
        cs: ConstraintSet = validate(ConstraintSet, data, file="the form", lines={},
                                     expected="a constraint set")  # fmt: skip
    except InputError as exc:
        return _set_page(request, row, w, 422, error=where | {"message": str(exc),
                         "field": _field(exc, where.get("index"))})  # fmt: skip
    try:
        ac.save(engine_of(request), who.user, "constraints", row.id, cs, base)
    except StaleError as exc:
        current = ac.get(engine_of(request), "constraints", row.id)
        return _set_page(request, current, w, 409, conflict=exc)
    return RedirectResponse(f"/constraints/{row.id}#{anchor}", status_code=303)


def _field(exc: InputError, index: int | None) -> str:
    """The form field the model's message names, when it is about the constraint edited."""
    found = re.fullmatch(r"constraints\[(\d+)\]\.?(.*)", exc.field or "")
    if found is None or (index is not None and int(found.group(1)) != index):
        return ""
    path = re.sub(r"\[\d+\]", "", found.group(2))
    return next((name for name, (_, p) in FIELDS.items() if path == p or
                 path.startswith(p + ".")), "")  # fmt: skip


@router.post("/constraints/{doc_id}/weights")
async def save_weights(doc_id: Id, request: Request, who: Who) -> Response:
    """Save the sliders' weights (percent) with the set, as its next version."""
    row, w = _visible(request, who, doc_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = _edited(request, row, base)
    weights: dict[str, Any] = {}
    for c in CRITERIA:
        text = form.get(c, "").strip()
        weights[c] = int(text) / 100 if text.isdigit() and int(text) <= 100 else text
    data["weights"] = weights
    return _save(request, who, row, w, data, base, {"part": "weights"}, "weights-h")


def _split(text: str, sep: str) -> list[str]:
    return [p.strip() for p in text.split(sep) if p.strip()]


@router.post("/constraints/{doc_id}/edit")
async def edit_constraint(doc_id: Id, request: Request, who: Who) -> Response:
    """Add a constraint (``original`` empty) or change the one whose id is ``original``."""
    row, w = _visible(request, who, doc_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = _edited(request, row, base)
    items: list[dict[str, Any]] = data["constraints"]
    original = form.get("original", "")
    index = next((k for k, c in enumerate(items) if c["id"] == original), None)
    if original and index is None:
        raise InputError(f"no constraint {original[:100]!r} in this set; reload the page")
    item: dict[str, Any] = dict(items[index]) if index is not None else {}
    for key in ("id", "type", "title"):
        item[key] = form.get(key, "").strip()
    item["root_cause"] = form.get("root_cause", "").strip() or None
    for key in ("severity", "feasibility", "leverage"):
        item[key] = form.get(key, "").strip()
    item["reach"] = {k: form.get(k, "").strip() or 0 for k in ("msmes", "workers")}
    item["where"] = {"stages": _split(form.get("stages", ""), ","),
                     "actor_kinds": _split(form.get("actor_kinds", ""), ","),
                     "links": _split(form.get("links", ""), ";")}  # fmt: skip
    evidence = form.get("evidence", "").strip()
    if evidence:
        item["evidence"] = [*item.get("evidence", []), {"text": evidence[:5000]}]
    if item["root_cause"] is None:
        item.pop("root_cause")
    if index is None:
        items.append(item)
        index = len(items) - 1
    else:
        items[index] = item
    where = {"part": "constraint", "index": index, "original": original or None, "values": form}
    return _save(request, who, row, w, data, base, where, f"c-{item['id']}")


@router.post("/constraints/{doc_id}/remove")
async def remove_constraint(doc_id: Id, request: Request, who: Who) -> Response:
    """Remove the constraint whose id is ``original`` (a set keeps at least one)."""
    row, w = _visible(request, who, doc_id, "analyst")
    form = await _form(request)
    base = _base(form)
    data = _edited(request, row, base)
    data["constraints"] = [c for c in data["constraints"] if c["id"] != form.get("original")]
    where = {"part": "remove", "index": None, "original": form.get("original")}
    return _save(request, who, row, w, data, base, where, "constraints-h")


@router.post("/constraints/{doc_id}/restore")
async def restore_set(doc_id: Id, request: Request, who: Who) -> Response:
    return await restore(request, who, "constraints", doc_id)


@router.post("/interventions/{doc_id}/restore")
async def restore_intervention(doc_id: Id, request: Request, who: Who) -> Response:
    return await restore(request, who, "interventions", doc_id)


async def restore(request: Request, who: Caller, kind: str, doc_id: int) -> Response:
    """Save an earlier version of a constraint set or an intervention as its next version
    (a stale one refused: 409)."""
    engine = engine_of(request)
    row, _ = visible(request, who, kind, doc_id, "analyst")
    form = await _form(request)
    version = form.get("restore", "")
    if not version.isdigit():
        raise InputError("choose the version to restore")
    ac.KINDS[kind][0].restore(engine, who.user, row.id, int(version), _base(form))
    return RedirectResponse(f"/{kind}/{row.id}#history-h", status_code=303)


@router.get("/constraints/{doc_id}/drafts/{draft_id}", response_class=HTMLResponse)
def draft(doc_id: Id, draft_id: Id, request: Request, who: Who) -> HTMLResponse:
    """A refused edit: what it differs in from the current version, and the file."""
    return draft_page(request, who, "constraints", doc_id, draft_id)
