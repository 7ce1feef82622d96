"""The workspaces list, a workspace's page (members, tables, upload), and their forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth.users import role_at_least
from gvckit.errors import InputError, OptionError
from gvckit.store import tables as tb
from gvckit.store import workspaces as ws
from gvckit.store.tables import FORMATS, TooLargeError
from gvckit.web.deps import Caller, Id, current, engine_of, settings_of, uploader
from gvckit.web.render import page
from gvckit.web.uploads import store_upload

router = APIRouter()
Who = Annotated[Caller, Depends(current)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: Who) -> HTMLResponse:
    items = ws.list_workspaces(engine_of(request), who.user)
    return page(request, "workspaces.html", workspaces=items,
                can_create=role_at_least(who.user.role, "analyst"))  # fmt: skip


@router.post("/workspaces")
def create(
    request: Request,
    who: Who,
    name: Annotated[str, Form(max_length=200)],
    country: Annotated[str, Form(max_length=100)] = "",
    sector: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    new = ws.create_workspace(engine_of(request), who.user, name, country, sector, description)
    return RedirectResponse(f"/workspaces/{new}", status_code=303)


def workspace_page(
    request: Request, who: Caller, workspace_id: Id, status: int = 200, **errors: str
) -> HTMLResponse:
    from gvckit.store import portfolio as pf
    from gvckit.web.pages.portfolio import TABLE_TITLES, chart

    engine = engine_of(request)
    w = ws.access(engine, who.user, workspace_id, "viewer")
    review = None
    if pf.has_activities(engine, w.id):
        review = pf.review_tables(engine, w.id, pf.Filters(value_chain="yes,possible"))
    charts = {
        k: chart(TABLE_TITLES[k], v, top=10)
        for k, v in (review["tables"].items() if review and review["activities"] else ())
    }
    return page(
        request, "workspace.html", status=status, ws=w, members=ws.members(engine, w.id),
        tables=tb.list_tables(engine, w.id), can_edit=role_at_least(w.role, "analyst"),
        can_admin=role_at_least(w.role, "admin"), formats=FORMATS, examples=tb.EXAMPLES,
        roles=("viewer", "analyst", "admin"), errors=errors, review=review,
        review_charts=charts, titles=TABLE_TITLES, top=10,
    )  # fmt: skip


@router.get("/workspaces/{workspace_id}", response_class=HTMLResponse)
def show(workspace_id: Id, request: Request, who: Who) -> HTMLResponse:
    return workspace_page(request, who, workspace_id)


@router.post("/workspaces/{workspace_id}/members")
def add_member(
    workspace_id: Id,
    request: Request,
    who: Who,
    user: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "admin")
    try:
        ws.add_member(engine, workspace_id, user, role)
    except OptionError as exc:
        return workspace_page(request, who, workspace_id, 422, member=str(exc))
    return RedirectResponse(f"/workspaces/{workspace_id}", status_code=303)


@router.post("/workspaces/{workspace_id}/tables")
async def upload(
    workspace_id: Id,
    request: Request,
    up: Annotated[tuple[Caller, str | None], Depends(uploader)],
) -> Response:
    who, pending = up
    ws.access(engine_of(request), who.user, workspace_id, "analyst")
    try:
        new = await store_upload(request, who, pending, workspace_id)
    except (InputError, OptionError, TooLargeError) as exc:  # the reader's line, by the field
        return workspace_page(request, who, workspace_id, 422, upload=str(exc))
    return RedirectResponse(f"/tables/{new}", status_code=303)


@router.post("/workspaces/{workspace_id}/examples")
def add_example(
    workspace_id: Id, request: Request, who: Who, example: Annotated[str, Form(max_length=50)]
) -> Response:
    engine, settings = engine_of(request), settings_of(request)
    ws.access(engine, who.user, workspace_id, "analyst")
    try:
        new = tb.add_example(engine, settings.data_dir, who.user, workspace_id, example)
    except InputError as exc:
        return workspace_page(request, who, workspace_id, 422, example=str(exc))
    return RedirectResponse(f"/tables/{new}", status_code=303)
