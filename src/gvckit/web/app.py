"""The app factory: ``create_app(settings)`` wires the database, the job workers, middleware,
error handling, static files and the routers. No module-level app, no import-time effects."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from gvckit import __version__
from gvckit.errors import GvcError, InputError, OptionError
from gvckit.store.chains import StaleError
from gvckit.store.tables import TooLargeError
from gvckit.store.workspaces import ForbiddenError, NotFoundError
from gvckit.web.deps import CsrfError, UnauthenticatedError
from gvckit.web.security import BodyLimit, SecurityHeaders
from gvckit.web.settings import Settings

__all__ = ["body_limit", "create_app", "plotly_bundle"]

log = logging.getLogger("gvckit.web")
HERE = Path(__file__).parent


def plotly_bundle() -> tuple[Path, str]:
    """The plotly.js bundled with the installed plotly package, and its version."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path, str(plotly.__version__)


def _problems(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's validation errors for a JSON answer: where, what and why, and the input when
    it is one short value. Never the whole input (it may be the whole body, nested deeper
    than the encoder recurses, or hold numbers JSON has no words for, like ``inf``)."""
    out = []
    for error in errors:
        item = {k: error[k] for k in ("type", "loc", "msg", "ctx") if k in error}
        value = error.get("input")
        if isinstance(value, float) and not math.isfinite(value):
            item["input"] = str(value)
        elif value is None or isinstance(value, bool | int | float):
            item["input"] = value
        elif isinstance(value, str):
            item["input"] = value if len(value) <= 100 else value[:100] + "…"
        out.append(item)
    return list(jsonable_encoder(out))


def body_limit(settings: Settings) -> int:
    """The largest body other than a multipart upload: what the largest document or
    workbook a route takes as a body may be, with room for the rest of the request."""
    from gvckit.limits import document_limits, workbook_limits

    largest = max(document_limits().max_bytes, workbook_limits().max_bytes)
    return min(settings.max_upload_bytes, largest) + (1 << 16)


def _status(exc: GvcError) -> int:
    if isinstance(exc, UnauthenticatedError):
        return 401
    if isinstance(exc, CsrfError | ForbiddenError):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StaleError):
        return 409
    if isinstance(exc, TooLargeError):
        return 413
    if isinstance(exc, InputError | OptionError):
        return 422
    return 400


def create_app(settings: Settings) -> FastAPI:
    """The workbench app for ``settings`` (database migrated on creation)."""
    from gvckit.auth.ratelimit import LoginLimiter
    from gvckit.jobs import queue
    from gvckit.jobs.worker import WorkerPool
    from gvckit.store.database import open_engine
    from gvckit.store.portfolio import workbench_codelists
    from gvckit.store.tables import clean_partial
    from gvckit.web import api, pages
    from gvckit.web.render import templates

    engine = open_engine(settings.db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interrupted = queue.interrupt_running(engine)
        cleaned = clean_partial(settings.data_dir)
        if interrupted or cleaned:
            log.warning("after a stop: %d jobs interrupted, %d partial files removed",
                        interrupted, cleaned)  # fmt: skip
        pool = None
        if settings.workers > 0:
            pool = WorkerPool(engine, settings.db_url, settings.data_dir, settings.workers,
                              settings.scheduler, settings.portfolio_roots,
                              workbench_codelists())  # fmt: skip
            pool.start()
        try:
            yield
        finally:
            if pool is not None:
                pool.stop()
            engine.dispose()

    app = FastAPI(
        title="gvckit workbench",
        version=__version__,
        description="JSON API of the gvckit workbench: workspaces, tables, measures, jobs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = templates()
    app.state.limiter = LoginLimiter(settings.login_attempts, settings.login_window)

    @app.exception_handler(GvcError)
    async def domain_error(request: Request, exc: GvcError) -> Response:
        status = _status(exc)
        if request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        return pages.error_page(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": _problems(exc.errors())}, status_code=422)
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return pages.error_page(request, 422, f"missing or invalid: {fields}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    plotly_js, plotly_version = plotly_bundle()
    app.state.plotly_url = f"/static/plotly-{plotly_version}.min.js"

    @app.get(app.state.plotly_url, include_in_schema=False)
    def plotly_asset() -> Any:
        return FileResponse(
            plotly_js,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    api.include(app)
    pages.include(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + (1 << 16),
                       other=body_limit(settings))  # fmt: skip
    app.add_middleware(SecurityHeaders)
    return app
