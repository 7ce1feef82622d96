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

from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, bounded, check_zip_member, open_input
from gvckit.icio.readers._cells import check_final_demand, check_unique, codes, numeric_block
from gvckit.icio.readers._csv import CsvTable, read_csv_table, row_labels
from gvckit.icio.readers._members import Archive
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

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
#: Table files as published: 2018.csv, 2018_SML.csv, 2018SML.CSV (2022 preview),
#: ICIO2021_2018.csv, ICIO2018_2015.CSV; optionally gzipped.
_MEMBER = re.compile(r"(?:^|/)(?:ICIO\d{4}_)?((?:19|20)\d\d)(_?SML)?\.csv(?:\.gz)?$", re.IGNORECASE)


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
                        found += _zip_members(zf, (str(p.relative_to(path)),), path)
        return found
    with zipfile.ZipFile(path) as zf:
        return _zip_members(zf, (), path)


def _zip_members(zf: zipfile.ZipFile, chain: tuple[str, ...], path: Path) -> list[_Member]:
    """The tables in an open zip (and in zips inside it), reached through ``chain`` from
    ``path``; a zip inside whose headers announce too much is refused before it is read."""
    found: list[_Member] = []
    for info in zf.infolist():
        m = _MEMBER.search(info.filename)
        if m:
            found.append(
                _Member(int(m.group(1)), bool(m.group(2)), info.filename, (*chain, info.filename))
            )
        elif info.filename.lower().endswith(".zip"):
            check_zip_member(info, "!".join([str(path), *chain]), DEFAULT_MAX_BYTES)
            with zf.open(info) as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as inner:
                found += _zip_members(inner, (*chain, info.filename), path)
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
    """The member's entry, refused if it inflates past ``max_bytes``."""
    info = zf.getinfo(name)
    check_zip_member(info, path, max_bytes)
    return info


def _choose(path: Path, year: int | None, small: bool | None) -> _Member:
    """The member to read: the one of ``year`` (and size ``small``), if the choice is clear."""
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
    """The members' years, for messages."""
    return ", ".join(str(y) for y in sorted({m.year for m in members}))


#: Industry codes of each release, in file order (OECD ICIO documentation of each release).
INDUSTRIES: dict[str, tuple[str, ...]] = {}
INDUSTRIES["2025"] = codes(
    "A01 A02 A03 B05 B06 B07 B08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24A"
    " C24B C25 C26 C27 C28 C29 C301 C302T309 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60"
    " J61 J62_63 K L M N O P Q R S T"
)
INDUSTRIES["2023"] = codes(
    "A01_02 A03 B05_06 B07_08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24 C25"
    " C26 C27 C28 C29 C30 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60 J61 J62_63 K L M N O"
    " P Q R S T"
)
INDUSTRIES["2021"] = codes(
    "01T02 03 05T06 07T08 09 10T12 13T15 16 17T18 19 20 21 22 23 24 25 26 27 28 29 30"
    " 31T33 35 36T39 41T43 45T47 49 50 51 52 53 55T56 58T60 61 62T63 64T66 68 69T75 77T82"
    " 84 85 86T88 90T93 94T96 97T98"
)
INDUSTRIES["2018"] = codes(
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
    for edition, known in INDUSTRIES.items():
        if set(sectors) <= set(known):
            return edition
    return "2018" if "VALU" in rows else "unknown"


def _file_year(filename: str) -> int | None:
    """The year in a table's file name (``2017.csv``, ``ICIO2021_2017.csv.gz``), if any."""
    name = re.sub(r"\.gz$", "", filename, flags=re.IGNORECASE)
    found = _MEMBER.search(name) or re.search(r"((?:19|20)\d\d)", name)
    return int(found.group(1)) if found else None


def _check_year(path: Path, year: int | None) -> None:
    """A single CSV named for another year than the ``year`` asked for is refused."""
    named = _file_year(path.name)
    if year is not None and named is not None and named != year:
        raise InputError(
            f"the file holds the {named} table (by its name), not {year}",
            file=path,
            expected=f"the {year} table, or a zip or folder holding it (option year)",
        )


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

    ``year`` picks the table in a zip or folder holding several (a single CSV must be that
    year's); ``small=True`` picks the ``_SML`` table where both are present (default: the
    extended one).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    source: Path | IO[bytes] = path
    shown, filename = str(path), path.name
    if path.is_dir() or zipfile.is_zipfile(path):
        member = _choose(path, year, small)
        shown, filename = f"{path}!{member.name}", member.name
        source = _open_member(path, member, max_bytes, progress)
    elif path.suffix.lower() == ".zip":
        Archive.of(path)  # a zip zipfile cannot open: "not a valid zip file"
    else:
        _check_year(path, year)
    table = read_csv_table(
        source, shown, text_columns=lambda _: [0], max_bytes=max_bytes, progress=progress
    )
    return _table(table, shown, filename, output_basis)


def _check_header(header: list[str], shown: str) -> None:
    """The header must be an OECD ICIO file's (a corner cell, then labels like 'AUS_A01_02'),
    its column labels each once."""
    if not sniff_oecd(header):
        raise InputError(
            "does not look like an OECD ICIO file",
            file=shown,
            row=1,
            expected="a first column of row labels and column labels like 'AUS_A01_02'",
            found=",".join(header[:4]),
        )
    check_unique(header[1:], shown, "column", first=2)


def _is_industry_row(label: str) -> bool:
    """``<entity>_<industry>`` row labels, except taxes (``AUS_TAXSUB``)."""
    return bool(_LABEL.match(label)) and not label.upper().endswith("_TAXSUB")


def _intermediate(rows: list[str], columns: list[str], shown: str) -> list[str]:
    """The intermediate-use columns: ``<entity>_<industry>`` labels whose industry is that of an
    industry row. Every industry row must have its column and every such column its row."""
    industry_rows = [r for r in rows if _is_industry_row(r)]
    industries = {r.split("_", 1)[1] for r in industry_rows}
    zcols = [c for c in columns if _LABEL.match(c) and c.split("_", 1)[1] in industries]
    if not zcols:
        raise InputError(
            "no intermediate-use columns matching the row labels",
            file=shown,
            row=1,
            expected="column labels equal to row labels, like 'AUS_A01_02'",
        )
    known_rows, known_cols = set(industry_rows), set(zcols)
    for c in zcols:
        if c not in known_rows:
            raise InputError(
                "intermediate-use column without its industry row",
                file=shown,
                row=1,
                column=c,
                expected=f"a row labelled {c!r}",
            )
    for r in industry_rows:
        if r not in known_cols:
            raise InputError(
                "industry row without its intermediate-use column",
                file=shown,
                row=rows.index(r) + 2,
                column=1,
                expected=f"a column labelled {r!r}",
            )
    return zcols


def _first_difference(a: list[str], b: list[str]) -> int:
    """The first position where ``a`` and ``b`` differ (the shorter length if one is a prefix)."""
    return next(
        (k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _layout(zcols: list[str], shown: str) -> tuple[list[str], list[str]]:
    """Entities and industries of the intermediate-use columns, checked to be entity-major
    with the same industries in each entity."""
    entities = list(dict.fromkeys(c.split("_", 1)[0] for c in zcols))
    sectors = [c.split("_", 1)[1] for c in zcols if c.split("_", 1)[0] == entities[0]]
    expected = [f"{e}_{s}" for e in entities for s in sectors]
    if zcols != expected:
        k = _first_difference(zcols, expected)
        if k == len(zcols):  # the last entity lacks industries
            raise InputError(
                f"industry {expected[k]!r} is missing (its row and its column)",
                file=shown,
                row=1,
                expected=f"the industries of {entities[0]} for every entity",
            )
        raise InputError(
            "intermediate-use columns are not country-major with the same industries",
            file=shown,
            row=1,
            column=zcols[k],
            expected=repr(expected[k]) if k < len(expected) else "no more of them",
        )
    return entities, sectors


@dataclass(frozen=True)
class _Columns:
    """The columns after the intermediate-use block, by kind."""

    final: list[tuple[str, str, str]]  # (column, destination, category)
    disc: list[str]
    output: str | None


def _classify(columns: list[str], zset: set[str], countries: set[str], shown: str) -> _Columns:
    """Sort the other columns into final demand, discrepancy and output by their labels."""
    out_col: str | None = None
    fd: list[tuple[str, str, str]] = []
    disc: list[str] = []
    for c in (c for c in columns if c not in zset):
        parts = c.split("_", 1)
        if c.upper() in OUTPUT_COLS:
            out_col = c
        elif c.upper() in DISCREPANCY_COLS:
            disc.append(c)
        elif len(parts) == 2 and parts[0] in countries:
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
    check_final_demand([(d, cat) for _, d, cat in fd], shown)
    return _Columns(fd, disc, out_col)


@dataclass(frozen=True)
class _Grid:
    """The numbers of the file, with the positions of its labels."""

    values: np.ndarray  # rows × columns (without the label column)
    row_pos: dict[str, int]
    col_pos: dict[str, int]

    def block(self, rows: list[str], cols: list[str]) -> np.ndarray:
        """The values at the labelled rows and columns."""
        return self.values[np.ix_([self.row_pos[r] for r in rows], [self.col_pos[c] for c in cols])]


def _final_demand(
    grid: _Grid, zcols: list[str], cols: _Columns, home: list[str], shown: str
) -> tuple[np.ndarray, list[str], list[str]]:
    """Y (industries × destinations × categories), destinations and categories; DISC is
    booked as final demand of the producing entity's country (``home[k]`` for industry k)."""
    dests = list(dict.fromkeys(d for _, d, _ in cols.final))
    cats = list(dict.fromkeys(cat for _, _, cat in cols.final)) + (["DISC"] if cols.disc else [])
    Y = np.zeros((len(zcols), len(dests), len(cats)))
    block = grid.block(zcols, [c for c, _, _ in cols.final])
    for j, (_, d, cat) in enumerate(cols.final):
        Y[:, dests.index(d), cats.index(cat)] += block[:, j]
    if cols.disc:
        disc = grid.block(zcols, cols.disc).sum(axis=1)
        for k, country in enumerate(home):
            if country not in dests:
                raise InputError(
                    "DISC column but the country has no final demand",
                    file=shown,
                    row=grid.row_pos[zcols[k]] + 2,
                    column=cols.disc[0],
                )
            Y[k, dests.index(country), -1] = disc[k]
    return Y, dests, cats


def _output(grid: _Grid, rows: list[str], zcols: list[str], cols: _Columns) -> np.ndarray | None:
    """Output from the output column, else (2016) from the output row, else None."""
    if cols.output is not None:
        return grid.block(zcols, [cols.output])[:, 0]
    out_rows = [r for r in rows if r.upper() in OUTPUT_ROWS]
    return grid.block(out_rows[:1], zcols)[0] if out_rows else None


def _primaries(grid: _Grid, rows: list[str], zcols: list[str]) -> dict[str, np.ndarray]:
    """Rows other than industries and output, summed by kind (taxes by country into TLS)."""
    primaries: dict[str, np.ndarray] = {}
    zset = set(zcols)
    for r in rows:
        key = r.upper()
        if r in zset or key in OUTPUT_ROWS:
            continue
        name = VA_ROWS.get(key) or ("TLS" if key.endswith("_TAXSUB") else r)
        vec = grid.block([r], zcols)[0]
        primaries[name] = primaries[name] + vec if name in primaries else vec
    return primaries


def _meta(
    filename: str, edition: str, entities: list[str], disc: bool, categories: list[str]
) -> TableMeta:
    """Provenance of the table: release, year and unit from the file name and layout;
    inventory changes are ``INVNT`` (``INV`` in the 2016 edition)."""
    splits = sorted(e for e in entities if e in SPLIT_ENTITIES)
    notes = [f"parts of countries kept as entities: {', '.join(splits)}"] if splits else []
    if disc:
        notes.append("DISC (statistical discrepancy) booked as domestic final demand")
    return TableMeta(
        source="OECD Inter-Country Input-Output tables",
        edition=edition + (" (small)" if "SML" in filename.upper() else ""),
        year=_file_year(filename),
        unit="USD million, current prices",
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs (VA plus taxes less subsidies)",
        file=filename,
        notes=tuple(notes),
        inventories=inventory_categories(categories, ("INVNT", "INV")),
    )


def _table(csv: CsvTable, shown: str, filename: str, basis: OutputBasis) -> IcioTable:
    """The table of an OECD CSV; errors name ``shown`` and the file's rows and columns."""
    columns = csv.header[1:]
    _check_header(csv.header, shown)
    rows = row_labels(
        csv,
        shown,
        "a row per industry (like 'AUS_A01_02'), then the value-added rows",
        "a row label like 'AUS_A01_02', 'VA' or 'OUT'",
    )
    zcols = _intermediate(rows, columns, shown)
    entities, sectors = _layout(zcols, shown)
    country_of = {e: SPLIT_ENTITIES.get(e, e) for e in entities}
    zset = set(zcols)
    cols = _classify(columns, zset, set(country_of.values()), shown)
    # total rows leave final-demand cells blank in some editions (2016): read those as 0
    totals_rows = np.array([r not in zset for r in rows])
    grid = _Grid(
        numeric_block(
            csv.body, range(1, len(csv.header)), columns, shown, blank_as_zero=totals_rows
        ),
        {r: k for k, r in enumerate(rows)},
        {c: k for k, c in enumerate(columns)},
    )
    home = [country_of[c.split("_", 1)[0]] for c in zcols]
    Y, dests, cats = _final_demand(grid, zcols, cols, home, shown)
    edition = _edition(columns, rows, filename, sectors)
    try:
        return IcioTable(
            entities=entities,
            sectors=sectors,
            Z=grid.block(zcols, zcols),
            Y=Y,
            destinations=dests,
            categories=cats,
            output=_output(grid, rows, zcols, cols),
            primary_inputs=_primaries(grid, rows, zcols),
            entity_country=country_of,
            output_basis=basis,
            meta=_meta(filename, edition, entities, bool(cols.disc), cats),
            copy=False,
        )
    except TableError as err:
        lines = {label: k + 2 for label, k in grid.row_pos.items()}
        raise err.located(shown, lines) from None
