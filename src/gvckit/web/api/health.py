"""``GET /api/health``: no authentication."""

from __future__ import annotations

from fastapi import APIRouter

from gvckit import __version__
from gvckit.web.api.models import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=__version__)
