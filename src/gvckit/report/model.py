"""What a report holds: sections of blocks — key figures, charts and tables — each carrying the
data it shows, so that the HTML only presents what the API computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Block", "Chart", "Figures", "Html", "Report", "Section", "Table"]


@dataclass
class Figures:
    """Key figures shown as cards: label → (value, unit or note)."""

    title: str
    items: list[tuple[str, str, str]]
    data: pd.DataFrame | None = None


@dataclass
class Chart:
    """A plotly figure (as a dict) with the data behind it, shown underneath and downloadable."""

    title: str
    figure: dict[str, Any]
    data: pd.DataFrame
    note: str = ""


@dataclass
class Table:
    """A table; ``status`` names a column whose values (pass/warn/fail…) colour the rows."""

    title: str
    data: pd.DataFrame
    note: str = ""
    status: str | None = None
    collapsed: bool = False


@dataclass
class Html:
    """Trusted markup made by gvckit itself (the chain map SVG), with a text alternative."""

    title: str
    markup: str
    alt: str
    data: pd.DataFrame | None = None


Block = Figures | Chart | Table | Html


@dataclass
class Section:
    """One numbered section of the report."""

    id: str
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    """The report: a title, its sections, and the sources and notes of the last section."""

    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)

    def block(self, title: str) -> Block:
        """The block with ``title`` (for tests and for callers that reuse the data)."""
        for section in self.sections:
            for block in section.blocks:
                if block.title == title:
                    return block
        raise KeyError(title)
