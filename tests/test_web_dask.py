"""``gvckit serve --scheduler tcp://...``: jobs run on a Dask cluster (the engine panels use)
and give the same result as ``gvckit measure``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
distributed = pytest.importorskip("distributed")

from gvckit.cli import main  # noqa: E402
from webserver import BUNDLED, Server  # noqa: E402


def test_jobs_on_a_dask_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:  # fmt: skip
        server = Server(tmp_path / "data", f"sqlite:///{tmp_path / 'gvckit.db'}",
                        extra=["--scheduler", cluster.scheduler_address]).start()  # fmt: skip
        try:
            token = server.add_user("ana", "analyst")
            with server.client(token) as c:
                ws = c.post("/api/workspaces", json={"name": "dask"}).json()["id"]
                with open(BUNDLED, "rb") as fh:
                    table = c.post(f"/api/workspaces/{ws}/tables",
                                   files={"file": ("w.csv.gz", fh)}).json()["id"]  # fmt: skip
                job = c.post(f"/api/tables/{table}/measures/vax", json={}).json()["job"]
                state = server.wait_job(c, job)
                csv = c.get(f"/api/jobs/{job}/result").content
        finally:
            server.stop()
        ran = set(cluster.scheduler.task_prefixes)  # the scheduler runs in this process
    assert state["status"] == "done", state
    assert "run_measure" in ran
    capsys.readouterr()
    assert main(["measure", "vax", str(BUNDLED)]) == 0
    assert csv == capsys.readouterr().out.encode()
