"""The ``gvckit`` command line: a thin layer over the Python API.

Exit codes: 0 success; 2 bad input or usage (one message on stderr, no traceback); 1 an
unexpected failure (short message; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from gvckit import __version__
from gvckit.errors import GvcError, TableError

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
    typer.Option("--format", "-f", help="Input format: auto, wide or oecd.", show_default=True),
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


def _load(
    path: Path,
    fmt: str,
    output_basis: str,
    year: int | None = None,
    small: bool = False,
    sheet: str | None = None,
) -> Any:
    from gvckit import icio

    if output_basis not in ("rows", "given"):
        raise GvcError(f"--output-basis must be 'rows' or 'given', not {output_basis!r}")
    bar = _LoadBar(f"reading {path.name}")
    extra: dict[str, Any] = {}
    if year is not None:
        extra["year"] = year
    if small:
        extra["small"] = True
    if sheet is not None:
        extra["sheet"] = sheet
    try:
        return icio.read(path, format=fmt, output_basis=output_basis, progress=bar, **extra)
    finally:
        bar.close()


@table_app.command("info")
def table_info(
    table: Annotated[Path, typer.Argument(help="Table file (or folder/zip for OECD ICIO).")],
    fmt: FormatOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    output_basis: BasisOpt = "rows",
    year: YearOpt = None,
    small: SmallOpt = False,
    sheet: SheetOpt = None,
) -> None:
    """Countries, sectors, final-demand categories, totals and the balance report of a table."""
    from gvckit.icio.summary import table_summary

    t = _load(table, fmt, output_basis, year, small, sheet)
    info = table_summary(t)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    _print_info(info)


def _print_info(info: dict[str, Any]) -> None:
    meta = info["meta"]
    out_console.print(
        f"[bold]{meta['source']}[/bold]" + (f", {meta['year']}" if meta["year"] else "")
    )
    out_console.print(f"unit: {meta['unit']}; value added: {meta['value_added']}")
    for key in ("countries", "entities", "sectors", "categories"):
        items = info[key]
        if key == "entities" and items == info["countries"]:
            continue
        out_console.print(f"{key} ({len(items)}): {' '.join(items)}")
    tab = Table(title="totals", show_header=False)
    for k, v in info["totals"].items():
        tab.add_row(k, f"{v:,.1f}")
    out_console.print(tab)
    bal = info["balance"]
    state = "balanced" if bal["balanced"] else "NOT balanced"
    out_console.print(
        f"balance (tolerance {bal['tolerance']:g} relative): {state};"
        f" rows out of balance {bal['rows_out_of_balance']},"
        f" columns out of balance {bal['columns_out_of_balance']}"
    )
    for w in bal["worst"]:
        out_console.print(
            f"  {w['kind']} {w['label']}: gap {w['gap']:,.4g} ({w['relative']:.2%} of output)"
        )
    if bal["zero_output"]:
        out_console.print(
            f"zero-output sectors ({len(bal['zero_output'])}): " + " ".join(bal["zero_output"])
        )
    for note in bal["notes"]:
        out_console.print(f"note: {note}")


@app.command("measure")
def measure_cmd(
    measure: Annotated[
        str, typer.Argument(help="Measure: leontief, tiva, exports, vs, vs1, vax, iir.")
    ],
    table: Annotated[Path, typer.Argument(help="Table file (or folder/zip for OECD ICIO).")],
    fmt: FormatOpt = "auto",
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Country group NAME=A,B,... treated as one exporter."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output file (.csv, .parquet, .json); CSV to stdout if absent."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="country or sector (tiva, kww, bm, participation, position)."),
    ] = None,
    approach: Annotated[str | None, typer.Option("--approach", help="bm: source or sink.")] = None,
    perspective: Annotated[
        str | None, typer.Option("--perspective", help="bm: exporter, sector, bilateral or world.")
    ] = None,
    method: Annotated[
        str | None, typer.Option("--method", help="participation: oecd, bm or wwyz.")
    ] = None,
    post: Annotated[str | None, typer.Option("--post", help="leontief: exports or output.")] = None,
    output_basis: BasisOpt = "rows",
    year: YearOpt = None,
    small: SmallOpt = False,
    sheet: SheetOpt = None,
) -> None:
    """Compute MEASURE on TABLE and write a tidy table (one row per key, column 'value')."""
    from gvckit import icio
    from gvckit.icio.groups import parse_groups
    from gvckit.icio.measures import check_options
    from gvckit.output import output_format, write_frame

    options = {
        "by": by,
        "post": post,
        "approach": approach,
        "perspective": perspective,
        "method": method,
    }
    check_options(measure, options)  # fail before a long load if an option is wrong
    groups = parse_groups(group or None)
    if output is not None:
        output_format(output)
    t = _load(table, fmt, output_basis, year, small, sheet)
    with _status(f"computing {measure}") as say:
        try:
            frame = icio.measure(measure, t, groups=groups or None, progress=say, **options)
        except TableError as exc:  # a problem of this table: say which file
            raise exc.located(table) from None
    write_frame(frame, output)


ChainFile = Annotated[
    Path, typer.Argument(help="Chain description (.yaml, .yml, .json or the .xlsx workbook).")
]
SnapshotOpt = Annotated[
    int | None, typer.Option("--snapshot", help="Year of the snapshot (default: the latest).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Output file (.csv, .parquet, .json); CSV to stdout."),
]


def _write_view(
    views: Mapping[str, Callable[[Any, int | None], Any]],
    view: str,
    file: Path,
    snapshot: int | None,
    output: Path | None,
) -> None:
    """Compute the chosen ``view`` of the chain in ``file`` and write it (CSV to stdout)."""
    from gvckit.chain import read_chain
    from gvckit.output import output_format, write_frame

    if view not in views:
        raise GvcError(f"--view must be one of {', '.join(views)}, not {view!r}")
    if output is not None:
        output_format(output)
    write_frame(views[view](read_chain(file), snapshot), output)


@chain_app.command("check")
def chain_check(file: ChainFile) -> None:
    """Validate a chain and summarise it (stages, actors, links, end markets per snapshot)."""
    from gvckit.chain import read_chain

    c = read_chain(file)
    out_console.print(
        f"{file}: valid chain '{c.name}' ({c.product}, {c.country}, {c.currency} per {c.unit})",
        markup=False,
    )
    for snap in sorted(c.snapshots, key=lambda s: s.year):
        valued = sum(link.has_value for link in snap.links)
        evidence = sum(link.governance is not None for link in snap.links)
        out_console.print(
            f"  {snap.year}: {len(snap.stages)} stages, {len(snap.actors)} actors,"
            f" {len(snap.links)} links ({valued} with values, {evidence} with governance"
            f" evidence), {len(snap.end_markets)} end markets, {len(snap.supporters)} supporters",
            markup=False,
        )
    if c.sources:
        out_console.print(f"  sources: {len(c.sources)}", markup=False)


@chain_app.command("template")
def chain_template(
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Fill the workbook with this chain.")
    ] = None,
) -> None:
    """Write the Excel workbook analysts fill in (one sheet per part of the chain)."""
    from gvckit.chain import read_chain
    from gvckit.chain.workbook import write_template
    from gvckit.interventions.workbook import add_intervention_sheet

    if output.suffix.lower() != ".xlsx":
        raise GvcError(f"the template is an .xlsx workbook, not {output.name!r}")
    c = read_chain(from_file) if from_file is not None else None
    write_template(output, c, extra=[add_intervention_sheet])
    out_console.print(f"written: {output}", markup=False)


DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $GVCKIT_DB or sqlite:///gvckit.db)."),
]


@chain_app.command("save")
def chain_save(file: ChainFile, db: DbOpt = None) -> None:
    """Store a chain in the database; changed snapshots get a new version."""
    from gvckit.chain import read_chain
    from gvckit.chain.store import ChainStore

    c = read_chain(file)
    with ChainStore(db) as store:
        written = store.save(c)
    if not written:
        out_console.print(f"'{c.name}': unchanged in {store.url}", markup=False)
    for v in written:
        out_console.print(
            f"'{c.name}' {v.year}: version {v.version} saved in {store.url}", markup=False
        )


@chain_app.command("load")
def chain_load(
    name: Annotated[str, typer.Argument(help="Name of the stored chain.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (.yaml/.json).")],
    db: DbOpt = None,
) -> None:
    """Write a stored chain (latest version of each snapshot) to YAML or JSON."""
    import yaml

    from gvckit.chain.store import ChainStore
    from gvckit.files import atomic_write

    with ChainStore(db) as store:
        data = store.load(name).model_dump(mode="json", exclude_none=True)
    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise GvcError(f"write the chain as .yaml or .json, not {output.name!r}")
    text = (
        json.dumps(data, indent=2) if suffix == ".json" else yaml.safe_dump(data, sort_keys=False)
    )
    with atomic_write(output, "w") as fh:
        fh.write(text)
    out_console.print(f"written: {output}", markup=False)


@chain_app.command("history")
def chain_history(
    name: Annotated[str, typer.Argument(help="Name of the stored chain.")], db: DbOpt = None
) -> None:
    """The stored versions of each snapshot of a chain."""
    from gvckit.chain.store import ChainStore

    with ChainStore(db) as store:
        versions = store.history(name)
    typer.echo("year,version,saved_at,checksum")
    for v in versions:
        typer.echo(f"{v.year},{v.version},{v.saved_at.isoformat()},{v.checksum[:12]}")


@chain_app.command("accounts")
def chain_accounts(
    file: ChainFile,
    snapshot: SnapshotOpt = None,
    view: Annotated[
        str,
        typer.Option(
            "--view",
            help="accounts (per actor), distribution (who captures value"
            " added) or prices (price build-up).",
        ),
    ] = "accounts",
    output: OutOpt = None,
) -> None:
    """Value added, its distribution, margins and the price build-up of a chain snapshot."""
    from gvckit import chain

    views = {
        "accounts": chain.accounts,
        "distribution": chain.distribution,
        "prices": chain.price_buildup,
    }
    _write_view(views, view, file, snapshot, output)


@chain_app.command("governance")
def chain_governance(
    file: ChainFile,
    snapshot: SnapshotOpt = None,
    view: Annotated[
        str, typer.Option("--view", help="links (GHS type per link) or power (buyer power).")
    ] = "links",
    output: OutOpt = None,
) -> None:
    """Governance type of each link (Gereffi, Humphrey & Sturgeon 2005) and buyer power."""
    from gvckit import chain

    _write_view(
        {"links": chain.governance, "power": chain.buyer_power}, view, file, snapshot, output
    )


@chain_app.command("upgrading")
def chain_upgrading(
    file: ChainFile,
    year_from: Annotated[int, typer.Option("--from", help="Earlier snapshot year.")],
    year_to: Annotated[int, typer.Option("--to", help="Later snapshot year.")],
    trade: Annotated[
        Path | None,
        typer.Option(
            "--trade",
            help="CSV of exports (exporter, product, year, value, quantity)"
            " for Kaplinsky-Readman quadrants.",
        ),
    ] = None,
    exporter: Annotated[
        str | None, typer.Option("--exporter", help="The exporter in --trade (e.g. its ISO3).")
    ] = None,
    output: OutOpt = None,
) -> None:
    """Economic and social upgrading between two snapshots (and from trade statistics)."""
    import pandas as pd

    from gvckit.chain import read_chain
    from gvckit.chain.upgrading import trade_upgrading, upgrading
    from gvckit.output import output_format, write_frame

    if (trade is None) != (exporter is None):
        raise GvcError("--trade and --exporter go together")
    if output is not None:
        output_format(output)
    frame = upgrading(read_chain(file), year_from, year_to)
    if trade is not None and exporter is not None:
        frame = pd.concat(
            [frame, trade_upgrading(trade, exporter, year_from, year_to)], ignore_index=True
        )
    write_frame(frame, output)


@chain_app.command("map")
def chain_map(
    file: ChainFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="SVG file to write.")],
    snapshot: SnapshotOpt = None,
    size_by: Annotated[
        str, typer.Option("--size-by", help="Box size: value_added or count.")
    ] = "value_added",
) -> None:
    """Draw the chain map as SVG: stages, actors, links by governance, supporters, end markets."""
    from gvckit.chain import read_chain
    from gvckit.chain.chainmap import chain_map_svg
    from gvckit.files import atomic_write

    if output.suffix.lower() != ".svg":
        raise GvcError(f"the map is written as .svg, not {output.name!r}")
    svg = chain_map_svg(read_chain(file), snapshot, size_by)
    with atomic_write(output, "w") as fh:
        fh.write(svg)
    out_console.print(f"written: {output}", markup=False)


@chain_app.command("questions")
def chain_questions(file: ChainFile, snapshot: SnapshotOpt = None, output: OutOpt = None) -> None:
    """The five questions of a value chain map, answered with the figures behind them."""
    from gvckit.chain import read_chain
    from gvckit.chain.questions import questions
    from gvckit.output import output_format, write_frame

    if output is not None:
        output_format(output)
    write_frame(questions(read_chain(file), snapshot), output)


TableFormat = Annotated[str, typer.Option("--format", "-f", help="table (on screen), csv or json.")]


def _emit(frame: Any, fmt: str, output: Path | None = None) -> None:
    """Print ``frame`` as a rich table, CSV or JSON records (or write it to ``output``)."""
    from gvckit.output import write_frame

    if output is not None:
        write_frame(frame, output)
    elif fmt == "csv":
        write_frame(frame, None)
    elif fmt == "json":
        typer.echo(frame.to_json(orient="records", indent=2, force_ascii=False))
    elif fmt == "table":
        tab = Table(show_lines=False)
        for col in frame.columns:
            tab.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            tab.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
        out_console.print(tab)
    else:
        raise GvcError(f"--format must be table, csv or json, not {fmt!r}")


@constraints_app.command("rank")
def constraints_rank(
    file: Annotated[Path, typer.Argument(help="Constraints file (.yaml or .json).")],
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Override weights, e.g. severity=0.4,reach=0.3,feasibility=0.2,leverage=0.1.",
        ),
    ] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Show the ±20 % weight sensitivity check.")
    ] = False,
    fmt: TableFormat = "csv",
    output: OutOpt = None,
) -> None:
    """Rank constraints by a weighted score; each criterion's contribution is shown."""
    from gvckit.interventions import constraints as cons

    cs = cons.read_constraints(file)
    if weights:
        cs = cons.with_weights(cs, _parse_weights(weights))
    frame = cons.sensitivity(cs) if sensitivity else cons.prioritise(cs)
    _emit(frame, fmt, output)


def _parse_weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise GvcError(f"--weights: {part!r} is not NAME=NUMBER") from None
        if not sep:
            raise GvcError(f"--weights: {part!r} is not NAME=NUMBER")
    return out


@approaches_app.command("matrix")
def approaches_matrix(
    fmt: TableFormat = "table",
    detail: Annotated[
        bool, typer.Option("--detail", help="Show each cell's mechanism and direction.")
    ] = False,
    output: OutOpt = None,
) -> None:
    """The 11 approaches × 9 constraints matrix (seed 004, Annex 2)."""
    from gvckit.interventions.approaches import matrix

    _emit(matrix(detail), fmt, output)


@approaches_app.command("recommend")
def approaches_recommend(
    file: Annotated[Path, typer.Argument(help="Constraints file (.yaml or .json).")],
    fmt: TableFormat = "csv",
    output: OutOpt = None,
) -> None:
    """Rank the approaches for the prioritised constraints, explaining each."""
    from gvckit.interventions.constraints import read_constraints
    from gvckit.interventions.recommend import recommend

    _emit(recommend(read_constraints(file)), fmt, output)


@intervention_app.command("check")
def intervention_check(
    file: Annotated[Path, typer.Argument(help="Intervention file (.yaml or .json).")],
) -> None:
    """Validate an intervention against the typology's controlled vocabularies."""
    from gvckit.interventions.typology import read_intervention

    iv = read_intervention(file)
    out_console.print(
        f"{file}: valid intervention '{iv.id}' ({iv.title}); patterns:"
        f" {', '.join(p.value for p in iv.patterns) or '-'}; upgrading:"
        f" {', '.join(u.value for u in iv.upgrading) or '-'}; approaches: {len(iv.approaches)}",
        markup=False,
    )


@app.command("audit")
def audit_cmd(
    file: Annotated[Path, typer.Argument(help="Intervention file (.yaml or .json).")],
    chain_file: Annotated[
        Path | None, typer.Option("--chain", help="The chain the intervention works on.")
    ] = None,
    fmt: TableFormat = "table",
    output: OutOpt = None,
) -> None:
    """Audit an intervention design against the key issues, success factors and guidelines."""
    from gvckit.chain import read_chain
    from gvckit.interventions.audit import audit
    from gvckit.interventions.typology import read_intervention

    c = read_chain(chain_file) if chain_file is not None else None
    _emit(audit(read_intervention(file), c), fmt, output)


@app.command("measures")
def measures_cmd() -> None:
    """List the measures with their columns and options."""
    from gvckit import icio

    for spec in icio.MEASURES.values():
        out_console.print(f"[bold]{spec.name}[/bold]: {spec.summary}", markup=True)
        out_console.print(f"    columns: {','.join(spec.columns)}", markup=False)
        for option, values in spec.options.items():
            out_console.print(
                f"    --{option} {'|'.join(values)} (default {values[0]})", markup=False
            )


@app.command("demo")
def demo(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the TiVA table to this file."),
    ] = None,
) -> None:
    """Summary and TiVA origin × destination table of the bundled WIOD 2011 table."""
    from gvckit.demo import demo_tables

    summary, tiva = demo_tables()
    out_console.print(summary)
    out_console.print(
        "\nTrade in value added 2011 (V·B·Y): value added of the origin (rows) absorbed in final"
        " demand of the destination (columns), billions of US$\n"
    )
    with_width = tiva.to_string(float_format=lambda v: f"{v:,.0f}", line_width=None)
    typer.echo(with_width)
    if output is not None:
        from gvckit.output import write_frame

        write_frame(tiva.reset_index(), output)
        out_console.print(f"\nwritten: {output}")


def _stderr(message: str) -> None:
    """One message on stderr, unwrapped (messages are meant to be one line)."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("GVCKIT_DEBUG") == "1"
    args = [a for a in args if a != "--debug"]
    command = typer.main.get_command(app)
    try:
        # standalone mode: typer reports usage errors itself (exit code 2) and exits
        command.main(args=args, prog_name="gvckit", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except GvcError as exc:
        if debug:
            traceback.print_exc()
        _stderr(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _stderr("interrupted")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _stderr(
            f"unexpected error: {type(exc).__name__}: {exc}\n"
            "This is a bug in gvckit: rerun with --debug to see the traceback, and report it."
        )
        return 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
