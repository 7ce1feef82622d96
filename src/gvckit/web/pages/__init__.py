"""Pages: HTML rendered on the server, htmx swapping fragments for forms and progress. One
router per resource; they call the same services as the API, never its handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from gvckit.web.pages import (
    actions,
    auth,
    chains,
    constraint_sets,
    interventions,
    jobs,
    portfolio,
    results,
    tables,
    workspaces,
)
from gvckit.web.render import page

__all__ = ["error_page", "include"]

TITLES = {403: "Not allowed", 404: "Not found", 413: "Too large", 422: "Cannot use this"}


def include(app: FastAPI) -> None:
    for module in (auth, workspaces, tables, jobs, chains, results, actions, portfolio,
                   constraint_sets, interventions):  # fmt: skip
        app.include_router(module.router, include_in_schema=False)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status=status, title=TITLES.get(status, "Error"),
                message=message)  # fmt: skip
