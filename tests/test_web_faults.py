"""``kill -9`` of a real server during a job and during an upload: after a restart the database
is consistent, the job is interrupted (and can be rerun), and no partial table or result is
visible. The job process dies with the server (it cannot publish a result afterwards)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from sqlalchemy import text

from webserver import BUNDLED, Server


def _integrity(server: Server) -> None:
    from gvckit.store.database import open_engine

    engine = open_engine(server.db, upgrade=False)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


def _visible_files(server: Server) -> list[str]:
    return sorted(
        p.name for d in ("uploads", "results") if (server.data_dir / d).is_dir()
        for p in (server.data_dir / d).iterdir()
    )  # fmt: skip


def test_kill9_during_a_job_and_during_an_upload(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", f"sqlite:///{tmp_path / 'gvckit.db'}").start()
    try:
        token = server.add_user("ana", "analyst")
        with server.client(token) as c:
            ws = c.post("/api/workspaces", json={"name": "faults"}).json()["id"]
            with open(BUNDLED, "rb") as fh:
                table = c.post(f"/api/workspaces/{ws}/tables",
                               files={"file": ("wiod.csv.gz", fh)}).json()["id"]  # fmt: skip
            job = c.post(f"/api/tables/{table}/measures/vs", json={}).json()["job"]
            deadline = time.monotonic() + 60
            while c.get(f"/api/jobs/{job}").json()["progress"] == 0:  # reading the table
                assert time.monotonic() < deadline
                time.sleep(0.05)
        files_before = _visible_files(server)
        server.kill9()
        time.sleep(1.5)  # a job process that outlived the server would write meanwhile
        assert _visible_files(server) == files_before

        server.start()
        with server.client(token) as c:
            state = c.get(f"/api/jobs/{job}").json()
            assert state["status"] == "interrupted" and state["result"] is None
            assert c.get(f"/api/jobs/{job}/result").status_code == 404
            assert [p for p in _visible_files(server) if p.startswith("job")] == []
            # an upload cut by kill -9: the body is half sent when the server dies
            body = BUNDLED.read_bytes()
            head = (f"POST /api/workspaces/{ws}/tables HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {token}\r\n"
                    "Content-Type: multipart/form-data; boundary=XX\r\n"
                    f"Content-Length: {len(body) + 200}\r\n\r\n"
                    "--XX\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"cut.csv.gz\"\r\n\r\n").encode()  # fmt: skip
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                s.sendall(head + body[: len(body) // 2])
                time.sleep(0.5)
                server.kill9()
        server.start()
        _integrity(server)
        with server.client(token) as c:
            assert [t["id"] for t in c.get(f"/api/workspaces/{ws}/tables").json()] == [table]
            assert not [p for p in _visible_files(server) if p.startswith(".part")]
            # the interrupted job runs again
            assert c.post(f"/api/jobs/{job}/rerun").json()["status"] == "queued"
            state = server.wait_job(c, job, timeout=120)
            assert state["status"] == "done"
            head_csv = c.get(f"/api/jobs/{job}/result").text.splitlines()[:2]
            assert head_csv[0] == "country,sector,value"
    finally:
        server.stop()
