"""Workspaces and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gvckit.store import workspaces as ws
from gvckit.web.api.models import (
    ERRORS,
    Created,
    MemberIn,
    MemberOut,
    WorkspaceIn,
    WorkspaceOut,
)
from gvckit.web.deps import Caller, Id, current, engine_of

router = APIRouter(tags=["workspaces"], responses=ERRORS)
Who = Annotated[Caller, Depends(current)]


@router.post("/workspaces", status_code=201, response_model=Created)
def create(body: WorkspaceIn, request: Request, who: Who) -> Created:
    new = ws.create_workspace(
        engine_of(request), who.user, body.name, body.country, body.sector, body.description
    )
    return Created(id=new)


@router.get("/workspaces", response_model=list[WorkspaceOut])
def mine(request: Request, who: Who) -> list[WorkspaceOut]:
    return [
        WorkspaceOut(id=w.id, name=w.name, country=w.country, sector=w.sector,
                     description=w.description, role=w.role)
        for w in ws.list_workspaces(engine_of(request), who.user)
    ]  # fmt: skip


@router.get("/workspaces/{workspace_id}/members", response_model=list[MemberOut])
def list_members(workspace_id: Id, request: Request, who: Who) -> list[MemberOut]:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "viewer")
    return [MemberOut(user=n, role=r) for n, r in ws.members(engine, workspace_id)]


@router.post("/workspaces/{workspace_id}/members", status_code=201, response_model=MemberOut)
def add_member(workspace_id: Id, body: MemberIn, request: Request, who: Who) -> MemberOut:
    engine = engine_of(request)
    ws.access(engine, who.user, workspace_id, "admin")
    ws.add_member(engine, workspace_id, body.user, body.role)
    return MemberOut(user=body.user, role=body.role)
