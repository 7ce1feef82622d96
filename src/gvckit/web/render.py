"""Templates and the helpers pages use to render them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gvckit import __version__
from gvckit.output import readable

__all__ = ["page", "templates"]

HERE = Path(__file__).parent


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    t.env.filters["num"] = readable  # the terminal's rounding: one way to show a number
    t.env.globals["version"] = __version__
    return t


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` (the caller, its CSRF token and the asset URLs included)."""
    who = getattr(request.state, "caller", None)
    context.setdefault("user", None if who is None else who.user)
    context.setdefault("csrf", None if who is None else who.csrf)
    context["plotly_url"] = request.app.state.plotly_url
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status
    )
    return response
