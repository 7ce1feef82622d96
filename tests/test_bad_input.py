"""Bad input files: each gives exit code 2 and one line naming the file and the row or column.

Every case starts from the real ``leather`` table (read from ../shared) and breaks one thing.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gvckit.cli import main


def _leather_lines(leather_path: Path) -> list[str]:
    return leather_path.read_text().splitlines()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    return code, err


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def _assert_one_line(err: str, file: Path | None, *needles: str) -> None:
    """``err`` is one line ``error: <file>...``; the needles are looked for after the file's
    path only, so that a folder name (``test_empty_file0``) cannot satisfy them."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    rest = lines[0].removeprefix("error: ")
    assert rest != lines[0], lines[0]
    if file is not None:
        assert rest.startswith(str(file)), (str(file), lines[0])
        rest = rest[len(str(file)) :]
    for needle in needles:
        assert needle in rest, (needle, lines[0])


@pytest.fixture
def lines(leather_path: Path) -> list[str]:
    return _leather_lines(leather_path)


@pytest.mark.parametrize("command", [["table", "info"], ["measure", "vs"]])
def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    p = tmp_path / "empty.csv"
    p.write_text("")
    code, err = _run(capsys, *command, str(p))
    assert code == 2
    _assert_one_line(err, p, ": the file is empty")


def test_header_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> None:
    p = _write(tmp_path, "header.csv", lines[:1])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, p, "no rows")


def test_missing_column_wrong_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    cut = [",".join(line.split(",")[:3] + line.split(",")[4:]) for line in lines]
    p = _write(tmp_path, "shape.csv", cut)
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 1", "column 4", "Argentina_Textile_and_Leather")


def test_ragged_row(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> None:
    bad = [*lines[:4], lines[4] + ",1.0,2.0", *lines[5:]]
    p = _write(tmp_path, "ragged.csv", bad)
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 5", "malformed CSV", "15 fields", "17 fields")


@pytest.mark.parametrize("blank_lines", [0, 2])
def test_extra_fields_in_the_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], blank_lines: int
) -> None:
    """Extra fields in the first data row (not in a later one) were taken by pandas as an
    index: every cell shifted, and the error (if any) named a later row and a wrong label."""
    bad = [lines[0], *[""] * blank_lines, lines[1] + ",1.0,2.0", *lines[2:]]
    p = _write(tmp_path, "first.csv", bad)
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, p, f"row {2 + blank_lines}", "malformed CSV", "15 fields", "17 fields")


def test_duplicate_row_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    dup = [*lines[:2], lines[1], *lines[3:]]
    p = _write(tmp_path, "dup.csv", dup)
    code, err = _run(capsys, "measure", "tiva", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 3", "duplicate sector 'Agriculture'")


def test_duplicate_column_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    header = lines[0].split(",")
    header[4] = header[3]
    p = _write(tmp_path, "dupcol.csv", [",".join(header), *lines[1:]])
    code, err = _run(capsys, "measure", "tiva", str(p))
    assert code == 2
    _assert_one_line(err, p, "duplicate column label", "Argentina.Textile_and_Leather")


@pytest.mark.parametrize(
    ("cell", "what"),
    [
        ("abc", "not a number"),
        ("", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a finite number"),
    ],
)
def test_bad_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], cell: str, what: str
) -> None:
    row = lines[3].split(",")
    row[5] = cell  # Turkey.Agriculture column, file row 4
    p = _write(tmp_path, "cell.csv", [*lines[:3], ",".join(row), *lines[4:]])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 4", "'Turkey.Agriculture'", what)


def test_negative_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    row = lines[2].split(",")
    row[-1] = "-58.3"
    p = _write(tmp_path, "neg.csv", [lines[0], lines[1], ",".join(row), *lines[3:]])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 3 (Argentina_Textile_and_Leather)", "negative")


def test_truncated_gzip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    blob = gzip.compress(leather_path.read_bytes())
    p = tmp_path / "cut.csv.gz"
    p.write_bytes(blob[: len(blob) * 2 // 3])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, p, "cannot read the gzip file", "end-of-stream")


def test_gzip_bomb_is_refused(tmp_path: Path, leather_path: Path) -> None:
    import gvckit.icio as icio
    from gvckit.errors import InputError

    p = tmp_path / "big.csv.gz"
    p.write_bytes(gzip.compress(leather_path.read_bytes() + b"0" * 10_000_000))
    with pytest.raises(InputError, match="inflates to more than"):
        icio.read(p, max_bytes=1_000_000)


def test_wrong_format_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    code, err = _run(capsys, "measure", "vs", str(leather_path), "--format", "oecd")
    assert code == 2
    _assert_one_line(err, leather_path, "does not look like an OECD ICIO file")


def test_unknown_format(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    code, err = _run(capsys, "table", "info", str(leather_path), "--format", "nope")
    assert code == 2
    _assert_one_line(err, None, "unknown format 'nope'")
    code, err = _run(capsys, "measure", "vs", str(leather_path), "-f", "xml")
    assert code == 2  # -f takes a reader or a style: the message names both
    _assert_one_line(err, None, "or an output style (table, csv, json)")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(capsys, "table", "info", str(tmp_path / "nothere.csv"))
    assert code == 2
    _assert_one_line(err, tmp_path / "nothere.csv", ": no such file")


def test_unrecognised_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "what.csv", ["a,b,c", "1,2,3"])
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, p, "row 1", "cannot tell the table's format")


def test_xlsx_bomb_is_refused(tmp_path: Path, leather_path: Path) -> None:
    import pandas as pd

    import gvckit.icio as icio
    from gvckit.errors import InputError

    xlsx = tmp_path / "t.xlsx"
    pd.read_csv(leather_path).to_excel(xlsx, index=False)
    with pytest.raises(InputError, match="workbook inflates to"):
        icio.read(xlsx, max_bytes=1000)


def test_damaged_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, p, "not a valid .xlsx workbook")


def test_year_option_on_a_wide_table(
    capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    code, err = _run(capsys, "measure", "vs", str(leather_path), "--year", "2011")
    assert code == 2
    _assert_one_line(err, None, "option 'year' does not apply to wide", "leather.csv", "OECD")


def test_truncated_oecd_zip_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    from oecd_fixtures import EDITIONS, generate

    p = tmp_path / "2016-2020.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2017.csv", generate(EDITIONS["2023sml"]).text)
    blob = p.read_bytes()
    p.write_bytes(blob[:200] + bytes(400) + blob[600:])  # damage the compressed member
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, p, "2017.csv", "zip member")
