"""A real Dask cluster: `dask scheduler` and two `dask worker` processes started as separate
commands on loopback, `gvckit panel --scheduler tcp://...` against them (as a command too):
the same results as a local run; a worker killed mid-run: the panel finishes on the other (or
reports the failed years), and nothing partial is written."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import WIOD_YEARS, wiod_path
from gvckit import panel

pytestmark = pytest.mark.shared
BIN = Path(sys.executable).parent
MEASURES = "vs,participation:by=sector"


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A command in its own process group, output to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _wait_for(predicate: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[object]]]:
    """The scheduler address and the two worker processes."""
    pytest.importorskip("distributed")
    from distributed import Client

    tmp = tmp_path_factory.mktemp("cluster")
    file = tmp / "scheduler.json"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(_start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                             "0", "--no-dashboard", "--scheduler-file", str(file)],
                            tmp / "scheduler.log"))  # fmt: skip
        _wait_for(file.exists, 30, "the scheduler")
        for k in (1, 2):
            procs.append(_start([str(BIN / "dask"), "worker", "--scheduler-file", str(file),
                                 "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                 "--host", "127.0.0.1", "--name", f"w{k}"],
                                tmp / f"worker{k}.log"))  # fmt: skip
        with Client(scheduler_file=str(file), timeout="20s") as client:
            client.wait_for_workers(2, timeout=40)
            address = client.scheduler.address
        assert address.startswith("tcp://127.0.0.1:")
        yield address, list(procs[1:])
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _gvckit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "gvckit"), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_panel_on_a_separately_started_cluster_equals_the_local_run(
    cluster: tuple[str, list[object]], tmp_path: Path
) -> None:
    address, _ = cluster
    sources = [str(wiod_path(y)) for y in (1995, 2011)]
    remote, local = tmp_path / "remote", tmp_path / "local"
    ran = _gvckit("panel", MEASURES, *sources, "-o", str(remote), "--scheduler", address)
    assert ran.returncode == 0, ran.stderr
    assert "2 written, 0 skipped, 0 failed" in ran.stderr
    ran = _gvckit("panel", MEASURES, *sources, "-o", str(local), "--workers", "1")
    assert ran.returncode == 0, ran.stderr
    for dataset in ("vs", "participation"):
        got, want = panel.read(remote / dataset), panel.read(local / dataset)
        assert sorted(set(got["year"])) == [1995, 2011]
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0)


def test_a_worker_killed_mid_run(cluster: tuple[str, list[object]], tmp_path: Path) -> None:
    address, workers = cluster
    out = tmp_path / "out"
    sources = [str(wiod_path(y)) for y in WIOD_YEARS]
    args = [str(BIN / "gvckit"), "panel", MEASURES, *sources, "-o", str(out)]
    run = subprocess.Popen(
        [*args, "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: any(out.glob("*/year=*/part-0.parquet")), 120, "the first year")
        victim = workers[0]
        victim.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
        _, err = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
    assert "Traceback" not in err
    written = {d: {p.parent.name for p in (out / d).glob("year=*/part-0.parquet")}
               for d in ("vs", "participation")}  # fmt: skip
    assert written["vs"] == written["participation"]  # a year for every measure or for none
    assert not list(out.rglob("*.part"))  # no temporary file left by the killed worker
    for folder in out.glob("*/year=*"):
        assert (folder / "part-0.parquet").is_file()  # no empty year folder
    if run.returncode == 0:  # Dask ran the killed worker's tasks again on the other one
        assert len(written["vs"]) == len(WIOD_YEARS), err
        # a year whose task ran again after the worker died may already be on disk: the rerun
        # skips it (written by the first run), so written + skipped covers every year
        counts = re.search(r"(\d+) written, (\d+) skipped, (\d+) failed", err)
        assert counts is not None, err
        done, skipped, failed_n = (int(g) for g in counts.groups())
        assert done + skipped == len(WIOD_YEARS) and failed_n == 0, err
    else:  # the years lost with the worker are reported, with their reason
        assert run.returncode == 1, err
        failed = [line for line in err.splitlines() if line.startswith("failed: ")]
        assert failed and len(written["vs"]) + len(failed) == len(WIOD_YEARS), err
    for dataset in ("vs", "participation"):
        frame = panel.read(out / dataset)
        assert set(frame["year"]) == {int(y.split("=")[1]) for y in written["vs"]}
