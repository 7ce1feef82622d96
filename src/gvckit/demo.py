"""The demo: the bundled WIOD 2011 table summarised, its TiVA origin × destination table, and
the full report for China's electrical and optical equipment (c14) with the iPad value chain
example, its constraints, intervention design and results chain."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Group
from rich.table import Table

from gvckit.datasets import example_chains, example_interventions, load_example
from gvckit.icio.measures import measure
from gvckit.icio.model import IcioModel

#: The example chain of the demo report (package data: see :mod:`gvckit.datasets`).
DEMO_CHAIN = "apple_ipad_2010"

__all__ = ["DEMO_CHAIN", "demo_report", "demo_tables"]


def demo_tables(top: int = 12) -> tuple[Group, pd.DataFrame]:
    """A rich summary and the TiVA matrix (origin rows × destination columns, US$ billion)."""
    table = load_example("wiod2013-2011")
    model = IcioModel(table)
    tiva = measure("tiva", model)
    vax = measure("vax", model).pivot(index="country", columns="indicator", values="value")
    vax = vax.loc[list(model.grouping.units)]
    totals = table.totals()
    world_exports = float(vax["EXGR"].sum())

    head = Table(title=f"{table.meta.source}, {table.meta.year}", show_header=False)
    head.add_row("economies × industries", f"{len(table.countries)} × {len(table.sectors)}")
    head.add_row("unit", table.meta.unit)
    head.add_row("world gross output", f"{totals['output'] / 1e6:,.2f} US$ trillion")
    head.add_row("world gross exports", f"{world_exports / 1e6:,.2f} US$ trillion")
    head.add_row(
        "world VAX ratio (value added exported / gross exports)",
        f"{float(vax['VAX'].sum()) / world_exports:.3f}",
    )
    rank = Table(title=f"top {top} exporters")
    for col in ("economy", "gross exports (US$ bn)", "VAX ratio", "foreign content (VS/E)"):
        rank.add_column(col, justify="right" if col != "economy" else "left")
    for country, row in vax.sort_values("EXGR", ascending=False).head(top).iterrows():
        rank.add_row(
            str(country),
            f"{row['EXGR'] / 1e3:,.1f}",
            f"{row['VAX_RATIO']:.3f}",
            f"{row['VS'] / row['EXGR']:.3f}",
        )
    matrix = tiva.pivot(index="origin_country", columns="destination_country", values="value")
    order = list(model.grouping.units)
    matrix = matrix.loc[order, order] / 1e3
    matrix.index.name = "origin"
    matrix.columns.name = "destination"
    return Group(head, rank), matrix


def demo_report(output: Path) -> tuple[Path, list[str]]:
    """Build the demo report into ``output`` (an .html file); returns it and notes on what was
    left out (none when the package data is complete)."""
    from gvckit.chain import read_chain
    from gvckit.interventions.constraints import read_constraints
    from gvckit.interventions.results import read_results
    from gvckit.interventions.typology import read_intervention
    from gvckit.report import build_report, write_report

    notes: list[str] = []
    given: dict[str, object] = {}
    chain = example_chains().get(DEMO_CHAIN)
    parts = example_interventions(DEMO_CHAIN)
    if chain is not None and len(parts) == 3:
        given["chain"] = read_chain(chain)
        given["constraints"] = read_constraints(parts["constraints"])
        given["intervention"] = read_intervention(parts["intervention"])
        given["results"] = read_results(parts["results"])
    else:
        notes.append(
            f"the example chain {DEMO_CHAIN} is missing from the installed package data:"
            " the report has the table's sections only"
        )
    report = build_report(
        table=load_example("wiod2013-2011"), country="CHN", sector="c14",
        title="gvckit demo: China's electronics in global value chains and the iPad chain",
        **given,  # type: ignore[arg-type]
    )  # fmt: skip
    return write_report(report, output), notes
