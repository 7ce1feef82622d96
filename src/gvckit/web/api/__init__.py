"""The JSON API under ``/api`` (described by the app's OpenAPI): one router per resource."""

from __future__ import annotations

from fastapi import FastAPI

from gvckit.web.api import (
    actions,
    chains,
    health,
    jobs,
    portfolio,
    reports,
    results,
    tables,
    workspaces,
)

__all__ = ["include"]


def include(app: FastAPI) -> None:
    for module in (health, workspaces, tables, jobs, chains, reports, results, portfolio, actions):
        app.include_router(module.router, prefix="/api")
