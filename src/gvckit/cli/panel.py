"""``gvckit panel``: one measure (or several in one pass) over many tables (years) on Dask,
written as Parquet by year."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gvckit.cli._app import (
    ApproachOpt,
    BasisOpt,
    ByOpt,
    FormatOpt,
    GroupOpt,
    MethodOpt,
    OutOpt,
    PerspectiveOpt,
    PostOpt,
    SmallOpt,
    TableFormat,
    _emit,
    _stderr,
    app,
    err_console,
)

if TYPE_CHECKING:
    from gvckit.panel import PanelEvent, PanelReport, PanelTask


class _Bars:
    """One progress bar per task (read, compute, write) and one for the panel, on stderr; a
    line per finished task instead when stderr is not a terminal."""

    def __init__(self, title: str, tasks: list[PanelTask]) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from gvckit.panel import STEPS

        self.live = err_console.is_terminal
        self.started = False
        self.finished: set[Any] = set()
        self.steps = STEPS
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=not self.live,
        )
        self.total = self.progress.add_task(title, total=len(tasks), status="")
        self.rows = [
            self.progress.add_task(t.label, total=len(STEPS), status="queued", start=False)
            for t in tasks
        ]

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()

    def __call__(self, event: PanelEvent) -> None:
        if not self.started:  # the first event: the options were checked, work has begun
            self.started = True
            self.progress.start()
        row = self.rows[event.index]
        result = event.result
        if result is None:  # a step (reading, computing, writing), unless it came late
            if row not in self.finished:
                self.progress.start_task(row)
                done = self.steps.index(event.step) if event.step in self.steps else 0
                self.progress.update(row, completed=done, status=event.step)
            return
        self.finished.add(row)
        status: str = result.status
        if status == "done":
            status = f"done: {result.rows:,} rows, {sum(result.seconds):.1f} s"
        elif status == "skipped":
            status = f"skipped: {result.reason}"
        self.progress.update(row, completed=len(self.steps), status=status)
        self.progress.advance(self.total)
        if not self.live:
            _stderr(f"{event.task.label}: {status}")


def _summary(measure: str, report: PanelReport) -> None:
    """The outcome on stderr; the failed years with their reasons."""
    done, skipped = report.with_status("done"), report.with_status("skipped")
    failed = report.with_status("failed")
    _stderr(
        f"panel {measure}: {len(done)} written, {len(skipped)} skipped, {len(failed)} failed"
        f" ({report.out})"
    )
    if any(r.reason == "already written" for r in skipped):
        _stderr("years already written were skipped: --force recomputes them")
    for r in failed:
        _stderr(f"failed: {r.task.label}: {r.reason}")


@app.command("panel")
def panel_cmd(
    measure: Annotated[
        str,
        typer.Argument(
            help="Measure, as for 'gvckit measure' (see 'gvckit measures'); or several,"
            " comma-separated, computed in one pass (each year read and solved once), an item"
            " taking its own options as NAME:OPTION=VALUE, e.g. bm:approach=source,"
            "bm:approach=sink,participation."
        ),
    ],
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Tables: files, folders (their files with a year in the name) or quoted glob"
            " patterns; one table per year."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder: OUT/year=YYYY/part-0.parquet.")
    ],
    years: Annotated[
        str | None,
        typer.Option("--years", help="Years to compute, e.g. 1995-2011 or 2000,2005,2010-2011."),
    ] = None,
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            help="'local' (a Dask LocalCluster on this machine) or the address of a running"
            " scheduler (tcp://host:8786); workers must see the files and OUT at the same paths.",
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Workers of the local cluster (default: 1 per CPU)."),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option("--memory-limit", help="Memory per local worker, e.g. 4GB (Dask's rule)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute years already written.")
    ] = False,
    fmt: FormatOpt = "auto",
    group: GroupOpt = None,
    by: ByOpt = None,
    approach: ApproachOpt = None,
    perspective: PerspectiveOpt = None,
    method: MethodOpt = None,
    post: PostOpt = None,
    output_basis: BasisOpt = "rows",
    small: SmallOpt = False,
) -> None:
    """Compute MEASURE on every table of SOURCE..., one Dask task per table, and write
    OUT/year=YYYY/part-0.parquet (the measure's columns and 'source'; the year is in the folder
    name); several measures write OUT/<measure>/year=YYYY/part-0.parquet each. Years already
    written are skipped; a failed year is reported, the others complete (exit code 1)."""
    from gvckit import panel
    from gvckit.errors import OptionError
    from gvckit.icio import FORMATS

    if output_basis not in ("rows", "given"):
        raise OptionError(f"--output-basis must be 'rows' or 'given', not {output_basis!r}")
    if fmt != "auto" and fmt not in FORMATS:
        raise OptionError(f"unknown format {fmt!r}; choose auto or one of: {', '.join(FORMATS)}")
    options: dict[str, Any] = {
        "by": by,
        "post": post,
        "approach": approach,
        "perspective": perspective,
        "method": method,
        "format": fmt,
        "output_basis": output_basis,
        "small": True if small else None,
    }
    tasks = panel.discover(sources, years)
    with _Bars(measure, tasks) as bars:
        report = panel.write(
            measure, tasks, output, years=years, scheduler=scheduler, workers=workers,
            memory_limit=memory_limit,
            force=force, groups=group or None, listener=bars, **options,
        )  # fmt: skip
    _summary(measure, report)
    if report.with_status("failed"):
        raise typer.Exit(1)


@app.command("changes")
def changes_cmd(
    panel_dir: Annotated[Path, typer.Argument(help="Output folder of gvckit panel.")],
    base: Annotated[
        str, typer.Option(help="Change against: previous (year), first, or a year.")
    ] = "previous",
    share: Annotated[
        str | None,
        typer.Option(help="bm/my panels: change of a term's share, e.g. DVA/EXGR."),
    ] = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Change of every series of a panel between years (participation, position, a bm share):
    value, base year and value, change and relative change, per country(-sector)."""
    from gvckit import panel as pn
    from gvckit.errors import OptionError
    from gvckit.output import output_style

    frame = pn.read(panel_dir)
    if share is not None:
        num, sep, den = share.partition("/")
        if not sep or not num or not den:
            raise OptionError(f"--share must be TERM/TERM like DVA/EXGR, not {share!r}")
        frame = pn.share(frame, num.strip(), den.strip())
    chosen: str | int = int(base) if base.isdigit() else base
    output_style(fmt, output)
    _emit(pn.changes(frame, base=chosen), fmt, output)
