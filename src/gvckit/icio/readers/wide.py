"""Wide CSV / Excel tables: one row per country-sector, one column per using country-sector.

Layout (as in decompr's ``leather`` example and the R package ``wiod``'s tables):

- two label columns, ``country`` (or ``region``) and ``industry`` (or ``sector``), read as text
  (sector ``01`` stays ``01``);
- one column per country-sector, in row order, named ``<country><sep><sector>`` with ``sep`` one
  of ``_ . - space`` (``AUS_c1``, ``Argentina.Agriculture``);
- final demand per destination country (``Germany``) or per country-category (``AUS_c37``);
- optionally an output column (``out``, ``output``, ``total output``, ``go``);
- optionally rows below the country-sector rows with one empty label column, read as primary
  inputs (e.g. ``,VA,...``) and used in the balance report; their empty cells read as 0.

CSV files may be comma-, semicolon- or tab-separated (see :mod:`gvckit.icio.readers._csv`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gvckit.errors import InputError, OptionError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, check_zip_member
from gvckit.icio.readers._cells import check_final_demand, check_unique, codes, numeric_block
from gvckit.icio.readers._csv import CsvTable, drop_blank_tail, read_csv_table
from gvckit.icio.readers._sheets import damaged_part
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["read_wide", "sniff_wide"]

COUNTRY_LABELS = ("country", "region", "economy")
SECTOR_LABELS = ("industry", "sector")
OUTPUT_NAMES = ("out", "output", "total output", "gross output", "go", "total")
SEPARATORS = ("_", ".", "-", " ")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

WIOD2013_COUNTRIES = codes(
    "AUS AUT BEL BGR BRA CAN CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HUN IDN IND IRL ITA"
    " JPN KOR LTU LUX LVA MEX MLT NLD POL PRT ROM RUS SVK SVN SWE TUR TWN USA RoW"
)
WIOD2013_SECTORS = tuple(f"c{k}" for k in range(1, 36))
#: WIOD final-demand codes (2013 and 2016 releases) → the code of inventory changes.
WIOD_FINAL_DEMAND: dict[tuple[str, ...], str] = {
    ("c37", "c38", "c39", "c41", "c42"): "c42",
    ("c57", "c58", "c59", "c60", "c61"): "c61",
}


def _header_index(names: list[str], wanted: tuple[str, ...]) -> int | None:
    """Position of the first of ``wanted`` among the header ``names`` (any case)."""
    lowered = [n.strip().lower() for n in names]
    for w in wanted:
        if w in lowered:
            return lowered.index(w)
    return None


def _label_columns(header: list[str]) -> list[int]:
    """Positions of the country and industry label columns that the header has."""
    found = (_header_index(header, COUNTRY_LABELS), _header_index(header, SECTOR_LABELS))
    return [k for k in found if k is not None]


def sniff_wide(header: list[str]) -> bool:
    """True when a header row looks like a wide table's (country and industry label columns)."""
    return len(_label_columns(header)) == 2


def _check_workbook_size(path: Path, max_bytes: int) -> None:
    """Refuse a workbook whose parts inflate past ``max_bytes`` (an .xlsx is a zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"not a valid .xlsx workbook ({exc})", file=path, expected="an .xlsx file"
        ) from None
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise InputError(
            f"the workbook inflates to {total:,} bytes",
            file=path,
            expected=f"at most {max_bytes:,} bytes (raise max_bytes if genuine)",
        )
    for info in infos:  # a part announcing more than its data holds
        check_zip_member(info, path, max_bytes, "workbook part")


def _read_excel(path: Path, sheet: str | int | None, max_bytes: int) -> CsvTable:
    """The header and body of a sheet, every cell as written (``NA`` is a label, blank is "")."""
    _check_workbook_size(path, max_bytes)
    try:
        raw = pd.read_excel(
            path,
            sheet_name=sheet or 0,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_values=[],
            engine="openpyxl",
        )
    except ValueError as exc:
        raise InputError(
            f"cannot read the workbook ({exc})",
            file=path,
            expected="an .xlsx workbook with the table in its first sheet (or the sheet named)",
        ) from None
    except Exception as exc:  # openpyxl raises many types for a damaged zip/xml
        part = damaged_part(path)
        raise InputError(
            f"cannot read the workbook ({type(exc).__name__}: {exc})",
            file=f"{path}!{part}" if part else path,
            expected="an .xlsx workbook",
        ) from None
    raw = drop_blank_tail(raw.fillna(""))
    if raw.empty:
        raise InputError("the sheet is empty", file=path, expected="a header row and data")
    header = [str(v).strip() for v in raw.iloc[0]]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = pd.RangeIndex(len(header))
    return CsvTable(header, body)


def _read_frame(
    path: Path, sheet: str | int | None, max_bytes: int, progress: ByteProgress | None
) -> CsvTable:
    """The header (as written) and the body (columns numbered) of a CSV file or sheet."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, sheet, max_bytes)
    if sheet is not None:
        raise OptionError(f"option 'sheet' applies to Excel workbooks, not to {path.name}")
    return read_csv_table(
        path, path, text_columns=_label_columns, max_bytes=max_bytes, progress=progress
    )


@dataclass(frozen=True)
class _Rows:
    """The row labels: entities × sectors in country-major order, then primary-input rows."""

    entities: tuple[str, ...]
    sectors: tuple[str, ...]
    countries_col: np.ndarray
    sectors_col: np.ndarray

    @property
    def n(self) -> int:
        return len(self.entities) * len(self.sectors)


def _labels(body: pd.DataFrame, k: int) -> np.ndarray:
    """Column ``k`` as stripped text, blank (or missing) as ""."""
    return np.array(body[k].fillna("").astype(str).str.strip(), dtype=object)


def _n_labelled(
    countries_col: np.ndarray, sectors_col: np.ndarray, names: list[str], path: Path
) -> int:
    """The number of leading rows with both labels; no labelled row may follow them.

    ``names`` are the headers of the country and industry columns, for messages.
    """
    filled = (countries_col != "") & (sectors_col != "")
    n_rows = int(np.argmin(filled)) if not filled.all() else len(filled)
    if n_rows == 0:
        raise InputError("the first row has no country or industry label", file=path, row=2)
    if filled[n_rows:].any():
        raise InputError(
            "empty label in a row followed by country-sector rows",
            file=path,
            row=n_rows + 2,
            column=names[0] if countries_col[n_rows] == "" else names[1],
            expected="a country and an industry label (rows with an empty label are primary"
            " inputs and come after all country-sector rows)",
        )
    return n_rows


def _check_sectors(sectors: tuple[str, ...], entity: str, column: str, path: Path) -> None:
    """The first country's sectors (file rows 2, 3, ...) must be distinct."""
    for k, s in enumerate(sectors):
        if s in sectors[:k]:
            raise InputError(
                f"duplicate sector {s!r} for {entity!r}",
                file=path,
                row=k + 2,
                column=column,
                expected="unique sectors per country",
            )


def _rows(header: list[str], body: pd.DataFrame, ci: int, si: int, path: Path) -> _Rows:
    """The row labels, checked to be country-major with the same sectors in each country."""
    countries_col, sectors_col = _labels(body, ci), _labels(body, si)
    n_rows = _n_labelled(countries_col, sectors_col, [header[ci], header[si]], path)
    entities = tuple(dict.fromkeys(countries_col[:n_rows]))
    first = countries_col[:n_rows] == entities[0]
    N = int(np.argmin(first)) if not first.all() else n_rows
    sectors = tuple(sectors_col[:N])
    _check_sectors(sectors, entities[0], header[si], path)
    G = len(entities)
    for k in range(n_rows):
        e, s = entities[min(k // N, G - 1)], sectors[k % N]
        if k >= G * N or countries_col[k] != e or sectors_col[k] != s:
            raise InputError(
                "rows are not country-major with the same sectors in each country",
                file=path,
                row=k + 2,
                column=header[ci] if countries_col[k] != e else header[si],
                expected=f"{e} / {s}",
                found=f"{countries_col[k]} / {sectors_col[k]}",
            )
    if n_rows != G * N:
        raise InputError(
            f"{n_rows} country-sector rows",
            file=path,
            expected=f"{G} countries × {N} sectors = {G * N}",
        )
    return _Rows(entities, sectors, countries_col, sectors_col)


def _check_zcols(header: list[str], zcols: list[int], rows: _Rows, path: Path) -> None:
    """The intermediate-use columns must name the rows' country-sectors, in row order."""
    N = len(rows.sectors)
    for k, c in enumerate(zcols):
        e, s = rows.entities[k // N], rows.sectors[k % N]
        if not any(header[c] == f"{e}{sep}{s}" for sep in SEPARATORS):
            raise InputError(
                "intermediate-use column does not match the rows",
                file=path,
                row=1,
                column=c + 1,
                expected=f"'{e}_{s}' (country-sector {k + 1} in row order)",
                found=header[c],
            )


def _split_label(name: str, prefixes: list[str]) -> tuple[str, str] | None:
    """Split ``<prefix><sep><rest>`` for the longest matching prefix; ``(prefix, "")`` if equal."""
    for p in sorted(prefixes, key=len, reverse=True):
        if name == p:
            return p, ""
        if name.startswith(p) and len(name) > len(p) + 1 and name[len(p)] in SEPARATORS:
            return p, name[len(p) + 1 :]
    return None


@dataclass(frozen=True)
class _Demand:
    """Final-demand columns by (destination, category), and the output column if any."""

    slot: dict[tuple[str, str], int]
    destinations: tuple[str, ...]
    categories: tuple[str, ...]
    out_col: int | None


def _classify(
    header: list[str], cols: list[int], entities: tuple[str, ...], path: Path
) -> tuple[int | None, list[tuple[int, str, str]]]:
    """The output column and the final-demand columns ``(column, destination, category)``."""
    out_col: int | None = None
    fd_cols: list[tuple[int, str, str]] = []
    for c in cols:
        name = header[c]
        if name.strip().lower() in OUTPUT_NAMES:
            if out_col is not None:
                raise InputError("second output column", file=path, row=1, column=name)
            out_col = c
            continue
        split = _split_label(name, list(entities))
        if split is None:
            raise InputError(
                "column is neither final demand of a country nor output",
                file=path,
                row=1,
                column=name,
                expected="<country> or <country>_<category> (e.g. 'DEU' or 'DEU_c37'), or 'output'",
            )
        fd_cols.append((c, split[0], split[1]))
    return out_col, fd_cols


def _demand(header: list[str], cols: list[int], entities: tuple[str, ...], path: Path) -> _Demand:
    """The columns after the intermediate-use block: final demand and output."""
    out_col, fd_cols = _classify(header, cols, entities, path)
    if not fd_cols:
        raise InputError(
            "no final-demand columns",
            file=path,
            row=1,
            expected="one column per destination country (or country-category)",
        )
    plain = [cat == "" for _, _, cat in fd_cols]
    if any(plain) and not all(plain):
        raise InputError(
            "final-demand columns mix per-country and per-category labels",
            file=path,
            row=1,
            expected="either <country> or <country>_<category> throughout",
        )
    slot: dict[tuple[str, str], int] = {}
    for c, d, cat in fd_cols:
        key = (d, cat or "FD")
        if key in slot:
            raise InputError("duplicate final-demand column", file=path, row=1, column=header[c])
        slot[key] = c
    check_final_demand(list(slot), path)
    dests = tuple(dict.fromkeys(d for d, _ in slot))
    cats = tuple(dict.fromkeys(cat for _, cat in slot))
    return _Demand(slot, dests, cats, out_col)


def _guess_meta(
    path: Path, entities: tuple[str, ...], sectors: tuple[str, ...], categories: tuple[str, ...]
) -> TableMeta:
    """Provenance: the WIOD 2013 release when its labels match, the year from the name.
    Inventory changes: ``c42`` (``c61``) where final demand is coded as in WIOD 2013 (2016),
    also in its regional tables; otherwise recognised by their labels."""
    years = re.findall(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)", path.name)
    year = int(years[-1]) if years else None  # the last one: "wiod2013_2011" is 2011
    if entities == WIOD2013_COUNTRIES and sectors == WIOD2013_SECTORS:
        return TableMeta(
            source="WIOD 2013 release (Timmer et al. 2015)",
            edition="2013",
            year=year,
            unit="millions of US$, current prices",
            price_basis="basic prices",
            file=path.name,
            notes=(
                "national tables rounded to integers by the R package 'wiod';"
                " value added derived as output − intermediate inputs",
            ),
            inventories=inventory_categories(categories, ("c42",)),
        )
    wiod = WIOD_FINAL_DEMAND.get(categories)
    inventories = (wiod,) if wiod else inventory_categories(categories)
    return TableMeta(source="wide table", year=year, file=path.name, inventories=inventories)


def _primaries(rows: _Rows, zvalues: np.ndarray) -> dict[str, np.ndarray]:
    """Primary-input rows (below the country-sector rows) by label; output rows skipped."""
    primaries: dict[str, np.ndarray] = {}
    for k in range(rows.n, len(zvalues)):
        name = rows.countries_col[k] or rows.sectors_col[k]
        if name.lower() not in OUTPUT_NAMES:
            primaries[name or f"row {k + 2}"] = zvalues[k]
    return primaries


def _locate(err: TableError, path: Path, rows: _Rows) -> InputError:
    """A table error re-raised with the file line of the country-sector it names."""
    N = len(rows.sectors)
    line = {f"{rows.entities[k // N]}_{rows.sectors[k % N]}": k + 2 for k in range(rows.n)}
    return err.located(path, line)


def read_wide(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    output_basis: OutputBasis = "rows",
    meta: TableMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read a wide CSV (plain or gzip) or Excel table; see the module docstring for the layout.

    ``sheet`` (name or 0-based position) picks the sheet of a workbook (default: the first).
    """
    path = Path(path)
    frame = _read_frame(path, sheet, max_bytes, progress)
    header, body = frame.header, frame.body
    check_unique(header, path, "column")
    labels = _label_columns(header)
    if len(labels) < 2:
        raise InputError(
            "no label columns",
            file=path,
            row=1,
            expected="columns 'country' (or 'region') and 'industry' (or 'sector')",
            found=",".join(header[:3]),
        )
    if body.empty:
        raise InputError(
            "the table has a header but no rows",
            file=path,
            row=2,
            expected="a row per country and industry",
        )
    ci, si = labels
    rows = _rows(header, body, ci, si, path)
    n = rows.n
    data_cols = [k for k in range(len(header)) if k not in labels]
    if len(data_cols) < n + 1:
        raise InputError(
            f"{len(data_cols)} data columns",
            file=path,
            row=1,
            expected=f"{n} country-sector columns and at least one final-demand column",
        )
    _check_zcols(header, data_cols[:n], rows, path)
    demand = _demand(header, data_cols[n:], rows.entities, path)

    below = np.arange(len(body)) >= n  # primary-input rows: empty cells read as 0
    values = numeric_block(
        body, data_cols, [header[c] for c in data_cols], path, blank_as_zero=below
    )
    pos = {c: k for k, c in enumerate(data_cols)}
    Y = np.zeros((n, len(demand.destinations), len(demand.categories)))
    for (d, cat), c in demand.slot.items():
        Y[:, demand.destinations.index(d), demand.categories.index(cat)] = values[:n, pos[c]]
    out = demand.out_col
    try:
        return IcioTable(
            entities=rows.entities,
            sectors=rows.sectors,
            Z=values[:n, :n],
            Y=Y,
            destinations=demand.destinations,
            categories=demand.categories,
            output=values[:n, pos[out]] if out is not None else None,
            primary_inputs=_primaries(rows, values[:, :n]),
            output_basis=output_basis,
            meta=meta or _guess_meta(path, rows.entities, rows.sectors, demand.categories),
            copy=False,
        )
    except TableError as err:
        raise _locate(err, path, rows) from None
