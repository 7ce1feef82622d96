"""The portfolio review's pages: browse and search (htmx swaps the result list as filters
change), scans with live progress and their problems, an activity with the decisive words
highlighted and the review form, the queues, the agreement, and the IDB review's tables. They
call the services of :mod:`gvckit.store.portfolio`, as the API does."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError, OptionError
from gvckit.jobs import queue
from gvckit.store import portfolio as pf
from gvckit.store import workspaces as ws
from gvckit.store.tables import TooLargeError
from gvckit.web.api.portfolio import Filtered, Sort, start_scan
from gvckit.web.deps import Caller, Id, current, engine_of, settings_of, uploader
from gvckit.web.render import page

router = APIRouter()
Who = Annotated[Caller, Depends(current)]
BASE = "/workspaces/{workspace_id}/portfolio"
PER_PAGE = 25
QUEUE_NAMES = {"unreviewed": "Not yet reviewed, classifier says yes or possible",
               "disagree": "Classifier and a reviewer disagree",
               "sample-no": "A random sample of the classifier's “no” (for recall)"}  # fmt: skip


def _list_context(
    request: Request, w: ws.Workspace, f: pf.Filters, page_no: int, sort: str
) -> dict[str, Any]:
    total, items = pf.list_activities(engine_of(request), w.id, f, page=page_no,
                                      per_page=PER_PAGE, sort=sort)  # fmt: skip
    params = {k: v for k, v in vars(f).items() if v not in ("", None)}
    query = urlencode(params)  # the template escapes it for the attribute
    return {"ws": w, "f": f, "items": items, "total": total, "page_no": page_no, "sort": sort,
            "pages": max(1, -(-total // PER_PAGE)), "query": query}  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
def browse(
    workspace_id: Id, request: Request, who: Who, f: Filtered, page_no: int = 1,
    sort: Sort = "-confidence",
) -> HTMLResponse:  # fmt: skip
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    ctx = _list_context(request, w, f, max(1, min(page_no, 10**6)), sort)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return page(request, "portfolio/_results.html", **ctx)
    return page(
        request, "portfolio/browse.html", can_edit=role_at_least(w.role, "analyst"),
        scans=pf.scans(engine, w.id)[:5], queues=QUEUE_NAMES,
        roots=bool(settings_of(request).portfolio_roots), **ctx,
    )  # fmt: skip


@router.post(BASE + "/scans")
async def scan(
    workspace_id: Id,
    request: Request,
    up: Annotated[tuple[Caller, str | None], Depends(uploader)],
) -> Response:
    who, pending = up
    try:
        job = await start_scan(request, who, pending, workspace_id)
    except (InputError, OptionError, TooLargeError) as exc:
        w = ws.access(engine_of(request), who.user, workspace_id, "viewer")
        ctx = _list_context(request, w, pf.Filters(), 1, "-confidence")
        return page(request, "portfolio/browse.html", status=422, can_edit=True,
                    scans=pf.scans(engine_of(request), w.id)[:5], queues=QUEUE_NAMES,
                    roots=bool(settings_of(request).portfolio_roots), error=str(exc),
                    **ctx)  # fmt: skip
    return RedirectResponse(f"/workspaces/{workspace_id}/portfolio/scans/{job}", status_code=303)


def _scan_context(request: Request, who: Caller, workspace_id: int, job_id: int) -> dict[str, Any]:
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    job = queue.get_job(engine, job_id)
    if job.workspace_id != w.id or job.kind != "scan":
        from gvckit.store.workspaces import NotFoundError

        raise NotFoundError("not found")
    found = [s for s in pf.scans(engine, w.id) if s["job_id"] == job.id]
    return {"ws": w, "job": job, "scan": found[0] if found else None,
            "can_edit": role_at_least(w.role, "analyst")}  # fmt: skip


@router.get(BASE + "/scans/{job_id}", response_class=HTMLResponse)
def scan_page(workspace_id: Id, job_id: Id, request: Request, who: Who) -> HTMLResponse:
    return page(request, "portfolio/scan.html", **_scan_context(request, who, workspace_id,
                                                                job_id))  # fmt: skip


@router.get(BASE + "/scans/{job_id}/state", response_class=HTMLResponse)
def scan_state(workspace_id: Id, job_id: Id, request: Request, who: Who) -> HTMLResponse:
    """htmx fragment: progress while the scan runs, its counts and problems once done."""
    return page(request, "portfolio/_scan_state.html",
                **_scan_context(request, who, workspace_id, job_id))  # fmt: skip


def _decisive_words(a: dict[str, Any]) -> list[str]:
    """The words the classifier matched, from its evidence ("kind: word, word | ...") and its
    decisive sentences ('"..." [kind: word, word; kind: word]')."""
    words: list[str] = []
    for part in a["evidence"]:
        if part.startswith(("sentence:", "discounted:", "productive sectors:")):
            continue
        words += [w.strip() for w in part.partition(":")[2].split(",")]
    for s in a["sentences"]:
        inside = s.rpartition("[")[2].rstrip("]")
        for group in inside.split(";"):
            words += [w.strip() for w in group.partition(":")[2].split(",")]
    return sorted({w for w in words if len(w) >= 3}, key=len, reverse=True)


def highlight(text: str, words: list[str]) -> Markup:
    """``text`` escaped, the ``words`` (case-insensitive, whole words) marked."""
    if not words:
        return Markup(escape(text))
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)",
                         re.IGNORECASE)  # fmt: skip
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[last : m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def activity_page(
    request: Request, who: Caller, workspace_id: int, ident: str, status: int = 200,
    error: str | None = None, field: str | None = None, typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    """The activity; after a refused review, its message (beside ``field`` when it names
    one) and the form as the reviewer ``typed`` it."""
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    a = pf.get_activity(engine, w.id, ident)
    words = _decisive_words(a)
    return page(
        request, "portfolio/activity.html", status=status, ws=w, a=a, words=words,
        titles=[(t["lang"], highlight(t["text"], words)) for t in a["titles"]],
        descriptions=[(d["lang"], highlight(d["text"], words)) for d in a["descriptions"]],
        years=pf.finances_by_year(a["finances"]), can_edit=role_at_least(w.role, "analyst"),
        error=error, error_field=field, typed=typed, vocabulary=pf.review_vocabulary(),
    )  # fmt: skip


@router.get(BASE + "/activities/{iati_identifier:path}", response_class=HTMLResponse)
def activity(workspace_id: Id, iati_identifier: str, request: Request, who: Who) -> HTMLResponse:
    return activity_page(request, who, workspace_id, iati_identifier)


@router.post(BASE + "/reviews")
def review(
    workspace_id: Id,
    request: Request,
    who: Who,
    iati_identifier: Annotated[str, Form(max_length=500)],
    verdict: Annotated[str, Form(max_length=8)],
    note: Annotated[str, Form(max_length=5000)] = "",
    pattern: Annotated[str, Form(max_length=1000)] = "",
    fields_of_action: Annotated[str, Form(max_length=1000)] = "",
    upgrading: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")

    def split(raw: str) -> list[str]:
        return [v.strip() for v in raw.split(",") if v.strip()]

    try:
        pf.add_review(engine, workspace_id, iati_identifier, who.user, verdict, note,
                      pattern=split(pattern), fields_of_action=split(fields_of_action),
                      upgrading=split(upgrading))  # fmt: skip
    except InputError as exc:
        typed = {"verdict": verdict, "note": note, "pattern": pattern,
                 "fields_of_action": fields_of_action, "upgrading": upgrading}  # fmt: skip
        return activity_page(request, who, workspace_id, iati_identifier, 422, str(exc),
                             exc.field, typed)  # fmt: skip
    return RedirectResponse(
        f"/workspaces/{workspace_id}/portfolio/activities/{iati_identifier}#reviews",
        status_code=303,
    )


@router.get(BASE + "/agreement", response_class=HTMLResponse)
def agreement(workspace_id: Id, request: Request, who: Who) -> HTMLResponse:
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    return page(request, "portfolio/agreement.html", ws=w, a=pf.agreement_of(engine, w.id))


TABLE_TITLES = {"pattern": "Pattern of engagement", "fields_of_action": "Field of action",
                "upgrading": "Upgrading objective", "year": "Start year",
                "publisher": "Publisher", "country": "Recipient country"}  # fmt: skip


def chart(title: str, rows: list[dict[str, Any]], top: int = 20) -> str:
    """A bar chart (plotly figure as JSON) of the ``top`` values of a review table; years are
    every year, in order (the most recent at the top). Long labels are wrapped as in the report
    (:func:`gvckit.report.charts.wrap_label`); the hover shows them whole."""
    from gvckit.report.charts import wrap_label

    shown = rows[:top][::-1] if title != TABLE_TITLES["year"] else _chronological(rows)
    labels = [str(r.get("label", r["value"])) for r in shown]
    wrapped = [wrap_label(t) for t in labels]
    per_bar = 36 if any("<br>" in t for t in wrapped) else 22  # room for two-line labels
    fig = {"data": [{"type": "bar", "orientation": "h", "x": [r["activities"] for r in shown],
                     "y": wrapped, "customdata": labels,
                     "marker": {"color": "#2b6cb0"},
                     "hovertemplate": "%{customdata}: %{x} activities<extra></extra>"}],
           "layout": {"margin": {"l": 200, "r": 20, "t": 30, "b": 40},
                      "height": max(260, per_bar * len(shown) + 80),
                      "title": {"text": f"Activities by {title.lower()}"},
                      "yaxis": {"automargin": True, "type": "category"}}}  # fmt: skip
    return json.dumps(fig, allow_nan=False)


def _chronological(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: str(r["value"]))


@router.get(BASE + "/tables", response_class=HTMLResponse)
def tables(workspace_id: Id, request: Request, who: Who, f: Filtered) -> HTMLResponse:
    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    result = pf.review_tables(engine, w.id, f)
    charts = {k: chart(TABLE_TITLES[k], v) for k, v in result["tables"].items()}
    return page(request, "portfolio/tables.html", ws=w, f=f, result=result, charts=charts,
                titles=TABLE_TITLES)  # fmt: skip
