"""From analysis to action: the constraints a chain's evidence suggests
(:func:`gvckit.interventions.derive.constraints_from_chain`), ranked with the weights the
sliders set (:func:`gvckit.interventions.constraints.prioritise`), the ±20 % sensitivity of the
top constraint, and the approaches recommended for them (:func:`gvckit.interventions.recommend`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError
from gvckit.interventions.constraints import ConstraintSet
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
    from gvckit.interventions.typology import Intervention
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
