"""Conversion of IATI values to US dollars with annual-average exchange rates.

A rate table is a CSV with columns ``currency,year,usd_per_unit`` (US dollars per unit of the
currency, the year's average). A value is converted with the rate of its value date's year;
USD values are kept; a value whose currency or year is not in the table stays unconverted
(``value_usd`` empty) rather than being converted with another year's rate.

:func:`shipped_rates` is the table gvckit ships (``data/usd_rates.csv``): annual averages of the
Federal Reserve Board's G.5A releases for 22 currencies, 2012–2015 and 2017–2023 (see the file's
header for the releases used and the gaps).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from gvckit.errors import InputError

__all__ = ["Rates", "read_rates", "shipped_rates"]


@dataclass(frozen=True)
class Rates:
    """Annual-average rates: (currency, year) → US dollars per unit."""

    table: dict[tuple[str, int], float]
    source: str = ""

    def to_usd(self, value: float, currency: str, value_date: str | None) -> float | None:
        """``value`` in US dollars, or None when no rate applies."""
        if currency == "USD":
            return value
        if not value_date or not value_date[:4].isdigit():
            return None
        rate = self.table.get((currency, int(value_date[:4])))
        return None if rate is None else value * rate


def read_rates(path: str | Path) -> Rates:
    """Read a rate table (``currency,year,usd_per_unit``); errors name the row and column."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=p)
    table: dict[tuple[str, int], float] = {}
    with p.open(newline="", encoding="utf-8-sig") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        header = [h.strip() for h in next(rows, [])]
        need = ["currency", "year", "usd_per_unit"]
        if header[:3] != need:
            raise InputError("wrong header", file=p, row=1, expected=",".join(need),
                             found=",".join(header))  # fmt: skip
        for k, rec in enumerate(rows, start=2):
            if not rec:
                continue
            try:
                cur, year, rate = rec[0].strip().upper(), int(rec[1]), float(rec[2])
            except (ValueError, IndexError):
                raise InputError(
                    "not a currency, year and rate",
                    file=p,
                    row=k,
                    expected="e.g. EUR,2020,1.1422",
                    found=",".join(rec),
                ) from None
            if len(cur) != 3 or not math.isfinite(rate) or rate <= 0:
                raise InputError("bad currency code or rate", file=p, row=k,
                                 expected="ISO 4217 code and a positive rate",
                                 found=",".join(rec))  # fmt: skip
            table[(cur, year)] = rate
    return Rates(table, str(p))


def shipped_rates() -> Rates:
    """The rate table shipped with gvckit (Federal Reserve G.5A annual averages)."""
    from importlib.resources import files

    return read_rates(Path(str(files("gvckit") / "data" / "usd_rates.csv")))
