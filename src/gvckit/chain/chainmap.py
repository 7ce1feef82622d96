"""The chain map: one snapshot of a value chain drawn as a standalone SVG document.

The map follows the value chain mapping conventions of the literature the chain model draws on
(Kaplinsky & Morris 2001; GTZ/GIZ ValueLinks 2007): the chain's functions (stages) are columns in
chain order, its operators (actors) boxes within their stage's column, buyer–supplier (vertical)
links arrows from seller to buyer, end markets a column on the right, and the support
institutions (meso level) and enabling environment (macro level) bands below the chain.

- Box height is proportional to the size measure (value added from
  :func:`gvckit.chain.actor_accounts`, or the number of operators), with a minimum so that the
  labels fit and the arrows that meet the box have room. Negative value added draws the minimum.
- Arrow width is proportional to the value of the sales along the link in the chain's currency
  (``money``, else volume × unit price, converted with the snapshot's exchange rates); when no
  link carries a value, to its volume. Links without the figure are drawn 1 px wide.
- Arrow colour and dash show the governance type (Gereffi, Humphrey & Sturgeon 2005): the type
  implied by the three determinants, else the one the analyst observed.
- Horizontal links are dashed curves on the left of their column; clusters dashed outlines
  around each run of consecutive member actors of a column.

The layout is deterministic (actors in input order, arrows ordered by the position of their other
end), so that the same chain always gives the same bytes. The SVG is written with plain string
formatting and XML escaping; names are wrapped onto up to four lines (the box grows to hold
them), other labels that do not fit are shortened with an ellipsis, and every element carries its
full text in a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gvckit.chain._mapparts import (
    _BODY_TOP,
    _BOX_W,
    _CLUSTER_COLOURS,
    _CLUSTER_LABEL,
    _CLUSTER_PAD,
    _COL_GAP,
    _COL_PAD,
    _FONT,
    _HEADER_H,
    _LINE,
    _MARGIN,
    _MARKET_H,
    _MAX_H,
    _MAX_STROKE,
    _MIN_H,
    _MIN_WIDTH,
    _SLOT_GAP,
    _STYLE,
    _TITLE_H,
    _V_GAP,
    GOVERNANCE_STYLES,
    SIZE_MEASURES,
    _bands,
    _Box,
    _esc,
    _fit,
    _Flow,
    _fmt,
    _governance_text,
    _governance_type,
    _kind_fill,
    _label_lines,
    _legend,
    _n,
    _q,
    _slots,
    _text_width,
    _wrap,
)
from gvckit.chain.accounts import actor_accounts
from gvckit.chain.model import (
    Actor,
    ActorKind,
    Chain,
    EndMarket,
    Link,
    LinkKind,
    Snapshot,
)
from gvckit.errors import OptionError

__all__ = ["GOVERNANCE_STYLES", "SIZE_MEASURES", "chain_map_svg"]


def chain_map_svg(chain: Chain, year: int | None = None, size_by: str = "value_added") -> str:
    """The map of the snapshot of ``year`` (default: the latest) as a standalone SVG document.

    ``size_by`` is ``"value_added"`` (box height ∝ the actor's value added) or ``"count"``
    (∝ its number of operators). The result is deterministic: the same chain gives the same
    text. See the module docstring for the conventions.
    """
    if size_by not in SIZE_MEASURES:
        raise OptionError(
            f"cannot size the actors by {size_by!r}; use one of {', '.join(SIZE_MEASURES)}"
        )
    snap = chain.snapshot(year)
    return _Renderer(chain, snap, size_by).render()


class _Renderer:
    def __init__(self, chain: Chain, snap: Snapshot, size_by: str) -> None:
        self.chain = chain
        self.snap = snap
        self.size_by = size_by
        self.actors: dict[str, Actor] = {a.id: a for a in snap.actors}
        self.markets: dict[str, EndMarket] = {m.id: m for m in snap.end_markets}
        if size_by == "count":
            self.measure = {a.id: float(a.count) for a in snap.actors}
        else:
            accs = actor_accounts(chain, snap.year)
            self.measure = {acc.actor.id: acc.value_added for acc in accs}
        # a size that cannot be drawn (infinite figures in the chain) gets the minimum
        self.sized = {k: v if math.isfinite(v) else 0.0 for k, v in self.measure.items()}
        self.flows, self.basis = self._flows()
        self.horizontal = [
            (k, link) for k, link in enumerate(snap.links) if link.kind is LinkKind.HORIZONTAL
        ]
        self._layout()

    # ---------------------------------------------------------------- flows and their widths

    def _value(self, link: Link) -> float | None:
        """The value of a sale in the chain's currency (as :func:`accounts.link_values`)."""
        if link.money is not None:
            value = link.money
        elif link.volume is not None and link.unit_price is not None:
            value = link.volume * link.unit_price
        else:
            return None
        if link.currency is not None and link.currency != self.chain.currency:
            value *= self.snap.exchange_rates[link.currency]
        return value

    def _flows(self) -> tuple[list[_Flow], str | None]:
        vertical = [
            (k, link) for k, link in enumerate(self.snap.links) if link.kind is LinkKind.VERTICAL
        ]
        values = [self._value(link) for _, link in vertical]
        volumes = [link.volume for _, link in vertical]
        weights: list[float | None]
        if any(v is not None for v in values):
            weights, basis = values, "value"
        elif any(v is not None for v in volumes):
            weights, basis = volumes, "volume"
        else:
            weights, basis = [None] * len(vertical), None
        weights = [w if w is not None and math.isfinite(w) else None for w in weights]
        top = max((w for w in weights if w is not None), default=0.0)
        flows = []
        for (k, link), weight in zip(vertical, weights, strict=True):
            if basis is None:
                width = 2.0
            elif weight is None or top <= 0:
                width = 1.0
            else:
                width = max(1.0, round(2 * _MAX_STROKE * weight / top) / 2)
            flows.append(_Flow(k, link, width, _governance_type(link), weight))
        return flows, basis

    # ---------------------------------------------------------------- layout

    def _layout(self) -> None:
        snap = self.snap
        need_in: dict[str, float] = {}
        need_out: dict[str, float] = {}
        for f in self.flows:
            need_out[f.link.source] = need_out.get(f.link.source, -_SLOT_GAP) + f.width + _SLOT_GAP
            need_in[f.link.target] = need_in.get(f.link.target, -_SLOT_GAP) + f.width + _SLOT_GAP
        top = max((max(v, 0.0) for v in self.sized.values()), default=0.0)
        heights: dict[str, float] = {}
        for a in snap.actors:
            scaled = _MAX_H * max(self.sized[a.id], 0.0) / top if top > 0 else 0.0
            need = max(need_in.get(a.id, 0.0), need_out.get(a.id, 0.0)) + 10
            label = 8 + _LINE * (len(_name_lines(a.name or a.id)) + 1)  # the name and one line
            heights[a.id] = round(max(_MIN_H, scaled, need, label), 1)
        for m in snap.end_markets:
            label = 8 + _LINE * (len(_name_lines(m.destination)) + 1)
            heights[m.id] = round(max(_MARKET_H, need_in.get(m.id, 0.0) + 10, label), 1)

        self.columns: list[list[str]] = [
            [a.id for a in snap.actors if a.stage == s.name] for s in snap.stages
        ]
        market_ids = [m.id for m in snap.end_markets]
        all_columns = [*self.columns, market_ids] if market_ids else list(self.columns)

        def column_height(ids: Sequence[str]) -> float:
            return sum(heights[i] for i in ids) + _V_GAP * max(len(ids) - 1, 0)

        body_h = max([column_height(ids) for ids in all_columns] + [_MIN_H])
        pitch = _BOX_W + 2 * _COL_PAD + _COL_GAP
        self.width = max(_MIN_WIDTH, 2 * _MARGIN + len(all_columns) * pitch - _COL_GAP)
        self.boxes: dict[str, _Box] = {}
        self.column_x: list[float] = []
        self.column_of: dict[str, int] = {}
        for c, ids in enumerate(all_columns):
            x = _MARGIN + c * pitch + _COL_PAD
            self.column_x.append(x)
            y = _BODY_TOP + (body_h - column_height(ids)) / 2
            for i in ids:
                self.boxes[i] = _Box(x, round(y, 1), _BOX_W, heights[i])
                self.column_of[i] = c
                y += heights[i] + _V_GAP
        self.body_bottom = _BODY_TOP + body_h
        self.column_bottom = self.body_bottom + 18
        self.outlines = self._cluster_outlines()
        self.passing: dict[int, list[tuple[float, float]]] = {}

        # where the arrows meet the boxes: stacked on the edge, ordered by the other end
        self.start: dict[int, float] = {}
        self.end: dict[int, float] = {}
        for ident in self.boxes:
            out = [f for f in self.flows if f.link.source == ident]
            out.sort(key=lambda f: (self.boxes[f.link.target].cy, f.index))
            self.start.update(_slots(self.boxes[ident], out))
            inc = [f for f in self.flows if f.link.target == ident]
            inc.sort(key=lambda f: (self.boxes[f.link.source].cy, f.index))
            self.end.update(_slots(self.boxes[ident], inc))

    # ---------------------------------------------------------------- rendering

    def render(self) -> str:
        body: list[str] = []
        body += self._title()
        body += self._columns()
        body += self._clusters()
        markers, arrows = self._arrows()
        body += arrows
        body += self._horizontal_links()
        body += self._actor_boxes()
        body += self._market_boxes()
        y = self.column_bottom + 22
        bands, y = _bands(self.snap.supporters, self.width, lambda i: _name(self, i), y)
        body += bands
        legend, y = _legend(self.width, y + 20)
        body += legend
        height = round(y + 18)
        width = round(self.width)
        title = f"Value chain map: {self.chain.name} ({self.snap.year})"
        desc = (
            f"{self.chain.product}, {self.chain.country}: {len(self.snap.stages)} stages, "
            f"{len(self.snap.actors)} actors, {len(self.snap.links)} links, "
            f"{len(self.snap.end_markets)} end markets, {len(self.snap.supporters)} supporters."
        )
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}"'
            f' height="{height}" viewBox="0 0 {width} {height}" font-family="{_FONT}"'
            ' role="img" aria-labelledby="map-title map-desc">',
            f'<title id="map-title">{_esc(title)}</title>',
            f'<desc id="map-desc">{_esc(desc)}</desc>',
            f"<style>\n{_STYLE}\n</style>",
            "<defs>",
            *markers,
            "</defs>",
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        ]
        return "\n".join([*head, *body, "</svg>", ""])

    def _title(self) -> list[str]:
        c = self.chain
        text = f"{c.name} — {c.product}, {c.country}, {self.snap.year}"
        if self.size_by == "count":
            sized = "box height ∝ number of operators"
        else:
            sized = f"box height ∝ value added ({c.currency})"
        if self.basis == "value":
            arrows = f"arrow width ∝ value of sales ({c.currency})"
        elif self.basis == "volume":
            arrows = "arrow width ∝ volume"
        else:
            arrows = "no flows given"
        sub = f"{sized}; {arrows}; unit of the final product: {c.unit}"
        avail = self.width - 2 * _MARGIN
        return [
            f'<text class="title" x="{_MARGIN}" y="30">{_esc(_fit(text, avail, 18, True))}</text>',
            f'<text class="subtitle" x="{_MARGIN}" y="50">{_esc(_fit(sub, avail, 12))}</text>',
        ]

    def _columns(self) -> list[str]:
        out: list[str] = []
        headers = [(s.name, s.description, "stage-header") for s in self.snap.stages]
        if self.markets:
            headers.append(("End markets", "final sales", "market-header"))
        col_top = _TITLE_H
        for (name, description, cls), x in zip(headers, self.column_x, strict=True):
            left = x - _COL_PAD
            w = _BOX_W + 2 * _COL_PAD
            tip = name if description is None else f"{name}: {description}"
            if _text_width(" ".join(name.split()), 13, True) <= w - 12:
                texts = [(name, 13.0, col_top + 20)]
            else:  # a long stage name: two smaller lines, cut between words
                lines = _wrap(name, w - 12, 11, True, max_lines=2)
                tops = [col_top + 19] if len(lines) == 1 else [col_top + 13, col_top + 25]
                texts = [(line, 11.0, y) for line, y in zip(lines, tops, strict=True)]
            label = "".join(
                f'<text x="{_n(left + w / 2)}" y="{_n(y)}" text-anchor="middle"'
                + ("" if size == 13 else f' style="font-size: {size:g}px"')
                + f">{_esc(text)}</text>"
                for text, size, y in texts
            )
            out += [
                f'<rect class="column" x="{_n(left)}" y="{col_top}" width="{_n(w)}"'
                f' height="{_n(self.column_bottom - col_top)}" rx="6"/>',
                f'<g class="{cls}"><title>{_esc(tip)}</title>'
                f'<rect x="{_n(left)}" y="{col_top}" width="{_n(w)}" height="{_HEADER_H}" rx="6"/>'
                f"{label}</g>",
            ]
        return out

    def _cluster_outlines(self) -> list[tuple[str, _Box]]:
        """(cluster, outline) around each run of consecutive members of a cluster in a column."""
        out: list[tuple[str, _Box]] = []
        for ids in self.columns:
            runs: list[tuple[str, list[str]]] = []
            previous: str | None = None
            for i in ids:
                member_of = self.actors[i].cluster
                if member_of is not None:
                    if member_of == previous:
                        runs[-1][1].append(i)
                    else:
                        runs.append((member_of, [i]))
                previous = member_of
            for name, members in runs:
                first, last = self.boxes[members[0]], self.boxes[members[-1]]
                y = first.y - _CLUSTER_PAD - _CLUSTER_LABEL
                out.append((
                    name,
                    _Box(first.x - _CLUSTER_PAD, y, first.w + 2 * _CLUSTER_PAD,
                         last.bottom + _CLUSTER_PAD - y),
                ))  # fmt: skip
        return out

    def _clusters(self) -> list[str]:
        colour = {
            c.name: _CLUSTER_COLOURS[k % len(_CLUSTER_COLOURS)]
            for k, c in enumerate(self.snap.clusters)
        }
        info = {c.name: c for c in self.snap.clusters}
        out: list[str] = []
        for name, box in self.outlines:
            cl = info[name]
            tip = f"Cluster: {name}"
            if cl.location:
                tip += f" ({cl.location})"
            if cl.joint_actions:
                tip += "\nJoint actions: " + "; ".join(cl.joint_actions)
            label = _fit(f"cluster: {name}", box.w - 10, 10.5)
            out.append(
                f'<g class="cluster"><title>{_esc(tip)}</title>'
                f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"'
                f' rx="9" stroke="{colour[name]}"/>'
                f'<text x="{_n(box.x + 6)}" y="{_n(box.y + 11)}" fill="{colour[name]}">'
                f"{_esc(label)}</text></g>"
            )
        return out

    def _route(self, f: _Flow, x1: float, y1: float, x2: float, y2: float) -> str:
        """The path of an arrow; one that skips columns passes them through free gaps."""
        c1, c2 = self.column_of[f.link.source], self.column_of[f.link.target]
        if c2 <= c1:  # back to an earlier stage or within a stage: a loop
            return (
                f"M{_n(x1)},{_n(y1)} C{_n(x1 + 90)},{_n(y1)}"
                f" {_n(x2 - 90)},{_n(y2)} {_n(x2)},{_n(y2)}"
            )
        points = [(x1, y1)]
        for c in range(c1 + 1, c2):
            left = self.column_x[c] - _COL_PAD
            right = self.column_x[c] + _BOX_W + _COL_PAD
            mid = (left + right) / 2
            wanted = y1 + (y2 - y1) * (mid - x1) / (x2 - x1)
            y = self._pass(c, wanted, f.width)
            points += [(left, y), (right, y)]
        points.append((x2, y2))
        d = [f"M{_n(x1)},{_n(y1)}"]
        for k in range(1, len(points)):
            (ax, ay), (bx, by) = points[k - 1], points[k]
            if k % 2 == 0:  # across an intermediate column
                d.append(f"L{_n(bx)},{_n(by)}")
            else:
                bend = max((bx - ax) / 2, 20.0)
                d.append(f"C{_n(ax + bend)},{_n(ay)} {_n(bx - bend)},{_n(by)} {_n(bx)},{_n(by)}")
        return " ".join(d)

    def _pass(self, column: int, wanted: float, width: float) -> float:
        """A height at which an arrow of ``width`` crosses ``column`` clear of its boxes,
        cluster outlines and the arrows already passing it, nearest to ``wanted``."""
        half = width / 2 + 3
        blocked = sorted(
            [(b.y - 3, b.bottom + 3) for i, b in self.boxes.items() if self.column_of[i] == column]
            + [
                (b.y - 3, b.bottom + 3)
                for _, b in self.outlines
                if b.x < self.column_x[column] < b.right
            ]
            + self.passing.setdefault(column, [])
        )
        top, bottom = _TITLE_H + _HEADER_H + 6, self.column_bottom - 4
        best: float | None = None
        for y in [wanted] + [v for lo, hi in blocked for v in (lo - half, hi + half)]:
            y = min(max(y, top + half), bottom - half)
            if any(lo < y + half and y - half < hi for lo, hi in blocked):
                continue
            if best is None or (abs(y - wanted), y) < (abs(best - wanted), best):
                best = y
        if best is None:  # no room: cross the column below its boxes
            best = bottom - half
        best = round(best, 1)
        self.passing[column].append((best - half + 2, best + half - 2))
        return best

    def _arrows(self) -> tuple[list[str], list[str]]:
        markers: dict[str, str] = {}
        out: list[str] = []
        currency = self.chain.currency
        self.passing.clear()  # arrows through intermediate columns, filled by _route
        for f in self.flows:
            link = f.link
            src, dst = self.boxes[link.source], self.boxes[link.target]
            label, colour, dash = GOVERNANCE_STYLES[f.governance]
            key = "none" if f.governance is None else f.governance.value
            head_len = 7 + 1.1 * f.width
            half = 3.5 + 0.85 * f.width
            marker_id = f"arrow-{key}-{round(f.width * 10)}"
            if marker_id not in markers:
                markers[marker_id] = (
                    f'<marker id="{marker_id}" markerUnits="userSpaceOnUse"'
                    f' markerWidth="{_n(head_len)}" markerHeight="{_n(2 * half)}"'
                    f' viewBox="0 0 {_n(head_len)} {_n(2 * half)}" refX="0" refY="{_n(half)}"'
                    f' orient="auto"><path d="M0,0 L{_n(head_len)},{_n(half)} L0,{_n(2 * half)}'
                    f' z" fill="{colour}"/></marker>'
                )
            d = self._route(f, src.right, self.start[f.index], dst.x - head_len, self.end[f.index])
            dash_attr = ""
            if dash is not None:
                scale = max(1.0, f.width / 2)
                dash_attr = ' stroke-dasharray="{}"'.format(
                    " ".join(_n(float(p) * scale) for p in dash.split())
                )
            tip = [f"{_name(self, link.source)} → {_name(self, link.target)}"]
            figures = []
            if link.volume is not None:
                figures.append(f"volume {_fmt(link.volume)}")
            if link.unit_price is not None:
                figures.append(f"unit price {_fmt(link.unit_price)} {link.currency or currency}")
            value = self._value(link)
            if value is not None:
                figures.append(f"value {_fmt(value)} {currency}")
            if figures:
                tip.append(", ".join(figures))
            tip.append(_governance_text(link, f.governance))
            if link.contract:
                tip.append(f"contract: {link.contract}")
            if link.knowledge:
                tip.append("knowledge: " + "; ".join(link.knowledge))
            if link.services:
                tip.append("services: " + "; ".join(link.services))
            out.append(
                f'<g class="link vertical" data-source="{_q(link.source)}"'
                f' data-target="{_q(link.target)}" data-governance="{_q(label)}">'
                f"<title>{_esc(chr(10).join(tip))}</title>"
                f'<path class="link" d="{d}" stroke="{colour}" stroke-width="{_n(f.width)}"'
                f'{dash_attr} marker-end="url(#{marker_id})"/></g>'
            )
        return [markers[k] for k in sorted(markers)], out

    def _horizontal_links(self) -> list[str]:
        out: list[str] = []
        rank: dict[int, int] = {}
        for _, link in self.horizontal:
            a, b = self.boxes[link.source], self.boxes[link.target]
            if self.column_of[link.source] == self.column_of[link.target]:
                col = self.column_of[link.source]
                rank[col] = rank.get(col, -1) + 1
                bulge = min(22 + 9 * rank[col], _COL_GAP * 0.4)
                d = (
                    f"M{_n(a.x)},{_n(a.cy)} C{_n(a.x - bulge)},{_n(a.cy)}"
                    f" {_n(b.x - bulge)},{_n(b.cy)} {_n(b.x)},{_n(b.cy)}"
                )
            else:
                left, right = (a, b) if a.x < b.x else (b, a)
                d = f"M{_n(left.right)},{_n(left.cy)} L{_n(right.x)},{_n(right.cy)}"
            tip = [f"{_name(self, link.source)} — {_name(self, link.target)} (horizontal link)"]
            if link.knowledge:
                tip.append("knowledge: " + "; ".join(link.knowledge))
            if link.services:
                tip.append("services: " + "; ".join(link.services))
            if link.contract:
                tip.append(f"contract: {link.contract}")
            out.append(
                f'<g class="link horizontal-link" data-source="{_q(link.source)}"'
                f' data-target="{_q(link.target)}"><title>{_esc(chr(10).join(tip))}</title>'
                f'<path class="horizontal" d="{d}"/></g>'
            )
        return out

    def _actor_boxes(self) -> list[str]:
        out: list[str] = []
        currency = self.chain.currency
        for a in self.snap.actors:
            box = self.boxes[a.id]
            name = a.name or a.id
            va = self.measure[a.id] if self.size_by == "value_added" else None
            if self.size_by == "count":
                size_line = f"{a.count:,} operator{'s' if a.count != 1 else ''}"
                detail = a.kind.value.replace("_", " ")
            else:
                size_line = f"VA {_fmt(va or 0.0)} {currency}"
                detail = f"{a.kind.value.replace('_', ' ')} · n={a.count:,}"
            lines = [(line, "name") for line in _name_lines(name)]
            lines.append((size_line, "detail"))
            if box.h >= 8 + _LINE * (len(lines) + 1):
                lines.append((detail, "detail"))
            tip = [name if name == a.id else f"{name} ({a.id})"]
            tip.append(f"{a.kind.value.replace('_', ' ')} at stage {a.stage}")
            tip.append(f"operators: {a.count:,}")
            if va is not None:
                tip.append(f"value added: {_fmt(va)} {currency}")
            for label, value in (
                ("product", a.product),
                ("location", a.location),
                ("size class", a.size_class),
                ("ownership", a.ownership),
                ("cluster", a.cluster),
            ):
                if value:
                    tip.append(f"{label}: {value}")
            if a.employment is not None:
                tip.append(f"jobs: {_fmt(a.employment.jobs)}")
            lead = " lead" if a.kind is ActorKind.LEAD_FIRM else ""
            out.append(
                f'<g class="actor{lead}" data-id="{_q(a.id)}"><title>{_esc(chr(10).join(tip))}'
                f'</title><rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}"'
                f' height="{_n(box.h)}" rx="4" fill="{_kind_fill(a.kind)}"/>'
                + _label_lines(box, lines)
                + "</g>"
            )
        return out

    def _market_boxes(self) -> list[str]:
        out: list[str] = []
        inflow: dict[str, float] = {}
        for f in self.flows:
            if f.link.target in self.markets:
                value = self._value(f.link)
                if value is not None:
                    inflow[f.link.target] = inflow.get(f.link.target, 0.0) + value
        for m in self.snap.end_markets:
            box = self.boxes[m.id]
            detail = m.channel.value
            if m.standards:
                detail += " · " + ", ".join(m.standards)
            tip = [f"{m.destination} ({m.id})", f"channel: {m.channel.value}"]
            if m.standards:
                tip.append("standards: " + ", ".join(m.standards))
            if m.id in inflow:
                tip.append(f"final sales: {_fmt(inflow[m.id])} {self.chain.currency}")
            out.append(
                f'<g class="market" data-id="{_q(m.id)}"><title>{_esc(chr(10).join(tip))}'
                f'</title><rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}"'
                f' height="{_n(box.h)}" rx="4"/>'
                + _label_lines(
                    box,
                    [*((line, "name") for line in _name_lines(m.destination)), (detail, "detail")],
                )
                + "</g>"
            )
        return out


# -------------------------------------------------------------------- helpers


def _name_lines(name: str) -> list[str]:
    """A box's name wrapped onto its lines (at most four), so that the part that tells
    similar names apart is shown."""
    return _wrap(name, _BOX_W - 12, 12.0, bold=True)


def _name(r: _Renderer, ident: str) -> str:
    if ident in r.actors:
        return r.actors[ident].name or ident
    if ident in r.markets:
        return f"{r.markets[ident].destination} (end market)"
    return ident
