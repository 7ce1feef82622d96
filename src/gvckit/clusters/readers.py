"""Reading region × industry data and firm lists for cluster analysis (CSV, Excel, Parquet).

Region × industry data come long or wide:

- long: one row per region and industry, with the columns named by ``region``, ``industry``
  and ``value`` (other columns are ignored; a pair absent from the file counts as 0; a pair
  given twice is an error);
- wide with one column per region: ``industry`` names the label column and ``region`` and
  ``value`` are not given; the regions are the ``columns`` listed, or else every other column
  whose cells are all numbers;
- wide with one column per industry: likewise with ``region`` as the label column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gvckit.clusters.indices import RegionalData
from gvckit.clusters.tables import (
    Floats,
    NumberConventionError,
    Sheet,
    labels,
    numbers,
    read_sheet,
)
from gvckit.errors import InputError, OptionError

__all__ = ["Firms", "read_firms", "read_regional"]


def _numeric_columns(table: Sheet, skip: str) -> list[str]:
    out = []
    for name in table.header:
        if name == skip or not name:
            continue
        try:
            numbers(table, name, "a value")
        except NumberConventionError:
            raise
        except InputError:
            continue
        out.append(name)
    return out


def _wide(table: Sheet, label: str, role: str, columns: Sequence[str] | None) -> RegionalData:
    names = labels(table, label, role)
    seen: dict[str, int] = {}
    for k, n in enumerate(names):
        if n in seen:
            raise InputError(
                f"{role} {n!r} appears twice (rows {table.line(seen[n])} and {table.line(k)})",
                file=table.file, row=table.line(k), column=label,
                expected=f"one row per {role}",
            )  # fmt: skip
        seen[n] = k
    cols = list(columns) if columns else _numeric_columns(table, label)
    if not cols:
        raise InputError(
            "no column of numbers besides the labels", file=table.file, row=1,
            expected="one column of numbers per " + ("region" if role == "industry"
                                                      else "industry"),
        )  # fmt: skip
    values = np.column_stack([numbers(table, c, "a value") for c in cols])
    if role == "industry":  # rows are industries, columns regions
        return RegionalData(tuple(cols), tuple(names), values.T.copy())
    return RegionalData(tuple(names), tuple(cols), values)


def read_regional(
    path: str | Path,
    *,
    region: str | None = None,
    industry: str | None = None,
    value: str | None = None,
    columns: Sequence[str] | None = None,
    sheet: str | None = None,
) -> RegionalData:
    """Read region × industry data, long (``region``, ``industry`` and ``value`` given) or wide
    (only ``industry`` or only ``region`` given: see the module's documentation)."""
    table = read_sheet(path, sheet)
    if region and industry and value:
        if columns:
            raise OptionError("--columns applies to wide data (without --value)")
        regions = labels(table, region, "region")
        industries = labels(table, industry, "industry")
        values = numbers(table, value, "the value")
        seen: dict[tuple[str, str], int] = {}
        for k, pair in enumerate(zip(regions, industries, strict=True)):
            if pair in seen:
                raise InputError(
                    f"region {pair[0]!r} and industry {pair[1]!r} appear twice"
                    f" (rows {table.line(seen[pair])} and {table.line(k)})",
                    file=table.file, row=table.line(k),
                    expected="one row per region and industry",
                )  # fmt: skip
            seen[pair] = k
        return RegionalData.from_long(regions, industries, list(values))
    if value is None and (region is None) != (industry is None):
        if industry is not None:
            return _wide(table, industry, "industry", columns)
        assert region is not None
        return _wide(table, region, "region", columns)
    raise OptionError(
        "give --region, --industry and --value (long data), or only --industry (one column per"
        " region) or only --region (one column per industry)"
    )


@dataclass(frozen=True)
class Firms:
    """Plants or firms: industry, region and size each; ``region_total`` (optional) is each
    region's employment in all industries, by region name."""

    industry: tuple[str, ...]
    region: tuple[str, ...]
    size: Floats
    region_total: dict[str, float] | None = None


def read_firms(
    path: str | Path,
    *,
    industry: str,
    region: str,
    size: str,
    region_total: str | None = None,
    sheet: str | None = None,
) -> Firms:
    """Read a firm list: one row per firm with its industry, region and size (employees), and
    optionally its region's total employment (the same on every row of a region)."""
    table = read_sheet(path, sheet)
    ind = labels(table, industry, "industry")
    reg = labels(table, region, "region")
    sz = numbers(table, size, "the firm's size")
    totals: dict[str, float] | None = None
    if region_total is not None:
        tot = numbers(table, region_total, "the region's total")
        totals = {}
        first: dict[str, int] = {}
        for k, (r, t) in enumerate(zip(reg, tot, strict=True)):
            if r in totals and totals[r] != t:
                raise InputError(
                    f"region {r!r} has total {totals[r]:g} on row {table.line(first[r])}"
                    f" and {t:g} here",
                    file=table.file, row=table.line(k), column=region_total,
                    expected="the same total on every row of a region",
                )  # fmt: skip
            totals.setdefault(r, float(t))
            first.setdefault(r, k)
        own: dict[str, float] = {}
        for r, s in zip(reg, sz, strict=True):
            own[r] = own.get(r, 0.0) + float(s)
        for r, t in totals.items():
            if own[r] > t * (1 + 1e-9):
                raise InputError(
                    f"region {r!r}: its firms employ {own[r]:g}, more than its total {t:g}",
                    file=table.file, row=table.line(first[r]), column=region_total,
                    expected="a region total at least the sum of its firms",
                )  # fmt: skip
    return Firms(tuple(ind), tuple(reg), sz, totals)
