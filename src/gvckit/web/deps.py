"""Who is calling, and may they: the one set of dependencies the pages and the API share.

A caller is identified by an API token (``Authorization: Bearer``) or by the signed session
cookie. Writes through a session need its CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); token calls carry no ambient authority and need none.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path as FastPath
from fastapi import Request
from sqlalchemy import Engine

from gvckit.auth.users import User, session_user, user_by_token
from gvckit.errors import GvcError
from gvckit.web.settings import Settings

__all__ = [
    "COOKIE",
    "Caller",
    "CsrfError",
    "Id",
    "UnauthenticatedError",
    "caller",
    "check_csrf",
    "current",
    "engine_of",
    "settings_of",
    "signer",
    "uploader",
]

COOKIE = "gvckit_session"
SAFE = ("GET", "HEAD", "OPTIONS")


class UnauthenticatedError(GvcError):
    """No valid credentials."""


class CsrfError(GvcError):
    """A write through a session without its CSRF token."""


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "token" or "session"
    csrf: str | None = None
    session: str | None = None


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def signer(settings: Settings) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(settings.secret_key, salt="gvckit-session")


def _identify(request: Request) -> Caller | None:
    engine = engine_of(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = user_by_token(engine, token.strip())
        return None if user is None else Caller(user, "token")
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    from itsdangerous import BadSignature

    settings = settings_of(request)
    try:
        token = signer(settings).loads(cookie, max_age=int(settings.session_hours * 3600))
    except BadSignature:
        return None
    found = session_user(engine, str(token))
    if found is None:
        return None
    return Caller(found[0], "session", found[1], str(token))


def caller(request: Request) -> Caller:
    """The caller, or :class:`UnauthenticatedError` (401 from the API, the login page for pages)."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = _identify(request)
    if found is None:
        raise UnauthenticatedError("log in, or send an API token: Authorization: Bearer TOKEN")
    request.state.caller = found
    return found


async def check_csrf(request: Request, who: Caller) -> None:
    """A session's write must carry its CSRF token; :class:`CsrfError` (403) if not."""
    if request.method in SAFE or who.via != "session":
        return
    given = request.headers.get("x-csrf-token")
    if given is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
    if not given or who.csrf is None or not hmac.compare_digest(given, who.csrf):
        raise CsrfError("missing or wrong CSRF token; reload the page and try again")


async def current(request: Request) -> Caller:
    """Dependency: the authenticated caller, CSRF checked for a session's writes."""
    who = caller(request)
    await check_csrf(request, who)
    return who


#: An object id in a path: a positive 32-bit integer (larger ones cannot name a row).
Id = Annotated[int, FastPath(ge=1, le=2**31 - 1)]


async def uploader(request: Request) -> tuple[Caller, str | None]:
    """Dependency for upload routes, which read the body as it streams: the caller, and the
    session's CSRF token still to be found in the form (before the file), or None when a
    header carried it or the caller used a token."""
    who = caller(request)
    if who.via != "session":
        return who, None
    given = request.headers.get("x-csrf-token")
    if given is None:
        return who, who.csrf
    if who.csrf is None or not hmac.compare_digest(given, who.csrf):
        raise CsrfError("missing or wrong CSRF token; reload the page and try again")
    return who, None
