"""Asian Development Bank multiregional input-output tables (ADB MRIO database), as published.

One workbook per year and edition; names vary (``ADB-MRIO-2007.xlsx``,
``ADB-MRIO-2015_Mar2022.xlsx``, ``ADB-MRIO62-2019_Dec2022.xlsx``, ``ADB-MRIO-2021_June2023.xlsx``,
``ADB-MRIO72-2022_July 2025.xlsx``, ``ADB MRIO 2019, at constant 2010 prices.xlsx``). Editions:
62 economies + RoW (2000, 2007-), 72 economies + RoW (2017-), 74 + RoW (recent years); current
or constant 2010 prices.

Layout: the WIOD 2013 one (:mod:`gvckit.icio.readers._wiot`) with its own header: a data sheet
(``ADB MRIO 2024``) beside a ``Legend`` sheet of economy codes and names; A1 the title, A2
"<N> economies, at current prices (industry by industry)", A3 "In millions of US$", row 4 empty,
row 5 descriptions, row 6 economy codes (ADB codes as published: ``PRC``, ``GER``, ``RoW`` ...),
row 7 the codes ``c1`` ... ``c35`` and final demand ``F1`` ... ``F5`` (households, NPISH,
government, GFCF, inventories), then the total-output column (``TOTAL``, economy ``ToT``); data
from E8, labels in B (description), C (economy) and D (code); valuation rows ``r60 r99 r61 r62
r63 r64 trs r69`` (economy ``ToT``). Empty cells read as 0 (published workbooks have some).
Values are millions of US$ at basic prices.
"""

from __future__ import annotations

import re
from pathlib import Path

from gvckit.errors import InputError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress
from gvckit.icio.readers._sheets import open_book, text
from gvckit.icio.readers._wiot import Parts, parse_sheet
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["ADB_FILE", "read_adb", "sniff_adb"]

#: Names of the published workbooks (``ADB-MRIO...``, ``ADB MRIO ...``).
ADB_FILE = re.compile(r"ADB[-_ ]?MRIO", re.IGNORECASE)
#: Economies (without RoW) of each edition.
EDITIONS = (62, 72, 74)
LEGEND = "legend"


def sniff_adb(name: str, sheets: list[str], head: list[list[object]]) -> bool:
    """True for an ADB MRIO workbook: by its name, its sheets or its final-demand codes."""
    if ADB_FILE.search(name):
        return True
    if any(s.lower() == LEGEND for s in sheets) and any(
        s.upper().startswith("ADB") for s in sheets
    ):
        return True
    for k, row in enumerate(head):
        if len(row) > 4 and text(row[4]).lower() == "c1" and k >= 2:
            return "F1" in {text(v) for v in row}
    return False


def data_sheet(sheets: list[str]) -> str | None:
    """The table's sheet: the first one that is not the legend."""
    return next((s for s in sheets if s.strip().lower() != LEGEND), None)


def read_adb(
    path: str | Path,
    *,
    sheet: str | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read an ADB MRIO workbook (``.xlsx``) as published.

    ``sheet`` names the sheet holding the table (default: the first one that is not the
    ``Legend``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    with open_book(path, str(path), max_bytes, kind="xlsx") as book:
        if sheet is not None:
            book.require(sheet, "the sheet holding the table (option sheet)")
        ws = sheet or data_sheet(book.sheetnames)
        if ws is None:
            raise InputError(
                "no data sheet",
                file=path,
                expected="a sheet holding the table beside the 'Legend'",
                found=", ".join(book.sheetnames),
            )
        parts, head = parse_sheet(
            book.rows(ws, progress), book.where(ws), labels="code", blank_as_zero=True
        )
    _check_final_codes(parts, book.where(ws))
    titles = [text(r[0]) if r else "" for r in head[:4]]
    return parts.table(_meta(path.name, ws, titles, parts), output_basis)


def _check_final_codes(parts: Parts, where: str) -> None:
    """ADB final demand is coded F1 ... F5; other codes mean another layout (e.g. WIOD)."""
    odd = [c for c in parts.categories if not re.fullmatch(r"F\d+", c)]
    if odd:
        raise InputError(
            "final-demand columns are not coded like the ADB MRIO tables",
            file=where,
            expected="codes F1 ... F5 in the code row (is this a WIOD table? use --format wiod)",
            found=", ".join(odd[:5]),
        )


def _edition(parts: Parts, name: str, subtitle: str) -> str:
    """Economies of the edition: from the table when complete, else the subtitle, else the
    file name (``ADB-MRIO62-...``, ``...-62.xlsx``)."""
    economies = len(parts.entities) - (1 if parts.entities[-1].upper() == "ROW" else 0)
    if economies in EDITIONS:
        return f"{economies} economies"
    said = re.search(r"(\d+)\s+economies", subtitle, re.IGNORECASE)
    if said:
        return f"{int(said.group(1)) - 1} economies"
    named = re.search(r"MRIO[-_ ]?(\d\d)\b|-(\d\d)\.xlsx$", name, re.IGNORECASE)
    if named:
        return f"{named.group(1) or named.group(2)} economies"
    return "unknown"


def _meta(name: str, sheet: str, titles: list[str], parts: Parts) -> TableMeta:
    """Provenance: edition, year and prices from the table, its titles and its file name."""
    title, subtitle = titles[0], titles[1] if len(titles) > 1 else ""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", f"{name} {sheet} {title}")
    constant = re.search(r"constant\s+(\d{4})\s+prices", f"{subtitle} {name}", re.IGNORECASE)
    prices = f"constant {constant.group(1)} prices" if constant else "current prices"
    notes = ["economy codes as published (ADB codes, e.g. PRC, GER; names in the Legend sheet)"]
    if constant and years and years[0] == constant.group(1):
        years = years[1:]
    return TableMeta(
        source="ADB Multiregional Input-Output Tables (ADB MRIO database)",
        edition=_edition(parts, name, subtitle),
        year=int(years[0]) if years else None,
        unit=f"millions of US$, {prices}",
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs (value added plus net taxes on"
        " products and margins); the published valuation rows are kept (TXSP, EXP_adj, PURR,"
        " PURNR, VA, IntTTM)",
        file=name,
        notes=tuple(notes),
        inventories=inventory_categories(parts.categories, ("F5",)),  # F5: inventories
    )
