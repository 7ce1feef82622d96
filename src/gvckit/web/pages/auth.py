"""Login (password, or a one-time link), logout."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gvckit.auth import users
from gvckit.web.deps import COOKIE, Caller, current, engine_of, settings_of, signer
from gvckit.web.render import page

router = APIRouter()
LOGIN_COOKIE = "gvckit_login"


def _cookie_args(request: Request) -> dict[str, object]:
    secure = settings_of(request).secure_cookies or request.url.scheme == "https"
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def _start_session(request: Request, user: users.User) -> Response:
    settings = settings_of(request)
    token, _ = users.new_session(engine_of(request), user, settings.session_hours)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, signer(settings).dumps(token), max_age=int(settings.session_hours * 3600),
        **_cookie_args(request),  # type: ignore[arg-type]
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _login_form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The login page with a fresh double-submit token (there is no session yet)."""
    nonce = secrets.token_urlsafe(24)
    response = page(request, "login.html", status=status, login_csrf=nonce, error=error)
    response.set_cookie(
        LOGIN_COOKIE, signer(settings_of(request)).dumps(nonce), max_age=3600,
        **_cookie_args(request),  # type: ignore[arg-type]
    )  # fmt: skip
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _login_form(request)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    from itsdangerous import BadSignature

    from gvckit.web.deps import CsrfError

    try:
        expected = str(signer(settings_of(request)).loads(request.cookies.get(LOGIN_COOKIE, "")))
    except BadSignature:
        expected = ""
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise CsrfError("missing or wrong CSRF token; reload the login page and try again")
    limiter = request.app.state.limiter
    address = request.client.host if request.client else "?"
    keys = (f"ip:{address}", f"user:{name.lower()}")
    if limiter.blocked(*keys):
        return _login_form(request, 429, "Too many failed attempts: wait a few minutes.")
    user = users.authenticate(engine_of(request), name, password)
    if user is None:
        limiter.failed(*keys)
        return _login_form(request, 401, "Wrong name or password.")
    return _start_session(request, user)


@router.get("/login/link")
def login_link(request: Request, token: str = "") -> Response:
    """The one-time link printed by ``gvckit serve`` in local mode."""
    user = users.use_login_link(engine_of(request), token) if token else None
    if user is None:
        return _login_form(request, 401, "This login link is not valid (it works once).")
    return _start_session(request, user)


@router.post("/logout")
def logout(request: Request, who: Annotated[Caller, Depends(current)]) -> Response:
    if who.session is not None:
        users.end_session(engine_of(request), who.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
