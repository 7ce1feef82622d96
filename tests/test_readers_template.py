"""The Excel template for a user's own table: ``gvckit table template``, filled in and read back
with the checks of every reader; errors name the sheet and the cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

import gvckit.icio as icio
from gvckit.cli import main
from gvckit.errors import InputError, OptionError
from gvckit.icio.readers.template import MARKER, write_template
from wiod_fixtures import balanced

COUNTRIES = ["AAA", "BBB", "CCC"]
SECTORS = ["agr", "man"]
CATS = ["HFCE", "GFCF"]


def _template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "mine.xlsx"
    args = ["table", "template", str(out), "--countries", ",".join(COUNTRIES)]
    assert main([*args, "--sectors", ",".join(SECTORS), "--final-demand", ",".join(CATS)]) == 0
    assert capsys.readouterr().out.strip() == f"written: {out}"
    return out


def _fill(path: Path, seed: int = 3, output: bool = True, about: bool = True) -> dict[str, object]:
    """Fill the template with a balanced table; return its arrays."""
    G, N, F = len(COUNTRIES), len(SECTORS), len(CATS)
    Z, Y, x, _, _, _, _, va, _ = balanced(G, N, F, seed)  # VA, then the rest in one row
    wb = load_workbook(path)
    n = G * N
    for i in range(n):
        for j in range(n):
            wb["Z"].cell(3 + i, 3 + j, float(Z[i, j]))
        for d in range(G):
            for f in range(F):
                wb["Y"].cell(3 + i, 3 + d * F + f, float(Y[i, d, f]))
        if output:
            wb["Y"].cell(3 + i, 3 + G * F, float(x[i]))
    vsheet = wb["VA"]
    vsheet.cell(4, 1, "taxes less subsidies")
    for j in range(n):
        vsheet.cell(3, 3 + j, float(va[j]))
        vsheet.cell(4, 3 + j, float(x[j] - Z[:, j].sum() - va[j]))
    if about:
        ab = wb["about"]
        ab["B2"], ab["B3"], ab["B4"], ab["B5"] = "Survey 2021", 2021, "million LCU", "basic prices"
    wb.save(path)
    return {"Z": Z, "Y": Y, "x": x, "va": va}


def test_template_has_instructions_and_labelled_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _template(tmp_path, capsys)
    wb = load_workbook(path)
    assert wb.sheetnames == ["instructions", "about", "Z", "Y", "VA"]
    assert wb["instructions"]["A1"].value == MARKER
    z = [list(r) for r in wb["Z"].iter_rows(values_only=True)]
    assert z[0] == [None, "country", "AAA", "AAA", "BBB", "BBB", "CCC", "CCC"]
    assert z[1] == ["country", "sector", "agr", "man", "agr", "man", "agr", "man"]
    assert [r[:2] for r in z[2:]] == [[c, s] for c in COUNTRIES for s in SECTORS]
    assert all(v is None for r in z[2:] for v in r[2:])
    y = [list(r) for r in wb["Y"].iter_rows(values_only=True)]
    assert y[0][2:] == ["AAA", "AAA", "BBB", "BBB", "CCC", "CCC", "output"]
    assert y[1][2:] == [*CATS * 3, "(optional)"]
    assert icio.detect_format(path) == "template"
    # blank template: read as a table it is empty
    assert main(["table", "info", str(path)]) == 2
    assert "[Z]: the table is empty" in capsys.readouterr().err


def test_filled_template_reads_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _template(tmp_path, capsys)
    want = _fill(path)
    table = icio.read(path)
    assert table.entities == tuple(COUNTRIES) and table.sectors == tuple(SECTORS)
    assert table.categories == tuple(CATS)
    np.testing.assert_array_equal(table.Z, want["Z"])
    np.testing.assert_array_equal(table.Y, want["Y"])
    np.testing.assert_array_equal(table.given_output, want["x"])
    assert list(table.primary_inputs) == ["VA", "taxes less subsidies"]
    np.testing.assert_array_equal(table.primary_inputs["VA"], want["va"])
    assert table.balance.balanced and table.balance.column_gap is not None
    meta = table.meta
    assert (meta.source, meta.year, meta.unit, meta.price_basis) == (
        "Survey 2021",
        2021,
        "million LCU",
        "basic prices",
    )
    assert main(["measure", "vs", str(path)]) == 0
    assert capsys.readouterr().out.startswith("country,")


def test_optional_parts_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ["X", "Y"], ["s"])
    _fill_min(path)
    table = icio.read(path, format="template")
    assert table.given_output is None and table.primary_inputs == {}
    assert table.meta.source == "user table (gvckit template)" and table.meta.year is None
    assert table.categories == ("FD",)


def _fill_min(path: Path) -> None:
    wb = load_workbook(path)
    wb["Z"]["D3"] = 1.5
    wb["Y"]["C3"], wb["Y"]["D4"] = 4, 7  # column E is the optional output
    wb.save(path)


def _edit(path: Path, sheet: str, cell: str, value: object) -> Path:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "needle"),
    [
        ("Z", "D4", "12 000", r"\[Z\], row 4, column 'D': not a number.*'12 000'"),
        ("Y", "E5", "n.a.", r"\[Y\], row 5, column 'E': not a number"),
        ("VA", "C3", "x", r"\[VA\], row 3, column 'C': not a number"),
        ("Z", "A5", "DDD", r"\[Z\], row 5, column 'A': rows are not those of Z.*BBB / agr"),
        ("Y", "B6", "mining", r"\[Y\], row 6, column 'B': rows are not those of Z.*BBB / man"),
        ("Z", "E2", "mining", r"\[Z\], row 2, column 'E': columns are not country-major"),
        ("Y", "C1", "ZZZ", r"\[Y\], row 1, column 'C': final-demand column is not a country"),
        ("VA", "D2", "min", r"\[VA\], row 2, column 'D': columns are not those of Z"),
        ("VA", "A4", None, r"\[VA\], row 4, column 'A': value-added row without a name"),
        ("about", "B3", "last year", r"\[about\], row 3, column 'B': not a year"),
        ("Y", "D2", "HFCE", r"\[Y\], row 2, column 'D': duplicate final-demand column"),
    ],
)
def test_errors_name_the_sheet_and_cell(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sheet: str,
    cell: str,
    value: object,
    needle: str,
) -> None:
    path = _template(tmp_path, capsys)
    _fill(path)
    _edit(path, sheet, cell, value)
    with pytest.raises(InputError, match=needle):
        icio.read(path)
    assert main(["table", "info", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path} [{sheet}], row ") and err.count("\n") == 0, err


def test_second_value_added_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _template(tmp_path, capsys)
    _fill(path)
    _edit(path, "VA", "A4", "VA")
    with pytest.raises(InputError, match=r"\[VA\], row 4, column 'A': second value-added row 'VA'"):
        icio.read(path)


def test_missing_sheet_and_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _template(tmp_path, capsys)
    _fill(path)
    wb = load_workbook(path)
    wb["Y"].delete_rows(8)  # the last producing row
    wb.save(path)
    with pytest.raises(InputError, match=r"\[Y\], row 8: 5 rows: expected the 6 rows of Z"):
        icio.read(path)
    del wb["VA"]
    wb.save(path)
    with pytest.raises(InputError, match=r"no sheet 'VA': expected the sheets of the template"):
        icio.read(path)


def test_negative_output_is_located(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ["X", "Y"], ["s"])
    _fill_min(path)
    _edit(path, "Y", "E4", -70)  # published output of Y_s
    with pytest.raises(
        InputError, match=r"\[Y\], row 4 \(Y_s\), column 'E': negative published gross output"
    ):
        icio.read(path)


def test_wrong_format_forced(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ["X", "Y"], ["s"])
    _fill_min(path)
    with pytest.raises(InputError, match="no header row with the code 'c1' in column E"):
        icio.read(path, format="wiod")
    with pytest.raises(InputError, match="no label columns"):
        icio.read(path, format="wide")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--countries", "A,A", "--sectors", "s"], "--countries: 'A' is given twice"),
        (["--countries", "A,", "--sectors", "s"], "--countries: give a comma-separated list"),
        (["--countries", "A", "--sectors", "s", "--final-demand", ""], "--final-demand"),
    ],
)
def test_template_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["table", "template", str(out), *args]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()
    assert (
        main(["table", "template", str(tmp_path / "t.csv"), "--countries", "A", "--sectors", "s"])
        == 2
    )
    assert "an .xlsx workbook" in capsys.readouterr().err
    with pytest.raises(OptionError):
        write_template(out, [], ["s"])
