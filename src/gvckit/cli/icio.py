"""Commands on input-output tables: ``table info``, ``table aggregate``, ``table maps``,
``table template``, ``measure``, ``measures``, ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
    SheetOpt,
    SmallOpt,
    TableFormat,
    YearOpt,
    _emit,
    _LoadBar,
    _status,
    _stderr,
    app,
    out_console,
    table_app,
)
from gvckit.errors import GvcError, TableError


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
    fmt: MeasureFormatOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (as --format json).")] = False,
    output_basis: BasisOpt = "rows",
    year: YearOpt = None,
    small: SmallOpt = False,
    sheet: SheetOpt = None,
) -> None:
    """Countries, sectors, final-demand categories, totals and the balance report of a table."""
    from gvckit.errors import OptionError
    from gvckit.icio.summary import table_summary

    reader, style = _split_formats(fmt)
    if style == "csv":
        raise OptionError("table info answers with a summary: --format table or json")
    t = _load(table, reader, output_basis, year, small, sheet)
    info = table_summary(t)
    if as_json or style == "json":
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
        out_console.print(f"{key} ({len(items)}): {' '.join(items)}", markup=False)
    if meta["inventories"]:
        out_console.print(
            f"inventory changes: {' '.join(meta['inventories'])} (upstreamness, downstreamness"
            " and output_shares apply the net-inventory correction of Antràs & Chor 2018)",
            markup=False,
        )
    else:
        out_console.print(
            "inventory changes: not marked (upstreamness, downstreamness and output_shares"
            " are computed without the net-inventory correction)",
            markup=False,
        )
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


MapOpt = Annotated[
    str | None,
    typer.Option(help="Map CSV (from,to[,weight]) or a shipped map (gvckit table maps)."),
]


@table_app.command("aggregate")
def table_aggregate(
    table: Annotated[Path, typer.Argument(help="Table file (or folder/zip for OECD ICIO).")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Output table: .csv (read by gvckit measure), .parquet."
        ),
    ],
    countries: MapOpt = None,
    sectors: MapOpt = None,
    keep_others: Annotated[
        bool, typer.Option("--keep-others", help="Keep countries absent from the map as they are.")
    ] = False,
    fmt: FormatOpt = "auto",
    output_basis: BasisOpt = "rows",
    year: YearOpt = None,
    small: SmallOpt = False,
    sheet: SheetOpt = None,
) -> None:
    """Aggregate (or split) TABLE's countries and/or sectors with maps; write the table to -o."""
    import warnings

    from gvckit.errors import OptionError
    from gvckit.icio.aggregate import aggregate
    from gvckit.icio.concordances import ConcordanceWarning, read_map
    from gvckit.icio.writers import table_format, write_table

    if countries is None and sectors is None:
        raise OptionError("give --countries MAP, --sectors MAP or both")
    if keep_others and countries is None:
        raise OptionError("--keep-others applies to --countries, which is not given")
    table_format(output)  # fail on a bad name before a long load
    cmap = None if countries is None else read_map(countries, "countries map")
    smap = None if sectors is None else read_map(sectors, "sectors map")
    t = _load(table, fmt, output_basis, year, small, sheet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConcordanceWarning)
        try:
            result = aggregate(t, cmap, smap, keep_others=keep_others)
        except TableError as exc:
            raise exc.located(table) from None
    for w in caught:
        _stderr(f"warning: {w.message}")
    write_table(result, output)
    _stderr(
        f"written: {output} ({len(t.countries)} → {len(result.countries)} countries,"
        f" {len(t.sectors)} → {len(result.sectors)} sectors)"
    )


@table_app.command("maps")
def table_maps(fmt: TableFormat = "auto") -> None:
    """List the maps shipped with gvckit (for table aggregate --countries / --sectors)."""
    import pandas as pd

    from gvckit.icio.concordances import concordance_names

    maps = pd.DataFrame(list(concordance_names().items()), columns=["name", "description"])
    _emit(maps, fmt)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",")]


@table_app.command("template")
def table_template(
    output: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx).")],
    countries: Annotated[
        str, typer.Option("--countries", help="Countries (or regions), comma-separated: A,B.")
    ],
    sectors: Annotated[str, typer.Option("--sectors", help="Sectors, comma-separated: S1,S2.")],
    final_demand: Annotated[
        str,
        typer.Option("--final-demand", help="Final-demand categories, comma-separated."),
    ] = "FD",
) -> None:
    """Write an Excel template for your own table: instructions and labelled blank Z, Y and
    VA blocks. Fill it in and read it like any table (gvckit table info OUT.xlsx)."""
    from gvckit.icio.readers.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise GvcError(f"the template is an .xlsx workbook, not {output.name!r}")
    write_template(output, _split(countries), _split(sectors), _split(final_demand))
    out_console.print(f"written: {output}", markup=False)


InventoriesOpt = Annotated[
    str | None,
    typer.Option(
        "--inventories",
        help="upstreamness, downstreamness, output_shares: net (Antràs & Chor 2018 net-inventory"
        " correction) or none; default net where the table marks its inventory changes.",
    ),
]


MeasureFormatOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        help="The table's format (auto or a reader's name: wide, oecd, eora26, exiobase, figaro,"
        " wiod, adb, template) and/or how the result is shown: table (rounded for reading, the"
        " default on a terminal), csv (full precision, the default when piped) or json. Give"
        " it twice for both, e.g. -f oecd -f table.",
    ),
]


def _inventories_note(measure: str, frame: Any, table: Any) -> str | None:
    """A line saying whether the net-inventory correction was applied (position measures)."""
    applied = frame.attrs.get("inventories")
    if applied == "net":
        cats = ", ".join(table.meta.inventories)
        return (
            f"{measure}: net-inventory correction (Antràs & Chor 2018; inventory changes: {cats})"
        )
    if applied == "none" and not table.meta.inventories:
        return f"{measure}: no net-inventory correction (the table marks no inventory changes)"
    return None


def _split_formats(given: list[str] | None) -> tuple[str, str]:
    """The reader format and the output style among ``--format`` values."""
    from gvckit.errors import OptionError
    from gvckit.icio.readers import FORMATS
    from gvckit.output import STYLES

    reader, style = "auto", "auto"
    for value in given or []:
        if value in STYLES and value != "auto":
            style = value
        elif value == "auto" or value in FORMATS:
            reader = value
        else:
            raise OptionError(
                f"unknown format {value!r}; choose a table's format (auto, {', '.join(FORMATS)})"
                f" or an output style ({', '.join(s for s in STYLES if s != 'auto')})"
            )
    if len(given or []) > 2:
        raise OptionError("--format is given at most twice: the table's format and the style")
    return reader, style


@app.command("measure")
def measure_cmd(
    measure: Annotated[
        str,
        typer.Argument(help="Measure (gvckit measures lists them): tiva, kww, upstreamness ..."),
    ],
    table: Annotated[Path, typer.Argument(help="Table file (or folder/zip for OECD ICIO).")],
    fmt: MeasureFormatOpt = None,
    group: GroupOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (.csv, .parquet, .json); without it, a table on a terminal and"
            " CSV when piped.",
        ),
    ] = None,
    by: ByOpt = None,
    approach: ApproachOpt = None,
    perspective: PerspectiveOpt = None,
    method: MethodOpt = None,
    post: PostOpt = None,
    inventories: InventoriesOpt = None,
    output_basis: BasisOpt = "rows",
    year: YearOpt = None,
    small: SmallOpt = False,
    sheet: SheetOpt = None,
) -> None:
    """Compute MEASURE on TABLE and write a tidy table (one row per key, column 'value')."""
    from gvckit import icio
    from gvckit.icio.groups import parse_groups
    from gvckit.icio.measures import check_options
    from gvckit.output import output_format

    reader, style = _split_formats(fmt)
    options = {
        "by": by,
        "post": post,
        "approach": approach,
        "perspective": perspective,
        "method": method,
        "inventories": inventories,
    }
    check_options(measure, options)  # fail before a long load if an option is wrong
    groups = parse_groups(group or None)
    if output is not None:
        output_format(output)
    t = _load(table, reader, output_basis, year, small, sheet)
    with _status(f"computing {measure}") as say:
        try:
            frame = icio.measure(measure, t, groups=groups or None, progress=say, **options)
        except TableError as exc:  # a problem of this table: say which file
            raise exc.located(table) from None
    _emit(frame, style, output)
    note = _inventories_note(measure, frame, t)
    if note:
        _stderr(f"note: {note}")


def measure_registry() -> Any:
    """The measures as a table: name, what it is, columns and options (default first)."""
    import pandas as pd

    from gvckit import icio

    rows = [
        (
            spec.name,
            spec.summary,
            ", ".join(spec.columns),
            "; ".join(
                f"--{o} {'|'.join(v)} (default {spec.default(o)})" for o, v in spec.options.items()
            ),
        )
        for spec in icio.MEASURES.values()
    ]
    return pd.DataFrame(rows, columns=["name", "summary", "columns", "options"])


@app.command("measures")
def measures_cmd(fmt: TableFormat = "auto", output: OutOpt = None) -> None:
    """List the measures with their columns and options (the first value is the default)."""
    _emit(measure_registry(), fmt, output)


@app.command("demo")
def demo(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the TiVA table to this file."),
    ] = None,
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the demo report.")
    ] = Path("demo/report.html"),
) -> None:
    """The bundled WIOD 2011 table summarised, and the full demo report (HTML)."""
    from gvckit.demo import demo_report, demo_tables

    summary, tiva = demo_tables()
    out_console.print(summary)
    if output is not None:
        from gvckit.output import write_frame

        write_frame(tiva.reset_index(), output)
        out_console.print(f"TiVA origin × destination (US$ bn) written: {output}")
    report.parent.mkdir(parents=True, exist_ok=True)
    with _status("building the report"):
        written, notes = demo_report(report)
    for note in notes:
        _stderr(f"note: {note}")
    out_console.print(f"\nreport: {written.resolve()}  (open it in a browser; it works offline)")


@app.command("examples")
def examples_cmd(
    copy: Annotated[
        Path | None,
        typer.Option(
            "--copy",
            help="Copy the example chains, interventions and cluster data into this folder.",
        ),
    ] = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """The example tables, chains, interventions and cluster data shipped with gvckit, and
    where they are."""
    import shutil

    from gvckit.datasets import examples_folder, list_examples

    if copy is not None:
        subs = ("chains", "interventions", "clusters")
        for sub in subs:
            shutil.copytree(examples_folder() / sub, copy / sub, dirs_exist_ok=True)
        _stderr("copied: " + ", ".join(str(copy / sub) for sub in subs))
        return
    _emit(list_examples(), fmt, output)
