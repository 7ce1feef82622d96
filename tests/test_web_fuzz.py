"""schemathesis against the workbench's OpenAPI on a real server, with a token and without:
no server error (500), and every response within its documented status codes, content types
and schemas.
Bounded (a few examples per operation) so that it runs in well under a minute."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

from webserver import Server, fuzz

CHAIN = Path(__file__).resolve().parents[1] / "examples" / "chains" / "apple_ipad_2010.yaml"
LEATHER = Path(__file__).resolve().parents[1] / "src" / "gvckit" / "data" / "leather.csv"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server with one workspace, table and finished job, and an analyst's token."""
    tmp = tmp_path_factory.mktemp("fuzz")
    server = Server(tmp / "data", f"sqlite:///{tmp / 'gvckit.db'}",
                    env={"GVCKIT_MAX_UPLOAD_MB": "1"}).start()  # fmt: skip
    token = server.add_user("fuzz", "analyst")
    with server.client(token) as c:
        ws = c.post("/api/workspaces", json={"name": "fuzz"}).json()["id"]
        with open(LEATHER, "rb") as fh:
            table = c.post(f"/api/workspaces/{ws}/tables", files={"file": ("t.csv", fh)}).json()
        job = c.post(f"/api/tables/{table['id']}/measures/vs", json={}).json()["job"]
        server.wait_job(c, job)
        chain = CHAIN.read_bytes()
        r = c.post(f"/api/workspaces/{ws}/chains", files={"file": ("c.yaml", chain)})
        assert r.status_code == 201
    yield server, token
    server.stop()


def test_api_fuzz_with_a_token(fuzzed: tuple[Server, str]) -> None:
    server, token = fuzzed
    assert fuzz(server, token, lambda path: True, 6, headers_too=True)[0] >= 50


def test_api_fuzz_without_a_token(fuzzed: tuple[Server, str]) -> None:
    server, _ = fuzzed
    assert fuzz(server, None, lambda path: True, 6, headers_too=True)[0] >= 50
