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


def _assert_one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def lines(leather_path: Path) -> list[str]:
    return _leather_lines(leather_path)


@pytest.mark.parametrize("command", [["table", "info"], ["measure", "vs"]])
def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    p = tmp_path / "empty.csv"
    p.write_text("")
    code, err = _run(capsys, *command, str(p))
    assert code == 2
    _assert_one_line(err, "empty.csv", "empty")


def test_header_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> None:
    p = _write(tmp_path, "header.csv", lines[:1])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, "header.csv", "no rows")


def test_missing_column_wrong_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    cut = [",".join(line.split(",")[:3] + line.split(",")[4:]) for line in lines]
    p = _write(tmp_path, "shape.csv", cut)
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, "shape.csv", "row 1", "column 4", "Argentina_Textile_and_Leather")


def test_ragged_row(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> None:
    bad = [*lines[:4], lines[4] + ",1.0,2.0", *lines[5:]]
    p = _write(tmp_path, "ragged.csv", bad)
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, "ragged.csv", "row 5", "malformed CSV", "15 fields", "17 fields")


def test_duplicate_row_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    dup = [*lines[:2], lines[1], *lines[3:]]
    p = _write(tmp_path, "dup.csv", dup)
    code, err = _run(capsys, "measure", "tiva", str(p))
    assert code == 2
    _assert_one_line(err, "dup.csv", "row 3", "duplicate sector 'Agriculture'")


def test_duplicate_column_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    header = lines[0].split(",")
    header[4] = header[3]
    p = _write(tmp_path, "dupcol.csv", [",".join(header), *lines[1:]])
    code, err = _run(capsys, "measure", "tiva", str(p))
    assert code == 2
    _assert_one_line(err, "dupcol.csv", "duplicate column label", "Argentina.Textile_and_Leather")


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
    _assert_one_line(err, "cell.csv", "row 4", "'Turkey.Agriculture'", what)


def test_negative_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    row = lines[2].split(",")
    row[-1] = "-58.3"
    p = _write(tmp_path, "neg.csv", [lines[0], lines[1], ",".join(row), *lines[3:]])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, "neg.csv", "row 3 (Argentina_Textile_and_Leather)", "negative")


def test_truncated_gzip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    blob = gzip.compress(leather_path.read_bytes())
    p = tmp_path / "cut.csv.gz"
    p.write_bytes(blob[: len(blob) * 2 // 3])
    code, err = _run(capsys, "measure", "vs", str(p))
    assert code == 2
    _assert_one_line(err, "cut.csv.gz", "gzip")


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
    _assert_one_line(err, "leather.csv", "OECD")


def test_unknown_format(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    code, err = _run(capsys, "table", "info", str(leather_path), "--format", "nope")
    assert code == 2
    _assert_one_line(err, "unknown format 'nope'")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(capsys, "table", "info", str(tmp_path / "nothere.csv"))
    assert code == 2
    _assert_one_line(err, "nothere.csv", "no such file")


def test_unrecognised_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "what.csv", ["a,b,c", "1,2,3"])
    code, err = _run(capsys, "table", "info", str(p))
    assert code == 2
    _assert_one_line(err, "what.csv", "row 1", "cannot tell the table's format")


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
    _assert_one_line(err, "broken.xlsx", "xlsx")
