"""OECD Inter-Country Input-Output tables, as published (editions 2016, 2018, 2021, 2023, 2025).

Layout common to every edition: a CSV matrix whose first column holds row labels (header cell
empty, or ``V1``) and whose header row holds column labels. Industry rows and intermediate-use
columns are ``<entity>_<industry>`` (``AUS_A01_02``, ``AUS_01T02``, ``AUS_C01T05AGR``),
entity-major; final demand pairs a country with a category; totals and value added follow:

- 2023 and 2025 (``YYYY.csv`` extended, ``YYYY_SML.csv`` small): final demand ``<ISO3>_<CAT>``
  (HFCE NPISH GGFC GFCF INVNT DPABR), column ``OUT``; rows ``TLS``, ``VA``, ``OUT``.
- 2021 (``ICIO2021_YYYY.csv``) and 2018 (``ICIO2018_YYYY.CSV``): final demand ``<ISO3>_<CAT>``,
  column ``TOTAL``; rows ``<ISO3>_TAXSUB`` (one per country), ``VALU``, ``OUTPUT``.
- 2016 (``ICIO2016_YYYY.csv``): final demand category-major ``<CAT>_<ISO3>`` (HFCE NPS GGFC
  GFCF INV DIRP), then ``DISC``; no total column; rows ``VA+TAXSUB``, ``OUT`` (blank cells
  in final-demand columns of these two rows).

The reader relies on no edition's fixed positions: intermediate columns are the column labels
that are also row labels, and every other label is classified by its name. Parts of a country
(``CN1``..``CN4`` China, ``MX1``..``MX3`` Mexico: processing / global manufacturing splits) are
entities of their country: flows between them are domestic, without aggregating the table. The
``CHN`` and ``MEX`` industry rows of such files carry no flows (they live in the parts) and stay
as zero-output sectors. ``DISC`` (statistical discrepancy) is booked as domestic final demand of
the producing country, category ``DISC``, so that rows still add up to output. Values are USD
million at basic prices.

Zips as published are read directly (``2016-2020.zip``, ``2016-2020_SML.zip``, nested
``ICIO-2016-2020-extended.zip``, ``ICIO2021_2015-2018.zip``...), as are folders; ``year`` picks a
table where there are several.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, bounded, open_input
from gvckit.icio.readers._cells import numeric_block
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta

__all__ = ["SPLIT_ENTITIES", "list_members", "read_oecd", "sniff_oecd"]

#: Parts of a country in OECD ICIO extended files → their country.
SPLIT_ENTITIES = {
    **{f"CN{k}": "CHN" for k in range(1, 5)},  # 2016: CN1..CN4; later editions: CN1, CN2
    **{f"MX{k}": "MEX" for k in range(1, 4)},  # 2016: MX1..MX3; later editions: MX1, MX2
}
OUTPUT_ROWS = {"OUT", "OUTPUT", "TOTAL"}
OUTPUT_COLS = {"OUT", "OUTPUT", "TOTAL"}
VA_ROWS = {"VA": "VA", "VALU": "VA", "VA+TAXSUB": "VA+TAXSUB", "TLS": "TLS", "TAXSUB": "TLS"}
DISCREPANCY_COLS = {"DISC"}
_LABEL = re.compile(r"^([A-Z0-9]{2,3}(?:\.\d)?)_(.+)$")
_MEMBER = re.compile(r"(?:^|/)(?:ICIO\d{4}_)?((?:19|20)\d\d)(_SML)?\.csv$", re.IGNORECASE)


def sniff_oecd(header: list[str]) -> bool:
    """True when a header row looks like an OECD ICIO file's (empty or label corner cell, then
    ``<ISO3>_<industry>`` labels)."""
    if len(header) < 3:
        return False
    labels = header[1:4]
    return all(_LABEL.match(h.strip()) for h in labels) and not _LABEL.match(header[0].strip())


@dataclass(frozen=True)
class _Member:
    """One CSV table inside a zip (possibly a zip inside the zip) or a folder."""

    year: int
    small: bool
    name: str
    chain: tuple[str, ...]  # zip member names to open, outermost first


def list_members(path: Path) -> list[_Member]:
    """Every OECD table CSV inside ``path`` (a zip, nested zips, or a folder)."""
    found: list[_Member] = []
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                m = _MEMBER.search(p.name)
                if m:
                    found.append(
                        _Member(
                            int(m.group(1)), bool(m.group(2)), p.name, (str(p.relative_to(path)),)
                        )
                    )
                elif p.suffix.lower() == ".zip":
                    with zipfile.ZipFile(p) as zf:
                        found += _zip_members(zf, (str(p.relative_to(path)),))
        return found
    with zipfile.ZipFile(path) as zf:
        return _zip_members(zf, ())


def _zip_members(zf: zipfile.ZipFile, chain: tuple[str, ...]) -> list[_Member]:
    found: list[_Member] = []
    for info in zf.infolist():
        m = _MEMBER.search(info.filename)
        if m:
            found.append(
                _Member(int(m.group(1)), bool(m.group(2)), info.filename, (*chain, info.filename))
            )
        elif info.filename.lower().endswith(".zip"):
            with zf.open(info) as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as inner:
                found += _zip_members(inner, (*chain, info.filename))
    return found


def _open_member(
    path: Path, member: _Member, max_bytes: int, progress: ByteProgress | None
) -> IO[bytes]:
    """A stream of the member's bytes; sizes are checked before anything is inflated."""
    if path.is_dir():
        first = path / member.chain[0]
        if len(member.chain) == 1:
            return open_input(first, max_bytes=max_bytes, progress=progress)
        zf = zipfile.ZipFile(first)
        rest = member.chain[1:]
    else:
        zf = zipfile.ZipFile(path)
        rest = member.chain
    for name in rest[:-1]:  # a zip inside the zip: read it whole (zips need seeking)
        _check_size(zf, name, path, max_bytes)
        inner = zipfile.ZipFile(io.BytesIO(zf.read(name)))
        zf.close()
        zf = inner
    info = _check_size(zf, rest[-1], path, max_bytes)
    return bounded(
        zf.open(info),
        name=f"{path}!{rest[-1]}",
        total=info.file_size,
        max_bytes=max_bytes,
        progress=progress,
        also_close=(zf.fp,) if zf.fp else (),
    )


def _check_size(zf: zipfile.ZipFile, name: str, path: Path, max_bytes: int) -> zipfile.ZipInfo:
    info = zf.getinfo(name)
    if info.file_size > max_bytes:
        raise InputError(
            f"zip member {name!r} inflates to {info.file_size:,} bytes",
            file=path,
            expected=f"at most {max_bytes:,} bytes (raise max_bytes if genuine)",
        )
    return info


def _choose(path: Path, year: int | None, small: bool | None) -> _Member:
    try:
        members = list_members(path)
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a valid zip file ({exc})", file=path) from None
    if not members:
        raise InputError(
            "no OECD ICIO table inside",
            file=path,
            expected="files named YYYY.csv, YYYY_SML.csv or ICIO20NN_YYYY.csv",
        )
    if year is not None:
        members = [m for m in members if m.year == year]
        if not members:
            raise InputError(
                f"no table for {year} inside",
                file=path,
                expected="one of the years " + _years(list_members(path)),
            )
    if small is not None:
        members = [m for m in members if m.small == small] or members
    years = sorted({m.year for m in members})
    if len(years) > 1:
        raise InputError(
            f"holds tables for several years ({_years(members)})",
            file=path,
            expected="a year (option --year / year=)",
        )
    if len({m.small for m in members}) > 1 and small is None:
        members = [m for m in members if not m.small]  # prefer the extended table
    return members[0]


def _years(members: list[_Member]) -> str:
    return ", ".join(str(y) for y in sorted({m.year for m in members}))


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Industry codes of each release, in file order (OECD ICIO documentation of each release).
INDUSTRIES: dict[str, tuple[str, ...]] = {}
INDUSTRIES["2025"] = _codes(
    "A01 A02 A03 B05 B06 B07 B08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24A"
    " C24B C25 C26 C27 C28 C29 C301 C302T309 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60"
    " J61 J62_63 K L M N O P Q R S T"
)
INDUSTRIES["2023"] = _codes(
    "A01_02 A03 B05_06 B07_08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24 C25"
    " C26 C27 C28 C29 C30 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60 J61 J62_63 K L M N O"
    " P Q R S T"
)
INDUSTRIES["2021"] = _codes(
    "01T02 03 05T06 07T08 09 10T12 13T15 16 17T18 19 20 21 22 23 24 25 26 27 28 29 30"
    " 31T33 35 36T39 41T43 45T47 49 50 51 52 53 55T56 58T60 61 62T63 64T66 68 69T75 77T82"
    " 84 85 86T88 90T93 94T96 97T98"
)
INDUSTRIES["2018"] = _codes(
    "01T03 05T06 07T08 09 10T12 13T15 16 17T18 19 20T21 22 23 24 25 26 27 28 29 30 31T33"
    " 35T39 41T43 45T47 49T53 55T56 58T60 61 62T63 64T66 68 69T82 84 85 86T88 90T96 97T98"
)


def _edition(columns: list[str], rows: list[str], filename: str, sectors: list[str]) -> str:
    """The release: from the file name where it says (ICIO2021_...), else from the industry
    codes, else from the layout."""
    named = re.search(r"ICIO(20\d\d)_", filename.upper())
    if named:
        return named.group(1)
    if "DISC" in columns or "VA+TAXSUB" in rows:
        return "2016"
    for edition, codes in INDUSTRIES.items():
        if set(sectors) <= set(codes):
            return edition
    return "2018" if "VALU" in rows else "unknown"


def read_oecd(
    path: str | Path,
    *,
    year: int | None = None,
    small: bool | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read an OECD ICIO table: a CSV file (plain or gzip), a zip as published, or a folder.

    ``year`` picks the table in a zip or folder holding several; ``small=True`` picks the
    ``_SML`` table where both are present (default: the extended one).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if path.is_dir() or zipfile.is_zipfile(path):
        member = _choose(path, year, small)
        shown = f"{path}!{member.name}"
        stream: IO[bytes] = _open_member(path, member, max_bytes, progress)
        filename = member.name
    else:
        shown, filename = str(path), path.name
        stream = open_input(path, max_bytes=max_bytes, progress=progress)
    with stream:
        frame = _read_csv(stream, shown)
    return _table(frame, shown, filename, output_basis)


def _read_csv(stream: IO[bytes], shown: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            stream, index_col=0, keep_default_na=False, na_values=[], low_memory=False
        )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=shown) from None
    except pd.errors.ParserError as exc:
        msg = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
        raise InputError(f"malformed CSV ({msg})", file=shown) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=shown) from None
    frame.index = frame.index.map(lambda v: str(v).strip())
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _table(frame: pd.DataFrame, shown: str, filename: str, basis: OutputBasis) -> IcioTable:
    columns = list(frame.columns)
    rows = list(frame.index)
    if not columns or not rows:
        raise InputError("the file has no data", file=shown)
    if not any(_LABEL.match(c) for c in columns[:3]):
        raise InputError(
            "does not look like an OECD ICIO file",
            file=shown,
            row=1,
            expected="a first column of row labels and column labels like 'AUS_A01_02'",
            found=",".join(columns[:3]),
        )
    for labels, what in ((rows, "row"), (columns, "column")):
        seen: set[str] = set()
        for k, label in enumerate(labels):
            if label in seen:
                raise InputError(
                    f"duplicate {what} label",
                    file=shown,
                    row=k + 2 if what == "row" else 1,
                    column=label if what == "column" else 1,
                )
            seen.add(label)
    row_pos = {r: k for k, r in enumerate(rows)}
    zcols = [c for c in columns if c in row_pos and _LABEL.match(c)]
    if not zcols:
        raise InputError(
            "no intermediate-use columns matching the row labels",
            file=shown,
            row=1,
            expected="column labels equal to row labels, like 'AUS_A01_02'",
        )
    entities: list[str] = []
    for c in zcols:
        e = c.split("_", 1)[0]
        if e not in entities:
            entities.append(e)
    sectors = [c.split("_", 1)[1] for c in zcols if c.split("_", 1)[0] == entities[0]]
    expected_z = [f"{e}_{s}" for e in entities for s in sectors]
    if zcols != expected_z:
        k = next(k for k, (a, b) in enumerate(zip(zcols, expected_z, strict=False)) if a != b)
        raise InputError(
            "intermediate-use columns are not country-major with the same industries",
            file=shown,
            row=1,
            column=zcols[k] if k < len(zcols) else "end",
            expected=expected_z[k] if k < len(expected_z) else "no more columns",
        )
    country_of = {e: SPLIT_ENTITIES.get(e, e) for e in entities}
    countries = set(country_of.values())

    out_col: str | None = None
    fd: list[tuple[str, str, str]] = []  # (column, destination, category)
    disc: list[str] = []
    zset = set(zcols)
    for c in columns:
        if c in zset:
            continue
        if c.upper() in OUTPUT_COLS:
            out_col = c
            continue
        if c.upper() in DISCREPANCY_COLS:
            disc.append(c)
            continue
        parts = c.split("_", 1)
        if len(parts) == 2 and parts[0] in countries:
            fd.append((c, parts[0], parts[1]))
        elif len(parts) == 2 and parts[1] in countries:
            fd.append((c, parts[1], parts[0]))
        else:
            raise InputError(
                "column is neither intermediate use, final demand of a country nor output",
                file=shown,
                row=1,
                column=c,
                expected="'<ISO3>_<category>' (e.g. 'AUS_HFCE') or 'OUT'",
            )
    if not fd:
        raise InputError(
            "no final-demand columns", file=shown, row=1, expected="columns like 'AUS_HFCE'"
        )
    dests = list(dict.fromkeys(d for _, d, _ in fd))
    cats = list(dict.fromkeys(cat for _, _, cat in fd))
    if disc:
        cats.append("DISC")

    industry_rows = [row_pos[c] for c in zcols]
    # total rows leave final-demand cells blank in some editions (2016): read those as 0
    totals_rows = np.array([r not in zset for r in rows])
    values = numeric_block(frame, columns, columns, shown, blank_as_zero=totals_rows)
    Z = values[np.ix_(industry_rows, [columns.index(c) for c in zcols])]
    n = len(zcols)
    Y = np.zeros((n, len(dests), len(cats)))
    for c, d, cat in fd:
        Y[:, dests.index(d), cats.index(cat)] += values[industry_rows, columns.index(c)]
    if disc:
        own = [dests.index(country_of[e]) if country_of[e] in dests else -1 for e in entities]
        disc_values = values[np.ix_(industry_rows, [columns.index(c) for c in disc])].sum(axis=1)
        for k in range(n):
            home = own[k // len(sectors)]
            if home < 0:
                raise InputError(
                    "DISC column but the country has no final demand",
                    file=shown,
                    row=industry_rows[k] + 2,
                    column=disc[0],
                )
            Y[k, home, cats.index("DISC")] = disc_values[k]
    output = values[industry_rows, columns.index(out_col)] if out_col else None
    out_rows = [r for r in rows if r.upper() in OUTPUT_ROWS]
    if output is None and out_rows:  # 2016: output only as a row
        output = values[row_pos[out_rows[0]], [columns.index(c) for c in zcols]]

    zrow_set = set(zcols)
    primaries: dict[str, np.ndarray] = {}
    zidx = [columns.index(c) for c in zcols]
    for r in rows:
        if r in zrow_set:
            continue
        key = r.upper()
        if key in OUTPUT_ROWS:
            continue
        name = VA_ROWS.get(key)
        if name is None and key.endswith("_TAXSUB"):
            name = "TLS"
        if name is None:
            name = r
        vec = values[row_pos[r], zidx]
        primaries[name] = primaries[name] + vec if name in primaries else vec

    edition = _edition(columns, rows, filename, sectors)
    year_match = _MEMBER.search(filename) or re.search(r"((?:19|20)\d\d)", filename)
    splits = sorted(e for e in entities if e in SPLIT_ENTITIES)
    meta = TableMeta(
        source="OECD Inter-Country Input-Output tables",
        edition=edition + (" (small)" if "_SML" in filename.upper() else ""),
        year=int(year_match.group(1)) if year_match else None,
        unit="USD million, current prices",
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs (VA plus taxes less subsidies)",
        file=filename,
        notes=tuple([f"parts of countries kept as entities: {', '.join(splits)}"] if splits else [])
        + (("DISC (statistical discrepancy) booked as domestic final demand",) if disc else ()),
    )
    line_of = {f"{r}": k + 2 for k, r in enumerate(rows)}
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
            entity_country=country_of,
            output_basis=basis,
            meta=meta,
            copy=False,
        )
    except TableError as err:
        row = err.row
        if isinstance(row, str) and row in line_of:
            row = f"{line_of[row]} ({row})"
        raise InputError(
            err.reason,
            file=shown,
            row=row,
            column=err.column,
            expected=err.expected,
            found=err.found,
        ) from None
