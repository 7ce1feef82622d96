"""Concordances: maps from the codes of a table (countries or sectors) to groups.

A map has rows ``from, to[, weight]``:

- many-to-one: each code of the table has one row; codes with the same ``to`` are summed;
- one-to-many: a code with several rows is split among its targets in proportion to ``weight``
  (0 < w ≤ 1); its weights must sum to 1 (within 1e-6; they are then rescaled to sum to exactly
  1, so that totals are preserved).

A map is a CSV file (comma, semicolon or tab separated; extra columns are ignored), a DataFrame
with those columns, a ``{from: to}`` dict, or the name of a map shipped with gvckit (see
:func:`concordance_names` and ``gvckit/data/concordances/README.md``).

A map applied to a table becomes a concordance matrix ``C`` (codes × groups), ``C[i, g]`` the
share of code ``i`` that goes to group ``g``; every row of ``C`` sums to 1. Groups are ordered by
their first appearance when the table's codes are read in order (so an identity map keeps the
table's order). Codes of the table absent from the map are an error (or, with ``keep_others``,
groups of their own); codes of the map absent from the table are reported with a
:class:`ConcordanceWarning` for user maps and ignored for shipped maps, which cover several
editions of a database.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.errors import InputError, OptionError
from gvckit.icio.readers._csv import read_csv_table

__all__ = [
    "Concordance",
    "ConcordanceWarning",
    "MapLike",
    "concordance",
    "concordance_names",
    "read_map",
]

#: Tolerance on the sum of a split code's weights.
WEIGHT_TOLERANCE = 1e-6

#: Shipped maps: name → file in ``gvckit/data/concordances`` and what it maps.
SHIPPED: dict[str, tuple[str, str]] = {
    "wiod13-broad": ("wiod13_broad.csv", "WIOD 2013 industries c1-c35 (ISIC Rev.3) → broad groups"),
    "wiod16-broad": ("wiod16_broad.csv", "WIOD 2016 industries A01-U (ISIC Rev.4) → broad groups"),
    "icio23-broad": ("icio23_broad.csv", "OECD ICIO 2023 industries (ISIC Rev.4) → broad groups"),
    "eu27": ("eu27.csv", "EU member states (2020 composition) → EU27"),
    "world-regions": ("world_regions.csv", "ICIO 2023 / WIOD economies → 11 world regions"),
}


class ConcordanceWarning(UserWarning):
    """A map names codes that the table does not have (they are ignored)."""


@dataclass(frozen=True)
class MapRow:
    """One row of a map; ``line`` is where it is in its file (header = line 1) or frame."""

    source: str
    target: str
    weight: float
    line: int


@dataclass(frozen=True)
class Concordance:
    """A validated map: rows with weights that sum to 1 for every ``from`` code.

    ``origin`` names the map in messages (file path, shipped name, "sectors map");
    ``file`` is set for maps read from a file; ``shipped`` for maps shipped with gvckit.
    """

    rows: tuple[MapRow, ...]
    origin: str
    file: str | None = None
    shipped: bool = False

    def targets(self) -> dict[str, list[MapRow]]:
        """The rows of every ``from`` code, in map order."""
        out: dict[str, list[MapRow]] = {}
        for r in self.rows:
            out.setdefault(r.source, []).append(r)
        return out

    def frame(self) -> pd.DataFrame:
        """The map as a DataFrame ``from, to, weight``."""
        return pd.DataFrame(
            {
                "from": [r.source for r in self.rows],
                "to": [r.target for r in self.rows],
                "weight": [r.weight for r in self.rows],
            }
        )

    def matrix(
        self, codes: Sequence[str], what: str, keep_others: bool = False
    ) -> tuple[NDArray[np.float64], tuple[str, ...]]:
        """The concordance matrix ``C`` (codes × groups) for the table's ``codes`` and the group
        labels; ``what`` is the plural noun for messages ("countries", "sectors")."""
        by_code = self.targets()
        missing = [c for c in codes if c not in by_code]
        if missing and not keep_others:
            hint = " (or keep them as they are with --keep-others)" if what == "countries" else ""
            raise InputError(
                f"{len(missing)} {what} of the table are not in the map: {_listed(missing)}",
                file=self.file or self.origin,
                expected=f"a row for every one of the table's {what}{hint}",
            )
        known = set(codes)
        extra = [c for c in by_code if c not in known]
        if extra and not self.shipped:
            warnings.warn(
                ConcordanceWarning(
                    f"{self.origin}: {len(extra)} codes of the map are not {what} of the table"
                    f" and are ignored: {_listed(extra)}"
                ),
                stacklevel=3,
            )
        groups: dict[str, int] = {}
        cells: list[tuple[int, int, float]] = []
        for i, code in enumerate(codes):
            rows = by_code.get(code) or [MapRow(code, code, 1.0, 0)]
            for r in rows:
                g = groups.setdefault(r.target, len(groups))
                cells.append((i, g, r.weight))
        C = np.zeros((len(codes), len(groups)))
        for i, g, w in cells:
            C[i, g] += w
        return C, tuple(groups)


MapLike = Concordance | str | Path | pd.DataFrame | Mapping[str, str]


def concordance_names() -> dict[str, str]:
    """The maps shipped with gvckit: name → what it maps."""
    return {name: what for name, (_, what) in SHIPPED.items()}


def concordance(name: str) -> pd.DataFrame:
    """The shipped map ``name`` as a DataFrame ``from, to, weight`` (see
    :func:`concordance_names`; sources in ``gvckit/data/concordances/README.md``)."""
    return _shipped(name).frame()


def _shipped(name: str) -> Concordance:
    if name not in SHIPPED:
        raise OptionError(f"no shipped map {name!r}; shipped maps: {', '.join(SHIPPED)}")
    resource = files("gvckit") / "data" / "concordances" / SHIPPED[name][0]
    with resource.open("rb") as fh:
        table = read_csv_table(fh, name, text_columns=lambda header: range(len(header)))
    return _from_cells(table.header, table.body, f"shipped map {name!r}", None, shipped=True)


def read_map(source: MapLike, what: str = "map") -> Concordance:
    """A validated :class:`Concordance` from a CSV path, a shipped map's name, a DataFrame
    (columns ``from, to[, weight]``) or a ``{from: to}`` dict. ``what`` names it in messages
    ("countries map")."""
    if isinstance(source, Concordance):
        return source
    if isinstance(source, pd.DataFrame):
        body = source.reset_index(drop=True).astype(object)
        header = [str(c) for c in body.columns]
        body.columns = pd.RangeIndex(len(header))
        return _from_cells(header, body, what, None, first_line=1)
    if isinstance(source, Mapping):
        frame = pd.DataFrame({"from": list(source), "to": [source[k] for k in source]})
        return read_map(frame, what)
    path = Path(source)
    if not path.exists() and str(source) in SHIPPED:
        return _shipped(str(source))
    if not path.exists():
        raise InputError(
            "no such file, nor a shipped map of that name",
            file=path,
            expected=f"a CSV file (from,to[,weight]) or one of: {', '.join(SHIPPED)}",
        )
    table = read_csv_table(path, path, text_columns=lambda header: range(len(header)))
    return _from_cells(table.header, table.body, str(path), str(path))


def _listed(codes: Sequence[str], k: int = 12) -> str:
    shown = ", ".join(codes[:k])
    return shown + (f" ... ({len(codes) - k} more)" if len(codes) > k else "")


def _column(header: list[str], name: str, where: str, file: str | None) -> int | None:
    lowered = [h.strip().lower() for h in header]
    if name in lowered:
        return lowered.index(name)
    if name == "weight":
        return None
    raise InputError(
        f"no {name!r} column",
        file=file or where,
        row=1 if file else None,
        expected="columns from, to and optionally weight",
        found=",".join(header[:5]),
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _from_cells(
    header: list[str],
    body: pd.DataFrame,
    where: str,
    file: str | None,
    *,
    shipped: bool = False,
    first_line: int = 2,
) -> Concordance:
    """Validate the rows of a map; row ``k`` of ``body`` is line ``k + first_line``."""
    at = file or where
    src, dst = _column(header, "from", where, file), _column(header, "to", where, file)
    wcol = _column(header, "weight", where, file)
    assert src is not None and dst is not None
    if body.empty:
        raise InputError("the map has no rows", file=at, expected="rows from,to[,weight]")
    rows: list[MapRow] = []
    seen: dict[tuple[str, str], int] = {}
    for k in range(len(body)):
        line = k + first_line
        source, target = _cell(body.iat[k, src]), _cell(body.iat[k, dst])
        for name, value in (("from", source), ("to", target)):
            if not value:
                raise InputError(f"empty {name!r} code", file=at, row=line, column=name)
        if (source, target) in seen:
            raise InputError(
                f"{source!r} → {target!r} appears twice (rows {seen[source, target]} and {line})",
                file=at,
                row=line,
                column="from",
                expected="one row per pair of codes",
            )
        seen[source, target] = line
        raw = _cell(body.iat[k, wcol]) if wcol is not None else ""
        rows.append(MapRow(source, target, _weight(raw, at, line, source), line))
    return Concordance(_checked_splits(rows, at, wcol is not None), where, file, shipped)


def _weight(raw: str, at: str, line: int, code: str) -> float:
    """The weight of a row: 1 when blank; otherwise a number in (0, 1]."""
    if not raw:
        return math.nan  # filled in by _checked_splits: 1 for a code that is not split
    try:
        w = float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw else float(raw)
    except ValueError:
        w = math.nan
    if not (0.0 < w <= 1.0 + WEIGHT_TOLERANCE):
        raise InputError(
            f"invalid weight for {code!r}",
            file=at,
            row=line,
            column="weight",
            expected="a number greater than 0 and at most 1",
            found=raw,
        )
    return w


def _checked_splits(rows: list[MapRow], at: str, weighted: bool) -> tuple[MapRow, ...]:
    """Rows with their weights checked per ``from`` code and rescaled to sum to exactly 1."""
    by_code: dict[str, list[int]] = {}
    for k, r in enumerate(rows):
        by_code.setdefault(r.source, []).append(k)
    out = list(rows)
    for code, ks in by_code.items():
        group = [rows[k] for k in ks]
        lines = ", ".join(str(r.line) for r in group)
        if len(group) == 1 and math.isnan(group[0].weight):
            out[ks[0]] = MapRow(code, group[0].target, 1.0, group[0].line)
            continue
        if len(group) > 1 and not weighted:
            raise InputError(
                f"code {code!r} appears {len(group)} times (rows {lines}) without weights",
                file=at,
                row=group[1].line,
                column="from",
                expected="one row per code, or a weight column to split a code",
            )
        blank = [r for r in group if math.isnan(r.weight)]
        if blank:
            raise InputError(
                f"code {code!r} is split (rows {lines}) but has a blank weight",
                file=at,
                row=blank[0].line,
                column="weight",
                expected="a weight on every row of a split code",
            )
        total = math.fsum(r.weight for r in group)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise InputError(
                f"the weights of code {code!r} (rows {lines}) sum to {total:.6g}",
                file=at,
                row=group[0].line,
                column="weight",
                expected="weights summing to 1 for every code",
            )
        for k, r in zip(ks, group, strict=True):
            out[k] = MapRow(code, r.target, r.weight / total, r.line)
    return tuple(out)
