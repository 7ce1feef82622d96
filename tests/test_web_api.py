"""The workbench's JSON API contract against a real ``gvckit serve`` (uvicorn on a loopback
port), on SQLite and on PostgreSQL: health, workspaces, members, uploads checked by the readers,
table info, measures as jobs whose results equal ``gvckit measure``, and the access rules."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("fastapi")

from gvckit import icio
from gvckit.cli import main
from gvckit.icio.summary import table_summary
from webserver import BUNDLED, Server, server_on


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"api-{request.param}")
    yield from server_on(request.param, tmp)


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    """API tokens of an analyst, a viewer and an outsider."""
    return {name: server.add_user(name, role) for name, role in
            (("ana", "analyst"), ("vic", "viewer"), ("out", "analyst"))}  # fmt: skip


@pytest.fixture(scope="module")
def workspace(server: Server, people: dict[str, str]) -> dict[str, int]:
    with server.client(people["ana"]) as c:
        r = c.post("/api/workspaces", json={"name": "Kenya dairy", "country": "KEN"})
        assert r.status_code == 201
        ws = r.json()["id"]
        assert c.post(f"/api/workspaces/{ws}/members", json={"user": "vic", "role": "viewer"}
                      ).status_code == 201  # fmt: skip
        with open(BUNDLED, "rb") as fh:
            r = c.post(f"/api/workspaces/{ws}/tables", files={"file": ("wiod.csv.gz", fh)})
        assert r.status_code == 201, r.text
        return {"ws": ws, "table": r.json()["id"]}


def test_health_needs_no_credentials(server: Server) -> None:
    from gvckit import __version__

    with server.client() as c:
        r = c.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}


def test_no_credentials_401_and_bad_token_401(server: Server, workspace: dict[str, int]) -> None:
    with server.client() as anon, server.client("gvk_not-a-token") as bad:
        for c in (anon, bad):
            assert c.get("/api/workspaces").status_code == 401
            assert c.get(f"/api/tables/{workspace['table']}").status_code == 401
            assert c.post("/api/workspaces", json={"name": "x"}).status_code == 401


def test_workspaces_are_the_callers(server: Server, people: dict[str, str],
                                    workspace: dict[str, int]) -> None:  # fmt: skip
    with server.client(people["vic"]) as vic, server.client(people["out"]) as out:
        assert [(w["id"], w["role"]) for w in vic.get("/api/workspaces").json()] == [
            (workspace["ws"], "viewer")
        ]
        assert out.get("/api/workspaces").json() == []


def test_table_info_is_table_summary(server: Server, people: dict[str, str],
                                     workspace: dict[str, int]) -> None:  # fmt: skip
    expected = table_summary(icio.read(BUNDLED))
    with server.client(people["vic"]) as c:
        info = c.get(f"/api/tables/{workspace['table']}").json()
    assert info["countries"] == expected["countries"] and len(info["countries"]) == 41
    assert info["sectors"] == expected["sectors"]
    assert info["n"] == expected["rows"] == 41 * 35
    assert info["totals"] == pytest.approx(expected["totals"], rel=1e-12)
    assert info["balance"]["balanced"] == expected["balance"]["balanced"]


def test_bad_table_is_422_with_the_readers_line_and_nothing_kept(
    server: Server, people: dict[str, str], workspace: dict[str, int], tmp_path: Path
) -> None:
    bad = b"country,industry,AUS_c1\nAUS,c1,not-a-number\n"
    (tmp_path / "bad.csv").write_bytes(bad)
    try:
        icio.read(tmp_path / "bad.csv")
    except Exception as exc:
        expected = str(exc).replace(str(tmp_path / "bad.csv"), "bad.csv")
    before = sorted(p.name for p in (server.data_dir / "uploads").iterdir())
    with server.client(people["ana"]) as c:
        r = c.post(f"/api/workspaces/{workspace['ws']}/tables", files={"file": ("bad.csv", bad)})
        tables = c.get(f"/api/workspaces/{workspace['ws']}/tables").json()
    assert r.status_code == 422
    assert r.json() == {"detail": expected}
    assert "\n" not in expected and expected.startswith("bad.csv")
    assert sorted(p.name for p in (server.data_dir / "uploads").iterdir()) == before
    assert [t["id"] for t in tables] == [workspace["table"]]


def _measure_cli(capsys: pytest.CaptureFixture[str], measure: str, *options: str) -> bytes:
    """What ``gvckit measure`` prints (CSV on stdout)."""
    capsys.readouterr()
    assert main(["measure", measure, str(BUNDLED), *options]) == 0
    return capsys.readouterr().out.encode()


def test_measure_job_results_equal_gvckit_measure(
    server: Server, people: dict[str, str], workspace: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    table = workspace["table"]
    with server.client(people["ana"]) as c:
        r = c.post(f"/api/tables/{table}/measures/bm",
                   json={"approach": "sink", "perspective": "exporter"})  # fmt: skip
        assert r.status_code == 202
        job = r.json()["job"]
        state = server.wait_job(c, job)
        assert state["status"] == "done" and state["progress"] == 1.0
        assert state["result"] == f"/api/jobs/{job}/result"
        csv = c.get(f"/api/jobs/{job}/result", params={"format": "csv"})
        as_json = c.get(f"/api/jobs/{job}/result", params={"format": "json"}).content
        parquet = c.get(f"/api/jobs/{job}/result", params={"format": "parquet"}).content
        # same table, measure and options: the cached job
        same = {"perspective": "exporter", "approach": "sink", "by": "country"}
        again = c.post(f"/api/tables/{table}/measures/bm", json=same)
        assert again.json() == {"job": job}
    expected = _measure_cli(capsys, "bm", "--approach", "sink", "--perspective", "exporter")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    # equal to gvckit measure's CSV: same rows and keys, values to the last bits that BLAS
    # threading may change (a worker process and the CLI can run with different thread counts)
    frame = pd.read_csv(io.BytesIO(expected))
    assert len(frame) > 300 and list(frame.columns) == ["exporter", "term", "value"]
    got = pd.read_csv(io.BytesIO(csv.content))
    pd.testing.assert_frame_equal(got, frame, check_exact=False, rtol=1e-12, atol=1e-9)
    back = pd.read_parquet(io.BytesIO(parquet))
    assert back.to_csv(index=False, lineterminator="\n").encode() == csv.content
    records = json.loads(as_json)
    assert [r["value"] for r in records] == pytest.approx(list(frame["value"]), rel=1e-12)


def test_bad_option_is_422_naming_it(server: Server, people: dict[str, str],
                                     workspace: dict[str, int]) -> None:  # fmt: skip
    with server.client(people["ana"]) as c:
        table = workspace["table"]
        r = c.post(f"/api/tables/{table}/measures/bm", json={"approch": "sink"})
        assert r.status_code == 422 and "'approch'" in r.json()["detail"]
        r = c.post(f"/api/tables/{table}/measures/bm", json={"approach": "upstream"})
        assert r.status_code == 422 and "approach" in r.json()["detail"]
        r = c.post(f"/api/tables/{table}/measures/nosuch", json={})
        assert r.status_code == 422 and "unknown measure 'nosuch'" in r.json()["detail"]


def test_roles_viewer_403_and_outsider_404(server: Server, people: dict[str, str],
                                           workspace: dict[str, int]) -> None:  # fmt: skip
    ws, table = workspace["ws"], workspace["table"]
    with server.client(people["vic"]) as vic:
        assert vic.get(f"/api/tables/{table}").status_code == 200
        assert vic.post(f"/api/tables/{table}/measures/vs", json={}).status_code == 403
        with open(BUNDLED, "rb") as fh:
            up = vic.post(f"/api/workspaces/{ws}/tables", files={"file": ("t.csv.gz", fh)})
        assert up.status_code == 403
        assert vic.post(f"/api/workspaces/{ws}/members",
                        json={"user": "out", "role": "admin"}).status_code == 403  # fmt: skip
        assert vic.post("/api/workspaces", json={"name": "mine"}).status_code == 403
    with server.client(people["ana"]) as ana:
        job = ana.post(f"/api/tables/{table}/measures/vs", json={}).json()["job"]
    with server.client(people["out"]) as out:
        for path in (f"/api/tables/{table}", f"/api/jobs/{job}", f"/api/jobs/{job}/result",
                     f"/api/workspaces/{ws}/tables", f"/api/workspaces/{ws}/members",
                     "/api/tables/999999", "/api/jobs/999999"):  # fmt: skip
            r = out.get(path)
            assert r.status_code == 404 and r.json() == {"detail": "not found"}, path
        assert out.post(f"/api/tables/{table}/measures/vs", json={}).status_code == 404
        assert out.post(f"/api/jobs/{job}/cancel").status_code == 404


def test_a_running_job_can_be_cancelled(server: Server, people: dict[str, str],
                                        workspace: dict[str, int]) -> None:  # fmt: skip
    with server.client(people["ana"]) as c:
        job = c.post(f"/api/tables/{workspace['table']}/measures/leontief",
                     json={"post": "output"}).json()["job"]  # fmt: skip
        while c.get(f"/api/jobs/{job}").json()["status"] == "queued":
            time.sleep(0.05)
        state = c.post(f"/api/jobs/{job}/cancel").json()
        assert state["status"] in ("cancelled", "done")  # done if it won the race
        if state["status"] == "cancelled":
            time.sleep(1.0)  # the worker stops the process; it cannot publish a result
            assert c.get(f"/api/jobs/{job}").json()["status"] == "cancelled"
            assert c.get(f"/api/jobs/{job}/result").status_code == 404
            assert not list((server.data_dir / "results").glob(f"job{job}-*"))


def test_revoked_token_is_refused(server: Server) -> None:
    """Revoked (``gvckit users revoke``) or disabled: the token no longer opens anything."""
    from gvckit.auth import users
    from gvckit.store.database import open_engine

    token = server.add_user("rex", "analyst")
    with server.client(token) as c:
        assert c.get("/api/workspaces").status_code == 200
        code, out, _ = server.cli("users", "revoke", "rex")
        assert code == 0 and "1 token(s)" in out
        assert c.get("/api/workspaces").status_code == 401
    engine = open_engine(server.db, upgrade=False)
    try:
        token = users.new_api_token(engine, "rex")
        users.disable_user(engine, "rex")
    finally:
        engine.dispose()
    with server.client(token) as c:
        assert c.get("/api/workspaces").status_code == 401
