"""Monitoring pages: a workspace's results chains, and for one of them the progress of each
indicator against its target (table and chart) and the form where analysts enter dated actuals,
disaggregated by sex and firm size. The numbers are :mod:`gvckit.interventions.monitoring`'s."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError
from gvckit.interventions.results import DISAGGREGATIONS, ResultsChain
from gvckit.store import results as rs
from gvckit.store import workspaces as ws
from gvckit.web.chainforms import parse_number
from gvckit.web.chainviews import people_table
from gvckit.web.deps import Caller, Id, current, engine_of
from gvckit.web.pages import resultsedit
from gvckit.web.render import page

router = APIRouter()
Who = Annotated[Caller, Depends(current)]
router.include_router(resultsedit.router)  # editing the results chain: its own module


@router.post("/workspaces/{workspace_id}/results/import")
async def import_results(workspace_id: Id, request: Request, who: Who) -> Response:
    from gvckit.web.api.results import results_body

    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    try:
        row = rs.create_results(
            engine, who.user, workspace_id, await results_body(request), "imported"
        )
    except InputError as exc:
        from gvckit.web.pages.chains import _chains

        return _chains(request, who, workspace_id, 422, results=str(exc))
    return RedirectResponse(f"/results/{row.id}", status_code=303)


def _chart(results: ResultsChain, indicator: str) -> str:
    """Plotly figure (JSON): the indicator's baseline, totals at each date and target."""
    ind = next((i for i in results.indicators if i.id == indicator), None)
    if ind is None:
        return ""
    totals = ind.totals()
    x = [ind.baseline.date.isoformat(), *(d.isoformat() for d in totals)]
    y = [ind.baseline.value, *totals.values()]
    data: list[dict[str, Any]] = [{"type": "scatter", "mode": "lines+markers", "name": "actual",
                                   "x": x, "y": y, "line": {"color": "#2b6cb0"}}]  # fmt: skip
    if ind.target is not None:
        data.append({"type": "scatter", "mode": "lines+markers", "name": "straight line to target",
                     "x": [ind.baseline.date.isoformat(), ind.target.date.isoformat()],
                     "y": [ind.baseline.value, ind.target.value],
                     "line": {"color": "#718096", "dash": "dash"}})  # fmt: skip
    layout = {"margin": {"l": 60, "r": 20, "t": 40, "b": 40}, "height": 320,
              "title": {"text": f"{ind.name} ({ind.unit})"},
              "xaxis": {"type": "date"}, "yaxis": {"title": {"text": ind.unit}},
              "legend": {"orientation": "h"}}  # fmt: skip
    return json.dumps({"data": data, "layout": layout}, allow_nan=False)


def _page(request: Request, who: Caller, row: rs.ResultsRow, w: ws.Workspace,
          indicator: str | None = None, status: int = 200, error: str = "",
          values: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
    from gvckit.interventions.monitoring import progress

    results = row.results
    frame = progress(results)
    shown = frame[["indicator", "name", "unit", "baseline", "target", "latest", "latest_date",
                   "progress", "expected", "status"]].copy()  # fmt: skip
    shown["latest_date"] = shown["latest_date"].map(lambda d: "" if d is None or d != d
                                                    else str(d)[:10])  # fmt: skip
    ids = [i.id for i in results.indicators]
    chosen = indicator if indicator in ids else (values or {}).get("indicator") or (
        ids[0] if ids else "")  # fmt: skip
    ind = next((i for i in results.indicators if i.id == chosen), None)
    actuals = [] if ind is None else sorted(ind.actuals, key=lambda a: (a.date, a.key))
    return page(request, "results.html", status=status, row=row, ws=w, results=results,
                table=people_table(shown), chart=_chart(results, chosen), chosen=chosen,
                actuals=actuals, groups=DISAGGREGATIONS, error=error, values=values or {},
                can_edit=role_at_least(w.role, "analyst"))  # fmt: skip


def _visible(request: Request, who: Caller, results_id: int, needed: str = "viewer"
             ) -> tuple[rs.ResultsRow, ws.Workspace]:  # fmt: skip
    engine = engine_of(request)
    row = rs.get_results(engine, results_id)
    return row, ws.access(engine, who.user, row.workspace_id, needed)


@router.get("/results/{results_id}", response_class=HTMLResponse)
def show(results_id: Id, request: Request, who: Who, indicator: str | None = None
         ) -> HTMLResponse:  # fmt: skip
    row, w = _visible(request, who, results_id)
    return _page(request, who, row, w, indicator)


@router.post("/results/{results_id}/actuals")
async def add_actual(results_id: Id, request: Request, who: Who) -> Response:
    """An analyst enters one dated actual (optionally for one sex and firm size)."""
    row, w = _visible(request, who, results_id, "analyst")
    form = {k: v for k, v in (await request.form(max_fields=20)).items() if isinstance(v, str)}
    indicator = form.get("indicator", "")
    try:
        try:
            day = dt.date.fromisoformat(form.get("date", "").strip())
        except ValueError:
            raise InputError("date: give the date as YYYY-MM-DD", field="date") from None
        value = parse_number(form.get("value", ""))
        if value is None:
            raise InputError("value: give a number", field="value")
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError("value: give a finite number", field="value")
        groups = {k: form[k] for k in DISAGGREGATIONS if form.get(k)}
        rs.add_actual(engine_of(request), who.user, row.id, indicator, day, value, groups)
    except InputError as exc:
        return _page(request, who, rs.get_results(engine_of(request), row.id), w, indicator,
                     422, str(exc), form)  # fmt: skip
    return RedirectResponse(f"/results/{row.id}?indicator={indicator}", status_code=303)


@router.post("/results/{results_id}/impact")
async def impact(results_id: Id, request: Request, who: Who) -> Response:
    """Upload a panel CSV: the difference-in-differences estimate runs as a job."""
    from gvckit.web.api.results import submit_impact

    row, w = _visible(request, who, results_id, "analyst")
    try:
        job = await submit_impact(request, who, row.id)
    except InputError as exc:
        return _page(request, who, row, w, None, 422, str(exc))
    return RedirectResponse(f"/jobs/{job}", status_code=303)
