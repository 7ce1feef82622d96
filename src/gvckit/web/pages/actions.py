"""From analysis to action: the constraints a chain's evidence suggests
(:func:`gvckit.interventions.derive.constraints_from_chain`), ranked with the weights the
sliders set (:func:`gvckit.interventions.constraints.prioritise`), the ±20 % sensitivity of the
top constraint, and the approaches recommended for them (:func:`gvckit.interventions.recommend`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError
from gvckit.interventions.constraints import ConstraintSet
from gvckit.interventions.typology import Intervention
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.web.chainviews import people_table
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.render import page

router = APIRouter()
Who = Annotated[Caller, Depends(current)]
Weight = Annotated[int | None, Query(ge=0, le=100)]


def _draft(request: Request, who: Caller, chain_id: int, snapshot: int | None
           ) -> tuple[ch.ChainRow, ws.Workspace, int, ConstraintSet]:  # fmt: skip
    from gvckit.interventions.derive import constraints_from_chain

    engine = engine_of(request)
    row = ch.get_chain(engine, chain_id)
    w = ws.access(engine, who.user, row.workspace_id, "viewer")
    chain = row.chain
    year = chain.snapshot(snapshot).year
    return row, w, year, constraints_from_chain(chain, year, file=row.name)


@router.get("/chains/{chain_id}/constraints", response_class=HTMLResponse)
def constraints(
    chain_id: Id, request: Request, who: Who, snapshot: int | None = None,
    severity: Weight = None, reach: Weight = None, feasibility: Weight = None,
    leverage: Weight = None,
) -> HTMLResponse:  # fmt: skip
    """The draft constraints ranked with the sliders' weights (percent; default the set's)."""
    from gvckit.interventions.constraints import CRITERIA, prioritise, with_weights

    row, w, year, cs = _draft(request, who, chain_id, snapshot)
    given = {"severity": severity, "reach": reach, "feasibility": feasibility,
             "leverage": leverage}  # fmt: skip
    if any(v is not None for v in given.values()):
        cs = with_weights(cs, {k: (v or 0) / 100 for k, v in given.items()})
    # the weights as set (the ranking renormalises them to add up to 1)
    sliders = {c: round(100 * cs.weights.get(c, 0.0)) for c in CRITERIA}
    ranked = prioritise(cs)
    return _page(request, row, w, year, cs, sliders, people_table(ranked))


def _page(request: Request, row: ch.ChainRow, w: ws.Workspace, year: int, cs: ConstraintSet,
          sliders: dict[str, int], ranked: dict[str, Any], status: int = 200,
          audit: dict[str, Any] | None = None, error: str = "") -> HTMLResponse:  # fmt: skip
    from gvckit.interventions.approaches import matrix
    from gvckit.interventions.constraints import sensitivity
    from gvckit.interventions.recommend import recommend

    return page(request, "constraints.html", status=status, row=row, ws=w, year=year, cs=cs,
                sliders=sliders, ranked=ranked, sensitivity=people_table(sensitivity(cs, 0.2)),
                recommend=people_table(recommend(cs)), matrix=people_table(matrix()),
                audit=audit, error=error, can_edit=role_at_least(w.role, "analyst"))  # fmt: skip


@router.post("/chains/{chain_id}/audit", response_class=HTMLResponse)
async def design_audit(chain_id: Id, request: Request, who: Who) -> HTMLResponse:
    """The design audit of an intervention file (YAML or JSON) against this chain: the findings
    of :func:`gvckit.interventions.audit.audit` (nothing stored)."""
    from gvckit.documents import load_document, validate
    from gvckit.interventions.audit import audit
    from gvckit.interventions.constraints import CRITERIA, prioritise
    from gvckit.limits import document_limits
    from gvckit.store.tables import safe_name

    row, w, year, cs = _draft(request, who, chain_id, None)
    ws.access(engine_of(request), who.user, row.workspace_id, "analyst")
    sliders = {c: round(100 * cs.weights.get(c, 0.0)) for c in CRITERIA}
    ranked = people_table(prioritise(cs))
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise InputError("choose the intervention file (YAML or JSON)")
        name = safe_name(upload.filename) if upload.filename else "intervention.yaml"
        limit = document_limits().max_bytes
        doc = load_document(await upload.read(limit + 1), name=name, what="an intervention")
        iv: Intervention = validate(Intervention, doc.data, file=name, lines=doc.lines,
                                    expected="an intervention")  # fmt: skip
    except InputError as exc:
        return _page(request, row, w, year, cs, sliders, ranked, 422, error=str(exc))
    findings = audit(iv, row.chain)
    return _page(request, row, w, year, cs, sliders, ranked,
                 audit={"name": iv.title, "table": people_table(findings)})  # fmt: skip


@router.get("/chains/{chain_id}/constraints.yaml")
def constraints_file(chain_id: Id, request: Request, who: Who, snapshot: int | None = None
                     ) -> Response:  # fmt: skip
    """The draft as a constraints file, to edit and use with ``gvckit constraints``."""
    import yaml

    _, _, year, cs = _draft(request, who, chain_id, snapshot)
    text = yaml.safe_dump(cs.model_dump(mode="json", exclude_none=True), sort_keys=False,
                          allow_unicode=True)  # fmt: skip
    return Response(text, media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="constraints-{year}.yaml"'})  # fmt: skip


#: The typology's multiple choices on the form: field name → its enum (or the approaches).
def _vocabularies() -> dict[str, list[str]]:
    from gvckit.interventions import typology as ty
    from gvckit.interventions.approaches import approaches

    def values(enum: Any) -> list[str]:
        return [str(e.value) for e in enum]

    return {
        "mediators": values(ty.Actor), "funders": values(ty.Actor),
        "patterns": values(ty.Pattern), "fields": values(ty.Field),
        "subfields": values(ty.Subfield), "upgrading": values(ty.UpgradingObjective),
        "chain_objectives": values(ty.ChainObjective),
        "development_objectives": values(ty.DevelopmentObjective),
        "approaches": [a.key for a in approaches()],
        "social_targets": values(ty.SocialTarget),
    }  # fmt: skip


DESIGN_TEXTS = ("vision", "upgrading_strategy", "lead_firm_interests", "learning_and_innovation",
                "collective_action", "public_private_cooperation", "exit_strategy",
                "monitoring")  # fmt: skip


def typology_choices() -> dict[str, Any]:
    """What the typology form offers: the vocabularies, delivery modes, scopes, design texts."""
    from gvckit.interventions import typology as ty

    return {"vocab": _vocabularies(), "delivery": [str(d.value) for d in ty.Delivery],
            "scopes": [str(s.value) for s in ty.Scope], "texts": DESIGN_TEXTS}  # fmt: skip


def _typology_page(
    request: Request, row: ch.ChainRow, w: ws.Workspace, status: int = 200,
    form: dict[str, list[str]] | None = None, error: str = "",
    findings: dict[str, Any] | None = None, text: str = "", field: str = "",
) -> HTMLResponse:  # fmt: skip
    return page(request, "intervention.html", status=status, row=row, ws=w, form=form or {},
                error=error, field=field, findings=findings, text=text,
                **typology_choices())  # fmt: skip


@router.get("/chains/{chain_id}/intervention", response_class=HTMLResponse)
def typology_form(chain_id: Id, request: Request, who: Who) -> HTMLResponse:
    """The intervention typology form for an intervention on this chain."""
    engine = engine_of(request)
    row = ch.get_chain(engine, chain_id)
    w = ws.access(engine, who.user, row.workspace_id, "viewer")
    return _typology_page(request, row, w)


def form_values(raw: Any) -> dict[str, list[str]]:
    """The non-empty values of a submitted typology form, by field name."""
    form: dict[str, list[str]] = {}
    for key, value in raw.multi_items():
        if isinstance(value, str) and value.strip():
            form.setdefault(key, []).append(value.strip()[:5000])
    return form


def typology_data(form: dict[str, list[str]], base: dict[str, Any] | None = None,
                  chain: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The intervention the typology form describes, as data for the model: the fields of the
    form set (or removed when left empty) on ``base`` (a stored intervention's data, whose
    other fields stay as they are); ``chain`` names the chain when ``base`` has none."""
    import copy

    data = copy.deepcopy(base) if base else {}
    one = {k: v[0] for k, v in form.items()}

    def put(target: dict[str, Any], key: str, value: Any) -> None:
        if value:
            target[key] = value
        else:
            target.pop(key, None)

    for key in ("id", "title", "description", "delivery"):
        put(data, key, one.get(key))
    for key in _vocabularies():
        if key != "social_targets":
            put(data, key, form.get(key))
    beneficiaries = dict(data.get("beneficiaries") or {})
    put(beneficiaries, "social_targets", form.get("social_targets"))
    put(beneficiaries, "scope", one.get("scope"))
    put(data, "beneficiaries", beneficiaries)
    design = dict(data.get("design") or {})
    for key in DESIGN_TEXTS:
        put(design, key, one.get(key))
    put(data, "design", design)
    if chain and not data.get("chain"):
        data["chain"] = chain
    return data


def form_of(iv: Intervention) -> dict[str, list[str]]:
    """The typology form's values for a stored intervention."""
    data = iv.model_dump(mode="json", exclude_none=True)
    form: dict[str, list[str]] = {}
    for key in ("id", "title", "description", "delivery"):
        if data.get(key):
            form[key] = [str(data[key])]
    for key in _vocabularies():
        found = data.get("beneficiaries", {}) if key == "social_targets" else data
        if found.get(key):
            form[key] = [str(v) for v in found[key]]
    if data.get("beneficiaries", {}).get("scope"):
        form["scope"] = [data["beneficiaries"]["scope"]]
    for key in DESIGN_TEXTS:
        if data.get("design", {}).get(key):
            form[key] = [data["design"][key]]
    return form


def field_of(exc: InputError) -> str:
    """The form field the model's message names (``design.vision`` → ``vision``); empty when
    it names none of the form's fields."""
    name = re.sub(r"\[\d+\]", "", exc.field or "").rsplit(".", 1)[-1]
    known = {"id", "title", "description", "delivery", "scope", *_vocabularies(), *DESIGN_TEXTS}
    return name if name in known else ""


def check_typology(data: dict[str, Any]) -> Intervention:
    """The model's :class:`Intervention` for the form's data (its message otherwise)."""
    from gvckit.documents import validate

    found: Intervention = validate(Intervention, data, file="the form", lines={},
                                   expected="an intervention")  # fmt: skip
    return found


@router.post("/chains/{chain_id}/intervention", response_class=HTMLResponse)
async def typology_check(chain_id: Id, request: Request, who: Who) -> Response:
    """Check the form as an :class:`~gvckit.interventions.typology.Intervention` (the model's
    message if it is not one) and audit its design against the chain; with the "save" button,
    store it in the workspace (its audit kept with it) and open its page."""
    import yaml

    from gvckit.interventions.audit import audit
    from gvckit.store import actions as ac

    engine = engine_of(request)
    row = ch.get_chain(engine, chain_id)
    w = ws.access(engine, who.user, row.workspace_id, "analyst")
    raw = await request.form(max_fields=300)
    form = form_values(raw)
    try:
        iv = check_typology(typology_data(form, chain=row.name))
    except InputError as exc:
        return _typology_page(request, row, w, 422, form, str(exc), field=field_of(exc))
    findings = audit(iv, row.chain)
    if raw.get("save") is not None:
        stored = ac.create(engine, who.user, "interventions", w.id, iv, iv.title, row.id,
                           "created with the typology form")  # fmt: skip
        ac.record_audit(engine, who.user, stored, row.id, row.version, row.name, findings)
        return RedirectResponse(f"/interventions/{stored.id}", status_code=303)
    text = yaml.safe_dump(iv.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                          sort_keys=False, allow_unicode=True)  # fmt: skip
    shown = {"name": iv.title, "table": people_table(findings)}
    return _typology_page(request, row, w, 200, form, findings=shown, text=text)
