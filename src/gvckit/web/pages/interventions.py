"""An intervention stored in a workspace: the typology form (every controlled vocabulary a
select) creates and edits it as versions (a stale save refused, the edit kept as a draft), the
design audit against a chosen chain of the workspace (the findings of
:func:`gvckit.interventions.audit.audit`) is kept with it and shown, and its history. The
same services as the API (:mod:`gvckit.store.actions`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError
from gvckit.store import actions as ac
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.store.versioned import StaleError, changes
from gvckit.web.chainviews import people_table
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.pages.actions import (
    check_typology,
    field_of,
    form_of,
    form_values,
    typology_choices,
    typology_data,
)
from gvckit.web.pages.documents import chosen_chain, draft_page, visible
from gvckit.web.render import page

__all__ = ["router"]

router = APIRouter()
Who = Annotated[Caller, Depends(current)]


def _new_page(request: Request, w: ws.Workspace, status: int = 200,
              form: dict[str, list[str]] | None = None, error: str = "", field: str = "",
              chain: str = "") -> HTMLResponse:  # fmt: skip
    chains = ch.list_chains(engine_of(request), w.id)
    return page(request, "intervention_stored.html", status=status, ws=w, row=None,
                form=form or {}, error=error, field=field, chains=chains, chosen=chain,
                **typology_choices())  # fmt: skip


@router.get("/workspaces/{workspace_id}/interventions/new", response_class=HTMLResponse)
def new_form(workspace_id: Id, request: Request, who: Who) -> HTMLResponse:
    """The typology form for a new intervention of the workspace."""
    w = ws.access(engine_of(request), who.user, workspace_id, "analyst")
    return _new_page(request, w)


@router.post("/workspaces/{workspace_id}/interventions/new")
async def create(workspace_id: Id, request: Request, who: Who) -> Response:
    """Store the intervention the form describes (the model's message beside the field
    otherwise), about the chain chosen (optional)."""
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "analyst")
    raw = await request.form(max_fields=300)
    form = form_values(raw)
    chosen = str(raw.get("chain") or "")
    chain = chosen_chain(engine, chosen, w.id)
    try:
        iv = check_typology(typology_data(form, chain=None if chain is None else chain.name))
    except InputError as exc:
        return _new_page(request, w, 422, form, str(exc), field_of(exc), chosen)
    stored = ac.create(engine, who.user, "interventions", w.id, iv, iv.title,
                       None if chain is None else chain.id,
                       "created with the typology form")  # fmt: skip
    return RedirectResponse(f"/interventions/{stored.id}", status_code=303)


def _visible(request: Request, who: Caller, doc_id: int, needed: str = "viewer"
             ) -> tuple[ac.Stored, ws.Workspace]:  # fmt: skip
    return visible(request, who, "interventions", doc_id, needed)


def _page(request: Request, row: ac.Stored, w: ws.Workspace, status: int = 200,
          form: dict[str, list[str]] | None = None, error: str = "", field: str = "",
          conflict: StaleError | None = None, a: int | None = None, b: int | None = None,
          ) -> HTMLResponse:  # fmt: skip
    engine = engine_of(request)
    diff = None
    if a is not None and b is not None:
        diff = changes(ac.INTERVENTIONS.content(engine, row.id, a),
                       ac.INTERVENTIONS.content(engine, row.id, b))  # fmt: skip
    audits = ac.list_audits(engine, row.id)
    latest: dict[str, Any] | None = None
    if audits:
        kept = audits[0]
        latest = {"audit": kept, "table": people_table(kept.frame)}
    return page(
        request, "intervention_stored.html", status=status, row=row, ws=w,
        form=form if form is not None else form_of(row.intervention), error=error, field=field,
        conflict=conflict, chains=ch.list_chains(engine, w.id), chosen=str(row.chain_id or ""),
        latest=latest, audits=audits, versions=ac.INTERVENTIONS.history(engine, row.id),
        drafts=ac.INTERVENTIONS.list_drafts(engine, row.id), diff=diff, a=a, b=b,
        can_edit=role_at_least(w.role, "analyst"), **typology_choices(),
    )  # fmt: skip


@router.get("/interventions/{doc_id}", response_class=HTMLResponse)
def show(doc_id: Id, request: Request, who: Who,
         a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
         b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> HTMLResponse:  # fmt: skip
    row, w = _visible(request, who, doc_id)
    return _page(request, row, w, a=a, b=b)


@router.post("/interventions/{doc_id}")
async def save(doc_id: Id, request: Request, who: Who) -> Response:
    """Save the form as the intervention's next version; its other fields (sources, budget,
    analysis...) stay as they are."""
    engine = engine_of(request)
    row, w = _visible(request, who, doc_id, "analyst")
    raw = await request.form(max_fields=300)
    form = form_values(raw)
    base = str(raw.get("version") or "")
    if not base.isdigit():
        raise InputError("the form lacks the version it edits; reload the page")
    try:
        iv = check_typology(typology_data(form, json.loads(row.content)))
    except InputError as exc:
        return _page(request, row, w, 422, form, str(exc), field_of(exc))
    try:
        ac.save(engine, who.user, "interventions", row.id, iv, int(base), name=iv.title)
    except StaleError as exc:
        return _page(request, ac.get(engine, "interventions", row.id), w, 409, conflict=exc)
    return RedirectResponse(f"/interventions/{row.id}", status_code=303)


@router.post("/interventions/{doc_id}/audit")
async def design_audit(doc_id: Id, request: Request, who: Who) -> Response:
    """Audit the intervention's design against the chain chosen (or none) and keep the
    findings with it."""
    from gvckit.interventions.audit import audit

    engine = engine_of(request)
    row, w = _visible(request, who, doc_id, "analyst")
    raw = await request.form(max_fields=10)
    chain = chosen_chain(engine, str(raw.get("chain") or ""), w.id)
    findings = audit(row.intervention, None if chain is None else chain.chain)
    ac.record_audit(engine, who.user, row, None if chain is None else chain.id,
                    None if chain is None else chain.version,
                    "" if chain is None else chain.name, findings)  # fmt: skip
    return RedirectResponse(f"/interventions/{row.id}#audit-h", status_code=303)


@router.get("/interventions/{doc_id}/drafts/{draft_id}", response_class=HTMLResponse)
def draft(doc_id: Id, draft_id: Id, request: Request, who: Who) -> HTMLResponse:
    return draft_page(request, who, "interventions", doc_id, draft_id)
