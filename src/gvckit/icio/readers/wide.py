"""Wide CSV / Excel tables: one row per country-sector, one column per using country-sector.

Layout (as in decompr's ``leather`` example and the R package ``wiod``'s tables):

- two label columns, ``country`` (or ``region``) and ``industry`` (or ``sector``);
- one column per country-sector, in row order, named ``<country><sep><sector>`` with ``sep`` one
  of ``_ . - space`` (``AUS_c1``, ``Argentina.Agriculture``);
- final demand per destination country (``Germany``) or per country-category (``AUS_c37``);
- optionally an output column (``out``, ``output``, ``total output``, ``go``);
- optionally rows below the country-sector rows with one empty label column, read as primary
  inputs (e.g. ``,VA,...``) and used in the balance report.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, open_input
from gvckit.icio.readers._cells import numeric_block
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta

__all__ = ["read_wide", "sniff_wide"]

COUNTRY_LABELS = ("country", "region", "economy")
SECTOR_LABELS = ("industry", "sector")
OUTPUT_NAMES = ("out", "output", "total output", "gross output", "go", "total")
SEPARATORS = ("_", ".", "-", " ")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

WIOD2013_COUNTRIES = (
    "AUS",
    "AUT",
    "BEL",
    "BGR",
    "BRA",
    "CAN",
    "CHN",
    "CYP",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "GBR",
    "GRC",
    "HUN",
    "IDN",
    "IND",
    "IRL",
    "ITA",
    "JPN",
    "KOR",
    "LTU",
    "LUX",
    "LVA",
    "MEX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROM",
    "RUS",
    "SVK",
    "SVN",
    "SWE",
    "TUR",
    "TWN",
    "USA",
    "RoW",
)
WIOD2013_SECTORS = tuple(f"c{k}" for k in range(1, 36))


def _header_index(names: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [n.strip().lower() for n in names]
    for w in wanted:
        if w in lowered:
            return lowered.index(w)
    return None


def sniff_wide(header: list[str]) -> bool:
    """True when a header row looks like a wide table's (country and industry label columns)."""
    return (
        _header_index(header, COUNTRY_LABELS) is not None
        and _header_index(header, SECTOR_LABELS) is not None
    )


def _check_workbook_size(path: Path, max_bytes: int) -> None:
    """Refuse a workbook whose parts inflate past ``max_bytes`` (an .xlsx is a zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a valid .xlsx workbook ({exc})", file=path) from None
    if total > max_bytes:
        raise InputError(
            f"the workbook inflates to {total:,} bytes",
            file=path,
            expected=f"at most {max_bytes:,} bytes (raise max_bytes if genuine)",
        )


def _read_frame(
    path: Path, sheet: str | int | None, max_bytes: int, progress: ByteProgress | None
) -> tuple[list[str], pd.DataFrame]:
    """The header (as written) and the body (no header, columns numbered) of a CSV or sheet."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        _check_workbook_size(path, max_bytes)
        try:
            raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, engine="openpyxl")
        except ValueError as exc:
            raise InputError(f"cannot read the workbook ({exc})", file=path) from None
        except Exception as exc:  # openpyxl raises many types for a damaged zip/xml
            raise InputError(
                f"cannot read the workbook ({type(exc).__name__}: {exc})",
                file=path,
                expected="an .xlsx workbook",
            ) from None
        if raw.empty:
            raise InputError("the sheet is empty", file=path, expected="a header row and data")
        header = ["" if pd.isna(v) else str(v).strip() for v in raw.iloc[0]]
        body = raw.iloc[1:].reset_index(drop=True)
        body.columns = pd.RangeIndex(len(header))
        return header, body
    stream = open_input(path, max_bytes=max_bytes, progress=progress)
    with stream:
        first = stream.readline()
        if not first.strip():
            raise InputError("the file is empty", file=path, expected="a header row and data")
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                "the header is not UTF-8 text", file=path, row=1, expected="a CSV file"
            ) from None
        header = [h.strip() for h in next(csv.reader(io.StringIO(text)))]
        try:
            body = pd.read_csv(
                stream,
                header=None,
                names=list(range(len(header))),
                keep_default_na=False,
                na_values=[],
                low_memory=False,
                encoding="utf-8",
            )
        except pd.errors.EmptyDataError:
            body = pd.DataFrame(columns=list(range(len(header))))
        except pd.errors.ParserError as exc:
            msg = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
            if found:  # pandas counts lines after the header we consumed
                want, line, saw = (int(g) for g in found.groups())
                raise InputError(
                    "malformed CSV",
                    file=path,
                    row=line + 1,
                    expected=f"{want} fields like the header",
                    found=f"{saw} fields",
                ) from None
            raise InputError(f"malformed CSV ({msg})", file=path) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", file=path) from None
    return header, body


def _split_label(name: str, prefixes: list[str]) -> tuple[str, str] | None:
    """Split ``<prefix><sep><rest>`` for the longest matching prefix; ``(prefix, "")`` if equal."""
    for p in sorted(prefixes, key=len, reverse=True):
        if name == p:
            return p, ""
        if name.startswith(p) and len(name) > len(p) + 1 and name[len(p)] in SEPARATORS:
            return p, name[len(p) + 1 :]
    return None


def _guess_meta(path: Path, entities: tuple[str, ...], sectors: tuple[str, ...]) -> TableMeta:
    year_match = re.search(r"(19[5-9]\d|20[0-9]\d)", path.name)
    year = int(year_match.group(1)) if year_match else None
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
        )
    return TableMeta(source="wide table", year=year, file=path.name)


def read_wide(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    output_basis: OutputBasis = "rows",
    meta: TableMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read a wide CSV (plain or gzip) or Excel table; see the module docstring for the layout."""
    path = Path(path)
    header, body = _read_frame(path, sheet, max_bytes, progress)
    seen: dict[str, int] = {}
    for k, h in enumerate(header):
        if h in seen and h:
            raise InputError(
                f"duplicate column label (columns {seen[h] + 1} and {k + 1})",
                file=path,
                row=1,
                column=h,
                expected="unique column labels",
            )
        seen[h] = k
    ci = _header_index(header, COUNTRY_LABELS)
    si = _header_index(header, SECTOR_LABELS)
    if ci is None or si is None:
        raise InputError(
            "no label columns",
            file=path,
            row=1,
            expected="columns 'country' (or 'region') and 'industry' (or 'sector')",
            found=",".join(header[:3]),
        )
    if body.empty:
        raise InputError("the table has a header but no rows", file=path, row=2)

    countries_col = body[ci].astype(str).str.strip().to_numpy()
    sectors_col = body[si].astype(str).str.strip().to_numpy()
    filled = (
        (countries_col != "")
        & (countries_col != "nan")
        & (sectors_col != "")
        & (sectors_col != "nan")
    )
    n_rows = int(np.argmin(filled)) if not filled.all() else len(filled)
    if n_rows == 0:
        raise InputError("the first row has no country or industry label", file=path, row=2)
    if filled[n_rows:].any():
        k = n_rows + int(np.argmax(filled[n_rows:]))
        raise InputError(
            "country-sector row after the primary-input rows",
            file=path,
            row=k + 2,
            expected="all country-sector rows first",
        )
    entities = tuple(dict.fromkeys(countries_col[:n_rows]))
    first = countries_col[:n_rows] == entities[0]
    N = int(np.argmin(first)) if not first.all() else n_rows
    sectors = tuple(sectors_col[:N])
    G = len(entities)
    if len(set(sectors)) != N:
        k = next(k for k in range(N) if sectors[k] in sectors[:k])
        raise InputError(
            f"duplicate sector {sectors[k]!r} for {entities[0]!r}",
            file=path,
            row=k + 2,
            column=header[si],
            expected="unique sectors per country",
        )
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
    n = G * N

    data_cols = [k for k in range(len(header)) if k not in (ci, si)]
    if len(data_cols) < n + 1:
        raise InputError(
            f"{len(data_cols)} data columns",
            file=path,
            row=1,
            expected=f"{n} country-sector columns and at least one final-demand column",
        )
    zcols = data_cols[:n]
    for k, c in enumerate(zcols):
        e, s = entities[k // N], sectors[k % N]
        name = header[c]
        if not any(name == f"{e}{sep}{s}" for sep in SEPARATORS):
            raise InputError(
                "intermediate-use column does not match the rows",
                file=path,
                row=1,
                column=c + 1,
                expected=f"'{e}_{s}' (country-sector {k + 1} in row order)",
                found=name,
            )
    out_col: int | None = None
    fd_cols: list[tuple[int, str, str]] = []
    ents = list(entities)
    for c in data_cols[n:]:
        name = header[c]
        if name.strip().lower() in OUTPUT_NAMES:
            if out_col is not None:
                raise InputError("second output column", file=path, row=1, column=name)
            out_col = c
            continue
        split = _split_label(name, ents)
        if split is None:
            raise InputError(
                "column is neither final demand of a country nor output",
                file=path,
                row=1,
                column=name,
                expected="<country> or <country>_<category> (e.g. 'DEU' or 'DEU_c37'), or 'output'",
            )
        fd_cols.append((c, split[0], split[1]))
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
    dests = tuple(dict.fromkeys(d for _, d, _ in fd_cols))
    cats = ("FD",) if all(plain) else tuple(dict.fromkeys(cat for _, _, cat in fd_cols))
    slot: dict[tuple[str, str], int] = {}
    for c, d, cat in fd_cols:
        key = (d, cat or "FD")
        if key in slot:
            raise InputError("duplicate final-demand column", file=path, row=1, column=header[c])
        slot[key] = c

    values = numeric_block(body, data_cols, [header[c] for c in data_cols], str(path))
    pos = {c: k for k, c in enumerate(data_cols)}
    Z = values[:n, [pos[c] for c in zcols]]
    Y = np.zeros((n, len(dests), len(cats)))
    for (d, cat), c in slot.items():
        Y[:, dests.index(d), cats.index(cat)] = values[:n, pos[c]]
    output = values[:n, pos[out_col]] if out_col is not None else None
    primaries: dict[str, np.ndarray] = {}
    for k in range(n, len(body)):
        name = countries_col[k] if countries_col[k] not in ("", "nan") else sectors_col[k]
        if name.strip().lower() in OUTPUT_NAMES:
            continue
        primaries[name or f"row {k + 2}"] = values[k, [pos[c] for c in zcols]]

    row_line = {f"{entities[k // N]}_{sectors[k % N]}": k + 2 for k in range(n)}
    try:
        return IcioTable(
            entities=entities,
            sectors=sectors,
            Z=Z,
            Y=Y,
            destinations=dests,
            categories=cats,
            output=output,
            primary_inputs=primaries,
            output_basis=output_basis,
            meta=meta or _guess_meta(path, entities, sectors),
            copy=False,
        )
    except TableError as err:
        located = err.located(path)
        if isinstance(err.row, str) and err.row in row_line:
            located = InputError(
                err.reason,
                file=path,
                row=f"{row_line[err.row]} ({err.row})",
                column=err.column,
                expected=err.expected,
                found=err.found,
            )
        raise located from None
