"""Shared test helpers: where the real data lives, and how tests that need it behave.

Real tables are read from ``../shared/data`` (or ``$GVCKIT_SHARED/data``); the project commits no
copy. Without them a test skips with the reason; with ``GVCKIT_REQUIRE_SHARED=1`` (CI) it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path of a file under the shared data folder; skip (or fail in CI) when it is missing."""
    p = SHARED.joinpath("data", *parts)
    if not p.exists():
        msg = f"needs the shared test data {p} (set GVCKIT_SHARED to the folder holding data/)"
        if os.environ.get("GVCKIT_REQUIRE_SHARED") == "1":
            pytest.fail(msg + "; GVCKIT_REQUIRE_SHARED=1 makes this a failure")
        pytest.skip(msg)
    return p


@pytest.fixture
def leather_path() -> Path:
    return shared_path("decompr", "leather.csv")


WIOD_YEARS = tuple(range(1995, 2012))


def wiod_path(year: int) -> Path:
    return shared_path("wiod2013", f"wiot_{year}.csv.gz")


@pytest.fixture
def web_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A running ``gvckit serve`` on SQLite in a temporary data dir (stopped afterwards)."""
    pytest.importorskip("fastapi")
    from webserver import Server

    data = tmp_path / "data"
    server = Server(data, f"sqlite:///{tmp_path / 'gvckit.db'}").start()
    yield server
    server.stop()
