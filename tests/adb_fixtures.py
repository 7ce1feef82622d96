"""Small ADB MRIO workbooks written in the published layout (ADB MRIO database).

Layout (see src/gvckit/icio/readers/adb.py and ../shared/FORMATS.md), from exvatools
(R/extract_mrio.R: data from E8, 35 sectors, 5 final-demand columns per economy, total column
after them), third-party scripts reading the workbooks (sheet ``ADB MRIO 2024`` beside a
``Legend`` sheet of codes and names; economy codes in column C, ``ToT`` on the valuation rows;
total output in the last valuation row and value added + taxes in rows r64/r99) and MARIO's ADB
parser and its mock (title rows, header rows of descriptions, economies and codes ``c1`` ...,
``F1`` ... ``F5``, ``TOTAL``/``ToT``; valuation codes r60 r99 r61 r62 r63 r64 trs r69). The
fixture is a cut of a published table: a few economies and sectors, the title rows as for the
edition it imitates. Numbers come from the balanced tables of :mod:`wiod_fixtures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from wiod_fixtures import FD_DESCRIPTIONS, PRIMARY, balanced

SECTORS = (
    "Agriculture, hunting, forestry, and fishing",
    "Mining and quarrying",
    "Food, beverages, and tobacco",
    "Textiles and textile products",
)
VALUATION = (  # (code, description) as in the workbooks
    ("r60", "Intermediate input total"),
    ("r99", "Taxes less subsidies on products"),
    ("r61", "CIF / FOB adjustments"),
    ("r62", "Direct purchases abroad by residents"),
    ("r63", "Purchases on the domestic territory by non-residents"),
    ("r64", "Value added at basic prices"),
    ("trs", "International Transport Margins"),
    ("r69", "TOTAL"),
)
KEYS = ("II_fob", "TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM", "GO")


@dataclass(frozen=True)
class Variant:
    name: str  # "62" or "72"
    file: str
    year: int
    economies: tuple[str, ...]
    published: int  # economies + RoW in the published table (the subtitle)
    prices: str = "current prices"


VARIANTS = {
    "62": Variant("62", "ADB-MRIO62-2019_Dec2022.xlsx", 2019, ("PRC", "KAZ", "RoW"), 63),
    "72": Variant("72", "ADB-MRIO-2022_June2023.xlsx", 2022, ("ARG", "NZL", "SAU", "RoW"), 73),
    "62k": Variant(
        "62",
        "ADB MRIO 2019, at constant 2010 prices.xlsx",
        2019,
        ("GER", "PRC", "RoW"),
        63,
        prices="constant 2010 prices",
    ),
}


@dataclass(frozen=True)
class AdbTable:
    variant: Variant
    Z: object
    Y: object
    x: object
    primaries: dict[str, object]


def generate(variant: Variant, seed: int = 5) -> AdbTable:
    G, N = len(variant.economies), len(SECTORS)
    Z, Y, x, *rows = balanced(G, N, 5, seed)
    return AdbTable(variant, Z, Y, x, dict(zip(PRIMARY, rows, strict=True)))


def sheet_rows(t: AdbTable, blank_zeros: bool = False) -> list[list[object]]:
    """The data sheet row by row; ``blank_zeros`` leaves the cells holding 0 empty."""
    v = t.variant
    G, N = len(v.economies), len(SECTORS)
    Z, Y, x = t.Z, t.Y, t.x
    fd = [(d, k) for d in range(G) for k in range(5)]

    def num(value: float) -> float | None:
        return None if blank_zeros and value == 0 else float(value)

    rows: list[list[object]] = [
        [f"Multiregional Input-Output Table {v.year}"],
        [f"{v.published} economies, at {v.prices} (industry by industry)"],
        ["In millions of US$"],
        [],
        [None] * 4 + [SECTORS[s] for _ in range(G) for s in range(N)]
        + [FD_DESCRIPTIONS[k] for _, k in fd] + ["TOTAL"],
        [None] * 4 + [e for e in v.economies for _ in range(N)]
        + [v.economies[d] for d, _ in fd] + ["ToT"],
        [None] * 4 + [f"c{s + 1}" for _ in range(G) for s in range(N)]
        + [f"F{k + 1}" for _, k in fd] + [None],
    ]  # fmt: skip
    for i in range(G * N):
        e, s = divmod(i, N)
        row: list[object] = [None, SECTORS[s], v.economies[e], f"c{s + 1}"]
        row += [num(z) for z in Z[i]]  # type: ignore[index]
        row += [num(Y[i, d, k]) for d, k in fd]  # type: ignore[index]
        row.append(float(x[i]))  # type: ignore[index]
        rows.append(row)
    values = {"II_fob": Z.sum(axis=0), "GO": x, **t.primaries}  # type: ignore[attr-defined]
    for key, (code, desc) in zip(KEYS, VALUATION, strict=True):
        rows.append([None, desc, "ToT", code, *(float(a) for a in values[key])])
    return rows


def write(t: AdbTable, folder: Path, blank_zeros: bool = False, name: str | None = None) -> Path:
    v = t.variant
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"ADB MRIO {v.year}"
    for row in sheet_rows(t, blank_zeros):
        ws.append(row)
    legend = wb.create_sheet("Legend")
    legend.append(["Code", "Country"])
    names = {
        "PRC": "People's Republic of China",
        "KAZ": "Kazakhstan",
        "ARG": "Argentina",
        "NZL": "New Zealand",
        "SAU": "Saudi Arabia",
        "GER": "Germany",
        "RoW": "Rest of the World",
    }
    for e in v.economies:
        legend.append([e, names[e]])
    path = folder / (name or v.file)
    wb.save(path)
    return path
