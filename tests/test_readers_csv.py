"""CSV dialects the readers accept: line endings, separators, byte-order mark, trailing blanks.

Each case rewrites a real table (``leather``, an OECD fixture) in another dialect and checks
that it reads to the same numbers as the plain file, from Python and from the CLI.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from gvckit.cli import main
from gvckit.errors import InputError
from gvckit.icio.table import IcioTable
from oecd_fixtures import EDITIONS, generate

Dialect = Callable[[list[str]], bytes]


def _lines(text: str, end: str = "\n") -> bytes:
    return (end.join(text.splitlines()) + end).encode()


def _decimal_comma(line: str) -> str:
    """A leather line as a German spreadsheet writes it: ``;`` separators, decimal commas."""
    cells = line.split(",")
    return ";".join(c.replace(".", ",") if c[:1].isdigit() else c for c in cells)


DIALECTS: dict[str, Dialect] = {
    "cr-only": lambda lines: _lines("\n".join(lines), "\r"),
    "crlf": lambda lines: _lines("\n".join(lines), "\r\n"),
    "bom": lambda lines: b"\xef\xbb\xbf" + _lines("\n".join(lines)),
    "semicolon": lambda lines: _lines("\n".join(line.replace(",", ";") for line in lines)),
    "semicolon-decimal-comma": lambda lines: _lines("\n".join(map(_decimal_comma, lines))),
    "tab": lambda lines: _lines("\n".join(line.replace(",", "\t") for line in lines)),
    "trailing-empty-rows": lambda lines: _lines("\n".join([*lines, ",,,,", ",,,,,,,,,,,,,,"])),
}


def _same_table(a: IcioTable, b: IcioTable) -> None:
    assert a.entities == b.entities and a.sectors == b.sectors
    np.testing.assert_array_equal(a.Z, b.Z)
    np.testing.assert_array_equal(a.Y, b.Y)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.primary_inputs.keys() == b.primary_inputs.keys()


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_wide_dialects_read_like_plain_csv(
    tmp_path: Path, leather_path: Path, dialect: str
) -> None:
    lines = leather_path.read_text().splitlines()
    p = tmp_path / "leather.csv"
    p.write_bytes(DIALECTS[dialect](lines))
    assert icio.detect_format(p) == "wide"
    _same_table(icio.read(p), icio.read(leather_path))


@pytest.mark.parametrize("dialect", ["cr-only", "semicolon", "tab", "trailing-empty-rows"])
def test_oecd_dialects_read_like_plain_csv(tmp_path: Path, dialect: str) -> None:
    text = generate(EDITIONS["2023sml"]).text
    plain = tmp_path / "2017_SML.csv"
    plain.write_text(text)
    other = tmp_path / "other" / "2017_SML.csv.gz"
    other.parent.mkdir()
    other.write_bytes(gzip.compress(DIALECTS[dialect](text.splitlines())))
    assert icio.detect_format(other) == "oecd"
    _same_table(icio.read(other), icio.read(plain))


@pytest.mark.parametrize("command", [["table", "info"], ["measure", "vs"]])
def test_cr_only_file_from_the_cli(
    tmp_path: Path, leather_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    p = tmp_path / "mac.csv"
    p.write_bytes(DIALECTS["cr-only"](leather_path.read_text().splitlines()))
    assert main([*command, str(p)]) == 0
    assert capsys.readouterr().err == ""


def test_ragged_row_line_number_with_cr_only_endings(tmp_path: Path, leather_path: Path) -> None:
    lines = leather_path.read_text().splitlines()
    lines[4] += ",1.0"
    p = tmp_path / "mac.csv"
    p.write_bytes(DIALECTS["cr-only"](lines))
    with pytest.raises(InputError, match=r"mac.csv, row 5: malformed CSV"):
        icio.read(p)


def test_blank_row_inside_the_table_is_still_an_error(tmp_path: Path, leather_path: Path) -> None:
    """Only trailing all-empty rows are dropped; one between the rows breaks the layout."""
    lines = leather_path.read_text().splitlines()
    p = tmp_path / "gap.csv"
    p.write_text("\n".join([*lines[:4], "," * 14, *lines[4:]]) + "\n")
    with pytest.raises(InputError, match=r"gap.csv, row 5, column 'country': empty label"):
        icio.read(p)
