"""Users, their API tokens, sessions and one-time login links (services over the database).

A user has a default role (viewer < analyst < admin): analysts and admins may create workspaces,
admins manage users. Access to a workspace's objects is the role of the user's membership
there (:mod:`gvckit.store.workspaces`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from gvckit.auth.credentials import (
    MIN_PASSWORD,
    digest,
    generate_password,
    hash_password,
    new_token,
    verify_password,
)
from gvckit.errors import OptionError
from gvckit.store.schema import LOGIN_LINKS, SESSIONS, TOKENS, USERS

__all__ = [
    "LOCAL_ADMIN",
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "disable_user",
    "end_session",
    "ensure_local_admin",
    "get_user",
    "list_users",
    "new_api_token",
    "new_login_link",
    "new_session",
    "revoke_tokens",
    "role_at_least",
    "session_user",
    "use_login_link",
    "user_by_token",
]

ROLES = ("viewer", "analyst", "admin")
LOCAL_ADMIN = "local-admin"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    local: bool


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes the rights of ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(m["id"], m["name"], m["role"], bool(m["disabled"]), bool(m["local"]))


def check_role(role: str) -> str:
    if role not in ROLES:
        raise OptionError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(engine: Engine, name: str, role: str, password: str | None) -> tuple[User, str]:
    """Add user ``name`` with default ``role``; returns the user and the password (generated
    when ``password`` is None)."""
    if not _NAME.match(name):
        raise OptionError(
            f"user name {name!r} must be 1-100 letters, digits or . _ @ - (starting with a"
            " letter or digit)"
        )
    check_role(role)
    if password is None:
        password = generate_password()
    elif len(password) < MIN_PASSWORD:
        raise OptionError(f"the password must have at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first() is not None:
            raise OptionError(f"user {name!r} exists already")
        conn.execute(
            insert(USERS).values(
                name=name,
                password_hash=hash_password(password),
                role=role,
                disabled=False,
                local=False,
                created_at=_now(),
            )
        )
    return get_user(engine, name), password


def get_user(engine: Engine, name: str) -> User:
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
    if row is None:
        raise OptionError(f"no user named {name!r}")
    return _user(row)


def list_users(engine: Engine) -> list[tuple[User, int]]:
    """Every user with the number of active API tokens."""
    with engine.connect() as conn:
        users = [_user(r) for r in conn.execute(select(USERS).order_by(USERS.c.name))]
        active: dict[int, int] = {}
        for row in conn.execute(select(TOKENS.c.user_id).where(TOKENS.c.revoked_at.is_(None))):
            active[row[0]] = active.get(row[0], 0) + 1
    return [(u, active.get(u.id, 0)) for u in users]


def disable_user(engine: Engine, name: str) -> None:
    """Disable ``name``: no login, tokens revoked, sessions ended."""
    user = get_user(engine, name)
    with engine.begin() as conn:
        conn.execute(update(USERS).where(USERS.c.id == user.id).values(disabled=True))
        conn.execute(
            update(TOKENS)
            .where(TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None))
            .values(revoked_at=_now())
        )
        conn.execute(SESSIONS.delete().where(SESSIONS.c.user_id == user.id))


def new_api_token(engine: Engine, name: str) -> str:
    """A new API token for ``name`` (stored hashed; shown only now)."""
    user = get_user(engine, name)
    if user.disabled:
        raise OptionError(f"user {name!r} is disabled")
    token = new_token()
    with engine.begin() as conn:
        conn.execute(
            insert(TOKENS).values(user_id=user.id, token_hash=digest(token), created_at=_now())
        )
    return token


def revoke_tokens(engine: Engine, name: str, token: str | None = None) -> int:
    """Revoke ``token`` of ``name`` (or all their tokens); returns how many were revoked."""
    user = get_user(engine, name)
    query = update(TOKENS).where(TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None))
    if token is not None:
        query = query.where(TOKENS.c.token_hash == digest(token))
    with engine.begin() as conn:
        return int(conn.execute(query.values(revoked_at=_now())).rowcount)


def user_by_token(engine: Engine, token: str) -> User | None:
    """The active user holding the unrevoked API ``token``, else None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(USERS)
            .join(TOKENS, TOKENS.c.user_id == USERS.c.id)
            .where(TOKENS.c.token_hash == digest(token), TOKENS.c.revoked_at.is_(None))
        ).first()
    user = None if row is None else _user(row)
    return None if user is None or user.disabled else user


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user ``name`` if ``password`` is theirs and they are not disabled."""
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
    stored = None if row is None else row._mapping["password_hash"]
    ok = verify_password(stored, password)
    if row is None or not ok:
        return None
    user = _user(row)
    return None if user.disabled else user


def ensure_local_admin(engine: Engine) -> User | None:
    """Local mode: with no users at all, make the local admin (no password; logs in through
    one-time links). Returns the local admin if there is one (new or earlier), else None."""
    with engine.begin() as conn:
        if conn.execute(select(USERS.c.id).limit(1)).first() is None:
            conn.execute(
                insert(USERS).values(
                    name=LOCAL_ADMIN,
                    password_hash=None,
                    role="admin",
                    disabled=False,
                    local=True,
                    created_at=_now(),
                )
            )
        row = conn.execute(
            select(USERS).where(USERS.c.local.is_(True), USERS.c.disabled.is_(False))
        ).first()
    return None if row is None else _user(row)


def has_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(USERS.c.id).limit(1)).first() is not None


def new_login_link(engine: Engine, user: User, hours: float = 24.0) -> str:
    """A one-time login token for ``user``, valid ``hours``."""
    token = new_token("gvl")
    with engine.begin() as conn:
        conn.execute(
            insert(LOGIN_LINKS).values(
                token_hash=digest(token),
                user_id=user.id,
                expires_at=_now() + dt.timedelta(hours=hours),
            )
        )
    return token


def use_login_link(engine: Engine, token: str) -> User | None:
    """The user of a valid, unused login ``token`` (now used), else None."""
    with engine.begin() as conn:
        row = conn.execute(
            select(LOGIN_LINKS).where(
                LOGIN_LINKS.c.token_hash == digest(token), LOGIN_LINKS.c.used_at.is_(None)
            )
        ).first()
        if row is None or _aware(row._mapping["expires_at"]) < _now():
            return None
        done = conn.execute(
            update(LOGIN_LINKS)
            .where(LOGIN_LINKS.c.id == row._mapping["id"], LOGIN_LINKS.c.used_at.is_(None))
            .values(used_at=_now())
        )
        if done.rowcount != 1:
            return None
        user_row = conn.execute(select(USERS).where(USERS.c.id == row._mapping["user_id"])).first()
    user = None if user_row is None else _user(user_row)
    return None if user is None or user.disabled else user


def new_session(engine: Engine, user: User, hours: float) -> tuple[str, str]:
    """A new session for ``user``: its token (for the signed cookie) and CSRF token."""
    token = new_token("gvs")
    csrf = new_token("csrf")[5:45]
    with engine.begin() as conn:
        conn.execute(SESSIONS.delete().where(SESSIONS.c.expires_at < _now()))  # tidy up
        conn.execute(
            insert(SESSIONS).values(
                token_hash=digest(token),
                user_id=user.id,
                csrf=csrf,
                created_at=_now(),
                expires_at=_now() + dt.timedelta(hours=hours),
            )
        )
    return token, csrf


def session_user(engine: Engine, token: str) -> tuple[User, str] | None:
    """The active user and CSRF token of a live session, else None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(USERS, SESSIONS.c.csrf, SESSIONS.c.expires_at)
            .join(SESSIONS, SESSIONS.c.user_id == USERS.c.id)
            .where(SESSIONS.c.token_hash == digest(token))
        ).first()
    if row is None or _aware(row._mapping["expires_at"]) < _now():
        return None
    user = _user(row)
    return None if user.disabled else (user, str(row._mapping["csrf"]))


def end_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(SESSIONS.delete().where(SESSIONS.c.token_hash == digest(token)))
