"""World Input-Output Database tables as published (Timmer et al. 2015), releases 2013 and 2016.

- 2013 release (1995-2011): ``WIOT<yy>_ROW_Apr12.xlsx`` (1995-2007) and ``WIOT<yy>_ROW_Sep12.xlsx``
  (2008-2011), in ``WIOTS_in_EXCEL.zip``; 40 countries + RoW (Romania is ``ROM``) × 35 industries
  (``c1`` ... ``c35``), final demand ``c37 c38 c39 c41 c42`` per country.
- 2016 release (2000-2014): ``WIOT<yyyy>_Nov16_ROW.xlsb`` (``WIOTS_in_EXCEL.zip``) and
  ``WIOT<yyyy>_October16_ROW.RData`` (``WIOTS_in_R.zip``, one data frame ``wiot``); 43 countries +
  ROW × 56 industries (``A01`` ... ``U``), final demand ``c57`` ... ``c61`` (households, NPISH,
  government, GFCF, inventories) per country.

The sheets share one layout (see :mod:`gvckit.icio.readers._wiot`). The R data frame has the
columns ``IndustryCode, IndustryDescription, Country, RNr, Year``, one column per using
country-industry named ``<ISO3><RNr>`` (``AUS1`` ... ``ROW56``), the final-demand columns
``AUS57`` ... ``ROW61`` and ``TOT``; its rows are the industries then the valuation rows
(``Country == "TOT"``: ``II_fob, TXSP, EXP_adj, PURR, PURNR, VA, IntTTM, GO``). Both give the same
table: sectors are the industry codes (2016) or the ``c`` codes (2013, as in the R package
``wiod``), final-demand categories the ``c`` codes, values millions of US$ at basic prices.

Zips as published and folders of files are read directly; ``year`` picks a table where there are
several (an R file is preferred to the workbook of the same year).
"""

from __future__ import annotations

import gzip
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gvckit.errors import InputError, OptionError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, check_zip_member
from gvckit.icio.readers._members import Archive
from gvckit.icio.readers._sheets import open_book, text
from gvckit.icio.readers._wiot import TOTALS, Parts, parse_sheet, valuation_name
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["WIOD_FILE", "list_wiod_files", "read_wiod", "sniff_wiod"]

#: File names of the published tables (2013 xlsx, 2016 xlsb, 2016 RData).
WIOD_FILE = re.compile(
    r"(?:^|/)WIOT(\d\d|\d{4})_(?:ROW_(?:Apr|Sep)12\.xlsx|Nov16_ROW\.xlsb|October16_ROW\.RData)$",
    re.IGNORECASE,
)
_PREFER = {".rdata": 0, ".xlsb": 1, ".xlsx": 2}
R_COLUMNS = ["IndustryCode", "IndustryDescription", "Country", "RNr", "Year"]


def sniff_wiod(name: str, head: list[list[object]]) -> bool:
    """True for a WIOD file name, or a sheet whose header has ``c1`` in column E above rows
    whose column D holds ``c1``/``r1`` codes and whose final demand is coded ``c37``/``c57``."""
    if WIOD_FILE.search(name):
        return True
    for k, row in enumerate(head):
        if len(row) > 4 and text(row[4]).lower() == "c1" and k >= 2:
            codes = {text(v).lower() for v in row}
            return bool(codes & {"c37", "c57"})
    return False


def _year_of(name: str) -> int | None:
    """The year in a WIOD file name (``WIOT09_...``: 2009; ``WIOT2014_...``: 2014)."""
    m = re.search(r"WIOT(\d\d|\d{4})_", name, re.IGNORECASE)
    if not m:
        return None
    y = int(m.group(1))
    return y if y > 1900 else (1900 + y if y >= 50 else 2000 + y)


@dataclass(frozen=True)
class _File:
    """A table file: on disk (``chain`` empty) or inside zips (``chain`` names the members)."""

    year: int
    name: str
    path: Path
    chain: tuple[str, ...]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def shown(self) -> str:
        return "!".join([str(self.path), *self.chain]) if self.chain else str(self.path)


def _in_zip(zf: zipfile.ZipFile, path: Path, chain: tuple[str, ...]) -> list[_File]:
    found: list[_File] = []
    for info in zf.infolist():
        m = WIOD_FILE.search(info.filename)
        if m:
            found.append(
                _File(_year_of(info.filename) or 0, info.filename, path, (*chain, info.filename))
            )
    return found


def list_wiod_files(path: Path) -> list[_File]:
    """The WIOD tables in a folder, a zip, or zips in a folder."""
    found: list[_File] = []
    try:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and WIOD_FILE.search(p.name):
                    found.append(_File(_year_of(p.name) or 0, p.name, p, ()))
                elif p.is_file() and p.suffix.lower() == ".zip" and zipfile.is_zipfile(p):
                    with zipfile.ZipFile(p) as zf:
                        found += _in_zip(zf, p, ())
        else:
            with zipfile.ZipFile(path) as zf:
                found = _in_zip(zf, path, ())
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a valid zip file ({exc})", file=path) from None
    return found


def _choose(path: Path, year: int | None) -> _File:
    files = list_wiod_files(path)
    if not files:
        raise InputError(
            "no WIOD table inside",
            file=path,
            expected="files named WIOT09_ROW_Sep12.xlsx, WIOT2014_Nov16_ROW.xlsb or"
            " WIOT2014_October16_ROW.RData",
        )
    years = sorted({f.year for f in files})
    if year is not None:
        files = [f for f in files if f.year == year]
        if not files:
            raise InputError(
                f"no table for {year} inside",
                file=path,
                expected="one of the years " + ", ".join(map(str, years)),
            )
    elif len(years) > 1:
        raise InputError(
            f"holds tables for several years ({', '.join(map(str, years))})",
            file=path,
            expected="a year (option --year / year=)",
        )
    return min(files, key=lambda f: _PREFER.get(f.suffix, 3))


def _member_bytes(f: _File, max_bytes: int) -> bytes:
    """The bytes of a zipped file; sizes are checked before anything is inflated."""
    zf = zipfile.ZipFile(f.path)
    try:
        for k, name in enumerate(f.chain):
            info = zf.getinfo(name)
            check_zip_member(info, f.path, max_bytes)
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise InputError(
                    f"cannot read the zip member ({exc})",
                    file="!".join([str(f.path), *f.chain[: k + 1]]),
                    expected="a complete, valid zip member",
                ) from None
            if name != f.chain[-1]:
                zf.close()
                zf = zipfile.ZipFile(io.BytesIO(data))
        return data
    finally:
        zf.close()


def read_wiod(
    path: str | Path,
    *,
    year: int | None = None,
    sheet: str | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read a WIOD table: ``.xlsx`` (2013), ``.xlsb`` or ``.RData`` (2016), a zip as published
    (``WIOTS_in_EXCEL.zip``, ``WIOTS_in_R.zip``) or a folder.

    ``year`` picks the table in a zip or folder (a single file must be that year's); ``sheet``
    names the sheet of a workbook (default: the first).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if path.is_dir() or (zipfile.is_zipfile(path) and path.suffix.lower() == ".zip"):
        f = _choose(path, year)
        source: Path | bytes = _member_bytes(f, max_bytes)
        name, shown = Path(f.name).name, f.shown
    elif path.suffix.lower() == ".zip":
        Archive.of(path)  # a zip zipfile cannot open: "not a valid zip file"
        raise InputError("not a WIOD zip", file=path, expected="WIOTS_in_EXCEL.zip as published")
    else:
        source, name, shown = path, path.name, str(path)
        named = _year_of(name)
        if year is not None and named is not None and named != year:
            raise InputError(
                f"the file holds the {named} table (by its name), not {year}",
                file=path,
                expected=f"the {year} table, or a zip or folder holding it (option year)",
            )
    if name.lower().endswith((".rdata", ".rda")):
        if sheet is not None:
            raise OptionError(f"option 'sheet' applies to workbooks, not to {name}")
        parts, file_year = _read_rdata(source, shown, max_bytes)
        meta = _meta("2016", file_year or _year_of(name), name, "R data", parts.categories)
        table = parts.table(meta, output_basis)
    else:
        table = _read_workbook(source, name, shown, sheet, output_basis, max_bytes, progress)
    if year is not None and table.meta.year not in (None, year):
        raise InputError(
            f"the file holds the {table.meta.year} table, not {year}",
            file=shown,
            expected=f"the {year} table (option year)",
        )
    return table


def _read_workbook(
    source: Path | bytes,
    name: str,
    shown: str,
    sheet: str | None,
    basis: OutputBasis,
    max_bytes: int,
    progress: ByteProgress | None,
) -> IcioTable:
    with open_book(source, shown, max_bytes) as book:
        if sheet is not None:
            book.require(sheet, "the sheet holding the table (option sheet)")
        ws = sheet or book.sheetnames[0]
        parts, head = parse_sheet(
            book.rows(ws, progress), book.where(ws), labels="auto", blank_as_zero=False
        )
    release = "2016" if parts.labels == "industry" else "2013"  # rows coded r1 ... (2016)
    odd = [c for c in parts.categories if not re.fullmatch(r"c\d+", c)]
    if odd and release == "2013":
        raise InputError(
            "final-demand columns are not coded like the WIOD tables",
            file=parts.where,
            expected="codes c37 ... c42 (2013 release) or c57 ... c61 (2016 release); is this"
            " an ADB MRIO table? use --format adb",
            found=", ".join(odd[:5]),
        )
    year = _year_of(name) or _year_in(ws) or _year_in(text(head[0][0]) if head[0] else "")
    kind = "xlsb workbook" if name.lower().endswith(".xlsb") else "xlsx workbook"
    return parts.table(_meta(release, year, name, kind, parts.categories), basis)


def _year_in(label: str) -> int | None:
    """A year (19xx, 20xx) ending a sheet name or title (``WIOT_2009``, ``2014``)."""
    m = re.search(r"((?:19|20)\d\d)\D*$", label)
    return int(m.group(1)) if m else None


#: Final-demand code of "changes in inventories and valuables" by release.
INVENTORIES = {"2013": "c42", "2016": "c61"}


def _meta(release: str, year: int | None, name: str, kind: str, categories: list[str]) -> TableMeta:
    """Provenance of a WIOD table; inventory changes are ``c42`` (2013) or ``c61`` (2016)."""
    return TableMeta(
        source=f"WIOD {release} release (Timmer et al. 2015)",
        edition=release,
        year=year,
        unit="millions of US$, current prices",
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs (value added plus net taxes on"
        " products and margins); the published valuation rows are kept (TXSP, EXP_adj, PURR,"
        " PURNR, VA, IntTTM)",
        file=name,
        notes=(f"read from the {kind} as published",),
        inventories=inventory_categories(categories, (INVENTORIES[release],)),
    )


def _inflate(raw: bytes, shown: str, max_bytes: int) -> bytes:
    """``raw`` decompressed if it is gzip (as R saves), refusing more than ``max_bytes``."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
            data = unzipped.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"cannot read the R data file (damaged gzip stream: {exc})",
            file=shown,
            expected="an .RData file saved by R",
        ) from None
    if len(data) > max_bytes:
        raise InputError(
            f"the R data inflates to more than {max_bytes:,} bytes",
            file=shown,
            expected="a smaller file (raise the limit with max_bytes if it is genuine)",
        )
    return data


def _r_frame(source: Path | bytes, shown: str, max_bytes: int) -> Any:
    """The data frame ``wiot`` of an R data file."""
    import rdata

    raw = source.read_bytes() if isinstance(source, Path) else source
    data = _inflate(raw, shown, max_bytes)
    frame_class = rdata.conversion.DEFAULT_CLASS_MAP["data.frame"]
    classes = {**rdata.conversion.DEFAULT_CLASS_MAP, "data.table": frame_class}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = rdata.parser.parse_data(data)
            objects = rdata.conversion.convert(parsed, classes)
    except Exception as exc:  # rdata raises many types on damaged or foreign files
        raise InputError(
            f"cannot read the R data file ({type(exc).__name__}: {exc})",
            file=shown,
            expected="an .RData file saved by R",
        ) from None
    if not isinstance(objects, dict) or "wiot" not in objects:
        found = ", ".join(map(str, objects)) if isinstance(objects, dict) else type(objects)
        raise InputError(
            "no object 'wiot'", file=shown, expected="the data frame wiot", found=found
        )
    frame = objects["wiot"]
    if not hasattr(frame, "columns"):
        raise InputError("'wiot' is not a data frame", file=f"{shown} [wiot]")
    return frame


def _read_rdata(source: Path | bytes, shown: str, max_bytes: int) -> tuple[Parts, int | None]:
    """The blocks of the ``wiot`` data frame (WIOD 2016 release in R) and its year."""
    frame = _r_frame(source, shown, max_bytes)
    where = f"{shown} [wiot]"
    names = [str(c) for c in frame.columns]
    for k, want in enumerate(R_COLUMNS):
        if k >= len(names) or names[k] != want:
            raise InputError(
                "unexpected column",
                file=where,
                column=k + 1,
                expected=f"{want!r} (the columns {', '.join(R_COLUMNS)}, then the values)",
                found=names[k] if k < len(names) else None,
            )
    if names[-1] != "TOT":
        raise InputError(
            "the last column is not 'TOT'", file=where, column=len(names), found=names[-1]
        )
    country = [str(v) for v in frame["Country"].fillna("")]
    codes = [str(v) for v in frame["IndustryCode"].fillna("")]
    n = next((k for k, c in enumerate(country) if c == "TOT"), len(country))
    entities = list(dict.fromkeys(country[:n]))
    N = country[:n].count(entities[0]) if entities else 0
    sectors = codes[:N]
    for k in range(n):
        if k >= len(entities) * N or country[k] != entities[k // N] or codes[k] != sectors[k % N]:
            raise InputError(
                "rows are not country-major with the same industries in each country",
                file=where,
                row=k + 1,
                column="Country"
                if k < len(entities) * N and country[k] != entities[k // N]
                else "IndustryCode",
                found=f"{country[k]} / {codes[k]}",
            )
    if n == 0 or n != len(entities) * N:
        raise InputError(f"{n} industry rows", file=where, expected="countries × industries rows")
    zcols = names[5 : 5 + n]
    expected = [f"{e}{k}" for e in entities for k in range(1, N + 1)]
    if zcols != expected:
        k = next(
            i for i, (a, b) in enumerate(zip(zcols + [""] * n, expected, strict=False)) if a != b
        )
        raise InputError(
            "intermediate-use columns do not match the rows",
            file=where,
            column=k + 6,
            expected=repr(expected[k]),
            found=zcols[k] if k < len(zcols) else None,
        )
    final: list[tuple[str, str, str]] = []
    by_length = sorted(entities, key=len, reverse=True)
    for c in names[5 + n : -1]:
        e = next((e for e in by_length if c.startswith(e) and c[len(e) :].isdigit()), None)
        if e is None or int(c[len(e) :]) <= N:
            raise InputError(
                "column is neither intermediate use, final demand of a country nor TOT",
                file=where,
                column=c,
                expected="<ISO3><57..61>, e.g. 'AUS57'",
            )
        final.append((c, e, f"c{int(c[len(e) :])}"))
    values = frame[names[5:]].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.argwhere(~np.isfinite(values[:n]))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise InputError(
            "not a number", file=where, row=i + 1, column=names[5 + j], expected="a number"
        )
    pos = {c: k for k, c in enumerate(names[5:])}
    dests = list(dict.fromkeys(d for _, d, _ in final))
    cats = list(dict.fromkeys(c for _, _, c in final))
    Y = np.zeros((n, len(dests), len(cats)))
    for c, d, cat in final:
        Y[:, dests.index(d), cats.index(cat)] = values[:n, pos[c]]
    primaries: dict[str, np.ndarray] = {}
    descriptions = [str(v) for v in frame["IndustryDescription"].fillna("")]
    for i in range(n, len(country)):
        key = valuation_name(codes[i], "", descriptions[i])
        if key not in TOTALS:
            primaries[key] = np.nan_to_num(values[i, :n])
    years = {int(v) for v in frame["Year"].dropna()}
    parts = Parts(
        entities=entities,
        sectors=sectors,
        Z=values[:n, :n],
        Y=Y,
        destinations=dests,
        categories=cats,
        output=values[:n, -1],
        primaries=primaries,
        where=where,
        row_of={f"{entities[k // N]}_{sectors[k % N]}": str(k + 1) for k in range(n)},
    )
    return parts, (years.pop() if len(years) == 1 else None)
