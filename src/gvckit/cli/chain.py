"""``gvckit chain ...``: one value chain."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from gvckit.cli._app import (
    ChainFile,
    DbOpt,
    OutOpt,
    SnapshotOpt,
    TableFormat,
    _emit,
    chain_app,
    out_console,
)
from gvckit.errors import GvcError


def _write_view(
    views: Mapping[str, Callable[[Any, int | None], Any]],
    view: str,
    file: Path,
    snapshot: int | None,
    output: Path | None,
    fmt: str = "auto",
) -> None:
    """Compute the chosen ``view`` of the chain in ``file`` and show or write it."""
    from gvckit.chain import read_chain
    from gvckit.output import output_format, output_style

    if view not in views:
        raise GvcError(f"--view must be one of {', '.join(views)}, not {view!r}")
    output_style(fmt, output)
    if output is not None:
        output_format(output)
    _emit(views[view](read_chain(file), snapshot), fmt, output)


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
    name: Annotated[str, typer.Argument(help="Name of the stored chain.")],
    db: DbOpt = None,
    fmt: TableFormat = "auto",
) -> None:
    """The stored versions of each snapshot of a chain."""
    import pandas as pd

    from gvckit.chain.store import ChainStore

    with ChainStore(db) as store:
        versions = store.history(name)
    rows = [(v.year, v.version, v.saved_at.isoformat(), v.checksum[:12]) for v in versions]
    _emit(pd.DataFrame(rows, columns=["year", "version", "saved_at", "checksum"]), fmt)


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
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Value added, its distribution, margins and the price build-up of a chain snapshot."""
    from gvckit import chain

    views = {
        "accounts": chain.accounts,
        "distribution": chain.distribution,
        "prices": chain.price_buildup,
    }
    _write_view(views, view, file, snapshot, output, fmt)


@chain_app.command("governance")
def chain_governance(
    file: ChainFile,
    snapshot: SnapshotOpt = None,
    view: Annotated[
        str, typer.Option("--view", help="links (GHS type per link) or power (buyer power).")
    ] = "links",
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Governance type of each link (Gereffi, Humphrey & Sturgeon 2005) and buyer power."""
    from gvckit import chain

    _write_view(
        {"links": chain.governance, "power": chain.buyer_power}, view, file, snapshot, output, fmt
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
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Economic and social upgrading between two snapshots (and from trade statistics)."""
    import pandas as pd

    from gvckit.chain import read_chain
    from gvckit.chain.upgrading import trade_upgrading, upgrading
    from gvckit.output import output_format, output_style

    if (trade is None) != (exporter is None):
        raise GvcError("--trade and --exporter go together")
    output_style(fmt, output)
    if output is not None:
        output_format(output)
    frame = upgrading(read_chain(file), year_from, year_to)
    if trade is not None and exporter is not None:
        frame = pd.concat(
            [frame, trade_upgrading(trade, exporter, year_from, year_to)], ignore_index=True
        )
    _emit(frame, fmt, output)


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
def chain_questions(
    file: ChainFile,
    snapshot: SnapshotOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
    survey: Annotated[
        list[Path] | None,
        typer.Option("--survey", help="Cluster survey file(s) of the chain's clusters."),
    ] = None,
) -> None:
    """The five questions of a value chain map, answered with the figures behind them."""
    from gvckit.chain import read_chain
    from gvckit.chain.questions import questions
    from gvckit.clusters.survey import read_surveys
    from gvckit.output import output_format, output_style

    output_style(fmt, output)
    if output is not None:
        output_format(output)
    responses = read_surveys(survey or [])
    _emit(questions(read_chain(file), snapshot, responses or None), fmt, output)
