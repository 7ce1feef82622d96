"""WIOD reader: the 2013 xlsx, 2016 xlsb and 2016 RData files in their published layouts,
zips and folders as published, and bad input named by sheet, row and column."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import gvckit.icio as icio
import wiod_fixtures as wf
from conftest import wiod_path
from gvckit.cli import main
from gvckit.errors import InputError, OptionError
from gvckit.icio.readers.wiod import read_wiod
from xlsb_writer import write_xlsb

FILES = {
    "2013": "WIOT09_ROW_Sep12.xlsx",
    "2016xlsb": "WIOT2014_Nov16_ROW.xlsb",
    "2016R": "WIOT2014_October16_ROW.RData",
}


def _write(
    tmp_path: Path, key: str, seed: int = 11, name: str | None = None
) -> tuple[Path, wf.Table]:
    t = wf.generate(wf.R2013 if key == "2013" else wf.R2016, seed)
    path = tmp_path / (name or FILES[key])
    if key == "2013":
        wf.write_xlsx(t, path)
    elif key == "2016xlsb":
        wf.write_xlsb_table(t, path)
    else:
        wf.write_rdata(t, path)
    return path, t


@pytest.mark.parametrize("key", list(FILES))
def test_each_release_reads_exactly(tmp_path: Path, key: str) -> None:
    path, t = _write(tmp_path, key)
    rel = t.release
    assert icio.detect_format(path) == "wiod"
    table = icio.read(path)
    assert table.entities == rel.countries
    assert table.sectors == rel.sectors
    assert table.destinations == rel.countries
    assert table.categories == rel.categories
    assert table.meta.inventories == (rel.categories[-1],)  # c42 (2013) or c61 (2016)
    np.testing.assert_array_equal(table.Z, t.Z)
    np.testing.assert_array_equal(table.Y, t.Y)
    np.testing.assert_array_equal(table.given_output, t.x)
    assert list(table.primary_inputs) == list(wf.PRIMARY)
    for name, row in t.primaries.items():
        np.testing.assert_array_equal(table.primary_inputs[name], row)
    np.testing.assert_allclose(table.x, t.x, rtol=1e-13)
    bal = table.balance
    assert bal.balanced and bal.column_gap is not None
    assert float(np.abs(bal.column_gap).max()) < 1e-9
    meta = table.meta
    assert meta.source == f"WIOD {rel.name} release (Timmer et al. 2015)"
    assert meta.edition == rel.name and meta.year == (2009 if key == "2013" else 2014)
    assert meta.unit == "millions of US$, current prices" and meta.price_basis == "basic prices"
    assert "VA" in meta.value_added and meta.file == path.name
    if rel.name == "2016":  # U has no output: a zero-output sector, as in the published tables
        assert table.balance.zero_output == tuple(f"{c}_U" for c in rel.countries)


def test_xlsb_and_rdata_give_the_same_table(tmp_path: Path) -> None:
    a = icio.read(_write(tmp_path, "2016xlsb")[0])
    b = icio.read(_write(tmp_path, "2016R")[0])
    assert (a.entities, a.sectors, a.categories) == (b.entities, b.sectors, b.categories)
    for x, y in ((a.Z, b.Z), (a.Y, b.Y), (a.given_output, b.given_output)):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_allclose(a.va, b.va, rtol=1e-14, atol=1e-12)
    assert a.meta.notes != b.meta.notes  # each says what it was read from


def test_2013_april_file_and_sheet(tmp_path: Path) -> None:
    """1995-2007 files are named _Apr12; the year comes from the name, the sheet is WIOT_1995."""
    t = wf.generate(wf.R2013, 3)
    path = wf.write_xlsx(t, tmp_path / "WIOT95_ROW_Apr12.xlsx", sheet="WIOT_1995")
    table = read_wiod(path, sheet="WIOT_1995")
    assert table.meta.year == 1995
    assert table.entities == ("AUS", "ROM", "RoW")  # as published (ROM, RoW)
    with pytest.raises(InputError, match=r"no sheet 'WIOT_2011'.*found 'WIOT_1995'"):
        read_wiod(path, sheet="WIOT_2011")
    with pytest.raises(InputError, match=r"holds the 1995 table \(by its name\), not 2011"):
        read_wiod(path, year=2011)


def test_real_2011_numbers_in_the_published_layout(tmp_path: Path) -> None:
    """A cut of the real 2011 table (AUS, ROM, RoW; all 35 industries) written in the 2013
    layout reads back as the same numbers the CSV of the R package gives."""
    raw = pd.read_csv(wiod_path(2011), keep_default_na=False)
    keep = ["AUS", "ROM", "RoW"]
    rows = raw[raw["country"].isin(keep)].reset_index(drop=True)
    zcols = [f"{c}_c{k}" for c in keep for k in range(1, 36)]
    fdcols = [f"{c}_{cat}" for c in keep for cat in wf.R2013.categories]
    Z = rows[zcols].to_numpy(dtype=float)
    Y = rows[fdcols].to_numpy(dtype=float).reshape(105, 3, 5)
    isic = wf.codes(
        "AtB C 15t16 17t18 19 20 21t22 23 24 25 26 27t28 29 30t33 34t35 36t37 E F 50 51 52"
        " H 60 61 62 63 64 J 70 71t74 L M N O P"
    )
    rel = wf.Release("2013", tuple(keep), tuple(int(c) if c.isdigit() else c for c in isic),
                     tuple(f"industry {k}" for k in range(1, 36)), wf.R2013.categories)  # fmt: skip
    x = rows["output"].to_numpy(dtype=float)
    inputs = Z.sum(axis=0)
    prim = {k: np.zeros(105) for k in wf.PRIMARY}
    prim["VA"] = x - inputs
    path = wf.write_xlsx(wf.Table(rel, Z, Y, x, prim), tmp_path / "WIOT11_ROW_Sep12.xlsx")
    table = icio.read(path)
    assert table.sectors == tuple(f"c{k}" for k in range(1, 36))
    assert table.meta.year == 2011 and table.meta.edition == "2013"
    np.testing.assert_array_equal(table.Z, Z)
    np.testing.assert_array_equal(table.Y, Y)
    np.testing.assert_array_equal(table.given_output, x)


def _zip(path: Path, members: dict[str, Path]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, src in members.items():
            zf.write(src, name)
    return path


def test_zips_and_folders_as_published(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    x09 = wf.write_xlsx(wf.generate(wf.R2013, 1), src / "WIOT09_ROW_Sep12.xlsx")
    x10 = wf.write_xlsx(wf.generate(wf.R2013, 2), src / "WIOT10_ROW_Sep12.xlsx", "WIOT_2010")
    excel = _zip(tmp_path / "WIOTS_in_EXCEL.zip",
                 {"WIOT09_ROW_Sep12.xlsx": x09, "WIOT10_ROW_Sep12.xlsx": x10})  # fmt: skip
    assert icio.detect_format(excel) == "wiod"
    with pytest.raises(InputError, match=r"several years \(2009, 2010\)"):
        icio.read(excel)
    t10 = icio.read(excel, year=2010)
    assert t10.meta.year == 2010
    np.testing.assert_array_equal(t10.Z, wf.generate(wf.R2013, 2).Z)
    with pytest.raises(InputError, match=r"no table for 2014 inside.*2009, 2010"):
        icio.read(excel, year=2014)
    # 2016: the R files and the workbooks of the same year; a folder holding both zips
    r14 = wf.write_rdata(wf.generate(wf.R2016, 4), src / "WIOT2014_October16_ROW.RData")
    b14 = wf.write_xlsb_table(wf.generate(wf.R2016, 4), src / "WIOT2014_Nov16_ROW.xlsb")
    folder = tmp_path / "wiod2016"
    folder.mkdir()
    _zip(folder / "WIOTS_in_R.zip", {"WIOT2014_October16_ROW.RData": r14})
    _zip(folder / "WIOTS_in_EXCEL.zip", {"WIOT2014_Nov16_ROW.xlsb": b14})
    assert icio.detect_format(folder) == "wiod"
    t14 = icio.read(folder)
    assert t14.meta.notes == ("read from the R data as published",)  # R preferred
    np.testing.assert_array_equal(t14.Z, wf.generate(wf.R2016, 4).Z)
    assert icio.read(folder / "WIOTS_in_EXCEL.zip").meta.file == "WIOT2014_Nov16_ROW.xlsb"


def test_zip_member_size_limit(tmp_path: Path) -> None:
    path, _ = _write(tmp_path, "2016R")
    z = _zip(tmp_path / "WIOTS_in_R.zip", {path.name: path})
    with pytest.raises(InputError, match="inflates to"):
        icio.read(z, max_bytes=500)


def test_options_it_does_not_take(tmp_path: Path) -> None:
    path, _ = _write(tmp_path, "2013")
    with pytest.raises(OptionError, match="option 'small' does not apply to WIOD"):
        icio.read(path, small=True)


def _edit_xlsx(path: Path, cell: str, value: object, sheet: str = "WIOT_2009") -> Path:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("cell", "value", "needle"),
    [
        ("F8", "n/a", r"\[WIOT_2009\], row 8, column 'F': not a number \(industry row\).*'n/a'"),
        ("G9", None, r"\[WIOT_2009\], row 9, column 'G': empty cell"),
        ("C10", "DEU", r"row 10, column 'C': industry rows are not in the order.*'ROM'.*'DEU'"),
        ("D8", "c9", r"row 8, column 'D': industry rows are not in the order.*'c2'"),
        ("E6", "x1", r"no header row with the code 'c1' in column E"),
        ("H6", "c7", r"row 6, column 'H': intermediate-use columns are not country-major.*'c7'"),
        ("I5", "AUS", r"row 5, column 'I': intermediate-use columns are not country-major"),
        ("AC4", "Totals", None),  # descriptions are not checked
        ("AD6", "c99", r"row 6, column 'AD': unexpected column after the total-output column"),
    ],
)
def test_bad_2013_cells(tmp_path: Path, cell: str, value: object, needle: str | None) -> None:
    path = _edit_xlsx(_write(tmp_path, "2013")[0], cell, value)
    if needle is None:
        icio.read(path)
        return
    with pytest.raises(InputError, match=needle):
        icio.read(path)


def test_bad_xlsb_cell_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = wf.sheet_rows(wf.generate(wf.R2016))
    rows[7][5] = "x"  # sheet row 8, column F
    path = write_xlsb(tmp_path / "WIOT2014_Nov16_ROW.xlsb", {"2014": rows})
    assert main(["table", "info", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"error: {path} [2014], row 8, column 'F': not a number"), err


def test_valuation_rows_blank_cells_and_unknown_rows(tmp_path: Path) -> None:
    t = wf.generate(wf.R2013)
    rows = wf.sheet_rows(t)
    n = t.n
    rows[6 + n + 2][4] = None  # r61 (cif/fob), first column: blank reads as 0
    rows.insert(6 + n + 7, [None, "Statistical discrepancy", None, "r65", *[0.5] * n])
    path = wf.write_xlsx(wf.Table(t.release, t.Z, t.Y, t.x, t.primaries), tmp_path / "a.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws.delete_rows(1, ws.max_row)
    for row in rows:
        ws.append(row)
    wb.save(path)
    table = icio.read(path, format="wiod")
    assert table.primary_inputs["EXP_adj"][0] == 0.0
    np.testing.assert_array_equal(table.primary_inputs["Statistical discrepancy"], 0.5)


def test_second_valuation_row_of_a_kind(tmp_path: Path) -> None:
    path = _edit_xlsx(_write(tmp_path, "2013")[0], "D18", "r64")  # r61 row → a second VA row
    with pytest.raises(
        InputError, match=r"row 21, column 'B': second valuation row 'VA' \(first in row 18\)"
    ):
        icio.read(path)


def test_industry_rows_end_early(tmp_path: Path) -> None:
    path, _ = _write(tmp_path, "2013")
    wb = load_workbook(path)
    ws = wb["WIOT_2009"]
    ws.delete_rows(15, 100)  # keep 8 of the 9 industry rows
    wb.save(path)
    with pytest.raises(InputError, match=r"sheet ends after 8 of 9 industry rows"):
        icio.read(path)


def test_rdata_without_wiot(tmp_path: Path) -> None:
    t = wf.generate(wf.R2016)
    path = wf.write_rdata(t, tmp_path / "WIOT2014_October16_ROW.RData",
                          objects={"wiot_2014": wf.r_frame(t)})  # fmt: skip
    with pytest.raises(InputError, match=r"no object 'wiot'.*found 'wiot_2014'"):
        icio.read(path)


def test_rdata_bad_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = wf.generate(wf.R2016)
    frame = wf.r_frame(t)
    frame.loc[2, "DEU3"] = np.nan  # an industry row
    frame.loc[t.n + 3, "AUS2"] = np.nan  # a valuation row (PURR): NA is 0 there
    path = wf.write_rdata(t, tmp_path / "WIOT2014_October16_ROW.RData", objects={"wiot": frame})
    assert main(["table", "info", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {path} [wiot], row 3, column 'DEU3': not a number: expected a number"
    frame.loc[2, "DEU3"] = 1.5
    path = wf.write_rdata(t, path, objects={"wiot": frame})
    table = icio.read(path)
    assert table.primary_inputs["PURR"][1] == 0.0 and table.Z[2, 6] == 1.5


def test_rdata_wrong_columns(tmp_path: Path) -> None:
    t = wf.generate(wf.R2016)
    frame = wf.r_frame(t).rename(columns={"RNr": "Row"})
    path = wf.write_rdata(t, tmp_path / "WIOT2014_October16_ROW.RData", objects={"wiot": frame})
    with pytest.raises(InputError, match=r"column 4: unexpected column: expected 'RNr'"):
        icio.read(path)
    frame = wf.r_frame(t).rename(columns={"AUS2": "AUS02"})
    path = wf.write_rdata(t, tmp_path / "WIOT2014_October16_ROW.RData", objects={"wiot": frame})
    with pytest.raises(InputError, match=r"column 7: intermediate-use columns do not match"):
        icio.read(path)


def test_not_an_r_file(tmp_path: Path) -> None:
    p = tmp_path / "WIOT2014_October16_ROW.RData"
    p.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    with pytest.raises(InputError, match="cannot read the R data file"):
        icio.read(p)


def test_wrong_format_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _write(tmp_path, "2013")
    with pytest.raises(InputError, match=r"not coded like the ADB MRIO tables.*c37"):
        icio.read(path, format="adb")
    with pytest.raises(InputError, match="no label columns"):
        icio.read(path, format="wide")
    csv = tmp_path / "2017.csv"
    csv.write_text("a,b\n1,2\n")
    assert main(["table", "info", str(csv), "--format", "wiod"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {csv}: not a valid .xlsx workbook"), err


def test_cli_info_and_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _write(tmp_path, "2016xlsb")
    assert main(["table", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "WIOD 2016 release (Timmer et al. 2015), 2014" in out
    assert main(["measure", "vax", str(path)]) == 0
    assert capsys.readouterr().out.startswith("country,")


def test_recognised_by_content(tmp_path: Path) -> None:
    """Renamed files are recognised by their header rows (and an .xlsb is WIOD's)."""
    x13, _ = _write(tmp_path, "2013", name="table.xlsx")
    xlsb, _ = _write(tmp_path, "2016xlsb", name="table.xlsb")
    rda, _ = _write(tmp_path, "2016R", name="wiot.rda")
    assert [icio.detect_format(p) for p in (x13, xlsb, rda)] == ["wiod"] * 3
    assert icio.read(x13).meta.year == 2009  # from the sheet name WIOT_2009
    assert icio.read(xlsb).meta.year == 2014  # from the sheet name 2014
    assert icio.read(rda).meta.year == 2014  # from the Year column
    with pytest.raises(InputError, match=r"holds the 2014 table, not 2013"):
        icio.read(rda, year=2013)
    with pytest.raises(OptionError, match=r"option 'sheet' applies to workbooks, not to wiot.rda"):
        icio.read(rda, sheet="2014")
