"""The Excel workbook: template written by gvckit, filled in, read back with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from gvckit import chain
from gvckit.chain.workbook import SHEETS, read_workbook, write_template
from gvckit.cli import main
from gvckit.errors import ChainError

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def test_round_trip(tmp_path: Path) -> None:
    original = chain.read_chain(SMALL)
    xlsx = tmp_path / "chain.xlsx"
    write_template(xlsx, original)
    assert read_workbook(xlsx) == original
    assert chain.read_chain(xlsx) == original  # read_chain takes workbooks too


def test_empty_template_has_every_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "t.xlsx"
    assert main(["chain", "template", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["chain", *SHEETS, "intervention"]
    assert [c.value for c in wb["actors"][1]] == SHEETS["actors"][0]
    kinds = wb["actors"].data_validations.dataValidation[0]
    assert "smallholder" in str(kinds.formula1)
    # an empty template is not a chain yet: the error names what is missing
    with pytest.raises(ChainError, match="name"):
        read_workbook(xlsx)


def _edit(tmp_path: Path, sheet: str, row: int, column: str, value: object) -> Path:
    xlsx = tmp_path / "c.xlsx"
    write_template(xlsx, chain.read_chain(SMALL))
    wb = load_workbook(xlsx)
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(column) + 1
    ws.cell(row=row, column=col, value=value)
    wb.save(xlsx)
    return xlsx


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "needle"),
    [
        ("actors", 3, "stage", "farming", "'farming' is not a stage"),
        ("links", 4, "volume", -3, "greater than or equal to 0"),
        ("actors", 2, "employment.share_women", 1.5, "less than or equal to 1"),
        ("links", 2, "currency", "GBP", "no exchange rate"),
        ("actors", 2, "kind", "farmer", "smallholder"),
    ],
)
def test_errors_name_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str, row: int, column: str,
    value: object, needle: str,
) -> None:  # fmt: skip
    xlsx = _edit(tmp_path, sheet, row, column, value)
    assert main(["chain", "check", str(xlsx)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"error: {xlsx} [{sheet}], row {row}, column '{column}'"), err
    assert needle in err


def test_bad_year_cell(tmp_path: Path) -> None:
    xlsx = _edit(tmp_path, "stages", 3, "year", "twenty")
    with pytest.raises(ChainError, match=r"\[stages\], row 3, column 'year'"):
        read_workbook(xlsx)


def test_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(ChainError, match="cannot read the workbook"):
        read_workbook(p)
