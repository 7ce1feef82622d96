"""Commands on input-output tables: ``table info``, ``measure``, ``measures``, ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gvckit.cli._app import (
    BasisOpt,
    FormatOpt,
    SheetOpt,
    SmallOpt,
    YearOpt,
    _LoadBar,
    _status,
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
