"""Write the corpus of bad input-output tables (``python tests/bad_inputs/make_icio.py [DIR]``;
default ``tests/bad_inputs/icio/``), one folder per reader. Every file starts as a valid fixture
of its format (the writers of ``tests/*_fixtures.py``) and has one thing broken.
:func:`write_corpus` returns the :class:`Case` list: the file, the ``--format`` to give (or
``auto``), and what the one-line error must name after the file's path (the member of a zip,
the row, column or label, what was expected). Each must end in exit code 2, one line on stderr
and no output file (``tests/test_bad_inputs_icio.py``).

Cases × readers (``x`` covered; ``-`` does not apply, for the reason under the table):

==================  ====  ====  ======  ======  ========  ====  ===  ========
case                wide  oecd  figaro  eora26  exiobase  wiod  adb  template
==================  ====  ====  ======  ======  ========  ====  ===  ========
empty               x     x     x       x       x         x     x    x
header_only         x     x     x       x       x         x     x    x
truncated (gz/zip)  x     x     x       x       x         x     x    x
member_damaged      x     x     x       x       x         x     x    x
no_member           x     x     x       x       x         x     x    x
wrong_delimiter     x     x     x       x       x         -     -    -
duplicate_labels    x     x     x       x       x         x     x    x
out_of_order        x     x     x       x       x         x     x    x
non_numeric         x     x     x       x       x         x     x    x
nan, inf            x     x     x       x       x         x     x    x
negative_output     x     x     x       x       x         x     x    x
not_square          x     x     x       x       x         x     x    x
fd_mismatch         x     x     x       x       x         x     x    x
wrong_encoding      x     x     x       x       x         -     -    -
zip_bomb            x     x     x       x       x         x     x    x
other_format        x     x     x       x       x         x     x    x
==================  ====  ====  ======  ======  ========  ====  ===  ========

- *empty* and *header_only*: for Eora26, whose matrices have no header, an empty labels_T.txt
  and an empty T.txt beside its labels; for the workbooks, an empty sheet and a sheet of header
  rows only (the template: no sheet Z labels, and the blank template).
- *truncated*: a CSV cut short inside its gzip (wide, OECD, FIGARO), a zip cut short (OECD,
  FIGARO, Eora26, EXIOBASE, WIOD; found as it is and forced to the reader with --format), a
  workbook cut short (an .xlsx is a zip: wide, WIOD, ADB, template) and WIOD's gzipped .RData.
- *member_damaged*: a zip member or workbook part whose compressed data is overwritten.
- *no_member*: the zip lacks the file the reader needs (the table CSV, Eora26_YYYY_bp_FD.txt,
  Y.txt, the WIOD workbook) or the workbook the part of its (data) sheet.
- *wrong_delimiter* and *wrong_encoding* apply to delimited text (a whole file in latin-1 or
  UTF-16, or one latin-1 label); workbooks and R data files have neither separators nor a byte
  encoding of their own (their XML or binary parts are Unicode by definition).
- *zip_bomb*: a member (or workbook part) whose headers announce 2,000,000,000 bytes, crafted in
  the local and central headers of an otherwise small zip: refused from the headers alone, since
  no deflate stream inflates to more than 1032 times its size. A plain CSV has no header that
  announces a size (the gzip trailer is read last), so the CSV readers are covered through
  their zips (OECD also a zip inside the zip) and the wide reader through its .xlsx.
- *not_square*: Z lacks a column (CSV and workbook readers) or a field on every line (Eora26's
  T.txt); EXIOBASE's Z.txt header lacks a label (9 rows for 8 columns).
- *fd_mismatch*: a country's final-demand block lacks a category the others have (Eora26: the
  FD.txt lines lack a country's block that labels_FD.txt announces).
- *negative_output*: the published output column where there is one, else a row whose final
  demand makes the row sum negative (FIGARO, Eora26).
- *other_format*: a valid file of another reader, forced with --format.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for _path in (TESTS, HERE):  # run as a script: the fixture writers live in tests/
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from corpus_parts import (  # noqa: E402
    BOMB,
    GZIP_CUT,
    XLSX_CUT,
    Case,
    Grid,
    Rows,
    _announce,
    _book,
    _csv,
    _cut,
    _damaged,
    _drop_col,
    _Folder,
    _grid,
    _gz,
    _set,
    _sheet_part,
    _swap,
    _swap_cols,
    _without,
    _zip,
)

import adb_fixtures  # noqa: E402
import eora_fixtures  # noqa: E402
import exiobase_fixtures  # noqa: E402
import figaro_fixtures  # noqa: E402
import oecd_fixtures  # noqa: E402
import wiod_fixtures  # noqa: E402
from mrio_tables import cell, known  # noqa: E402
from xlsb_writer import write_xlsb  # noqa: E402

# ------------------------------------------------------------------------------- wide tables

WIDE_SECTORS = ("agr", "man", "srv")


def _wide_grid() -> Grid:
    """Countries AAA, BBB × sectors agr, man, srv; final demand HH, GF per country; output.
    Lines 2-7 are AAA_agr ... BBB_srv; columns 3-8 Z, 9-12 final demand, 13 output."""
    k = known(("AAA", "BBB"), WIDE_SECTORS, ("HH", "GF"), ("VA",), seed=3)
    labels = [f"{c}_{s}" for c, s in k.labels]
    fd = [f"{c}_{f}" for c in k.countries for f in k.categories]
    grid = [["country", "industry", *labels, *fd, "output"]]
    flat = k.Y.reshape(k.n, -1)
    for i, (c, s) in enumerate(k.labels):
        grid.append([c, s, *map(cell, k.Z[i]), *map(cell, flat[i]), cell(k.x[i])])
    return grid


def _as_cells(grid: Grid) -> Rows:
    """CSV cells as a sheet holds them: numbers as numbers."""

    def one(v: str) -> object:
        try:
            return float(v)
        except ValueError:
            return v

    return [grid[0], *([one(v) for v in r] for r in grid[1:])]


def _wide(root: Path, write: bool) -> list[Case]:
    f = _Folder(root, "wide", write)
    g = _wide_grid()
    text = _csv(g).encode()
    book = _book({"table": _as_cells(g)})
    sheet = _sheet_part(book)
    f.add("empty", "table.csv", b"", "the file is empty", "expected a header row")
    f.add("header_only", "table.csv", _csv(g[:1]).encode(), "row 2", "no rows", "expected")
    f.add("truncated_gzip", "table.csv.gz", _cut(_gz(text)), *GZIP_CUT)
    f.add("truncated_xlsx", "table.xlsx", _cut(book), *XLSX_CUT)
    f.add("member_damaged", "table.xlsx", _damaged(book, sheet), "cannot read the workbook",
          "expected an .xlsx workbook", member=sheet)  # fmt: skip
    f.add("no_member", "table.xlsx", _without(book, sheet), "cannot read the workbook",
          "0 worksheets", "expected an .xlsx workbook")  # fmt: skip
    f.add("wrong_delimiter", "table.csv", _csv(g, "|").encode(), "row 1", "no label columns",
          "expected columns 'country'", format="wide")  # fmt: skip
    f.add("duplicate_labels", "table.csv", _csv(_set(g, 2, 1, "agr")).encode(), "row 3",
          "column 'industry'", "duplicate sector 'agr'", "expected unique sectors")  # fmt: skip
    f.add("out_of_order", "table.csv", _csv(_swap(g, 4, 5)).encode(), "row 5",
          "column 'industry'", "expected BBB / agr", "'BBB / man'")  # fmt: skip
    f.add("non_numeric", "table.csv", _csv(_set(g, 2, 6, "abc")).encode(), "row 3",
          "column 'BBB_man'", "not a number", "expected a number", "'abc'")  # fmt: skip
    f.add("nan", "table.csv", _csv(_set(g, 3, 9, "NaN")).encode(), "row 4", "column 'AAA_GF'",
          "not a number", "expected a number")  # fmt: skip
    f.add("inf", "table.csv", _csv(_set(g, 5, 10, "inf")).encode(), "row 6", "column 'BBB_HH'",
          "not a finite number", "expected a finite number")  # fmt: skip
    f.add("negative_output", "table.csv", _csv(_set(g, 5, 12, "-12.5")).encode(),
          "row 6 (BBB_man)", "negative published gross output", "expected output >= 0")  # fmt: skip
    f.add("not_square", "table.csv", _csv(_drop_col(g, 7)).encode(), "row 1", "column 8",
          "intermediate-use column", "expected 'BBB_srv'")  # fmt: skip
    f.add("fd_mismatch", "table.csv", _csv(_drop_col(g, 11)).encode(), "row 1",
          "final demand of 'BBB' has no column 'GF'", "expected the same 2")  # fmt: skip
    latin = _csv([[v.replace("srv", "café") for v in r] for r in g]).encode("latin-1")
    f.add("wrong_encoding", "table.csv", latin, "row 1", "column 5", "not UTF-8",
          "expected UTF-8 text", "'AAA_caf\ufffd'", format="wide")  # fmt: skip
    body = [*g, ["", "Rémunération", *["1.5"] * 6, *[""] * 5]]  # a primary-input row
    f.add("wrong_encoding_body", "table.csv", _csv(body).encode("latin-1"), "row 8",
          "column 2", "not UTF-8 text", "expected UTF-8 text")  # fmt: skip
    f.add("zip_bomb", "table.xlsx", _announce(book, sheet), *BOMB, member=sheet)
    oecd = oecd_fixtures.generate(oecd_fixtures.EDITIONS["2023sml"]).text.encode()
    f.add("other_format", "2017.csv", oecd, "row 1", "no label columns",
          "expected columns 'country'", format="wide")  # fmt: skip
    return f.cases


# ---------------------------------------------------------------------------------- OECD ICIO


def _oecd(root: Path, write: bool) -> list[Case]:
    """4 countries × 3 industries: lines 2-13 AUS_A01_02 ... ROW_D, then TLS, VA, OUT; columns
    2-13 Z, 14-37 final demand (6 per country), 38 OUT."""
    f = _Folder(root, "oecd", write)
    g = _grid(oecd_fixtures.generate(oecd_fixtures.EDITIONS["2023sml"]).text)
    col = {label: k for k, label in enumerate(g[0])}
    text = _csv(g).encode()
    archive = _zip({"2017.csv": text})

    def zipped(grid: Grid) -> bytes:
        return _zip({"2017.csv": _csv(grid).encode()})

    f.add("empty", "2017.csv", b"", "the file is empty", "expected", format="oecd")
    f.add("header_only", "2017.csv", _csv(g[:1]).encode(), "row 2", "no rows after its header",
          "expected a row per industry", format="oecd")  # fmt: skip
    f.zip_cases("2016-2020.zip", archive, "2017.csv")
    f.add("truncated_gzip", "2017.csv.gz", _cut(_gz(text)), *GZIP_CUT)
    f.add("no_member", "2016-2020.zip", _zip({"ReadMe.txt": b"OECD ICIO\n"}),
          "no OECD ICIO table inside", "expected files named YYYY.csv")  # fmt: skip
    f.add("wrong_delimiter", "2017.csv", _csv(g, "|").encode(), "row 1",
          "does not look like an OECD ICIO file", "expected a first column of row labels",
          format="oecd")  # fmt: skip
    f.add("duplicate_labels", "2016-2020.zip", zipped(_set(g, 0, col["CHN_C10T12"], "CHN_A01_02")),
          "row 1", "column 'CHN_A01_02'", "duplicate column label", "expected unique column",
          member="2017.csv")  # fmt: skip
    swapped = _swap_cols(g, col["CHN_A01_02"], col["CHN_C10T12"])
    f.add("out_of_order", "2017.csv", _csv(swapped).encode(), "row 1", "column 'CHN_C10T12'",
          "not country-major", "expected 'CHN_A01_02'")  # fmt: skip
    f.add("non_numeric", "2017.csv", _csv(_set(g, 5, col["MEX_D"], "n/a")).encode(), "row 6",
          "column 'MEX_D'", "not a number", "expected a number", "'n/a'")  # fmt: skip
    f.add("nan", "2017.csv", _csv(_set(g, 2, col["AUS_HFCE"], "nan")).encode(), "row 3",
          "column 'AUS_HFCE'", "not a number", "expected a number")  # fmt: skip
    f.add("inf", "2017.csv", _csv(_set(g, 9, col["ROW_GFCF"], "-inf")).encode(), "row 10",
          "column 'ROW_GFCF'", "not a finite number", "expected a finite number")  # fmt: skip
    f.add("negative_output", "2017.csv", _csv(_set(g, 8, col["OUT"], "-5.5")).encode(),
          "row 9 (MEX_C10T12)", "negative published gross output",
          "expected output >= 0")  # fmt: skip
    f.add("not_square", "2017.csv", _csv(_drop_col(g, col["ROW_D"])).encode(), "row 13",
          "column 1", "industry row without its intermediate-use column",
          "expected a column labelled 'ROW_D'")  # fmt: skip
    f.add("fd_mismatch", "2017.csv", _csv(_drop_col(g, col["MEX_GFCF"])).encode(), "row 1",
          "final demand of 'MEX' has no column 'GFCF'", "expected the same 6")  # fmt: skip
    f.add("wrong_encoding", "2017.csv", _csv(g).encode("utf-16"), "row 1", "column 1",
          "not UTF-8", "expected UTF-8 text", format="oecd")  # fmt: skip
    inner = "ICIO-2016-2020-extended.zip"  # a zip inside the zip, as some releases are
    f.add("zip_bomb_nested", "ICIO-2016-2020.zip", _announce(_zip({inner: archive}), inner),
          *BOMB, member=inner)  # fmt: skip
    f.add("other_format", "table.csv", _csv(_wide_grid()).encode(), "row 1",
          "does not look like an OECD ICIO file", "expected", format="oecd")  # fmt: skip
    return f.cases


# -------------------------------------------------------------------------------------- FIGARO


def _figaro(root: Path, write: bool) -> list[Case]:
    """Areas DE, FIGW1, FR × A01, C20, M72: lines 2-10 DE_A01 ... FR_M72, 11-16 the W2 rows;
    columns 2-10 Z, 11-25 final demand (5 per area); no output column."""
    f = _Folder(root, "figaro", write)
    name = figaro_fixtures.filename()
    g = _grid(figaro_fixtures.generate().text)
    col = {label: k for k, label in enumerate(g[0])}
    text = _csv(g).encode()
    archive = _zip({name: text})
    f.add("empty", name, b"", "the file is empty", "expected", format="figaro")
    f.add("header_only", name, _csv(g[:1]).encode(), "row 2", "no rows after its header",
          "expected a row per industry", format="figaro")  # fmt: skip
    f.add("truncated_gzip", name + ".gz", _cut(_gz(text)), *GZIP_CUT)
    f.zip_cases("figaro.zip", archive, name)
    f.add("no_member", "figaro.zip", _zip({"readme.txt": b"FIGARO\n"}), "no FIGARO table inside",
          "expected files named matrix_eu-ic-io", format="figaro")  # fmt: skip
    f.add("wrong_delimiter", name, _csv(g, "|").encode(), "row 1", "column 1",
          "does not look like a FIGARO matrix", "expected a header row",
          format="figaro")  # fmt: skip
    f.add("duplicate_labels", name, _csv(_set(g, 3, 0, "DE_C20")).encode(), "row 4", "column 1",
          "duplicate row label", "expected unique row labels")  # fmt: skip
    f.add("out_of_order", name, _csv(_swap_cols(g, col["FR_C20"], col["FR_M72"])).encode(),
          "row 1", "column 'FR_M72'", "not entity-major", "expected FR C20")  # fmt: skip
    f.add("non_numeric", name, _csv(_set(g, 4, col["DE_A01"], "1.2.3")).encode(), "row 5",
          "column 'DE_A01'", "not a number", "expected a number", "'1.2.3'")  # fmt: skip
    f.add("nan", name, _csv(_set(g, 12, col["FR_A01"], "NaN")).encode(), "row 13",
          "column 'FR_A01'", "not a number", "expected a number")  # fmt: skip
    f.add("inf", name, _csv(_set(g, 7, col["FR_P51G"], "Infinity")).encode(), "row 8",
          "column 'FR_P51G'", "not a finite number", "expected a finite number")  # fmt: skip
    f.add("negative_output", name, _csv(_set(g, 5, col["DE_P3_S14"], "-1e6")).encode(),
          "row 6 (FIGW1_C20)", "negative gross output", "expected output >= 0")  # fmt: skip
    f.add("not_square", name, _csv(_drop_col(g, col["DE_M72"])).encode(), "row 4", "column 1",
          "industry row without its intermediate-use column",
          "expected a column labelled 'DE_M72'")  # fmt: skip
    f.add("fd_mismatch", name, _csv(_drop_col(g, col["FR_P5M"])).encode(), "row 1",
          "final demand of 'FR' has no column 'P5M'", "expected the same 5")  # fmt: skip
    f.add("wrong_encoding", name, _csv(g).encode("utf-16"), "row 1", "column 1", "not UTF-8",
          "expected UTF-8 text", format="figaro")  # fmt: skip
    oecd = oecd_fixtures.generate(oecd_fixtures.EDITIONS["2023sml"]).text.encode()
    f.add("other_format", "2017.csv", oecd, "row 1", "column 1",
          "does not look like a FIGARO matrix", "expected", format="figaro")  # fmt: skip
    return f.cases


# -------------------------------------------------------------------------------------- Eora26


def _tsv(rows: Sequence[Sequence[str]]) -> bytes:
    return "".join("\t".join(r) + "\n" for r in rows).encode()


def _rezip(files: dict[str, bytes], member: str, data: bytes) -> bytes:
    """The zip of ``files`` with ``member`` replaced by ``data``."""
    return _zip({**files, member: data})


def _retab(files: dict[str, bytes], member: str, change: Callable[[Grid], Grid]) -> bytes:
    """The zip of ``files`` with the tab-separated ``member``'s cells changed by ``change``."""
    lines = [line.split("\t") for line in files[member].decode().splitlines()]
    return _rezip(files, member, _tsv(change(lines)))


def _eora(root: Path, write: bool) -> list[Case]:
    """AFG, ALB, DZA × 3 sectors + the ROW line: T.txt 10 × 10, FD.txt 10 × 24 (6 categories
    for each country and ROW), VA.txt 6 × 10; labels in labels_T.txt, labels_FD.txt ..."""
    f = _Folder(root, "eora26", write)
    files = eora_fixtures.generate().files
    name = "Eora26_2015_bp.zip"
    t, fd, va = (f"Eora26_2015_bp_{k}.txt" for k in ("T", "FD", "VA"))
    lt = "labels_T.txt"
    archive = _zip(files)

    def changed(member: str, data: bytes) -> bytes:
        return _rezip(files, member, data)

    def cells(member: str, change: Callable[[Grid], Grid]) -> bytes:
        return _retab(files, member, change)

    f.add("empty", name, changed(lt, b""), "row 1", "the label file is empty",
          "expected one line of 4 tab-separated fields", member=lt)  # fmt: skip
    f.add("header_only", name, changed(t, b""), "row 1", "the file ends after 0 data lines",
          "expected 10 data lines", member=t)  # fmt: skip
    f.zip_cases(name, archive, t)
    f.add("no_member", name, _without(archive, fd), "Eora26_2015_bp_FD.txt is missing",
          "expected the T, FD and VA files")  # fmt: skip
    comma = changed(t, files[t].replace(b"\t", b","))
    f.add("wrong_delimiter", name, comma, "row 1", "column 1", "not a number",
          "expected a number", member=t)  # fmt: skip
    f.add("duplicate_labels", name, cells(lt, lambda g: _set(g, 1, 3, g[0][3])), "row 2",
          "column 4", "duplicate entity-sector", "expected each entity and sector once",
          "'AFG Agriculture'", member=lt)  # fmt: skip
    f.add("out_of_order", name, cells(lt, lambda g: _swap(g, 4, 5)), "row 5", "column 4",
          "not entity-major", "expected ALB Fishing", member=lt)  # fmt: skip
    f.add("non_numeric", name, cells(t, lambda g: _set(g, 2, 3, "abc")), "row 3", "column 4",
          "not a number", "expected a number", "'abc'", member=t)  # fmt: skip
    f.add("nan", name, cells(fd, lambda g: _set(g, 1, 2, "NaN")), "row 2", "column 3",
          "not a number", "expected a number", member=fd)  # fmt: skip
    f.add("inf", name, cells(va, lambda g: _set(g, 1, 4, "inf")), "row 2", "column 5",
          "not a finite number", "expected a number", member=va)  # fmt: skip
    f.add("negative_output", name, cells(fd, lambda g: _set(g, 3, 0, "-1e6")),
          "row ALB_Agriculture", "negative gross output", "expected output >= 0",
          member=t)  # fmt: skip
    f.add("not_square", name, cells(t, lambda g: [r[:-1] for r in g]), "row 1", "column 10",
          "too few fields", "expected 10 fields", member=t)  # fmt: skip
    f.add("fd_mismatch", name, cells(fd, lambda g: [r[:-6] for r in g]), "row 1", "column 19",
          "too few fields", "expected 24 fields", member=fd)  # fmt: skip
    latin = files[lt].decode().replace("Fishing", "Pêche").encode("latin-1")
    f.add("wrong_encoding", name, changed(lt, latin), "row 2", "column 4", "not UTF-8",
          "expected UTF-8 text", "'P\ufffdche'", member=lt)  # fmt: skip
    exio = _zip(exiobase_fixtures.generate().files)
    f.add("other_format", "IOT_2019_ixi.zip", exio, "no Eora26 table inside",
          "expected files named Eora26_YYYY_bp_T.txt", format="eora26")  # fmt: skip
    return f.cases


# ------------------------------------------------------------------------------------ EXIOBASE


def _exiobase(root: Path, write: bool) -> list[Case]:
    """Regions AT, DE, WA × 3 industries (release 3.8 layout in IOT_2019_ixi/): Z.txt lines 1-2
    the column labels, 3 the index names, 4-12 the rows; Y.txt 21 columns (7 per region)."""
    f = _Folder(root, "exiobase", write)
    files = exiobase_fixtures.generate().files
    name = "IOT_2019_ixi.zip"
    z, y, x = (f"IOT_2019_ixi/{k}.txt" for k in ("Z", "Y", "x"))
    archive = _zip(files)

    def changed(member: str, data: bytes) -> bytes:
        return _rezip(files, member, data)

    def cells(member: str, change: Callable[[Grid], Grid]) -> bytes:
        return _retab(files, member, change)

    sector1 = exiobase_fixtures.SECTORS["ixi"][1]
    f.add("empty", name, changed(z, b""), "row 1", "the file ends before its header",
          "expected 2 header lines", member=z)  # fmt: skip
    head = b"".join(files[z].splitlines(keepends=True)[:3])
    f.add("header_only", name, changed(z, head), "row 4", "the file ends after 0 data lines",
          "expected 9 data lines", member=z)  # fmt: skip
    f.zip_cases(name, archive, z)
    f.add("no_member", name, _without(archive, y), "no EXIOBASE table inside",
          "expected one release", format="exiobase")  # fmt: skip
    comma = changed(z, files[z].replace(b"\t", b","))
    f.add("wrong_delimiter", name, comma, "row 1", "column 1",
          "does not look like an EXIOBASE matrix", "expected header lines", member=z)  # fmt: skip
    # the third industry labelled as the second, in the header and in the rows
    dup = cells(z, lambda g: _set(_set(g, 1, 4, g[1][3]), 5, 1, g[4][1]))
    f.add("duplicate_labels", name, dup, "row 2", "column 5", "duplicate entity-sector",
          "expected each entity and sector once", f"'AT {sector1[:20]}", member=z)  # fmt: skip
    f.add("out_of_order", name, cells(y, lambda g: _swap(g, 4, 5)), "row 5", "column 1",
          "row labels differ", f"expected AT {sector1}", member=y)  # fmt: skip
    f.add("non_numeric", name, cells(z, lambda g: _set(g, 4, 5, "abc")), "row 5", "column 6",
          "not a number", "expected a number", "'abc'", member=z)  # fmt: skip
    f.add("nan", name, cells(y, lambda g: _set(g, 6, 3, "nan")), "row 7", "column 4",
          "not a number", "expected a number", member=y)  # fmt: skip
    f.add("inf", name, cells(z, lambda g: _set(g, 11, 10, "inf")), "row 12", "column 11",
          "not a finite number", "expected a number", member=z)  # fmt: skip
    f.add("negative_output", name, cells(x, lambda g: _set(g, 2, 2, "-3.25")),
          f"AT_{sector1}", "negative published gross output", "expected output >= 0",
          member=z)  # fmt: skip
    # the header lacks the last column: 9 rows for 8 columns
    f.add("not_square", name, cells(z, lambda g: [r[:-1] for r in g[:2]] + g[2:]), "row 12",
          "more data lines than expected", "expected 8 data lines", member=z)  # fmt: skip
    f.add("fd_mismatch", name, cells(y, lambda g: _drop_col(g, 2 + 7 + 5)), "row 2",
          "final demand of 'DE' has no column 'Changes in valuables'", "expected the same 7",
          member=y)  # fmt: skip
    latin = {k: v.decode().replace(sector1, "Récolte").encode("latin-1") if k in (z, y, x)
             else v for k, v in files.items()}  # fmt: skip
    f.add("wrong_encoding", name, _zip(latin), "row 2", "column 4", "not UTF-8",
          "expected UTF-8 text", "'R\ufffdcolte'", member=z)  # fmt: skip
    eora = _zip(eora_fixtures.generate().files)
    f.add("other_format", "Eora26_2015_bp.zip", eora, "no EXIOBASE table inside", "expected",
          format="exiobase")  # fmt: skip
    return f.cases


# ---------------------------------------------------------------------------------------- WIOD


def _wiod(root: Path, write: bool) -> list[Case]:
    """The 2013 release's workbook (sheet WIOT_2009): header rows 3-6, industry rows 7-15
    (AUS, ROM, RoW × c1-c3), valuation rows 16-23; columns E-M Z, N-AB final demand (c37 c38
    c39 c41 c42 per country), AC total output. Also the 2016 .xlsb and .RData and the zip."""
    f = _Folder(root, "wiod", write)
    table = wiod_fixtures.generate(wiod_fixtures.R2013)
    rows = wiod_fixtures.sheet_rows(table)
    name, sheet = "WIOT09_ROW_Sep12.xlsx", "WIOT_2009"
    where = f"[{sheet}]"
    book = _book({sheet: rows})
    part = _sheet_part(book)
    bundle = _zip({name: book})

    def wb(edited: Rows) -> bytes:
        return _book({sheet: edited})

    def at(r: int, c: int, value: object) -> bytes:  # 1-based sheet row, 0-based column
        edited = [list(row) for row in rows]
        edited[r - 1][c] = value
        return wb(edited)

    f.add("empty", name, wb([]), where, "no header row with the code 'c1'", "expected")
    f.add("header_only", name, wb(rows[:6]), where, "ends after 0 of 9 industry rows",
          "expected 3 countries × 3 sectors")  # fmt: skip
    f.add("truncated_xlsx", name, _cut(book), *XLSX_CUT)
    f.zip_cases("WIOTS_in_EXCEL.zip", bundle, name)
    f.add("no_member", "WIOTS_in_EXCEL.zip", _zip({"README.txt": b"WIOD\n"}),
          "no WIOD table inside", "expected files named WIOT09_ROW_Sep12.xlsx",
          format="wiod")  # fmt: skip
    dup = [list(r) for r in rows]
    dup[5][5] = "c1"  # F6: c1 twice in AUS's codes
    f.add("duplicate_labels", name, wb(dup), where, "row 6", "column 'F'",
          "duplicate code 'c1'", "expected each sector's code once")  # fmt: skip
    f.add("out_of_order", name, wb(_swap(rows, 7, 8)), where, "row 8", "column 'D'",
          "not in the order", "expected code 'c2'")  # fmt: skip
    f.add("non_numeric", name, at(9, 5, "abc"), where, "row 9", "column 'F'", "not a number",
          "expected a number", "'abc'")  # fmt: skip
    f.add("nan", name, at(10, 14, "NaN"), where, "row 10", "column 'O'", "not a number",
          "expected a number")  # fmt: skip
    f.add("inf", name, at(12, 6, "inf"), where, "row 12", "column 'G'", "not a number",
          "expected a number", "'inf'")  # fmt: skip
    f.add("negative_output", name, at(10, 28, -100.0), where, "row 10 (ROM_c1)",
          "negative published gross output", "expected output >= 0")  # fmt: skip
    f.add("not_square", name, wb(_drop_col(rows, 12)), where, "row 6", "column 'M'",
          "not country-major", "expected the codes c1, c2, c3 for RoW")  # fmt: skip
    f.add("fd_mismatch", name, wb(_drop_col(rows, 27)), where, "row 6",
          "final demand of RoW has no column 'c42'", "expected the categories")  # fmt: skip
    f.add("zip_bomb_xlsx", name, _announce(book, part), *BOMB, member=part)
    adb = adb_fixtures.generate(adb_fixtures.VARIANTS["62"])
    adb_book = _book({"ADB MRIO 2019": adb_fixtures.sheet_rows(adb), "Legend": [["Code"]]})
    f.add("other_format", "ADB-MRIO62-2019_Dec2022.xlsx", adb_book,
          "not coded like the WIOD tables", "expected codes c37", format="wiod")  # fmt: skip
    # the 2016 release: .xlsb and R data
    t16 = wiod_fixtures.generate(wiod_fixtures.R2016)
    r16 = wiod_fixtures.sheet_rows(t16)
    r16[9][6] = "x7"
    frame = wiod_fixtures.r_frame(t16)
    frame.iloc[3, 9] = float("nan")
    with tempfile.TemporaryDirectory() as tmp:  # both writers write files
        xlsb = write_xlsb(Path(tmp, "t.xlsb"), {"2014": r16}).read_bytes()
        rdata = wiod_fixtures.write_rdata(t16, Path(tmp, "t.RData"), objects={"wiot": frame})
        blob = rdata.read_bytes()
    f.add("xlsb_non_numeric", "WIOT2014_Nov16_ROW.xlsb", xlsb, "[2014]", "row 10",
          "column 'G'", "not a number", "expected a number", "'x7'")  # fmt: skip
    rname = "WIOT2014_October16_ROW.RData"
    f.add("rdata_nan", rname, blob, "[wiot]", "row 4", f"column '{frame.columns[9]}'",
          "not a number", "expected a number")  # fmt: skip
    f.add("rdata_truncated", rname, _cut(blob), "cannot read the R data file",
          "expected an .RData file")  # fmt: skip
    f.add("rdata_empty", rname, b"", "cannot read the R data file", "expected an .RData file")
    return f.cases


# ----------------------------------------------------------------------------------------- ADB


def _adb(root: Path, write: bool) -> list[Case]:
    """ADB MRIO 62 layout (sheet 'ADB MRIO 2019' beside 'Legend'): header rows 5-7, industry
    rows 8-19 (PRC, KAZ, RoW × c1-c4), valuation rows 20-27; columns E-P Z, Q-AE final demand
    (F1-F5 per economy), AF total output."""
    f = _Folder(root, "adb", write)
    variant = adb_fixtures.VARIANTS["62"]
    rows = adb_fixtures.sheet_rows(adb_fixtures.generate(variant))
    name, sheet = variant.file, "ADB MRIO 2019"
    where = f"[{sheet}]"
    legend = [["Code", "Country"], ["PRC", "China"], ["KAZ", "Kazakhstan"], ["RoW", "Rest"]]

    def wb(edited: Rows) -> bytes:
        return _book({sheet: edited, "Legend": legend})

    def at(r: int, c: int, value: object) -> bytes:
        edited = [list(row) for row in rows]
        edited[r - 1][c] = value
        return wb(edited)

    book = wb(rows)
    part = _sheet_part(book)
    f.add("empty", name, wb([]), where, "no header row with the code 'c1'", "expected")
    f.add("header_only", name, wb(rows[:7]), where, "ends after 0 of 12 industry rows",
          "expected 3 countries × 4 sectors")  # fmt: skip
    f.add("truncated", name, _cut(book), *XLSX_CUT)
    f.add("member_damaged", name, _damaged(book, part), "cannot read the workbook",
          "expected an .xlsx workbook", member=part)  # fmt: skip
    f.add("no_member", name, _without(book, part), "no data sheet",
          "expected a sheet holding the table")  # fmt: skip
    dup = [list(r) for r in rows]
    for c in range(8, 12):  # KAZ's intermediate-use columns labelled PRC
        dup[5][c] = "PRC"
    f.add("duplicate_labels", name, wb(dup), where, "row 7", "column 'I'",
          "duplicate code 'c1' among the intermediate-use columns of PRC",
          "expected each sector's code once")  # fmt: skip
    f.add("out_of_order", name, wb(_swap(rows, 12, 13)), where, "row 13", "column 'D'",
          "not in the order", "expected code 'c2'")  # fmt: skip
    f.add("non_numeric", name, at(9, 5, "abc"), where, "row 9", "column 'F'", "not a number",
          "expected a number", "'abc'")  # fmt: skip
    f.add("nan", name, at(11, 17, "NaN"), where, "row 11", "column 'R'", "not a number",
          "expected a number")  # fmt: skip
    f.add("inf", name, at(15, 7, "-inf"), where, "row 15", "column 'H'", "not a number",
          "expected a number", "'-inf'")  # fmt: skip
    f.add("negative_output", name, at(14, 31, -7.5), where, "row 14 (KAZ_c3)",
          "negative published gross output", "expected output >= 0")  # fmt: skip
    f.add("not_square", name, wb(_drop_col(rows, 15)), where, "row 7", "column 'P'",
          "not country-major", "expected the codes c1, c2, c3, c4 for RoW")  # fmt: skip
    f.add("fd_mismatch", name, wb(_drop_col(rows, 25)), where, "row 7",
          "final demand of KAZ has no column 'F5'", "expected the categories")  # fmt: skip
    f.add("zip_bomb", name, _announce(book, part), *BOMB, member=part)
    wiod = _book({"WIOT_2009": wiod_fixtures.sheet_rows(wiod_fixtures.generate(
        wiod_fixtures.R2013))})  # fmt: skip
    f.add("other_format", "WIOT09_ROW_Sep12.xlsx", wiod, "not coded like the ADB MRIO tables",
          "expected codes F1", format="adb")  # fmt: skip
    return f.cases


# ------------------------------------------------------------------------------------ template


def _template_sheets() -> dict[str, Rows]:
    """A filled template (AAA, BBB × agr, man; HH, GF), sheet by sheet: rows 1-2 labels, rows
    3-6 AAA_agr ... BBB_man, numbers from column C; Y's column G is output."""
    from openpyxl import load_workbook

    from gvckit.icio.readers.template import write_template

    with tempfile.TemporaryDirectory() as tmp:
        write_template(Path(tmp, "t.xlsx"), ["AAA", "BBB"], ["agr", "man"], ["HH", "GF"])
        wb = load_workbook(Path(tmp, "t.xlsx"), read_only=True)
        sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
        wb.close()
    Z, Y, x, *_, va, _ = wiod_fixtures.balanced(2, 2, 2, 3)
    for i in range(4):
        sheets["Z"][2 + i][2:6] = [float(v) for v in Z[i]]
        sheets["Y"][2 + i][2:7] = [*(float(v) for v in Y[i].reshape(-1)), float(x[i])]
    sheets["VA"][2][2:6] = [float(v) for v in va]
    return sheets


def _template(root: Path, write: bool) -> list[Case]:
    f = _Folder(root, "template", write)
    sheets = _template_sheets()
    name = "mine.xlsx"

    def wb(**edits: Rows) -> bytes:
        return _book({**sheets, **edits})

    def at(s: str, r: int, c: int, value: object) -> bytes:
        edited = [list(row) for row in sheets[s]]
        edited[r - 1][c] = value
        return wb(**{s: edited})

    book = wb()
    z_part = _sheet_part(book, 3)
    blank = {s: [list(r[:2]) + [None] * (len(r) - 2) if k >= 2 else r for k, r in
                 enumerate(sheets[s])] for s in ("Z", "Y", "VA")}  # fmt: skip
    f.add("empty", name, wb(Z=[]), "[Z]", "row 1", "no header rows", "expected labels")
    f.add("header_only", name, wb(**blank), "[Z]", "the table is empty", "expected numbers")
    f.add("truncated", name, _cut(book), *XLSX_CUT)
    f.add("member_damaged", name, _damaged(book, z_part), "cannot read the workbook",
          "expected an .xlsx workbook", member=z_part)  # fmt: skip
    f.add("no_member", name, _without(book, z_part), "no sheet 'Z'", "expected the sheets")
    f.add("duplicate_labels", name, at("Z", 2, 3, "agr"), "[Z]", "row 2", "column 'D'",
          "duplicate sector 'agr'", "expected each sector once")  # fmt: skip
    f.add("out_of_order", name, wb(Y=_swap(sheets["Y"], 2, 3)), "[Y]", "row 3", "column 'B'",
          "rows are not those of Z", "expected AAA / agr")  # fmt: skip
    f.add("non_numeric", name, at("Z", 4, 3, "abc"), "[Z]", "row 4", "column 'D'",
          "not a number", "expected a number", "'abc'")  # fmt: skip
    f.add("nan", name, at("Y", 5, 4, "nan"), "[Y]", "row 5", "column 'E'", "not a number",
          "expected a number")  # fmt: skip
    f.add("inf", name, at("VA", 3, 2, "inf"), "[VA]", "row 3", "column 'C'", "not a number",
          "expected a number", "'inf'")  # fmt: skip
    f.add("negative_output", name, at("Y", 5, 6, -50.0), "[Y]", "row 5 (BBB_agr)",
          "column 'G'", "negative published gross output", "expected output >= 0")  # fmt: skip
    f.add("not_square", name, wb(Z=_drop_col(sheets["Z"], 5)), "[Z]", "row 2", "column 'F'",
          "columns do not form countries × sectors", "expected BBB / man")  # fmt: skip
    f.add("fd_mismatch", name, wb(Y=_drop_col(sheets["Y"], 5)), "[Y]", "row 2",
          "final demand of 'BBB' has no column 'GF'", "expected the same 2")  # fmt: skip
    f.add("zip_bomb", name, _announce(book, z_part), *BOMB, member=z_part)
    wide = _book({"table": _as_cells(_wide_grid())})
    f.add("other_format", "table.xlsx", wide, "no sheet 'Z'", "expected the sheets",
          format="template")  # fmt: skip
    return f.cases


# ------------------------------------------------------------------------------------------ all

WRITERS: dict[str, Callable[[Path, bool], list[Case]]] = {
    "wide": _wide,
    "oecd": _oecd,
    "figaro": _figaro,
    "eora26": _eora,
    "exiobase": _exiobase,
    "wiod": _wiod,
    "adb": _adb,
    "template": _template,
}


def write_corpus(folder: Path, *, write: bool = True) -> list[Case]:
    """Write every bad file under ``folder`` (one subfolder per reader, one per case) and
    return the cases; with ``write=False`` only return them (for test ids)."""
    if write:
        folder.mkdir(parents=True, exist_ok=True)
    return [case for writer in WRITERS.values() for case in writer(folder, write)]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "icio"
    for case in write_corpus(target):
        forced = "" if case.format == "auto" else f"  --format {case.format}"
        print(f"{case.name:32} {case.path}{forced}")
