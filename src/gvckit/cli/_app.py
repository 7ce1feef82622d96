"""The typer application, its sub-commands and the helpers the command modules share."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from gvckit import __version__

app = typer.Typer(
    name="gvckit",
    help="Global value chain analysis: ICIO tables, trade in value added, GVC measures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
table_app = typer.Typer(help="Inspect input-output tables.", no_args_is_help=True)
app.add_typer(table_app, name="table")
chain_app = typer.Typer(help="One value chain: check, accounts, governance.", no_args_is_help=True)
app.add_typer(chain_app, name="chain")
constraints_app = typer.Typer(
    help="Value chain constraints and their priority.", no_args_is_help=True
)
app.add_typer(constraints_app, name="constraints")
approaches_app = typer.Typer(
    help="Approaches that act on value chain constraints.", no_args_is_help=True
)
app.add_typer(approaches_app, name="approaches")
intervention_app = typer.Typer(help="Value chain interventions.", no_args_is_help=True)
app.add_typer(intervention_app, name="intervention")

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False, soft_wrap=True)

FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Input format: auto (recognised from the file) or a reader's name: wide, oecd,"
        " eora26, exiobase, figaro, wiod, adb, template.",
        show_default=True,
    ),
]
SmallOpt = Annotated[
    bool,
    typer.Option("--small", help="OECD ICIO: read the small (_SML) table where both are given."),
]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Excel: the sheet holding the table (default: first).")
]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", help="Year to read from a zip or folder holding several tables."),
]
BasisOpt = Annotated[
    str,
    typer.Option(
        "--output-basis",
        help="Gross output used for coefficients: 'rows' (row sums of Z and Y, default) or"
        " 'given' (the published output column).",
    ),
]


GroupOpt = Annotated[
    list[str] | None,
    typer.Option("--group", "-g", help="Country group NAME=A,B,... treated as one exporter."),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="country or sector (tiva, kww, bm, participation, position)."),
]
ApproachOpt = Annotated[str | None, typer.Option("--approach", help="bm: source or sink.")]
PerspectiveOpt = Annotated[
    str | None, typer.Option("--perspective", help="bm: exporter, sector, bilateral or world.")
]
MethodOpt = Annotated[str | None, typer.Option("--method", help="participation: oecd, bm or wwyz.")]
PostOpt = Annotated[str | None, typer.Option("--post", help="leontief: exports or output.")]

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $GVCKIT_DB or sqlite:///gvckit.db)."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gvckit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """gvckit: global value chain analysis."""


class _LoadBar:
    """A byte progress bar that appears only when a load takes more than a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.start < 1.0:
                return
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@contextmanager
def _status(message: str) -> Iterator[Callable[[str], None]]:
    """A transient status line on stderr (only on a terminal); yields a step reporter."""
    if not err_console.is_terminal:
        yield lambda _msg: None
        return
    with err_console.status(message) as status:
        yield lambda msg: status.update(f"{message}: {msg}")


ChainFile = Annotated[
    Path, typer.Argument(help="Chain description (.yaml, .yml, .json or the .xlsx workbook).")
]
SnapshotOpt = Annotated[
    int | None, typer.Option("--snapshot", help="Year of the snapshot (default: the latest).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Output file (.csv, .parquet, .json); without it, a table on a terminal and CSV"
        " when piped.",
    ),
]


TableFormat = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="auto (a table rounded for reading on a terminal, CSV at full precision when"
        " piped), table, csv or json.",
    ),
]


def _emit(frame: Any, fmt: str, output: Path | None = None) -> None:
    """Show ``frame`` the one way every command does (:func:`gvckit.output.output_style`): a
    file by extension with ``output``; else a rich table rounded for people on a terminal and
    CSV when piped, unless ``fmt`` forces table, csv or json."""
    from gvckit.output import output_style, write_frame

    style = output_style(fmt, output)
    if style == "file":
        write_frame(frame, output)
    elif style == "csv":
        write_frame(frame, None)
    elif style == "json":
        typer.echo(frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso",
                                 double_precision=15))  # fmt: skip
    else:
        _print_table(frame)


#: The most rows a terminal table shows (the rest: pipe the output or write it with -o).
MAX_TABLE_ROWS = 2000


def _print_table(frame: Any, title: str | None = None) -> None:
    """``frame`` as a rich table: numbers right-aligned, rounded for reading."""
    from gvckit.output import for_people

    total = len(frame)
    if total > MAX_TABLE_ROWS:
        frame = frame.head(MAX_TABLE_ROWS)
    rows = for_people(frame)
    heads = [str(c) for c in frame.columns]
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    tab = Table(title=title, show_lines=False)
    for col, right in zip(heads, numeric, strict=True):
        tab.add_column(col, overflow="fold", justify="right" if right else "left")
    for row in rows:
        tab.add_row(*row)
    widths = [max([len(h)] + [min(len(r[k]), 60) for r in rows]) for k, h in enumerate(heads)]
    needed = sum(widths) + 3 * len(widths) + 1
    width = out_console.width
    out_console.width = max(width, min(needed, 400))
    try:
        out_console.print(tab)
    finally:
        out_console.width = width
    if total > MAX_TABLE_ROWS:
        _stderr(
            f"showing {MAX_TABLE_ROWS:,} of {total:,} rows: pipe the output (CSV) or write it"
            " with -o FILE for all of them"
        )


def _stderr(message: str) -> None:
    """One message on stderr, unwrapped (messages are meant to be one line)."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()
