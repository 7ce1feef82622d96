"""Plotly figures for the report, as plain dicts (``plotly.graph_objects`` builds and checks
them). One visual language: a qualitative palette, horizontal bars for rankings, stacked bars
for shares, Sankey diagrams for flows, lines for years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from gvckit.wrapping import wrap_words

__all__ = ["bar", "lines", "sankey", "stacked", "wrap_label"]

PALETTE = ["#1b6ca8", "#e07b39", "#3f9c5a", "#c44e52", "#8172b3", "#937860", "#da8bc3",
           "#8c8c8c", "#ccb974", "#64b5cd"]  # fmt: skip
_FONT = {"family": "'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif", "size": 13}


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "meta": {"title": title},  # the block's heading shows the title
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 20, "b": 40},
        "font": _FONT,
        "colorway": PALETTE,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.15},
    }
    layout.update(extra)
    return layout


def _check(fig: dict[str, Any]) -> dict[str, Any]:
    import plotly.graph_objects as go

    return go.Figure(fig).to_plotly_json()  # type: ignore[no-any-return]


def bar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    *,
    color: str | None = None,
    horizontal: bool = True,
    value_format: str = ",.3~f",
    highlight: str | None = None,
) -> dict[str, Any]:
    """Bars of ``x`` (values) by ``y`` (labels), grouped by ``color`` if given; the bar of
    label ``highlight`` is drawn darker."""
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=False))
    traces = []
    for name, part in groups:
        labels = part[y].astype(str).tolist()
        trace: dict[str, Any] = {
            "type": "bar",
            "name": str(name) if name is not None else x,
            "x" if horizontal else "y": part[x].tolist(),
            "y" if horizontal else "x": labels,
            "orientation": "h" if horizontal else "v",
            "hovertemplate": f"%{{{'y' if horizontal else 'x'}}}: %{{{'x' if horizontal else 'y'}"
            f":{value_format}}}<extra></extra>",
        }
        if highlight is not None and color is None:
            trace["marker"] = {"color": [PALETTE[1] if v == highlight else PALETTE[0]
                                         for v in labels]}  # fmt: skip
        traces.append(trace)
    n = frame[y].nunique()
    per_bar = 28 if color is None else 16 * max(1, frame[color].nunique()) + 8
    height = max(220, per_bar * n + 90) if horizontal else 360
    axis = {"automargin": True}
    value_axis = dict(axis, tickformat=".0%" if "%" in value_format else ",~f")
    layout = _layout(title, height, barmode="group",
                     xaxis=value_axis if horizontal else dict(axis),
                     yaxis=dict(axis) if horizontal else value_axis)  # fmt: skip
    if horizontal:
        layout["yaxis"]["autorange"] = "reversed"
    layout["showlegend"] = color is not None
    return _check({"data": traces, "layout": layout})


def stacked(
    frame: pd.DataFrame, x: str, y: str, part: str, title: str, *, percent: bool = False
) -> dict[str, Any]:
    """Horizontal stacked bars: one bar per ``y``, one segment per ``part`` of size ``x``."""
    traces = []
    order = list(dict.fromkeys(frame[y].astype(str)))
    for name, sub in frame.groupby(part, sort=False):
        values = sub.set_index(sub[y].astype(str))[x].reindex(order).fillna(0.0)
        traces.append({
            "type": "bar", "orientation": "h", "name": str(name), "y": order,
            "x": values.tolist(),
            "hovertemplate": f"{name}: %{{x:{'.1%' if percent else ',.3~f'}}}<extra></extra>",
        })  # fmt: skip
    per_bar = 18 * max([1 + label.count("<br>") for label in order] + [1]) + 16
    layout = _layout(title, max(240, per_bar * len(order) + 150), barmode="stack",
                     yaxis={"automargin": True, "autorange": "reversed"},
                     xaxis={"tickformat": ".0%" if percent else ",~f",
                            "automargin": True})  # fmt: skip
    return _check({"data": traces, "layout": layout})


def sankey(
    flows: Sequence[tuple[str, str, float]], title: str, *, unit: str = ""
) -> dict[str, Any]:
    """A Sankey diagram of (source, target, value) flows; a node named on both sides is one
    node (a chain), unless the names are told apart by the caller (origin → destination)."""
    nodes: list[str] = []
    index: dict[str, int] = {}
    for s, t, _ in flows:
        for name in (s, t):
            if name not in index:
                index[name] = len(nodes)
                nodes.append(name)
    labels = [wrap_label(n, 16, 3) for n in nodes]
    rows = max([1 + label.count("<br>") for label in labels] + [1])
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "valueformat": ",.3~f",
        "valuesuffix": f" {unit}" if unit else "",
        "node": {"label": labels, "customdata": nodes,
                 "hovertemplate": "%{customdata}: %{value}<extra></extra>",
                 "pad": 14 + 17 * (rows - 1), "thickness": 16,
                 "color": [PALETTE[k % len(PALETTE)] for k in range(len(nodes))]},
        "link": {"source": [index[s] for s, _, _ in flows],
                 "target": [index[t] for _, t, _ in flows],
                 "value": [float(v) for _, _, v in flows],
                 "color": "rgba(120,120,120,0.25)"},
    }  # fmt: skip
    height = max(360, 12 * rows * len(nodes) + 160)
    return _check({"data": [trace], "layout": _layout(title, height)})


def wrap_label(label: str, width: int = 22, lines: int = 2) -> str:
    """``label`` wrapped at word boundaries onto at most ``lines`` lines of about ``width``
    characters, joined by ``<br>`` (plotly's line break). A longer label keeps its first and its
    last words, which tell similar labels apart, with an ellipsis between whole words; a word
    longer than a line is shortened. Charts show the full text on hover or in their data table.
    """

    def fits(words: list[str]) -> bool:
        return len(" ".join(words)) <= width

    rows = wrap_words(label.split(), fits, lines)
    text = [" ".join(r) for r in rows]
    return "<br>".join(t if len(t) <= width + 2 else t[: width - 1] + "…" for t in text)


def lines(frame: pd.DataFrame, x: str, y: str, series: str, title: str) -> dict[str, Any]:
    """Lines of ``y`` over ``x`` (years), one per ``series``."""
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": str(name),
         "x": sub[x].tolist(), "y": sub[y].tolist()}
        for name, sub in frame.groupby(series, sort=False)
    ]  # fmt: skip
    return _check({"data": traces, "layout": _layout(title, 380, xaxis={"dtick": 1})})
