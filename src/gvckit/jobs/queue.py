"""The job queue in the database: submit, claim atomically, report progress, finish, cancel,
interrupt and rerun. Claims are one conditional UPDATE (with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so concurrent workers never take the same row; SQLite serialises writers), and every
later write of a run names its ``run_id``, so a stale run cannot overwrite a newer state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update

from gvckit.auth.users import User
from gvckit.store.schema import JOBS, USERS
from gvckit.store.workspaces import NotFoundError

__all__ = [
    "STATUSES",
    "Job",
    "cancel",
    "canonical_options",
    "claim",
    "fail",
    "finish",
    "finish_on",
    "get_job",
    "interrupt_running",
    "list_jobs",
    "rerun",
    "set_progress",
    "submit_measure",
    "submit_report",
    "submit_scan",
]

STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
FINISHED = ("done", "failed", "cancelled", "interrupted")


@dataclass(frozen=True)
class Job:
    id: int
    workspace_id: int
    table_id: int | None  # None: a report, impact or scan job
    measure: str
    options: dict[str, Any]
    status: str
    progress: float
    message: str
    owner: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    run_id: str | None
    result_path: str | None
    kind: str = "measure"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def canonical_options(measure: str, options: dict[str, Any]) -> dict[str, Any]:
    """The measure's options checked (:func:`gvckit.icio.measures.check_options`, an
    :class:`~gvckit.errors.OptionError` naming a bad one) with defaults filled in; ``groups``
    (a list of ``NAME=A,B`` or a mapping) is checked and kept as a mapping."""
    from gvckit.icio.groups import parse_groups
    from gvckit.icio.measures import check_options

    own = {k: v for k, v in options.items() if k != "groups"}
    spec, clean = check_options(measure, own)
    out: dict[str, Any] = {k: clean.get(k, allowed[0]) for k, allowed in spec.options.items()}
    groups = parse_groups(options.get("groups") or None)
    if groups:
        out["groups"] = {k: list(v) for k, v in groups.items()}
    return out


def submit_measure(
    engine: Engine, user: User, workspace_id: int, table_id: int, measure: str,
    options: dict[str, Any],
) -> int:  # fmt: skip
    """Queue ``measure`` on the table (or return the job that has, or is computing, the same
    table, measure and options: results are cached)."""
    opts = canonical_options(measure, options)
    body = json.dumps(opts, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(f"{table_id}|{measure}|{body}".encode()).hexdigest()
    with engine.begin() as conn:
        same = conn.execute(
            select(JOBS.c.id)
            .where(JOBS.c.cache_key == key, JOBS.c.status.in_(("queued", "running", "done")))
            .order_by(JOBS.c.id.desc())
            .limit(1)
        ).first()
        if same is not None:
            return int(same[0])
        new = conn.execute(
            insert(JOBS).values(
                workspace_id=workspace_id, table_id=table_id, kind="measure", measure=measure,
                options=body, cache_key=key, status="queued", progress=0.0, message="queued",
                owner_id=user.id, created_at=_now(),
            )
        ).inserted_primary_key  # fmt: skip
    assert new is not None
    return int(new[0])


def submit_report(
    engine: Engine, user: User, workspace_id: int, options: dict[str, Any], task: str = "report"
) -> int:
    """Queue a job without a table: the workspace's report (``options``: the chain id and
    version, results chain, title, pdf) or, with ``task="impact"``, a difference-in-differences
    estimate (``options``: the stored panel and its columns). Never cached."""
    if task not in ("report", "impact"):
        raise ValueError(f"unknown task {task!r}")
    body = json.dumps(options, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(f"{task}|{workspace_id}|{body}|{secrets.token_hex(8)}".encode())
    with engine.begin() as conn:
        new = conn.execute(
            insert(JOBS).values(
                workspace_id=workspace_id, table_id=None, kind=task, measure=task,
                options=body, cache_key=key.hexdigest(), status="queued", progress=0.0,
                message="queued", owner_id=user.id, created_at=_now(),
            )
        ).inserted_primary_key  # fmt: skip
    assert new is not None
    return int(new[0])


def submit_scan(engine: Engine, user: User, workspace_id: int, inputs: dict[str, Any]) -> int:
    """Queue a portfolio scan into the workspace (``inputs``: the upload or folder; never
    cached: a folder's files may have changed)."""
    body = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    with engine.begin() as conn:
        new = conn.execute(
            insert(JOBS).values(
                workspace_id=workspace_id, table_id=None, kind="scan", measure="portfolio-scan",
                options=body, cache_key=secrets.token_hex(32), status="queued", progress=0.0,
                message="queued", owner_id=user.id, created_at=_now(),
            )
        ).inserted_primary_key  # fmt: skip
    assert new is not None
    return int(new[0])


def list_workspace_jobs(engine: Engine, workspace_id: int, kind: str, limit: int = 20) -> list[Job]:
    with engine.connect() as conn:
        rows = conn.execute(
            _select()
            .where(JOBS.c.workspace_id == workspace_id, JOBS.c.kind == kind)
            .order_by(JOBS.c.id.desc())
            .limit(limit)
        )
        return [_job(r) for r in rows]


def _job(row: Any) -> Job:
    m = row._mapping
    return Job(
        m["id"], m["workspace_id"], m["table_id"], m["measure"], json.loads(m["options"]),
        m["status"], float(m["progress"]), m["message"], m["owner"], m["created_at"],
        m["started_at"], m["finished_at"], m["run_id"], m["result_path"], m["kind"],
    )  # fmt: skip


def _select() -> Any:
    return select(JOBS, USERS.c.name.label("owner")).join(USERS, USERS.c.id == JOBS.c.owner_id)


def get_job(engine: Engine, job_id: int) -> Job:
    with engine.connect() as conn:
        row = conn.execute(_select().where(JOBS.c.id == job_id)).first()
    if row is None:
        raise NotFoundError("not found")
    return _job(row)


def list_jobs(engine: Engine, table_id: int, limit: int = 50) -> list[Job]:
    with engine.connect() as conn:
        rows = conn.execute(
            _select().where(JOBS.c.table_id == table_id).order_by(JOBS.c.id.desc()).limit(limit)
        )
        return [_job(r) for r in rows]


def claim(engine: Engine) -> Job | None:
    """Take the oldest queued job for a new run (atomically), or None."""
    run_id = secrets.token_hex(16)
    pick = "SELECT id FROM web_jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
    if engine.dialect.name == "postgresql":
        pick += " FOR UPDATE SKIP LOCKED"
    with engine.begin() as conn:
        done = conn.execute(
            text(
                "UPDATE web_jobs SET status = 'running', run_id = :run, started_at = :now,"
                " finished_at = NULL, progress = 0, message = 'starting'"
                f" WHERE id = ({pick}) AND status = 'queued'"
            ),
            {"run": run_id, "now": _now()},
        )
        if done.rowcount != 1:
            return None
        row = conn.execute(_select().where(JOBS.c.run_id == run_id)).first()
    return None if row is None else _job(row)


def _of_run(job_id: int, run_id: str) -> Any:
    return update(JOBS).where(
        JOBS.c.id == job_id, JOBS.c.run_id == run_id, JOBS.c.status == "running"
    )


def set_progress(engine: Engine, job_id: int, run_id: str, progress: float, message: str) -> bool:
    """Record progress of a run; False when the run is no longer the job's (cancelled...)."""
    with engine.begin() as conn:
        res = conn.execute(
            _of_run(job_id, run_id).values(progress=min(max(progress, 0.0), 1.0),
                                           message=message[:500])
        )  # fmt: skip
        return bool(res.rowcount == 1)


def finish(
    engine: Engine, job_id: int, run_id: str, result_path: str, message: str = "done"
) -> bool:
    with engine.begin() as conn:
        return finish_on(conn, job_id, run_id, result_path, message)


def finish_on(
    conn: Connection, job_id: int, run_id: str, result_path: str, message: str = "done"
) -> bool:
    """:func:`finish` in the caller's transaction (a job whose output is stored in the
    database records itself done in the transaction that stores it)."""
    res = conn.execute(
        _of_run(job_id, run_id).values(
            status="done", progress=1.0, message=message[:500], result_path=result_path,
            finished_at=_now(),
        )
    )  # fmt: skip
    return bool(res.rowcount == 1)


def fail(engine: Engine, job_id: int, run_id: str, message: str) -> bool:
    with engine.begin() as conn:
        res = conn.execute(
            _of_run(job_id, run_id).values(status="failed", message=message[:2000],
                                           finished_at=_now())
        )  # fmt: skip
        return bool(res.rowcount == 1)


def status_of(engine: Engine, job_id: int) -> tuple[str, str | None]:
    with engine.connect() as conn:
        row = conn.execute(select(JOBS.c.status, JOBS.c.run_id).where(JOBS.c.id == job_id)).first()
    return ("missing", None) if row is None else (row[0], row[1])


def cancel(engine: Engine, job_id: int) -> bool:
    """Cancel a queued or running job (its worker stops it); False if it had finished."""
    with engine.begin() as conn:
        res = conn.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.status.in_(("queued", "running")))
            .values(status="cancelled", message="cancelled", finished_at=_now())
        )
        return bool(res.rowcount == 1)


def rerun(engine: Engine, job_id: int) -> bool:
    """Queue again a job that failed, was cancelled or interrupted."""
    with engine.begin() as conn:
        res = conn.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.status.in_(("failed", "cancelled", "interrupted")))
            .values(status="queued", progress=0.0, message="queued", run_id=None,
                    result_path=None, started_at=None, finished_at=None)
        )  # fmt: skip
        return bool(res.rowcount == 1)


def interrupt_running(engine: Engine) -> int:
    """At start: jobs left running by a stopped server are interrupted (rerun them)."""
    with engine.begin() as conn:
        res = conn.execute(
            update(JOBS)
            .where(JOBS.c.status == "running")
            .values(status="interrupted", message="interrupted: the server stopped",
                    finished_at=_now())
        )  # fmt: skip
        return int(res.rowcount)
