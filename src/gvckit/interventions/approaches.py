"""The approaches × constraints matrix (Goldmark & Barber 2005, USAID AMAP, Annex 2 — gvckit
seed 004), as package data (``gvckit/data/approaches.yaml``) with each mechanism in gvckit's
own words, the direction of the effect and the critical success factor the approach serves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pandas as pd

from gvckit.documents import load_document
from gvckit.limits import DOCUMENT

__all__ = [
    "Approach",
    "Cell",
    "ConstraintType",
    "approaches",
    "constraint_types",
    "critical_success_factors",
    "matrix",
]


@dataclass(frozen=True)
class ConstraintType:
    code: int
    key: str
    name: str
    about: str


@dataclass(frozen=True)
class Cell:
    direction: str  # relieves | can_worsen | both
    mechanism: str


@dataclass(frozen=True)
class Approach:
    code: int
    key: str
    name: str
    factor: str
    cells: dict[int, Cell]


@cache
def _data() -> dict[str, object]:
    raw = (files("gvckit") / "data" / "approaches.yaml").read_bytes()
    data: dict[str, object] = load_document(raw, name="approaches.yaml", limits=DOCUMENT).data
    return data


def constraint_types() -> tuple[ConstraintType, ...]:
    """The nine value chain constraints of Annex 2, in order."""
    return tuple(ConstraintType(**c) for c in _data()["constraints"])  # type: ignore[attr-defined]


def critical_success_factors() -> dict[str, str]:
    """The four critical success factors (seed 004 §2): key → description."""
    factors = _data()["critical_success_factors"]
    assert isinstance(factors, dict)
    return {str(k): str(v) for k, v in factors.items()}


def approaches() -> tuple[Approach, ...]:
    """The eleven approaches with their filled cells."""
    out = []
    for a in _data()["approaches"]:  # type: ignore[attr-defined]
        cells = {int(k): Cell(**v) for k, v in a["cells"].items()}
        out.append(Approach(a["code"], a["key"], a["name"], a["factor"], cells))
    return tuple(out)


def matrix(detail: bool = False) -> pd.DataFrame:
    """One row per approach, column ``approach`` then one column per constraint: ``X`` where
    the approach acts on the constraint, else empty (``detail=True``: the mechanism and its
    direction instead of ``X``)."""
    types = constraint_types()
    rows = []
    for a in approaches():
        row: dict[str, str] = {"approach": a.name}
        for t in types:
            cell = a.cells.get(t.code)
            if cell is None:
                row[t.name] = ""
            else:
                row[t.name] = f"[{cell.direction}] {cell.mechanism}" if detail else "X"
        rows.append(row)
    return pd.DataFrame(rows, columns=["approach", *(t.name for t in types)])
