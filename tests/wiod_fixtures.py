"""Small WIOD tables written in each release's published layout (Timmer et al. 2015).

Layouts (see src/gvckit/icio/readers/_wiot.py, wiod.py and ../shared/FORMATS.md):

- 2013 xlsx (``WIOT09_ROW_Sep12.xlsx``), as pymrio's mock ``wiot09_row_sep12.xlsx`` (a cut of
  the published file): sheet ``WIOT_2009``; A1-A4 title, "N countries, in current prices",
  "(industry-by-industry)", "(millions of US$)"; rows 3-6 over the data columns: ISIC code,
  description, country, ``c`` code; data from E7; columns A-D of each row: ISIC code
  (``AtB``, ``C``, ``15t16``; numeric ones like 19 as numbers), description, country, ``c1``..;
  final demand ``c37 c38 c39 c41 c42`` (no ISIC code), the column "Total output" (description
  only); valuation rows ``r60`` (country ``TOT``), ``r99``, ``r61``-``r64``, transport margins
  (no code) and ``r69``, with blank final-demand cells. Romania is ``ROM``, the rest ``RoW``.
- 2016 xlsb (``WIOT2014_Nov16_ROW.xlsb``), as CLIMADA's ``WIOTtest_Nov16_ROW.xlsb`` (a cut of
  the published file, read with pyxlsb): sheet ``2014``; A1 "Intercountry Input-Output Table",
  A2 "43 countries, in current prices", A3-A4 as 2013; row 3 industry codes (``A01`` ...) and
  ``GO``, row 4 descriptions and "Total output", row 5 countries and ``TOT``, row 6 ``c1``..
  and ``c62``; rows: industry code, description, country, ``r1``..; valuation rows ``II_fob``
  ... ``GO`` (country ``TOT``, codes ``r65``-``r71``, ``r73``). The cut has no final-demand
  columns: those are written like the intermediate ones with codes ``c57``-``c61`` and the
  descriptions of the R release (unverified: their row-3 cells are left blank).
- 2016 RData (``WIOT2014_October16_ROW.RData``): data frame ``wiot`` (columns IndustryCode,
  IndustryDescription, Country, RNr, Year, ``AUS1`` ... ``ROW56``, ``AUS57`` ... ``ROW61``,
  ``TOT``), written with the ``rdata`` package (R-free) with the class data.table/data.frame.

Numbers are a random balanced table: rows add up to output, columns (with the valuation rows)
too, so that the read table can be compared with the generated arrays exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook

from xlsb_writer import write_xlsb


def codes(text: str) -> list[str]:
    """The whitespace-separated codes of ``text``."""
    return text.split()


FD_DESCRIPTIONS = (
    "Final consumption expenditure by households",
    "Final consumption expenditure by non-profit organisations serving households (NPISH)",
    "Final consumption expenditure by government",
    "Gross fixed capital formation",
    "Changes in inventories and valuables",
)


@dataclass(frozen=True)
class Release:
    name: str
    countries: tuple[str, ...]
    isic: tuple[object, ...]  # industry codes (row 3 / column A)
    descriptions: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def sectors(self) -> tuple[str, ...]:
        """The sector labels of the read table."""
        if self.name == "2016":
            return tuple(str(c) for c in self.isic)
        return tuple(f"c{k}" for k in range(1, len(self.isic) + 1))


R2013 = Release(
    "2013",
    ("AUS", "ROM", "RoW"),
    ("AtB", "C", 19),
    ("Agriculture, Hunting, Forestry and Fishing", "Mining and Quarrying",
     "Leather, Leather and Footwear"),
    ("c37", "c38", "c39", "c41", "c42"),
)  # fmt: skip
R2016 = Release(
    "2016",
    ("AUS", "DEU", "ROW"),
    ("A01", "B", "C10-C12", "U"),
    ("Crop and animal production, hunting and related service activities",
     "Mining and quarrying", "Manufacture of food products, beverages and tobacco products",
     "Activities of extraterritorial organizations and bodies"),
    ("c57", "c58", "c59", "c60", "c61"),
)  # fmt: skip

VALUATION_2013 = (  # (column C, column D, description) as in the 2013 release
    ("TOT", "r60", "Total intermediate consumption"),
    (None, "r99", "taxes less subsidies on products"),
    (None, "r61", "Cif/ fob adjustments on exports"),
    (None, "r62", "Direct purchases abroad by residents"),
    (None, "r63", "Purchases on the domestic territory by non-residents "),
    (None, "r64", "Value added at basic prices"),
    (None, None, "International Transport Margins"),
    (None, "r69", "Output at basic prices"),
)
VALUATION_2016 = (  # (column A, column D, description) as in the 2016 release
    ("II_fob", "r65", "Total intermediate consumption"),
    ("TXSP", "r66", "taxes less subsidies on products"),
    ("EXP_adj", "r67", "Cif/ fob adjustments on exports"),
    ("PURR", "r68", "Direct purchases abroad by residents"),
    ("PURNR", "r69", "Purchases on the domestic territory by non-residents "),
    ("VA", "r70", "Value added at basic prices"),
    ("IntTTM", "r71", "International Transport Margins"),
    ("GO", "r73", "Output at basic prices"),
)
PRIMARY = ("TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM")


@dataclass(frozen=True)
class Table:
    """A balanced table: Z, Y (n × countries × categories), output and the valuation rows.

    Every number has at most three decimals, so that it is written and read back exactly and
    sums stay exact up to the last bit: rows add up to output, columns (intermediate inputs and
    valuation rows) too."""

    release: Release
    Z: np.ndarray
    Y: np.ndarray
    x: np.ndarray
    primaries: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return int(self.Z.shape[0])


def balanced(G: int, N: int, F: int, seed: int, empty_last: bool = False) -> tuple[np.ndarray, ...]:
    """Z, Y, x and the valuation rows (TXSP, EXP_adj, PURR, PURNR, VA, IntTTM) of a random
    balanced table; with ``empty_last`` the last sector of each country has no output."""
    rng = np.random.default_rng(seed)
    n = G * N
    A = rng.random((n, n)) * 0.2
    A *= rng.uniform(0.2, 0.6, n) / A.sum(axis=0)
    Y = rng.random((n, G, F)) * 40
    Y[:, :, -1] -= 6.0  # inventories: some negative
    if empty_last:
        A[N - 1 :: N, :] = 0.0
        A[:, N - 1 :: N] = 0.0
        Y[N - 1 :: N] = 0.0
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=(1, 2)))
    Z = np.round(A * x[None, :], 3)
    Y = np.round(Y, 3)
    x = np.round(Z.sum(axis=1) + Y.sum(axis=(1, 2)), 3)
    inputs = Z.sum(axis=0)
    txsp, purr, purnr, ttm = (np.round(r * x, 3) for r in (0.03, 0.002, -0.001, 0.004))
    va = np.round(x - inputs - txsp - purr - purnr - ttm, 3)
    return Z, Y, x, txsp, np.zeros(n), purr, purnr, va, ttm


def generate(release: Release, seed: int = 11) -> Table:
    G, N, F = len(release.countries), len(release.isic), len(release.categories)
    Z, Y, x, *rows = balanced(G, N, F, seed, empty_last=release.name == "2016")
    return Table(release, Z, Y, x, dict(zip(PRIMARY, rows, strict=True)))


def _f(v: float) -> float:
    return float(v)


def sheet_rows(t: Table) -> list[list[object]]:
    """The table's sheet, row by row, in the release's published layout."""
    rel, G, N = t.release, len(t.release.countries), len(t.release.isic)
    n = t.n
    cats = rel.categories
    is16 = rel.name == "2016"
    title = "Intercountry Input-Output Table" if is16 else "World Input-Output Table for 2009"
    counted = "43 countries" if is16 else f"{G} countries"
    fd_cols = [(c, k) for c in range(G) for k in range(len(cats))]
    header: list[list[object]] = [
        [title],
        [f"{counted}, in current prices"],
        ["(industry-by-industry)", None, None, None],
        ["(millions of US$)", None, None, None],
        [None] * 4,
        [None] * 4,
    ]
    for c in range(G):
        for s in range(N):
            header[2].append(rel.isic[s])
            header[3].append(rel.descriptions[s])
            header[4].append(rel.countries[c])
            header[5].append(f"c{s + 1}")
    for c, k in fd_cols:
        header[2].append(None)
        header[3].append(FD_DESCRIPTIONS[k])
        header[4].append(rel.countries[c])
        header[5].append(cats[k])
    header[2].append("GO" if is16 else None)
    header[3].append("Total output")
    header[4].append("TOT" if is16 else None)
    header[5].append("c62" if is16 else None)
    rows = header
    for i in range(n):
        c, s = divmod(i, N)
        code = f"r{s + 1}" if is16 else f"c{s + 1}"
        row: list[object] = [rel.isic[s], rel.descriptions[s], rel.countries[c], code]
        row += [_f(v) for v in t.Z[i]]
        row += [_f(t.Y[i, d, k]) for d, k in fd_cols]
        row.append(_f(t.x[i]))
        rows.append(row)
    blank: list[object] = [0.0 if is16 else None] * (len(fd_cols) + 1)
    values = {"II_fob": t.Z.sum(axis=0), "GO": t.x, **t.primaries}
    if is16:
        for code, rcode, desc in VALUATION_2016:
            rows.append([code, desc, "TOT", rcode, *map(_f, values[code]), *blank])
    else:
        keys = ("II_fob", "TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM", "GO")
        for key, (country, rcode, desc) in zip(keys, VALUATION_2013, strict=True):
            rows.append([None, desc, country, rcode, *map(_f, values[key]), *blank])
    return rows


def write_xlsx(t: Table, path: Path, sheet: str = "WIOT_2009") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in sheet_rows(t):
        ws.append(row)
    wb.save(path)
    return path


def write_xlsb_table(t: Table, path: Path, sheet: str = "2014") -> Path:
    return write_xlsb(path, {sheet: sheet_rows(t)})


def r_frame(t: Table, year: int = 2014) -> Any:
    """The ``wiot`` data frame of the R release."""
    import pandas as pd

    rel, N = t.release, len(t.release.isic)
    n = t.n
    cats = rel.categories
    zcols = [f"{c}{s + 1}" for c in rel.countries for s in range(N)]
    fdcols = [f"{c}{cat[1:]}" for c in rel.countries for cat in cats]
    body = np.zeros((n + len(VALUATION_2016), n + len(fdcols) + 1))
    body[:n, :n] = t.Z
    body[:n, n : n + len(fdcols)] = t.Y.reshape(n, -1)
    body[:n, -1] = t.x
    values = {"II_fob": t.Z.sum(axis=0), "GO": t.x, **t.primaries}
    labels: list[tuple[str, str, str, float]] = [
        (str(rel.isic[i % N]), rel.descriptions[i % N], rel.countries[i // N], float(i % N + 1))
        for i in range(n)
    ]
    for k, (code, rcode, desc) in enumerate(VALUATION_2016):
        body[n + k, :n] = values[code]
        labels.append((code, desc, "TOT", float(rcode[1:])))
    frame = pd.DataFrame(body, columns=zcols + fdcols + ["TOT"])
    front = pd.DataFrame(
        {
            "IndustryCode": np.array([lab[0] for lab in labels], dtype=object),
            "IndustryDescription": np.array([lab[1] for lab in labels], dtype=object),
            "Country": np.array([lab[2] for lab in labels], dtype=object),
            "RNr": [lab[3] for lab in labels],
            "Year": [float(year)] * len(labels),
        }
    )
    out = pd.concat([front, frame], axis=1)
    for col in ("IndustryCode", "IndustryDescription", "Country"):
        out[col] = out[col].astype(object)
    return out


def _data_table(data: Any, converter: Any) -> Any:
    """An R data frame with the classes of a data.table (as ``load()`` of a WIOD file gives)."""
    from rdata.conversion import to_r
    from rdata.missing import R_INT_NA
    from rdata.parser import RObjectType

    value = [converter.convert_to_r_object(to_r.convert_pd_array_to_np_array(s.array))
             for _, s in data.items()]  # fmt: skip
    n = data.shape[0]
    row_names = np.ma.array(data=[R_INT_NA, -n], mask=[True, False], fill_value=R_INT_NA)
    attrs = converter.convert_to_r_attributes(
        {
            "names": np.array([str(c) for c in data.columns], dtype="U"),
            "class": np.array(["data.table", "data.frame"], dtype="U"),
            "row.names": row_names,
        }
    )
    return to_r.build_r_object(RObjectType.VEC, value=value, is_object=True, attributes=attrs)


def write_rdata(
    t: Table, path: Path, year: int = 2014, objects: dict[str, Any] | None = None
) -> Path:
    """``wiot`` saved as R saves it (gzip, XDR, format 3), with the classes of a data.table;
    ``objects`` replaces what is saved (for broken files)."""
    import pandas as pd
    import rdata
    from rdata.conversion import to_r

    classes = {**to_r.DEFAULT_CLASS_MAP, pd.DataFrame: _data_table}
    rdata.write_rda(path, objects if objects is not None else {"wiot": r_frame(t, year)},
                    constructor_dict=classes)  # fmt: skip
    return path
