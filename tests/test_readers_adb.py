"""ADB MRIO reader: the 62- and 72-economy editions and constant-price tables in the published
layout, empty cells, and bad input named by sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

import adb_fixtures as af
import gvckit.icio as icio
from gvckit.cli import main
from gvckit.errors import InputError, OptionError
from gvckit.icio.readers.adb import read_adb
from wiod_fixtures import PRIMARY


@pytest.mark.parametrize(
    ("key", "edition", "unit"),
    [
        ("62", "62 economies", "millions of US$, current prices"),
        ("72", "72 economies", "millions of US$, current prices"),
        ("62k", "62 economies", "millions of US$, constant 2010 prices"),
    ],
)
def test_each_edition_reads_exactly(tmp_path: Path, key: str, edition: str, unit: str) -> None:
    v = af.VARIANTS[key]
    t = af.generate(v)
    path = af.write(t, tmp_path)
    assert icio.detect_format(path) == "adb"
    table = icio.read(path)
    assert table.entities == v.economies  # ADB codes as published
    assert table.sectors == ("c1", "c2", "c3", "c4")
    assert table.categories == ("F1", "F2", "F3", "F4", "F5")
    assert table.meta.inventories == ("F5",)
    np.testing.assert_array_equal(table.Z, t.Z)
    np.testing.assert_array_equal(table.Y, t.Y)
    np.testing.assert_array_equal(table.given_output, t.x)
    assert list(table.primary_inputs) == list(PRIMARY)
    for name, row in t.primaries.items():
        np.testing.assert_array_equal(table.primary_inputs[name], row)
    assert table.balance.balanced
    meta = table.meta
    assert meta.source == "ADB Multiregional Input-Output Tables (ADB MRIO database)"
    assert (meta.edition, meta.year, meta.unit) == (edition, v.year, unit)
    assert meta.price_basis == "basic prices" and meta.file == path.name


def test_empty_cells_read_as_zero(tmp_path: Path) -> None:
    t = af.generate(af.VARIANTS["72"])
    t.Z[0, 5] = t.Y[3, 1, 2] = 0.0  # type: ignore[index]
    path = af.write(t, tmp_path, blank_zeros=True)
    ws = load_workbook(path)["ADB MRIO 2022"]
    assert ws["J8"].value is None
    table = icio.read(path)
    np.testing.assert_array_equal(table.Z, t.Z)
    np.testing.assert_array_equal(table.Y, t.Y)


def test_edition_from_the_subtitle_or_the_name(tmp_path: Path) -> None:
    t = af.generate(af.VARIANTS["62"])
    path = af.write(t, tmp_path)
    wb = load_workbook(path)
    ws = wb["ADB MRIO 2019"]
    ws["A2"] = "at current prices"
    wb.save(path)
    assert icio.read(path).meta.edition == "62 economies"  # from the name: ADB-MRIO62-...
    renamed = path.rename(tmp_path / "ADB-MRIO-2019.xlsx")
    assert icio.read(renamed).meta.edition == "unknown"


def test_the_legend_is_not_the_table(tmp_path: Path) -> None:
    path = af.write(af.generate(af.VARIANTS["62"]), tmp_path, name="mrio.xlsx")
    wb = load_workbook(path)
    wb.move_sheet("Legend", offset=-1)  # Legend first: the data sheet is still found
    wb.save(path)
    assert icio.detect_format(path) == "adb"
    assert icio.read(path).entities == ("PRC", "KAZ", "RoW")
    del wb["ADB MRIO 2019"]
    wb.save(path)
    with pytest.raises(InputError, match="no data sheet: expected a sheet holding the table"):
        read_adb(path)


def test_missing_sheet(tmp_path: Path) -> None:
    path = af.write(af.generate(af.VARIANTS["62"]), tmp_path)
    with pytest.raises(InputError, match=r"no sheet 'ADB MRIO 2020'.*'ADB MRIO 2019, Legend'"):
        icio.read(path, sheet="ADB MRIO 2020")
    assert icio.read(path, sheet="ADB MRIO 2019").meta.year == 2019


def _edited(tmp_path: Path, cell: str, value: object) -> Path:
    path = af.write(af.generate(af.VARIANTS["62"]), tmp_path)
    wb = load_workbook(path)
    wb["ADB MRIO 2019"][cell] = value
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("cell", "value", "needle"),
    [
        ("F9", "1,234.5", r"\[ADB MRIO 2019\], row 9, column 'F': not a number.*'1,234.5'"),
        ("F9", "-2.03", None),  # a number stored as text
        ("C12", "IND", r"row 12, column 'C': industry rows are not in the order.*'KAZ'"),
        ("E7", "x1", r"no header row with the code 'c1' in column E"),
        ("Q6", None, r"row 6, column 'Q': final-demand column without a country"),
        ("M6", "KAZ", r"row 6, column 'N': intermediate-use columns are not country-major"),
        ("U7", "F9", r"row 7: final demand of PRC has no column 'F5'"),
    ],
)
def test_bad_cells(tmp_path: Path, cell: str, value: object, needle: str | None) -> None:
    path = _edited(tmp_path, cell, value)
    if needle is None:
        assert icio.read(path).Z[1, 1] == -2.03
        return
    with pytest.raises(InputError, match=needle):
        icio.read(path)


def test_cli_bad_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edited(tmp_path, "G10", "#N/A")
    assert main(["measure", "vs", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"error: {path} [ADB MRIO 2019], row 10, column 'G': not a number"), err


def test_wrong_format_forced(tmp_path: Path) -> None:
    path = af.write(af.generate(af.VARIANTS["62"]), tmp_path)
    with pytest.raises(InputError, match=r"not coded like the WIOD tables.*use --format adb.*F1"):
        icio.read(path, format="wiod")
    with pytest.raises(OptionError, match="option 'year' does not apply to ADB MRIO workbooks"):
        icio.read(path, year=2019)


def test_cli_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = af.write(af.generate(af.VARIANTS["72"]), tmp_path)
    assert main(["table", "info", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"edition": "72 economies"' in out and '"ARG"' in out


def test_recognised_by_content(tmp_path: Path) -> None:
    """Without its name and its Legend, an ADB table is known by its F1 ... F5 codes."""
    path = af.write(af.generate(af.VARIANTS["62"]), tmp_path, name="table.xlsx")
    wb = load_workbook(path)
    del wb["Legend"]
    wb["ADB MRIO 2019"].title = "2019"
    wb.save(path)
    assert icio.detect_format(path) == "adb"
    assert icio.read(path).meta.year == 2019
