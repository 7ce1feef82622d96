"""How gvckit's objects show themselves in a notebook (Jupyter calls ``_repr_html_``): a table
with its summary and balance, a chain with its map and key figures, a results chain with its
progress. Numbers are rounded for reading (:func:`gvckit.output.readable`); the objects keep
full precision. Every piece of text from an input file is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from gvckit.output import for_people, readable

if TYPE_CHECKING:
    from gvckit.chain.model import Chain
    from gvckit.icio.table import IcioTable
    from gvckit.interventions.results import ResultsChain

__all__ = ["chain_html", "frame_html", "results_html", "table_html"]

_STYLE = (
    "<style>.gvckit table{border-collapse:collapse;margin:.3em 0}"
    ".gvckit td,.gvckit th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
    ".gvckit td.n{text-align:right}.gvckit h4{margin:.6em 0 .2em}</style>"
)


def frame_html(frame: pd.DataFrame, max_rows: int = 20) -> str:
    """``frame`` as an HTML table rounded for reading (the first ``max_rows`` rows)."""
    shown = frame.head(max_rows)
    numeric = [shown[c].dtype.kind in "iuf" for c in shown.columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if num else ''}>{escape(cell)}</td>"
            for cell, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in for_people(shown)
    )
    more = f"<p>… {len(frame) - max_rows:,} more rows</p>" if len(frame) > max_rows else ""
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def _pairs(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _wrap(title: str, *parts: str) -> str:
    return f'{_STYLE}<div class="gvckit"><h4>{escape(title)}</h4>{"".join(parts)}</div>'


def table_html(table: IcioTable) -> str:
    """An ICIO table: source, size, unit, world totals and the balance report."""
    meta = table.meta
    year = f", {meta.year}" if meta.year is not None else ""
    rows = [
        ("countries × sectors", f"{len(table.countries)} × {len(table.sectors)}"),
        ("final-demand categories", str(len(table.categories))),
        ("unit", meta.unit or "not given"),
        ("output basis", table.output_basis),
    ]
    rows += [(f"world {k.replace('_', ' ')}", readable(v)) for k, v in table.totals().items()]
    bal = table.balance
    state = "balanced" if bal.balanced else "not balanced"
    rows.append(
        (
            "balance",
            f"{state} (tolerance {bal.tolerance:g}): {bal.rows_out_of_balance} rows and"
            f" {bal.columns_out_of_balance} columns out of balance",
        )
    )
    parts = [_pairs(rows)]
    worst = pd.DataFrame(bal.worst(5))
    if not worst.empty:
        parts.append("<h4>largest gaps</h4>" + frame_html(worst))
    return _wrap(f"{meta.source}{year}", *parts)


def chain_html(chain: Chain, year: int | None = None) -> str:
    """A chain: what it is, the key figures of a snapshot (default: the latest) and its map."""
    from gvckit.chain.accounts import distribution
    from gvckit.chain.chainmap import chain_map_svg

    snap = chain.snapshot(year)
    figures = distribution(chain, snap.year)
    figures = figures[figures["value"].notna()]
    rows = [
        ("product", f"{chain.product}, {chain.country}"),
        ("unit and currency", f"{chain.unit}; {chain.currency}"),
        ("snapshots", ", ".join(str(s.year) for s in chain.snapshots)),
        (
            f"{snap.year}",
            f"{len(snap.stages)} stages, {len(snap.actors)} actor types, {len(snap.links)} links,"
            f" {len(snap.end_markets)} end markets",
        ),
    ]
    rows += [
        (str(ind).replace("_", " "), readable(val, share=str(ind).startswith("share")))
        for ind, val in zip(figures["indicator"], figures["value"], strict=True)
    ]
    svg = chain_map_svg(chain, snap.year)
    svg = svg[svg.index("<svg") :]
    return _wrap(chain.name, _pairs(rows), f'<div style="overflow-x:auto">{svg}</div>')


def results_html(results: ResultsChain) -> str:
    """A results chain: its boxes by level and the progress of its indicators."""
    from gvckit.interventions.monitoring import progress

    levels: dict[str, int] = {}
    for box in results.boxes:
        levels[box.level.value] = levels.get(box.level.value, 0) + 1
    rows = [(level, str(n)) for level, n in levels.items()]
    rows.append(("indicators", str(len(results.indicators))))
    prog = progress(results)
    keep = [c for c in ("indicator", "name", "unit", "baseline", "target", "latest", "progress",
                        "status") if c in prog.columns]  # fmt: skip
    return _wrap(results.name, _pairs(rows), "<h4>progress</h4>" + frame_html(prog[keep]))
