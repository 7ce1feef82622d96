"""Building blocks of the chain map: styles, sizes, boxes and flows, text measurement and
XML escaping (see :mod:`gvckit.chain.chainmap`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from gvckit.chain.governance import implied_type
from gvckit.chain.model import SME_KINDS, ActorKind, GovernanceType, Link, Supporter
from gvckit.wrapping import wrap_words

#: Accepted values of ``size_by``.
SIZE_MEASURES = ("value_added", "count")

#: Governance type (None: not assessed) → (label, stroke colour, dash pattern at 2 px width).
GOVERNANCE_STYLES: dict[GovernanceType | None, tuple[str, str, str | None]] = {
    GovernanceType.MARKET: ("market", "#3b6fb6", None),
    GovernanceType.MODULAR: ("modular", "#2e9048", "9 4"),
    GovernanceType.RELATIONAL: ("relational", "#e07b00", "2 3"),
    GovernanceType.CAPTIVE: ("captive", "#c62f3b", "10 3 2 3"),
    GovernanceType.HIERARCHY: ("hierarchy", "#6a3d9a", "14 3 2 3 2 3"),
    None: ("no type (not assessed)", "#8a8a8a", None),
}

#: Box fill by kind of operator: (legend label, fill, kinds).
_KIND_GROUPS: tuple[tuple[str, str, frozenset[ActorKind]], ...] = (
    ("producers, MSMEs, cooperatives", "#e6f2dc", SME_KINDS),
    ("traders, exporters", "#fcefd2", frozenset({ActorKind.TRADER, ActorKind.EXPORTER})),
    (
        "processors, large firms, suppliers",
        "#dfeaf6",
        frozenset({ActorKind.PROCESSOR, ActorKind.LARGE_FIRM, ActorKind.FIRST_TIER_SUPPLIER}),
    ),
    ("lead firms", "#ddd3ef", frozenset({ActorKind.LEAD_FIRM})),
    ("retailers", "#f8dee5", frozenset({ActorKind.RETAILER})),
    (
        "services",
        "#ececec",
        frozenset({ActorKind.SERVICE_PROVIDER, ActorKind.SUPPORT_INSTITUTION}),
    ),
)
_CLUSTER_COLOURS = ("#8c564b", "#0f8b8d", "#9a8c00", "#c2418f", "#5f5f5f")
_HORIZONTAL_COLOUR = "#0f7c80"
_FONT = "Helvetica, Arial, sans-serif"

# Geometry (px).
_MARGIN = 56  # left and right, leaves room for horizontal-link curves of the first column
_BOX_W = 168
_COL_PAD = 12  # column background around the boxes
_COL_GAP = 116  # between the backgrounds of two columns: room for arrows
_V_GAP = 36  # between two boxes of a column: room for cluster outlines and labels
_MIN_H = 42  # two lines of label
_MAX_H = 170  # the largest actor
_MARKET_H = 46
_TITLE_H = 66
_HEADER_H = 30
_BODY_TOP = _TITLE_H + _HEADER_H + 34
_MAX_STROKE = 14.0
_SLOT_GAP = 4.0  # between two arrows meeting the same box edge
_CLUSTER_PAD = 7
_CLUSTER_LABEL = 14
_LINE = 15  # line height of the labels
_MIN_WIDTH = 780

_STYLE = """
text { fill: #1d1d1d; }
.title { font-size: 18px; font-weight: bold; }
.subtitle { font-size: 12px; fill: #555555; }
.column { fill: #f5f7fa; stroke: none; }
.stage-header rect { fill: #d9e2ec; }
.stage-header text { font-size: 13px; font-weight: bold; }
.market-header rect { fill: #e8e1d3; }
.market-header text { font-size: 13px; font-weight: bold; }
.actor rect, .market rect { stroke: #454545; stroke-width: 1; }
.actor.lead rect { stroke-width: 2.2; }
.market rect { fill: #fff8e6; }
.name { font-size: 12px; font-weight: bold; }
.detail { font-size: 10.5px; fill: #444444; }
.link { fill: none; stroke-linecap: butt; }
.horizontal { fill: none; stroke: #0f7c80; stroke-width: 1.6; stroke-dasharray: 5 4; }
.cluster rect { fill: none; stroke-width: 1.4; stroke-dasharray: 6 3; }
.cluster text { font-size: 10.5px; font-style: italic; }
.band rect { stroke: #b9b9b9; }
.band.meso rect { fill: #eef5ea; }
.band.macro rect { fill: #f1eef6; }
.band-label { font-size: 12px; font-weight: bold; }
.supporter text { font-size: 11.5px; }
.supporter.none text { fill: #777777; font-style: italic; }
.legend text { font-size: 11px; }
.legend .heading { font-size: 12px; font-weight: bold; }
""".strip()


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class _Flow:
    """A vertical link to draw: its index in the snapshot's links, width and style."""

    index: int
    link: Link
    width: float
    governance: GovernanceType | None
    weight: float | None


def _governance_type(link: Link) -> GovernanceType | None:
    ev = link.governance
    if ev is None:
        return None
    implied = implied_type(ev.complexity, ev.codifiability, ev.supplier_capability)
    return implied if implied is not None else ev.observed


def _governance_text(link: Link, shown: GovernanceType | None) -> str:
    ev = link.governance
    if ev is None or shown is None:
        text = "governance: not assessed"
    else:
        implied = implied_type(ev.complexity, ev.codifiability, ev.supplier_capability)
        text = f"governance: {shown.value} ({'implied' if implied is not None else 'observed'})"
        if implied is not None and ev.observed is not None and ev.observed is not implied:
            text += f"; observed {ev.observed.value}"
    if ev is not None:
        det = [
            f"{name} {level.value}"
            for name, level in (
                ("complexity", ev.complexity),
                ("codifiability", ev.codifiability),
                ("supplier capability", ev.supplier_capability),
            )
            if level is not None
        ]
        if det:
            text += "\n" + ", ".join(det)
        if ev.notes:
            text += f"\n{ev.notes}"
    return text


def _slots(box: _Box, flows: Sequence[_Flow]) -> dict[int, float]:
    """Centre heights of arrows stacked along an edge of ``box``, centred on the box."""
    if not flows:
        return {}
    total = sum(f.width for f in flows) + _SLOT_GAP * (len(flows) - 1)
    y = box.cy - total / 2
    out = {}
    for f in flows:
        out[f.index] = round(y + f.width / 2, 1)
        y += f.width + _SLOT_GAP
    return out


def _label_lines(box: _Box, lines: Sequence[tuple[str, str]]) -> str:
    """Centred label lines (text, class) inside ``box``, shortened to its width."""
    size = {"name": 12.0, "detail": 10.5}
    shown = lines[: max(1, int((box.h - 8) // _LINE))]
    top = box.cy - _LINE * len(shown) / 2 + 11
    parts = []
    for k, (text, cls) in enumerate(shown):
        fitted = _fit(text, box.w - 12, size[cls], cls == "name")
        parts.append(
            f'<text class="{cls}" x="{_n(box.x + box.w / 2)}" y="{_n(top + _LINE * k)}"'
            f' text-anchor="middle">{_esc(fitted)}</text>'
        )
    return "".join(parts)


def _flow_items(
    items: Iterable[tuple[str, str]], width: float, font: float, gap: float, lead: float = 0.0
) -> tuple[list[tuple[str, str, float, int]], int]:
    """Place (text, tooltip) items left to right, wrapping at ``width``: (shown text,
    tooltip, x, line) and the number of lines. ``lead`` is space before each item's text."""
    placed = []
    x, line = 0.0, 0
    for text, tip in items:
        shown = _fit(text, width - lead, font)
        w = lead + _text_width(shown, font)
        if x > 0 and x + w > width:
            x, line = 0.0, line + 1
        placed.append((shown, tip, x + lead, line))
        x += w + gap
    return placed, line + 1


def _text_width(text: str, font: float, bold: bool = False) -> float:
    """An estimate of the rendered width of ``text`` in a sans-serif font."""
    per = 0.66 if bold else 0.6
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return font * (per * (len(text) - wide) + 1.0 * wide)


def _fit(text: str, width: float, font: float, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` px, cut between words where it has
    several (a single word is cut where it must be)."""
    full = " ".join(text.split())
    if _text_width(full, font, bold) <= width:
        return full
    text = full
    while text and _text_width(text + " …", font, bold) > width:
        text = text[:-1]
    if full[len(text) : len(text) + 1] not in ("", " ") and " " in text.strip():
        text = text.rstrip().rsplit(" ", 1)[0]  # do not end in the middle of a word
        return text.rstrip(" ,;:(—-") + " …"
    return text.rstrip() + "…"


#: The most lines an actor's or end market's name is wrapped onto.
_NAME_LINES = 4


def _wrap(
    text: str, width: float, font: float, bold: bool = False, max_lines: int = _NAME_LINES
) -> list[str]:
    """``text`` wrapped at word boundaries onto lines of ``width`` px, at most ``max_lines``
    (:data:`_NAME_LINES`). A longer name keeps its first and its last words, which tell similar
    names apart ("Component suppliers of … Republic of Korea"), with an ellipsis between whole
    words; a single word longer than a line is shortened."""

    def fits(words: list[str]) -> bool:
        return _text_width(" ".join(words), font, bold) <= width

    lines = wrap_words(text.split(), fits, max_lines)
    return [_fit(" ".join(line), width, font, bold) for line in lines] or [""]


def _kind_fill(kind: ActorKind) -> str:
    for _, fill, kinds in _KIND_GROUPS:
        if kind in kinds:
            return fill
    return "#ffffff"


def _fmt(x: float) -> str:
    """A figure for a label: thousands separators, three significant digits below 100."""
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.3g} bn"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g} m"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: str) -> str:
    """Text content: XML-escaped, characters XML cannot hold replaced by U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", text))


def _q(text: str) -> str:
    """An attribute value (between double quotes)."""
    return escape(
        _NOT_XML.sub("\ufffd", text), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
    )


def _bands(
    supporters: Sequence[Supporter], width: float, name_of: Callable[[str], str], y: float
) -> tuple[list[str], float]:
    """The meso and macro bands below the chain; returns the SVG parts and the next y."""
    out: list[str] = []
    x0 = _MARGIN - 8
    w = width - 2 * x0
    titles = (
        ("meso", "Support institutions (meso level)"),
        ("macro", "Enabling environment (macro level)"),
    )
    label_w = 24 + max(_text_width(title, 12, bold=True) for _, title in titles)
    for level, title in titles:
        members = [s for s in supporters if s.level == level]
        items: list[tuple[str, str, str]] = []  # (shown, tooltip, class)
        for s in members:
            about = [s.name]
            if s.role:
                about.append(f"role: {s.role}")
            if s.supports:
                about.append("supports: " + ", ".join(name_of(i) for i in s.supports))
            items.append((s.name, "\n".join(about), "supporter"))
        if not items:
            items.append(("(none recorded)", "no supporters recorded", "supporter none"))
        placed, lines = _flow_items(
            [(shown, tip) for shown, tip, _ in items], w - label_w - 16, 11.5, 26
        )
        h = 14 + max(lines, 1) * 18
        parts = [
            f'<g class="band {level}">',
            f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="5"/>',
            f'<text class="band-label" x="{_n(x0 + 10)}" y="{_n(y + 21)}">{_esc(title)}</text>',
        ]
        for (shown, tip, px, line), (_, _, cls) in zip(placed, items, strict=True):
            parts.append(
                f'<g class="{cls}"><title>{_esc(tip)}</title><text x="{_n(x0 + label_w + px)}"'
                f' y="{_n(y + 21 + 18 * line)}">{_esc(shown)}</text></g>'
            )
        parts.append("</g>")
        out += parts
        y += h + 8
    return out, y


def _legend(width: float, y: float) -> tuple[list[str], float]:
    """The legend: governance styles, link and cluster marks, kind colours; parts and next y."""
    out = ['<g class="legend">']
    out.append(f'<text class="heading" x="{_MARGIN}" y="{_n(y + 4)}">Legend</text>')
    avail = width - 2 * _MARGIN
    # row 1: governance of vertical links, horizontal links, clusters
    entries: list[tuple[str, str]] = []  # (sample svg at 0,0, label)
    for gov, (label, colour, dash) in GOVERNANCE_STYLES.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        sample = (
            f'<path d="M0,0 L24,0" stroke="{colour}" stroke-width="3"{dash_attr}/>'
            f'<path d="M24,-5 L33,0 L24,5 z" fill="{colour}"/>'
        )
        entries.append((sample, label if gov is None else f"{label} governance"))
    entries.append((
        '<path class="horizontal" d="M0,4 C8,-6 24,-6 32,4"/>',
        "horizontal link",
    ))  # fmt: skip
    entries.append((
        f'<rect x="0" y="-6" width="32" height="12" rx="4" fill="none"'
        f' stroke="{_CLUSTER_COLOURS[0]}" stroke-width="1.4" stroke-dasharray="6 3"/>',
        "cluster",
    ))  # fmt: skip
    for label, fill, _ in _KIND_GROUPS:
        entries.append((
            f'<rect x="0" y="-7" width="32" height="14" rx="3" fill="{fill}"'
            ' stroke="#454545"/>',
            label,
        ))  # fmt: skip
    placed, lines = _flow_items([(label, label) for _, label in entries], avail, 11, 26, lead=40)
    y0 = y + 24
    for (sample, _), (label, _, px, line) in zip(entries, placed, strict=True):
        ly = y0 + 22 * line
        x = _MARGIN + px - 40
        out.append(
            f'<g class="legend-item" transform="translate({_n(x)},{_n(ly)})">{sample}'
            f'<text x="40" y="4">{_esc(label)}</text></g>'
        )
    y = y0 + 22 * (lines - 1) + 24
    notes = [
        "Arrows run from seller to buyer; colour and dash show the governance type implied"
        " by the determinants (Gereffi, Humphrey & Sturgeon 2005), else the observed type.",
        "Box heights have a minimum so that labels fit; hover over an element for its"
        " full label and figures.",
    ]
    for text in notes:
        out.append(f'<text x="{_MARGIN}" y="{_n(y)}">{_esc(_fit(text, avail, 11))}</text>')
        y += 16
    out.append("</g>")
    return out, y
