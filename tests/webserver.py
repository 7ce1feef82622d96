"""A real ``gvckit serve`` on a free loopback port, in a subprocess, for the workbench tests.

The server gets a temporary data dir and database (SQLite there by default, or a PostgreSQL
URL), prints its one-time login link, and is stopped (or killed) by the test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

RUN = "from gvckit.cli import run; run()"
BUNDLED = Path(__file__).resolve().parents[1] / "src" / "gvckit" / "data" / "wiod2013_2011.csv.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gvckit(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the gvckit CLI in a subprocess: (exit code, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN, *args], input=stdin, capture_output=True, text=True,
        timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


@dataclass
class Server:
    data_dir: Path
    db: str
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    extra: list[str] = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    link: str | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"server-{self.port}.log"

    def start(self) -> Server:
        self.port = free_port()
        self.starts += 1
        out = open(self.log, "ab")  # noqa: SIM115 - the server process holds it
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUN, "serve", "--data-dir", str(self.data_dir), "--db",
             self.db, "--port", str(self.port), "--workers", str(self.workers), *self.extra],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env},
        )  # fmt: skip
        out.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gvckit serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gvckit serve did not answer: {self.log.read_text()}")
        links = re.findall(r"(http://\S+/login/link\?token=\S+)", self.log.read_text())
        self.link = links[-1] if links else None
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        self.proc = None

    def cli(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        return gvckit(*args, "--db", self.db, "--data-dir", str(self.data_dir), stdin=stdin)

    def add_user(self, name: str, role: str) -> str:
        """Add ``name`` with ``role`` (password ``password-NAME``) through the same service as
        ``gvckit users add`` (in this process: faster); returns a new API token of theirs."""
        from gvckit.auth import users
        from gvckit.store.database import open_engine

        engine = open_engine(self.db, upgrade=False)
        try:
            users.add_user(engine, name, role, "password-" + name)
            return users.new_api_token(engine, name)
        finally:
            engine.dispose()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def wait_job(self, client: httpx.Client, job: int, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state: dict[str, Any] = client.get(f"/api/jobs/{job}").json()
            if state["status"] not in ("queued", "running"):
                return state
            time.sleep(0.2)
        raise AssertionError(f"job {job} did not finish: {state}")


def server_on(backend: str, tmp: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A started server (stopped afterwards) on a new SQLite file in ``tmp`` or, for
    ``backend == "postgresql"``, on a fresh database of the test server (skipped without one).
    Fixtures parametrised over both backends ``yield from`` it."""
    from pg import fresh_postgres, postgres_server

    if backend == "sqlite":
        srv = Server(tmp / "data", f"sqlite:///{tmp / 'gvckit.db'}", env=env or {}).start()
        yield srv
        srv.stop()
        return
    if postgres_server() is None:
        pytest.skip("needs PostgreSQL: set GVCKIT_TEST_POSTGRES")
    with fresh_postgres() as url:
        srv = Server(tmp / "data", url, env=env or {}).start()
        yield srv
        srv.stop()


def servers(prefix: str, env: dict[str, str] | None = None) -> Any:
    """A module's ``server`` fixture: a server on SQLite and one on PostgreSQL (skipped without
    one), each in a temporary folder named after ``prefix`` and the backend."""

    @pytest.fixture(scope="module", params=["sqlite", "postgresql"])
    def server(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Server]:
        tmp = tmp_path_factory.mktemp(f"{prefix}-{request.param}")
        yield from server_on(request.param, tmp, env)

    return server


#: The users the API tests share: two analysts, a viewer and an outsider (an analyst of none
#: of the workspaces).
TEAM = (("ana", "analyst"), ("bob", "analyst"), ("vic", "viewer"), ("out", "analyst"))


def team(workspace: str) -> tuple[Any, Any]:
    """A module's ``people`` fixture (the API tokens of :data:`TEAM`, by name) and ``ws`` fixture
    (a workspace named ``workspace`` of ``ana``, its admin, with ``vic`` a viewer and ``bob``
    an analyst; its id), over the module's ``server``."""

    @pytest.fixture(scope="module")
    def people(server: Server) -> dict[str, str]:
        return {name: server.add_user(name, role) for name, role in TEAM}

    @pytest.fixture(scope="module")
    def ws(server: Server, people: dict[str, str]) -> int:
        with server.client(people["ana"]) as c:
            ws = int(c.post("/api/workspaces", json={"name": workspace}).json()["id"])
            for user, role in (("vic", "viewer"), ("bob", "analyst")):
                r = c.post(f"/api/workspaces/{ws}/members", json={"user": user, "role": role})
                assert r.status_code == 201
        return ws

    return people, ws


def fuzz(server: Server, token: str | None, wanted: Callable[[str], bool], examples: int, *,
         path_parameters: dict[str, int] | None = None, headers_too: bool = False
         ) -> tuple[int, set[tuple[str, str]]]:  # fmt: skip
    """schemathesis on the server's OpenAPI: every operation whose path ``wanted`` accepts,
    ``examples`` generated requests each (derandomised, no deadline), with ``token`` (none
    without) and ``path_parameters`` fixed; each response checked: no server error, status
    code, content type and schema as documented (``headers_too``: its headers as well). The
    number of requests and the operations (method, path) called. Skipped without schemathesis."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              *([response_headers_conformance] if headers_too else []),
              response_schema_conformance]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    count = 0
    seen: set[tuple[str, str]] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not wanted(operation.path):
            continue
        seen.add((operation.method.upper(), operation.path))

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: Any) -> None:
            nonlocal count
            count += 1
            if path_parameters:
                case.path_parameters = {**(case.path_parameters or {}), **path_parameters}
            case.call_and_validate(headers=headers, checks=checks)

        check()
    return count, seen
