"""FIGARO inter-country input-output tables of Eurostat, as published (Remond-Tiedrez &
Rueda-Cantuche, eds., 2019, "EU inter-country supply, use and input-output tables — Full
international and global accounts for research in input-output analysis (FIGARO)", Eurostat
Statistical Working Papers).

Release: one CSV per year and table, ``matrix_eu-ic-io_ind-by-ind_<NN>ed_<YYYY>.csv``
(industry by industry) or ``matrix_eu-ic-io_prod-by-prod_<NN>ed_<YYYY>.csv`` (product by
product); the 2022 edition has no ``_<NN>ed``, some files end in ``_v2``. Comma-separated: the
header row is ``rowLabels`` then column labels; every label is ``<area>_<code>``:

- areas: two-letter Eurostat codes, ``FIGW1`` for the rest of the world (sorting after FI), and
  ``W2`` (domestic) for value-added rows; 46 areas up to the 24th edition, 50 in the 25th;
- industries ``AT_A01`` … ``AT_U`` (64 NACE Rev. 2 codes; products ``AT_CPA_A01``), area-major;
- final demand, five per area: ``AT_P3_S13`` (government), ``AT_P3_S14`` (households),
  ``AT_P3_S15`` (NPISH), ``AT_P51G`` (GFCF), ``AT_P5M`` (changes in inventories and valuables);
- rows after the industries: ``W2_D21X31`` (taxes less subsidies on products), ``W2_OP_RES``,
  ``W2_OP_NRES`` (purchases abroad by residents / by non-residents here), ``W2_D1``
  (compensation of employees), ``W2_D29X39`` (other net taxes on production), ``W2_B2A3G``
  (operating surplus and mixed income). No output column or row.

Values are million euros at current basic prices. Output is derived (x = Z·1 + Y·1); the W2 rows
are kept as primary inputs of the industries; their cells in final-demand columns (taxes on final
products and the purchases adjustments) lie outside the model and are totalled in the notes.
Plain or gzipped CSVs are read, as are zips or folders of them (``year`` and ``table`` pick one).
The layout is recognised from the labels, not from fixed positions.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress
from gvckit.icio.readers._cells import check_final_demand, check_unique, numeric_block
from gvckit.icio.readers._csv import CsvTable, read_csv_table, row_labels
from gvckit.icio.readers._layout import entity_major
from gvckit.icio.readers._members import Archive, basename
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["VALUE_ADDED_AREA", "read_figaro", "sniff_figaro", "sniff_figaro_members"]

#: Area code of the value-added rows (W2: domestic, home or reference area).
VALUE_ADDED_AREA = "W2"
REST_OF_WORLD = "FIGW1"
CORNER = "rowlabels"
TABLES = {"ind-by-ind": "industry by industry", "prod-by-prod": "product by product"}
_MEMBER = re.compile(
    r"matrix_eu-ic-io_(ind-by-ind|prod-by-prod)(?:_(\d\d)ed)?_((?:19|20)\d\d)(?:_v\d+)?"
    r"\.csv(?:\.gz)?$",
    re.IGNORECASE,
)


def sniff_figaro(header: list[str]) -> bool:
    """True when a CSV header row is a FIGARO matrix's (``rowLabels``, then ``AR_A01`` …)."""
    return len(header) > 1 and header[0].strip().lower() == CORNER and "_" in header[1]


def sniff_figaro_members(names: tuple[str, ...] | list[str]) -> bool:
    """True when a zip or folder holds FIGARO matrices."""
    return any(_MEMBER.search(basename(n)) for n in names)


@dataclass(frozen=True)
class _Named:
    """What a file's name says: table kind, edition and year (None where it says nothing)."""

    table: str | None
    edition: str | None
    year: int | None


def _named(filename: str) -> _Named:
    m = _MEMBER.search(filename)
    if m is None:
        found = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", filename)
        return _Named(None, None, int(found.group(1)) if found else None)
    edition = f"20{m.group(2)}" if m.group(2) else "2022"
    return _Named(m.group(1).lower(), edition, int(m.group(3)))


def _choose(path: Path, year: int | None, table: str | None) -> tuple[Archive, str]:
    """The matrix to read in a zip or folder."""
    archive = Archive.of(path)
    found = [(n, _named(basename(n))) for n in archive.matching(_MEMBER)]
    if not found:
        raise InputError(
            "no FIGARO table inside",
            file=path,
            expected="files named matrix_eu-ic-io_ind-by-ind_NNed_YYYY.csv",
        )
    chosen = [
        (n, f)
        for n, f in found
        if (year is None or f.year == year) and (table is None or f.table == table)
    ]
    if not chosen:
        raise InputError(
            "no FIGARO table " + " ".join(str(v) for v in (table, year) if v) + " inside",
            file=path,
            expected="one of " + ", ".join(sorted(basename(n) for n, _ in found)),
        )
    if len({f.year for _, f in chosen}) > 1:
        years = sorted({f.year for _, f in chosen if f.year is not None})
        raise InputError(
            f"holds tables for several years ({', '.join(map(str, years))})",
            file=path,
            expected="a year (option --year / year=)",
        )
    if len({f.table for _, f in chosen}) > 1:
        raise InputError(
            "holds industry-by-industry and product-by-product tables",
            file=path,
            expected="table='ind-by-ind' or 'prod-by-prod'",
        )
    return archive, chosen[0][0]


def read_figaro(
    path: str | Path,
    *,
    year: int | None = None,
    table: str | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read a FIGARO matrix: a CSV file (plain or gzip), or a zip or folder of them.

    ``year`` and ``table`` ('ind-by-ind' or 'prod-by-prod') pick the matrix in a zip or folder
    holding several; a single CSV must be of that year and table."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if table is not None and table not in TABLES:
        raise InputError(
            f"unknown FIGARO table {table!r}", expected="'ind-by-ind' or 'prod-by-prod'"
        )
    source: Path | IO[bytes] = path
    shown, filename = str(path), path.name
    if path.is_dir() or zipfile.is_zipfile(path):
        archive, member = _choose(path, year, table)
        shown, filename = archive.shown(member), basename(member)
        source = archive.open(member, max_bytes=max_bytes, progress=progress)
    elif path.suffix.lower() == ".zip":
        Archive.of(path)  # a zip zipfile cannot open: "not a valid zip file"
    else:
        named = _named(path.name)
        for asked, got, what in ((year, named.year, "year"), (table, named.table, "table")):
            if asked is not None and got is not None and asked != got:
                raise InputError(
                    f"the file holds the {got} table (by its name), not {asked}",
                    file=path,
                    expected=f"the {what} asked for, or a zip or folder holding it",
                )
    csv = read_csv_table(
        source, shown, text_columns=lambda _: [0], max_bytes=max_bytes, progress=progress
    )
    return _table(csv, shown, filename, output_basis)


@dataclass(frozen=True)
class _Axes:
    """Labels of the matrix by kind."""

    rows: list[str]
    industries: list[str]  # intermediate-use columns (= industry rows), in header order
    entities: list[str]
    sectors: list[str]
    final: list[tuple[str, str, str]]  # (column, destination, category)
    va_rows: list[str]


def _split(label: str) -> tuple[str, str]:
    area, _, code = label.partition("_")
    return area, code


def _axes(csv: CsvTable, shown: str) -> _Axes:
    """Check the labels and sort rows and columns by kind."""
    header = csv.header
    if not sniff_figaro(header):
        raise InputError(
            "does not look like a FIGARO matrix",
            file=shown,
            row=1,
            column=1,
            expected="a header row 'rowLabels,AR_A01,…' (Eurostat's matrix_eu-ic-io CSV)",
            found=",".join(header[:3]),
        )
    columns = header[1:]
    check_unique(columns, shown, "column", first=2)
    rows = row_labels(
        csv,
        shown,
        "a row per industry (like 'AT_A01'), then the W2 rows",
        "a label like 'AT_A01' or 'W2_D1'",
    )
    colset = set(columns)
    industries = [r for r in rows if _split(r)[0] != VALUE_ADDED_AREA]
    for k, r in enumerate(rows):
        area, code = _split(r)
        if not code:
            raise InputError(
                "row label is not '<area>_<code>'",
                file=shown,
                row=k + 2,
                column=1,
                expected="a label like 'AT_A01' or 'W2_D1'",
                found=r,
            )
        if area != VALUE_ADDED_AREA and r not in colset:
            raise InputError(
                "industry row without its intermediate-use column",
                file=shown,
                row=k + 2,
                column=1,
                expected=f"a column labelled {r!r}",
            )
    pairs = [_split(r) for r in industries]
    areas, codes = {a for a, _ in pairs}, {c for _, c in pairs}
    indset = set(industries)
    for c in columns:
        area, code = _split(c)
        if area in areas and code in codes and c not in indset:
            raise InputError(
                "intermediate-use column without its industry row",
                file=shown,
                row=1,
                column=c,
                expected=f"a row labelled {c!r}",
            )
    industries = [c for c in columns if c in indset]  # the header's order
    entities, sectors = entity_major(
        [_split(c) for c in industries],
        shown,
        lambda k: {"row": 1, "column": industries[k]},
        "intermediate-use columns",
    )
    final: list[tuple[str, str, str]] = []
    for c in columns:
        if c in indset:
            continue
        area, code = _split(c)
        if area not in entities or not code:
            raise InputError(
                "column is neither intermediate use of an industry row nor final demand of an area",
                file=shown,
                row=1,
                column=c,
                expected="'<area>_<category>' (e.g. 'AT_P3_S14') of an area of the rows",
            )
        final.append((c, area, code))
    if not final:
        raise InputError(
            "no final-demand columns", file=shown, row=1, expected="columns like 'AT_P3_S14'"
        )
    check_final_demand([(d, cat) for _, d, cat in final], shown, what="area")
    va_rows = [r for r in rows if _split(r)[0] == VALUE_ADDED_AREA]
    return _Axes(rows, industries, entities, sectors, final, va_rows)


def _table(csv: CsvTable, shown: str, filename: str, basis: OutputBasis) -> IcioTable:
    """The table of a FIGARO CSV; errors name ``shown`` and the file's rows and columns."""
    axes = _axes(csv, shown)
    columns = csv.header[1:]
    grid = numeric_block(csv.body, range(1, len(csv.header)), columns, shown)
    row_pos = {r: k for k, r in enumerate(axes.rows)}
    col_pos = {c: k for k, c in enumerate(columns)}
    ind_rows = np.array([row_pos[r] for r in axes.industries], dtype=np.intp)
    ind_cols = np.array([col_pos[r] for r in axes.industries], dtype=np.intp)
    fd_cols = np.array([col_pos[c] for c, _, _ in axes.final], dtype=np.intp)
    dests = list(dict.fromkeys(d for _, d, _ in axes.final))
    cats = list(dict.fromkeys(cat for _, _, cat in axes.final))
    Y = np.zeros((len(axes.industries), len(dests), len(cats)))
    d_idx = np.array([dests.index(d) for _, d, _ in axes.final], dtype=np.intp)
    c_idx = np.array([cats.index(cat) for _, _, cat in axes.final], dtype=np.intp)
    Y[:, d_idx, c_idx] = grid[np.ix_(ind_rows, fd_cols)]
    primaries = {_split(r)[1]: grid[row_pos[r], ind_cols] for r in axes.va_rows}
    outside = {_split(r)[1]: float(grid[row_pos[r], fd_cols].sum()) for r in axes.va_rows}
    notes = [f"{REST_OF_WORLD} is the rest of the world"] if REST_OF_WORLD in axes.entities else []
    if any(outside.values()):
        notes.append(
            "W2 rows in final-demand columns, outside the model: "
            + ", ".join(f"{k} {v:g}" for k, v in outside.items() if v)
        )
    named = _named(filename)
    meta = TableMeta(
        source="FIGARO (Eurostat)",
        edition=", ".join(v for v in (named.edition, TABLES.get(named.table or "")) if v) or None,
        year=named.year,
        unit="EUR million, current prices",
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs; W2 rows kept as primary inputs",
        file=filename,
        notes=tuple(notes),
        inventories=inventory_categories(cats, ("P5M", "P52", "P53")),
    )
    try:
        return IcioTable(
            entities=axes.entities,
            sectors=axes.sectors,
            Z=grid[np.ix_(ind_rows, ind_cols)],
            Y=Y,
            destinations=dests,
            categories=cats,
            primary_inputs=primaries,
            output_basis=basis,
            meta=meta,
            copy=False,
        )
    except TableError as err:
        raise err.located(shown, {label: k + 2 for label, k in row_pos.items()}) from None
