"""Workspaces and their members: one analysis each (name, country, sector, description).

Every object belongs to one workspace; :func:`access` is the one permission check the pages
and the API share: a non-member gets :class:`NotFoundError` (never the object's existence), a member
whose role is below the one needed gets :class:`ForbiddenError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, insert, select

from gvckit.auth.users import User, check_role, get_user, role_at_least
from gvckit.errors import GvcError, OptionError
from gvckit.store.schema import MEMBERS, USERS, WORKSPACES

__all__ = [
    "ForbiddenError",
    "NotFoundError",
    "Workspace",
    "access",
    "add_member",
    "create_workspace",
    "list_workspaces",
    "members",
    "row_by_id",
    "workspace_rows",
]


class NotFoundError(GvcError):
    """The object does not exist, or the caller may not know it does."""


def row_by_id(engine: Engine, table: Table, row_id: int) -> Any:
    """The row of ``table`` whose ``id`` is ``row_id``; :class:`NotFoundError` when none is."""
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFoundError("not found")
    return row


def workspace_rows(engine: Engine, table: Table, workspace_id: int) -> list[Any]:
    """The rows of ``table`` that belong to the workspace, oldest first."""
    with engine.connect() as conn:
        query = select(table).where(table.c.workspace_id == workspace_id).order_by(table.c.id)
        return list(conn.execute(query))


class ForbiddenError(GvcError):
    """The caller may see the object but not do this."""


@dataclass(frozen=True)
class Workspace:
    id: int
    name: str
    country: str
    sector: str
    description: str
    role: str  # the caller's role in it


def _limit(value: str, name: str, most: int) -> str:
    value = value.strip()
    if len(value) > most:
        raise OptionError(f"{name} is longer than {most} characters")
    return value


def create_workspace(
    engine: Engine, user: User, name: str, country: str = "", sector: str = "",
    description: str = "",
) -> int:  # fmt: skip
    """A new workspace with ``user`` as its admin; analysts and admins may create one."""
    if not role_at_least(user.role, "analyst"):
        raise ForbiddenError("viewers cannot create workspaces")
    name = _limit(name, "the name", 200)
    if not name:
        raise OptionError("a workspace needs a name")
    values = {
        "name": name,
        "country": _limit(country, "the country", 100),
        "sector": _limit(sector, "the sector", 200),
        "description": _limit(description, "the description", 5000),
    }
    with engine.begin() as conn:
        key = conn.execute(
            insert(WORKSPACES).values(
                **values, created_by=user.id, created_at=dt.datetime.now(dt.UTC), version=1
            )
        ).inserted_primary_key
        assert key is not None
        ws = int(key[0])
        conn.execute(insert(MEMBERS).values(workspace_id=ws, user_id=user.id, role="admin"))
    return ws


def _workspace(row: Any) -> Workspace:
    m = row._mapping
    return Workspace(m["id"], m["name"], m["country"], m["sector"], m["description"], m["role"])


def list_workspaces(engine: Engine, user: User) -> list[Workspace]:
    """The workspaces ``user`` is a member of, by name."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(WORKSPACES, MEMBERS.c.role)
            .join(MEMBERS, MEMBERS.c.workspace_id == WORKSPACES.c.id)
            .where(MEMBERS.c.user_id == user.id)
            .order_by(WORKSPACES.c.name, WORKSPACES.c.id)
        )
        return [_workspace(r) for r in rows]


def access(engine: Engine, user: User, workspace_id: int, needed: str = "viewer") -> Workspace:
    """The workspace if ``user`` is a member with at least the ``needed`` role."""
    with engine.connect() as conn:
        row = conn.execute(
            select(WORKSPACES, MEMBERS.c.role)
            .join(MEMBERS, MEMBERS.c.workspace_id == WORKSPACES.c.id)
            .where(WORKSPACES.c.id == workspace_id, MEMBERS.c.user_id == user.id)
        ).first()
    if row is None:
        raise NotFoundError("not found")
    ws = _workspace(row)
    if not role_at_least(ws.role, needed):
        raise ForbiddenError(f"this needs the {needed} role in the workspace; yours is {ws.role}")
    return ws


def members(engine: Engine, workspace_id: int) -> list[tuple[str, str]]:
    """(user name, role) of each member."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(USERS.c.name, MEMBERS.c.role)
            .join(MEMBERS, MEMBERS.c.user_id == USERS.c.id)
            .where(MEMBERS.c.workspace_id == workspace_id)
            .order_by(USERS.c.name)
        )
        return [(r[0], r[1]) for r in rows]


def add_member(engine: Engine, workspace_id: int, name: str, role: str) -> None:
    """Make user ``name`` a member with ``role`` (or change their role)."""
    check_role(role)
    try:
        member = get_user(engine, name)
    except OptionError:
        raise OptionError(f"no user named {name!r}") from None
    with engine.begin() as conn:
        conn.execute(
            MEMBERS.delete().where(
                MEMBERS.c.workspace_id == workspace_id, MEMBERS.c.user_id == member.id
            )
        )
        conn.execute(
            insert(MEMBERS).values(workspace_id=workspace_id, user_id=member.id, role=role)
        )
