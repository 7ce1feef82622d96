"""Panels over years: one measure (or several, in one pass) on many tables, one Dask task per
table.

>>> from gvckit import panel
>>> panel.write("bm", ["wiot_*.csv.gz"], "out/", approach="sink")  # doctest: +SKIP
>>> panel.write("bm,participation,position", ["wiot_*.csv.gz"], "out/")  # doctest: +SKIP
>>> panel.changes(panel.read("out/"))                             # doctest: +SKIP

Tasks get paths, read their table inside the worker and return only the tidy result
(:func:`run`) or write it themselves (:func:`write`): neither the client nor the scheduler holds
a table. :func:`write` writes Parquet partitioned by year, ``OUT/year=YYYY/part-0.parquet``
(hive layout: the year is in the folder name, the file holds the measure's columns and
``source``), each file atomically; years already written are skipped unless ``force``, and a
failed year is reported while the others complete. Dask (``gvckit[scale]``) is imported only
inside the functions that use it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np
import pandas as pd

from gvckit import panel_recipe
from gvckit.errors import GvcError, InputError, OptionError, OutputError, TableError
from gvckit.panel_measures import MeasureJob, MeasuresSpec, jobs
from gvckit.panel_recipe import RECIPE_KEY
from gvckit.panel_sources import PanelTask, YearsSpec, discover, parse_years
from gvckit.timeseries import changes, share

__all__ = [
    "PanelEvent", "PanelReport", "PanelTask", "TaskResult", "changes", "connect", "discover",
    "parse_years", "read", "run", "share", "write",
]  # fmt: skip

#: Steps a task reports while it runs, in order.
STEPS = ("reading", "computing", "writing")
#: Options that go to the reader; every other option goes to the measure.
READER_OPTIONS = ("format", "output_basis", "small")
PART = "part-0.parquet"
TOPIC = "gvckit-panel"
_PARTITION = re.compile(r"^year=(\d{4})$")

Status = Literal["done", "skipped", "failed"]
Sources = Iterable["str | Path | PanelTask"]


def _import(module: str) -> ModuleType:
    """Import ``module`` of the Dask extra, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise GvcError(
            "panels run on Dask, which is not installed: install gvckit[scale]"
            " (pip install 'gvckit[scale]')"
        ) from None


@contextlib.contextmanager
def connect(
    scheduler: str = "local",
    workers: int | None = None,
    *,
    processes: bool = True,
    memory_limit: str | None = None,
) -> Iterator[Any]:
    """A Dask client on a new ``LocalCluster`` of ``workers`` single-threaded workers (default:
    one per CPU; ``memory_limit`` per worker, e.g. ``"4GB"``, default Dask's share of the
    machine) when ``scheduler`` is ``"local"``, else on the scheduler at that address."""
    dist = _import("distributed")
    if workers is not None and workers < 1:
        raise OptionError(f"--workers must be at least 1, not {workers}")
    if scheduler == "local":
        n = workers or os.cpu_count() or 1
        local: dict[str, Any] = {"threads_per_worker": 1, "processes": processes,
                                 "dashboard_address": ":0"}  # fmt: skip
        if memory_limit is not None:
            try:
                local["memory_limit"] = _import("dask.utils").parse_bytes(memory_limit)
            except (ValueError, TypeError):
                raise OptionError(
                    f"--memory-limit {memory_limit!r} is not a size like 4GB or 500MiB"
                ) from None
        with dist.LocalCluster(n_workers=n, **local) as cluster, dist.Client(cluster) as client:
            yield client
        return
    if workers is not None or memory_limit is not None:
        raise OptionError(
            "--workers and --memory-limit size a local cluster; a running scheduler has its own"
        )
    try:
        client = dist.Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise GvcError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    with client:
        yield client


# ------------------------------------------------------------------------ one task, one table


@dataclass(frozen=True)
class _Spec:
    """What every task computes: the measures (one, or several in one pass), groups, reader
    options, years asked."""

    jobs: tuple[MeasureJob, ...]
    groups: Mapping[str, tuple[str, ...]]
    reader: Mapping[str, Any]
    years: tuple[int, ...] | None

    @property
    def nested(self) -> bool:
        """Several measures: each writes its dataset in its own folder ``OUT/<dataset>/``."""
        return len(self.jobs) > 1

    def folder(self, out: Path, job: MeasureJob) -> Path:
        """Where ``job`` writes its years."""
        return out / job.dataset if self.nested else out


def _check_recipes(spec: _Spec, out: Path) -> None:
    """Refuse an output folder holding another panel's years (:func:`panel_recipe.check`)."""
    for job in spec.jobs:
        folder = spec.folder(out, job)
        if not folder.is_dir():
            continue
        parts = [sub / PART for sub in sorted(folder.iterdir())
                 if _PARTITION.match(sub.name) and (sub / PART).is_file()]  # fmt: skip
        panel_recipe.check(folder, _recipe(spec, job), parts)


def _recipe(spec: _Spec, job: MeasureJob) -> str:
    """:func:`panel_recipe.recipe` of ``job`` with this panel's groups and reader options."""
    return panel_recipe.recipe(job, spec.groups, spec.reader)


def _setup(
    measures: MeasuresSpec,
    sources: Sources,
    years: YearsSpec,
    groups: Any,
    options: Mapping[str, Any],
) -> tuple[list[PanelTask], _Spec]:
    """The tasks, and the spec checked on a tiny table (bad options fail before any work)."""
    from gvckit.icio.groups import parse_groups

    wanted = parse_years(years)
    items = list(sources)
    tasks = [t for t in items if isinstance(t, PanelTask)]
    others = [s for s in items if not isinstance(s, PanelTask)]
    if others or not tasks:
        tasks += discover(others, wanted)
    tasks = [t for t in tasks if wanted is None or t.year is None or t.year in wanted]
    reader = {k: options[k] for k in READER_OPTIONS if k in options}
    rest = {k: v for k, v in options.items() if k not in READER_OPTIONS}
    spec = _Spec(jobs(measures, rest), parse_groups(groups), reader, wanted)
    for job in spec.jobs:
        _empty(spec, job)
    return tasks, spec


def _empty(spec: _Spec, job: MeasureJob) -> pd.DataFrame:
    """The result's columns and types, from the measure on a tiny table (the Dask ``meta``)."""
    from gvckit.icio.measures import measure
    from gvckit.icio.table import IcioTable

    members = list(dict.fromkeys(m for ms in spec.groups.values() for m in ms))
    taken = set(members) | set(spec.groups)
    entities = members + [e for e in (f"ZZ{k}" for k in range(len(taken) + 2)) if e not in taken]
    n = 2 * len(entities)
    Y = np.full((n, len(entities)), float(n))
    table = IcioTable(entities=entities, sectors=("s1", "s2"), Z=np.ones((n, n)), Y=Y)
    frame = measure(job.measure, table, groups=spec.groups or None, **job.options)
    return _tag(frame.iloc[:0], 0, "")


def _tag(frame: pd.DataFrame, year: int, source: str) -> pd.DataFrame:
    """``frame`` with the columns ``year`` and ``source``."""
    return frame.assign(year=np.int64(year), source=source)


def _read_table(task: PanelTask, spec: _Spec) -> tuple[Any, int]:
    """The task's table, with its year, which its name and metadata must agree on."""
    from gvckit import icio

    extra: dict[str, Any] = {"year": task.year} if task.member else {}
    table = icio.read(task.path, **spec.reader, **extra)
    meta: int | None = table.meta.year
    year = task.year if task.year is not None else meta
    if year is None:
        raise InputError(
            "cannot tell the table's year",
            file=task.path,
            expected="a year in the file name (e.g. wiot_2011.csv.gz) or in its metadata",
        )
    if meta is not None and meta != year:
        raise InputError(f"the table says it is for {meta}, its name {year}", file=task.path)
    return table, year


def _compute(
    table: Any, task: PanelTask, spec: _Spec, year: int, chosen: Iterable[MeasureJob]
) -> dict[str, pd.DataFrame]:
    """The ``chosen`` measures on ``table`` (one model and Basis, kept with the table while
    they run), each tagged with ``year`` and ``source``, by dataset."""
    from gvckit.icio.measures import measure

    frames: dict[str, pd.DataFrame] = {}
    try:
        for job in chosen:
            frame = measure(job.measure, table, groups=spec.groups or None, **job.options)
            frames[job.dataset] = _tag(frame, year, task.name)
    except TableError as exc:
        raise exc.located(task.path) from None
    finally:
        table.clear_cache()  # the year is done: free its factorisation and inverse now
    return frames


def _frames_task(task: PanelTask, spec: _Spec) -> dict[str, pd.DataFrame]:
    """Every measure of one table, by dataset (empty for a year not asked for, known from the
    table)."""
    table, year = _read_table(task, spec)
    if spec.years is not None and year not in spec.years:
        return {job.dataset: _empty(spec, job) for job in spec.jobs}
    return _compute(table, task, spec, year, spec.jobs)


def _frame_task(task: PanelTask, spec: _Spec) -> pd.DataFrame:
    """One partition of a single-measure :func:`run`."""
    return _frames_task(task, spec)[spec.jobs[0].dataset]


@dataclass(frozen=True)
class TaskResult:
    """How one table went: ``status`` done, skipped (already written, or a year not asked for)
    or failed (with ``reason``); ``rows`` written; seconds reading, computing, writing."""

    task: PanelTask
    status: Status
    reason: str | None = None
    rows: int = 0
    seconds: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _reporter(run: str, index: int) -> Callable[[str], None]:
    """Send task ``index``'s steps to the client (a no-op outside a Dask worker)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return lambda _step: None
    return lambda step: worker.log_event(TOPIC, {"run": run, "index": index, "step": step})


def _partition(out: Path, year: int) -> Path:
    """The Parquet file of ``year``."""
    return out / f"year={year}" / PART


def _write_part(frame: pd.DataFrame, folder: Path, year: int, recipe: str) -> None:
    """Write one year atomically (no partial file, no empty folder left on failure), with
    ``recipe`` (:func:`_recipe`) in the Parquet metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from gvckit.files import atomic_write

    target = _partition(folder, year)
    created = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        table = pa.Table.from_pandas(frame.drop(columns="year"), preserve_index=False)
        metadata = {**(table.schema.metadata or {}), RECIPE_KEY: recipe.encode("utf-8")}
        try:
            with atomic_write(target) as fh:
                pq.write_table(table.replace_schema_metadata(metadata), fh)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                target.parent.rmdir()
        raise


def _missing(spec: _Spec, out: Path, year: int, force: bool) -> list[MeasureJob]:
    """The measures whose partition of ``year`` is to be written."""
    return [j for j in spec.jobs if force or not _partition(spec.folder(out, j), year).exists()]


def _write_all(frames: Mapping[str, pd.DataFrame], spec: _Spec, out: Path, year: int) -> None:
    """Write every dataset's year; if one fails, the ones this call wrote are removed again
    (a year is written for all its measures or for none)."""
    written: list[Path] = []
    try:
        for job in spec.jobs:
            if job.dataset in frames:
                folder = spec.folder(out, job)
                existed = _partition(folder, year).exists()
                _write_part(frames[job.dataset], folder, year, _recipe(spec, job))
                if not existed:
                    written.append(_partition(folder, year))
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
                path.parent.rmdir()
        raise


def _write_task(
    task: PanelTask, spec: _Spec, out: str, force: bool, run: str, index: int
) -> TaskResult:
    """One task of :func:`write`, on a worker: read, compute every measure, write; failures
    are returned."""
    say = _reporter(run, index)
    folder = Path(out)
    try:
        start = time.perf_counter()
        say("reading")
        table, year = _read_table(task, spec)
        if task.year is None:  # the year is known only now
            task = replace(task, year=year)
            if spec.years is not None and year not in spec.years:
                return TaskResult(task, "skipped", "year not asked for")
        chosen = _missing(spec, folder, year, force)
        if not chosen:
            return TaskResult(task, "skipped", "already written")
        read = time.perf_counter()
        say("computing")
        frames = _compute(table, task, spec, year, chosen)
        del table
        computed = time.perf_counter()
        say("writing")
        _write_all(frames, spec, folder, year)
        times = (read - start, computed - read, time.perf_counter() - computed)
        rows = sum(len(f) for f in frames.values())
        return TaskResult(task, "done", rows=rows, seconds=times)
    except GvcError as exc:
        return TaskResult(task, "failed", str(exc))
    except Exception as exc:  # a bug or no memory: reported with the others, the panel goes on
        return TaskResult(task, "failed", f"unexpected {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------------- the panels


@dataclass(frozen=True)
class PanelEvent:
    """Task ``index`` reached ``step`` (one of :data:`STEPS`), or ended with ``result``."""

    index: int
    task: PanelTask
    step: str
    result: TaskResult | None = None


Listener = Callable[[PanelEvent], None]


@dataclass(frozen=True)
class PanelReport:
    """What :func:`write` did: the output folder and one result per task, in task order."""

    out: Path
    results: tuple[TaskResult, ...]

    def with_status(self, status: Status) -> list[TaskResult]:
        """The results of one status (``not report.with_status("failed")``: all went well)."""
        return [r for r in self.results if r.status == status]


def write(
    measure: MeasuresSpec,
    sources: Sources,
    out: str | Path,
    *,
    years: YearsSpec = None,
    client: Any = None,
    scheduler: str = "local",
    workers: int | None = None,
    memory_limit: str | None = None,
    force: bool = False,
    groups: Any = None,
    listener: Listener | None = None,
    **options: Any,
) -> PanelReport:
    """Compute ``measure`` on every table of ``sources`` (see :func:`discover`) and write
    ``out/year=YYYY/part-0.parquet``, one Dask task per table on ``client`` (default: one from
    :func:`connect` with ``scheduler``, ``workers`` and ``memory_limit``, started only if a year
    is to be done).
    Several measures (``"bm:approach=sink,participation"`` or a list, see
    :mod:`gvckit.panel_measures`) are computed in one pass, each year read once and solved once;
    each writes ``out/<dataset>/year=YYYY/part-0.parquet``, a year for all of them or none.
    Years already written are skipped unless ``force``; a failed year does not stop the others.
    ``options`` go to the measure (``approach="sink"``) or, for :data:`READER_OPTIONS`, to the
    reader; ``listener`` receives progress events."""
    tasks, spec = _setup(measure, sources, years, groups, options)
    dist = _import("distributed")
    folder = Path(out).expanduser().resolve()
    if folder.exists() and not folder.is_dir():  # the folders are made by the tasks
        raise OutputError(f"cannot write the panel to {folder}: it is a file, not a folder")
    _check_recipes(spec, folder)
    results: dict[int, TaskResult] = {}
    run_id, say = uuid.uuid4().hex, listener or (lambda _event: None)

    def finish(i: int, result: TaskResult) -> None:
        results[i] = result
        say(PanelEvent(i, tasks[i], result.status, result))

    def on_step(event: tuple[float, Any]) -> None:
        msg = event[1]
        if isinstance(msg, dict) and msg.get("run") == run_id and msg["index"] not in results:
            say(PanelEvent(msg["index"], tasks[msg["index"]], str(msg["step"])))

    started = time.time()
    todo = []
    for i, task in enumerate(tasks):
        if not force and task.year is not None and not _missing(spec, folder, task.year, force):
            finish(i, TaskResult(task, "skipped", "already written"))
        else:
            todo.append(i)
    with contextlib.ExitStack() as stack:
        if todo and client is None:
            client = stack.enter_context(connect(scheduler, workers, memory_limit=memory_limit))
        if todo and listener is not None:
            client.subscribe_topic(TOPIC, on_step)
            stack.callback(client.unsubscribe_topic, TOPIC)
        futures = {
            client.submit(
                _write_task, tasks[i], spec, str(folder), force, run_id, i,
                key=f"gvckit-panel-{tasks[i].year}-{run_id}-{i}", pure=False,
            ): i
            for i in todo
        }  # fmt: skip
        stack.callback(lambda: [f.cancel() for f in futures])
        for future in dist.as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # the worker died (out of memory?): KilledWorker
                result = TaskResult(
                    tasks[futures[future]], "failed", f"{type(exc).__name__}: {exc}"
                )
            finish(futures[future], result)
    _sweep(spec, folder, [results[i] for i in todo], started)
    return PanelReport(folder, tuple(results[i] for i in range(len(tasks))))


def _sweep(spec: _Spec, folder: Path, done: list[TaskResult], started: float) -> None:
    """Once every task has ended: remove what a worker that died mid-task left behind, so
    that nothing partial stays: temporary files of the years this run handled, the empty
    folders of those years, and, for a failed year, the datasets this run wrote for it (a year
    is written for all its measures or for none)."""
    for result in done:
        if result.task.year is None:
            continue
        for job in spec.jobs:
            target = _partition(spec.folder(folder, job), result.task.year)
            if not target.parent.is_dir():
                continue
            for tmp in target.parent.glob(f".{PART}.*.part"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
            if result.status == "failed" and target.exists():
                with contextlib.suppress(OSError):
                    if target.stat().st_mtime >= started:
                        target.unlink()
            with contextlib.suppress(OSError):
                if not any(target.parent.iterdir()):
                    target.parent.rmdir()


def run(
    measure: MeasuresSpec,
    sources: Sources,
    *,
    years: YearsSpec = None,
    client: Any = None,
    compute: bool = False,
    groups: Any = None,
    **options: Any,
) -> Any:
    """``measure`` on every table of ``sources`` as a Dask DataFrame, one partition per table:
    the measure's columns plus ``year`` and ``source``. Lazy (computed on the scheduler active
    then) unless ``compute=True``: then a pandas DataFrame computed on ``client`` (default: the
    active Dask client, else a new local cluster). An error in a table is raised; :func:`write`
    goes on past it.

    Several measures (a list, or ``"bm:approach=sink,participation"``): a dict dataset name →
    frame, whose partitions share one task per table (read and solved once) when computed
    together (``compute=True`` does; lazily, ``dask.compute(*frames.values())``)."""
    tasks, spec = _setup(measure, sources, years, groups, options)
    dd = _import("dask.dataframe")
    dask = _import("dask")
    with dask.config.set({"dataframe.convert-string": False}):  # keep pandas dtypes
        if not spec.nested:
            meta = _empty(spec, spec.jobs[0])
            frame = dd.from_map(_frame_task, tasks, spec=spec, meta=meta, label="gvckit-panel")
            frames = {spec.jobs[0].dataset: frame}
        else:
            delayed = dask.delayed
            parts = [delayed(_frames_task, pure=False)(t, spec) for t in tasks]
            frames = {
                job.dataset: dd.from_delayed(
                    [delayed(_pick, pure=True)(p, job.dataset) for p in parts],
                    meta=_empty(spec, job),
                    verify_meta=False,
                )
                for job in spec.jobs
            }
    if not compute:
        return frames if spec.nested else frames[spec.jobs[0].dataset]
    with contextlib.ExitStack() as stack:
        if client is None:  # the active client, else a local cluster for this computation
            with contextlib.suppress(ValueError):
                client = _import("distributed").default_client()
        if client is None:
            client = stack.enter_context(connect())
        names = list(frames)
        computed = client.gather(client.compute([frames[k] for k in names]))
        done = {k: f.reset_index(drop=True) for k, f in zip(names, computed, strict=True)}
    return done if spec.nested else done[names[0]]


def _pick(frames: Mapping[str, pd.DataFrame], dataset: str) -> pd.DataFrame:
    """One dataset's frame of a multi-measure task."""
    return frames[dataset]


# ----------------------------------------------------------------------- reading the output


def _read_part(path: Path) -> pd.DataFrame:
    """One year's part, or an error naming it (damaged, or not written by :func:`write`)."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        message = " ".join(str(exc).split())
        raise InputError(f"cannot read the panel's part ({message})", file=path,
                         expected="a Parquet file written by gvckit panel") from None  # fmt: skip
    if "source" not in frame.columns:
        raise InputError("no column 'source'", file=path,
                         expected="a Parquet file written by gvckit panel")  # fmt: skip
    return frame


def read(out: str | Path) -> pd.DataFrame:
    """The results written by :func:`write` (``gvckit panel``): the measure's columns, ``year``
    (int) and ``source``, by year."""
    folder = Path(out)
    parts = sorted(
        (int(m[1]), p / PART)
        for p in (folder.iterdir() if folder.is_dir() else ())
        if (m := _PARTITION.match(p.name)) and (p / PART).is_file()
    )
    if not parts:
        raise InputError("no panel here", file=folder, expected="folders year=YYYY/part-0.parquet")
    frames = [_read_part(path) for _, path in parts]
    return pd.concat(
        [f.drop(columns="source").assign(year=np.int64(y), source=f["source"])
         for (y, _), f in zip(parts, frames, strict=True)],
        ignore_index=True,
    )  # fmt: skip
