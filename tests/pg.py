"""A fresh PostgreSQL database per test, on the server GVCKIT_TEST_POSTGRES names (CI starts
one); skipped without it, a failure in CI (GVCKIT_REQUIRE_SHARED=1)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def postgres_server() -> str | None:
    url = os.environ.get("GVCKIT_TEST_POSTGRES")
    if not url and os.environ.get("GVCKIT_REQUIRE_SHARED") == "1":
        pytest.fail("CI must test the store on PostgreSQL: GVCKIT_TEST_POSTGRES is not set")
    return url or None


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """The URL of a new empty database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = postgres_server()
    if server is None:
        pytest.skip("needs PostgreSQL: set GVCKIT_TEST_POSTGRES to a server URL")
    base = make_url(server)
    name = f"gvckit_t_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
