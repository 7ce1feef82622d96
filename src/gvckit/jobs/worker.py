"""Workers: threads of the server that claim queued jobs and run each in its own process (a
local pool of ``n`` slots), or send it to a Dask cluster (``scheduler="tcp://..."``).

A local job process reports progress to the database itself and dies with the server (Linux
parent-death signal); cancelling a job terminates its process. A job's result is written under
a temporary name, renamed, and only then recorded as done by a conditional update naming its
run, so neither a cancelled nor an interrupted run can publish a result.

The workbench's IATI codelists (:func:`gvckit.store.portfolio.workbench_codelists`, read once by
the server) are handed to each local job process with its arguments, like the scan roots: a
portfolio scan names its codes with them and a report's review tables its countries, so both
name exactly what the server's pages name, whatever the start method and without the job
reading the folder again.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gvckit.errors import GvcError
from gvckit.jobs import queue
from gvckit.jobs.task import run_impact, run_measure, run_report

if TYPE_CHECKING:
    from gvckit.portfolio.codelists import Codelists

__all__ = ["WorkerPool"]

log = logging.getLogger("gvckit.web")
POLL = 0.25


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # pragma: no cover - no /proc
        return True


def _die_with_server(server_pid: int) -> None:
    """End this job process as soon as the server is gone (even by kill -9): the parent-death
    signal covers a spawned child, a watchdog thread covers a forkserver's."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:  # pragma: no cover - not Linux
        pass

    def watch() -> None:
        while _alive(server_pid):
            time.sleep(0.1)
        os._exit(1)

    threading.Thread(target=watch, name="gvckit-watchdog", daemon=True).start()


def _report_inputs(
    engine: Any, data_dir: Path, job: queue.Job, codelists: Codelists | None = None
) -> tuple[list[Any], Path]:
    from gvckit.store.chains import get_version

    opts = job.options
    if job.measure == "impact":
        folder = data_dir / "results"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"job{job.id}-{job.run_id}.parquet"
        return [str(data_dir / opts["panel"]), opts.get("columns") or {}, str(target)], target
    chain = None
    if opts.get("chain") is not None:
        chain = get_version(engine, int(opts["chain"]), int(opts["version"]))
    monitored = None
    if opts.get("results") is not None:
        from gvckit.store.results import get_results

        monitored = get_results(engine, int(opts["results"])).content
    position = None
    if opts.get("table") is not None:
        from gvckit.store.tables import get_table

        row = get_table(engine, int(opts["table"]))
        position = {"path": str(data_dir / row.path), "format": row.format, "year": row.year,
                    "country": opts["country"], "sector": opts.get("sector"),
                    "peers": opts.get("peers")}  # fmt: skip
    actions = {}
    for key in ("constraints", "intervention"):
        if opts.get(key) is not None:  # [id, version]: as the report was asked for
            from gvckit.store.actions import CONSTRAINTS, INTERVENTIONS

            history = CONSTRAINTS if key == "constraints" else INTERVENTIONS
            actions[key] = history.content(engine, int(opts[key][0]), int(opts[key][1]))
    if opts.get("audit_chain") is not None:
        actions["audit_chain"] = get_version(engine, int(opts["audit_chain"][0]),
                                             int(opts["audit_chain"][1]))  # fmt: skip
    tables = None
    if opts.get("portfolio"):
        from gvckit.store.portfolio import Filters, review_tables

        tables = review_tables(engine, job.workspace_id, Filters(value_chain="yes,possible"),
                               codelists=codelists)  # fmt: skip
    folder = data_dir / "results"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"job{job.id}-{job.run_id}.html"
    args = [chain, monitored, opts.get("title"), str(target), bool(opts.get("pdf")), position,
            tables, actions]  # fmt: skip
    return args, target


def _job_inputs(
    engine: Any, data_dir: Path, job: queue.Job, codelists: Codelists | None = None
) -> tuple[list[Any], Path]:
    from gvckit.store.tables import get_table

    if job.table_id is None:
        return _report_inputs(engine, data_dir, job, codelists)
    table = get_table(engine, job.table_id)
    results = data_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"job{job.id}-{job.run_id}.parquet"
    args = [str(data_dir / table.path), table.format, table.year, job.measure, job.options]
    return args, target


def _run_local(
    db_url: str, data_dir: str, job_id: int, run_id: str, server_pid: int, roots: list[str],
    codelists: Codelists | None = None,
) -> None:  # fmt: skip
    """Body of a local job process (``roots``: the folders portfolio scans may read;
    ``codelists``: the workbench's IATI codelists, which name the codes)."""
    _die_with_server(server_pid)
    from gvckit.store.database import open_engine

    engine = open_engine(db_url, upgrade=False)
    try:
        job = queue.get_job(engine, job_id)

        def progress(p: float, message: str) -> None:
            queue.set_progress(engine, job_id, run_id, p, message)

        if job.kind == "scan":
            _scan_local(engine, db_url, Path(data_dir), job, run_id, progress, roots, codelists)
            return
        args, target = _job_inputs(engine, Path(data_dir), job, codelists)

        try:
            if job.table_id is None and job.measure == "impact":
                run_impact(args[0], args[1], args[2], progress)
            elif job.table_id is None:
                run_report(args[0], args[1], args[2], args[3], args[4], progress,
                           position=args[5], portfolio_tables=args[6],
                           actions=args[7])  # fmt: skip
            else:
                run_measure(*args, str(target), progress)  # type: ignore[call-arg]
        except GvcError as exc:
            if job.measure == "impact":
                shown = str(exc).replace(args[0], "the panel")
            elif job.table_id is None:
                shown = str(exc)
                if args[5] is not None:  # never a server path in the message
                    shown = shown.replace(args[5]["path"], f"table {job.options['table']}")
            else:
                shown = str(exc).replace(args[0], f"table {job.table_id}")
            queue.fail(engine, job_id, run_id, shown)
            return
        except MemoryError:
            queue.fail(engine, job_id, run_id, "out of memory")
            return
        except Exception as exc:
            queue.fail(engine, job_id, run_id, f"unexpected error: {type(exc).__name__}")
            return
        rel = str(target.relative_to(Path(data_dir)))
        if not queue.finish(engine, job_id, run_id, rel):
            target.unlink(missing_ok=True)  # cancelled meanwhile: publish nothing
    finally:
        engine.dispose()


def _scan_local(
    engine: Any,
    db_url: str,
    data_dir: Path,
    job: queue.Job,
    run_id: str,
    progress: Any,
    roots: list[str],
    codelists: Codelists | None = None,
) -> None:
    """A portfolio scan job (:func:`gvckit.jobs.scan.run_scan`) in this job process, the codes
    named with ``codelists``."""
    from gvckit.jobs.scan import run_scan
    from gvckit.store.portfolio_scan import ScanWithdrawnError

    # the scanner parses files in its own process pool, like the CLI: a job process may have
    # children (they end with it: their work queue closes)
    mp.current_process()._config["daemon"] = False  # type: ignore[attr-defined]
    results = data_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"job{job.id}-{run_id}.parquet"
    limit = int(job.options.get("max_bytes", 2**30))
    rel = str(target.relative_to(data_dir))

    def done(conn: Any, message: str) -> bool:
        return queue.finish_on(conn, job.id, run_id, rel, message)

    try:
        run_scan(db_url, str(data_dir), job.workspace_id, job.id, job.options, limit,
                 str(target), progress, done, roots, codelists)  # fmt: skip
    except ScanWithdrawnError:
        return  # cancelled meanwhile: nothing stored, nothing published
    except GvcError as exc:
        shown = str(exc).replace(str(data_dir), "data dir")
        for root in roots:  # never a server path in the message
            shown = shown.replace(str(Path(root).resolve()), "the scan folder")
            shown = shown.replace(root, "the scan folder")
        queue.fail(engine, job.id, run_id, shown)
        return
    except MemoryError:
        queue.fail(engine, job.id, run_id, "out of memory")
        return
    except Exception as exc:
        queue.fail(engine, job.id, run_id, f"unexpected error: {type(exc).__name__}")


class WorkerPool:
    """``n`` worker slots claiming jobs from the database at ``db_url``; ``codelists`` (the
    workbench's IATI codelists) go to every local job process."""

    def __init__(
        self,
        engine: Any,
        db_url: str,
        data_dir: Path,
        n: int = 2,
        scheduler: str | None = None,
        roots: tuple[Path, ...] = (),
        codelists: Codelists | None = None,
    ) -> None:
        self.engine = engine
        self.roots = [str(r) for r in roots]
        self.codelists = codelists
        self.db_url = db_url
        self.data_dir = data_dir
        self.n = max(1, n)
        self.scheduler = scheduler
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._client: Any = None
        self._ctx: Any = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods()
                                   else "spawn")  # fmt: skip

    def start(self) -> None:
        if self.scheduler:
            from gvckit.panel import _import

            dist = _import("distributed")
            try:
                self._client = dist.Client(self.scheduler, timeout="10s")
            except OSError as exc:
                raise GvcError(
                    f"cannot reach the Dask scheduler at {self.scheduler!r}: {exc}"
                ) from None
        elif self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(["gvckit.jobs.worker", "gvckit.icio"])
        for k in range(self.n):
            t = threading.Thread(target=self._loop, name=f"gvckit-worker-{k}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        if self._client is not None:
            self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = queue.claim(self.engine)
            except Exception as exc:  # database busy or gone: try again shortly
                log.warning("claiming a job failed: %s", type(exc).__name__)
                job = None
            if job is None:
                self._stop.wait(POLL * 2)
                continue
            try:
                if self._client is not None and job.table_id is not None:
                    self._run_dask(job)
                else:
                    self._run_process(job)
            except Exception as exc:
                log.warning("job %s failed in its worker: %s", job.id, type(exc).__name__)
                assert job.run_id is not None
                queue.fail(self.engine, job.id, job.run_id, f"worker error: {type(exc).__name__}")

    def _cancelled(self, job: queue.Job) -> bool:
        status, run = queue.status_of(self.engine, job.id)
        return status != "running" or run != job.run_id

    def _run_process(self, job: queue.Job) -> None:
        assert job.run_id is not None
        proc = self._ctx.Process(
            target=_run_local,
            args=(self.db_url, str(self.data_dir), job.id, job.run_id, os.getpid(), self.roots,
                  self.codelists),
            daemon=True,
        )  # fmt: skip
        proc.start()
        while proc.is_alive():
            proc.join(POLL)
            if self._stop.is_set() or (proc.is_alive() and self._cancelled(job)):
                proc.terminate()
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
                break
        if not self._stop.is_set() and proc.exitcode not in (0, None) and not self._cancelled(job):
            queue.fail(self.engine, job.id, job.run_id, f"the job process ended ({proc.exitcode})")

    def _run_dask(self, job: queue.Job) -> None:
        assert job.run_id is not None
        args, target = _job_inputs(self.engine, self.data_dir, job)
        queue.set_progress(self.engine, job.id, job.run_id, 0.1, "running on the Dask cluster")
        future = self._client.submit(run_measure, *args, str(target), pure=False)
        while not future.done():
            time.sleep(POLL)
            if self._stop.is_set() or self._cancelled(job):
                future.cancel()
                return
        try:
            future.result()
        except GvcError as exc:
            queue.fail(self.engine, job.id, job.run_id, str(exc).replace(args[0], "the table"))
            return
        rel = str(target.relative_to(self.data_dir))
        if not queue.finish(self.engine, job.id, job.run_id, rel):
            target.unlink(missing_ok=True)
