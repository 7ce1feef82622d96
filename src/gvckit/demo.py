"""The demo: the bundled WIOD 2011 table summarised, and its TiVA origin × destination table."""

from __future__ import annotations

import pandas as pd
from rich.console import Group
from rich.table import Table

from gvckit.datasets import load_example
from gvckit.icio.measures import measure
from gvckit.icio.model import IcioModel

__all__ = ["demo_tables"]


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
