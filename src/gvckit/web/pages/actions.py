"""From analysis to action: the constraints a chain's evidence suggests
(:func:`gvckit.interventions.derive.constraints_from_chain`), ranked with the weights the
sliders set (:func:`gvckit.interventions.constraints.prioritise`), the ±20 % sensitivity of the
top constraint, and the approaches recommended for them (:func:`gvckit.interventions.recommend`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

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
    from gvckit.interventions.constraints import CRITERIA, prioritise, sensitivity, with_weights
    from gvckit.interventions.recommend import recommend

    row, w, year, cs = _draft(request, who, chain_id, snapshot)
    given = {"severity": severity, "reach": reach, "feasibility": feasibility,
             "leverage": leverage}  # fmt: skip
    if any(v is not None for v in given.values()):
        cs = with_weights(cs, {k: (v or 0) / 100 for k, v in given.items()})
    # the weights as set (the ranking renormalises them to add up to 1)
    sliders = {c: round(100 * cs.weights.get(c, 0.0)) for c in CRITERIA}
    ranked = prioritise(cs)
    return page(request, "constraints.html", row=row, ws=w, year=year, cs=cs, sliders=sliders,
                ranked=people_table(ranked), sensitivity=people_table(sensitivity(cs, 0.2)),
                recommend=people_table(recommend(cs)),
                items={c.id: c for c in cs.constraints})  # fmt: skip


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
