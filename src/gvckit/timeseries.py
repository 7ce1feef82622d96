"""Time series over a panel of years (the output of :mod:`gvckit.panel`): a term's share of
another (the DVA share of gross exports) and the change of every series between years, long and
ready for charts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from gvckit.errors import OptionError

__all__ = ["changes", "share", "year_span"]


def year_span(years: Sequence[int]) -> str:
    """``1995-2011`` for a run of years, else the list."""
    run = len(years) > 2 and list(years) == list(range(years[0], years[-1] + 1))
    return f"{years[0]}-{years[-1]}" if run else ", ".join(map(str, years)) or "no year"


def share(
    frame: pd.DataFrame, numerator: str = "DVA", denominator: str = "EXGR", *, column: str = "term"
) -> pd.DataFrame:
    """``numerator / denominator`` per series and year (DVA / EXGR: the DVA share of gross
    exports, from ``bm`` or ``my`` results), as rows with ``column`` = ``"<numerator>_SH"``;
    NaN where the denominator is 0."""
    if column not in frame.columns:
        raise OptionError(f"the frame has no column {column!r} (columns: {list(frame.columns)})")
    keys = [c for c in frame.columns if c not in (column, "value")]
    parts = {}
    for term in (numerator, denominator):
        rows = frame[frame[column] == term]
        if rows.empty:
            held = ", ".join(map(str, frame[column].unique()))
            raise OptionError(f"no {column} {term!r} in the frame (it holds: {held})")
        parts[term] = rows.set_index(keys)["value"]
    den = parts[denominator]
    result = (parts[numerator] / den.where(den != 0)).rename("value").reset_index()
    result.insert(len(keys), column, f"{numerator}_SH")
    return result


def changes(frame: pd.DataFrame, *, base: str | int = "previous") -> pd.DataFrame:
    """Change of every series (one per value of the key columns: country, sector, indicator...)
    between years, long and ready for charts: keys, ``year``, ``value``, ``base_year``,
    ``base_value``, ``change`` = value − base_value and ``relative_change`` = change /
    |base_value| (NaN where the base value is 0 or missing). ``base``: ``"previous"`` (the
    series' previous year), ``"first"`` or a year. Use it on participation, position
    (``--by sector`` for country-sectors) or the :func:`share` of bm results."""
    keys = [c for c in frame.columns if c not in ("year", "value", "source")]
    if not {"year", "value"} <= set(frame.columns) or not keys:
        raise OptionError(f"not a panel frame (key columns, year, value): {list(frame.columns)}")
    data = frame[[*keys, "year", "value"]].astype({"year": "int64"})
    data = data.sort_values([*keys, "year"], kind="stable").reset_index(drop=True)
    if data.duplicated([*keys, "year"]).any():
        raise OptionError("several rows for one series and year: is the frame one measure?")
    grouped = data.groupby(keys, sort=False, dropna=False)[["year", "value"]]
    if base in ("previous", "first"):
        at = grouped.shift(1) if base == "previous" else grouped.transform("first")
        base_year, base_value = at["year"], at["value"]
    else:
        year = _base_year(base, data["year"])
        at = data.loc[data["year"] == year, [*keys, "value"]]
        base_value = data[keys].merge(at, on=keys, how="left")["value"]
        base_year = pd.Series(year, index=data.index, dtype="Int64").where(base_value.notna())
    out = data.assign(base_year=base_year.astype("Int64"), base_value=base_value)
    out["change"] = out["value"] - out["base_value"]
    size = out["base_value"].abs()
    out["relative_change"] = out["change"] / size.where(size != 0)
    return out


def _base_year(base: str | int, years: pd.Series) -> int:
    """The base year asked for, which must be in the panel."""
    if isinstance(base, str) and not base.isdigit():
        raise OptionError(f"base must be 'previous', 'first' or a year, not {base!r}")
    present = sorted(set(years.tolist()))
    if int(base) not in present:
        raise OptionError(f"base year {base} is not in the panel ({year_span(present)})")
    return int(base)
