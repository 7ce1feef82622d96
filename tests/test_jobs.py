"""The job queue on SQLite and PostgreSQL: concurrent workers never claim the same job, a stale
run cannot finish a job, cancel/rerun/interrupt follow the statuses, results are cached per
table, measure and options."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gvckit.auth.users import User, add_user
from gvckit.errors import OptionError
from gvckit.jobs import queue
from gvckit.store.database import open_engine
from gvckit.store.schema import TABLES
from gvckit.store.workspaces import create_workspace
from pg import fresh_postgres, postgres_server


def _setup(url: str) -> tuple[Engine, User, int, int]:
    engine = open_engine(url)
    user, _ = add_user(engine, "ana", "analyst", "password-ana")
    ws = create_workspace(engine, user, "jobs")
    import datetime as dt

    with engine.begin() as conn:
        key = conn.execute(TABLES.insert().values(
            workspace_id=ws, name="t", path="uploads/x.csv", format="wide", year=None, size=1,
            summary="{}", created_by=user.id, created_at=dt.datetime.now(dt.UTC),
        )).inserted_primary_key  # fmt: skip
    assert key is not None
    return engine, user, ws, int(key[0])


def _exercise(url: str) -> None:
    engine, user, ws, table = _setup(url)
    ids = [queue.submit_measure(engine, user, ws, table, "bm",
                                {"approach": a, "perspective": p, "by": b})
           for a in ("source", "sink") for p in ("exporter", "sector", "bilateral", "world")
           for b in ("country", "sector")]  # fmt: skip
    assert len(set(ids)) == 16
    # the same table, measure and options (defaults spelled out or not): the same job
    assert queue.submit_measure(engine, user, ws, table, "bm", {}) == ids[0]
    with pytest.raises(OptionError, match="'nope'"):
        queue.submit_measure(engine, user, ws, table, "bm", {"nope": 1})
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (job := queue.claim(engine)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)  # each job exactly once
    first = queue.get_job(engine, ids[0])
    assert first.status == "running" and first.run_id is not None
    assert not queue.finish(engine, ids[0], "stale-run", "results/x.parquet")
    assert queue.set_progress(engine, ids[0], first.run_id, 0.5, "half")
    assert queue.cancel(engine, ids[0])
    assert not queue.finish(engine, ids[0], first.run_id, "results/x.parquet")
    assert queue.get_job(engine, ids[0]).status == "cancelled"
    assert queue.interrupt_running(engine) == 15
    assert queue.get_job(engine, ids[1]).status == "interrupted"
    assert queue.rerun(engine, ids[1]) and not queue.rerun(engine, ids[1])
    again = queue.claim(engine)
    assert again is not None and again.id == ids[1] and again.run_id != first.run_id
    assert queue.finish(engine, again.id, again.run_id, "results/y.parquet")
    assert queue.submit_measure(engine, user, ws, table, "bm", {"by": "sector"}) == ids[1]
    engine.dispose()


def test_queue_on_sqlite(tmp_path: Path) -> None:
    _exercise(f"sqlite:///{tmp_path / 'jobs.db'}")


def test_queue_on_postgresql() -> None:
    if postgres_server() is None:
        pytest.skip("needs PostgreSQL: set GVCKIT_TEST_POSTGRES")
    with fresh_postgres() as url:
        _exercise(url)
