"""EXIOBASE 3 reader: 3.8-style (Z, factor_inputs) and 3.4-style (A only, satellite) releases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from exiobase_fixtures import (
    CATEGORIES,
    REGIONS,
    SECTORS,
    Release,
    generate,
    write_folder,
    write_zip,
)
from gvckit.cli import main
from gvckit.errors import InputError
from gvckit.icio.readers.exiobase import VALUE_ADDED


def _check_labels(table: icio.IcioTable, system: str) -> None:
    assert table.entities == REGIONS == table.destinations
    assert table.sectors == SECTORS[system]
    assert table.categories == CATEGORIES


def _zip(tmp_path: Path, rel: Release, name: str = "IOT_2019_ixi.zip") -> Path:
    return write_zip(tmp_path / name, rel.files)


def test_release_38_reads_exactly(tmp_path: Path) -> None:
    rel = generate("v38")
    p = _zip(tmp_path, rel)
    assert icio.detect_format(p) == "exiobase"
    table = icio.read(p)
    k = rel.known
    _check_labels(table, "ixi")
    np.testing.assert_array_equal(table.Z, k.Z)
    np.testing.assert_array_equal(table.Y, k.Y)
    np.testing.assert_array_equal(table.x, k.x)
    assert table.given_output is not None
    assert table.meta.inventories == ("Changes in inventories", "Changes in valuables")
    np.testing.assert_array_equal(table.given_output, k.x)
    np.testing.assert_array_equal(table.va, k.parts.sum(axis=0))
    assert list(table.primary_inputs) == list(VALUE_ADDED)
    for name, row in zip(VALUE_ADDED, k.parts, strict=True):
        np.testing.assert_array_equal(table.primary_inputs[name], row)
    assert table.balance.balanced
    assert table.balance.column_gap is not None and not table.balance.column_gap.any()
    meta = table.meta
    assert (meta.source, meta.edition, meta.year) == (
        "EXIOBASE 3 (Stadler et al. 2018)",
        "v3.8.2 ixi",
        2019,
    )
    assert (meta.unit, meta.price_basis) == ("EUR million, current prices", "basic prices")
    assert "factor_inputs/F.txt" in meta.value_added and meta.file == "IOT_2019_ixi.zip"


def test_release_34_coefficients_only(tmp_path: Path) -> None:
    """3.4: A and x only (Z = A·diag(x)), value added in the first rows of satellite/F.txt."""
    rel = generate("v34", system="pxp", year=2011)
    p = _zip(tmp_path, rel, "IOT_2011_pxp.zip")
    assert icio.detect_format(p) == "exiobase"
    table = icio.read(p)
    k = rel.known
    _check_labels(table, "pxp")
    np.testing.assert_allclose(table.Z, k.Z, rtol=1e-14, atol=1e-12)
    np.testing.assert_array_equal(table.Y, k.Y)
    np.testing.assert_allclose(table.x, k.x, rtol=1e-14)
    assert list(table.primary_inputs) == list(VALUE_ADDED)  # other stressors left out
    np.testing.assert_allclose(table.va, k.parts.sum(axis=0), rtol=1e-12)
    assert table.balance.balanced
    assert table.meta.edition == "v3.4 pxp" and table.meta.year == 2011
    assert "Z = A·diag(x) (the release gives coefficients A only)" in table.meta.notes


def test_release_34_without_output_solves_it(tmp_path: Path) -> None:
    rel = generate("v34")
    del rel.files["x.txt"]
    table = icio.read(_zip(tmp_path, rel))
    assert table.given_output is None
    np.testing.assert_allclose(table.x, rel.known.x, rtol=1e-12)
    np.testing.assert_allclose(table.Z, rel.known.Z, rtol=1e-12, atol=1e-10)
    assert "no x.txt: output solved from (I − A)·x = Y·1" in table.meta.notes


def test_folder_as_extracted(tmp_path: Path) -> None:
    rel = generate("v38")
    folder = write_folder(tmp_path / "exio", rel.files)  # holds IOT_2019_ixi/...
    assert icio.detect_format(folder) == "exiobase"
    table = icio.read(folder / "IOT_2019_ixi")
    np.testing.assert_array_equal(table.Z, rel.known.Z)
    assert table.meta.year == 2019
    assert icio.read(folder, year=2019).meta.edition == "v3.8.2 ixi"
    with pytest.raises(InputError, match="holds the 2019 table, not 2018"):
        icio.read(folder, year=2018)


def test_missing_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = generate("v38")
    del rel.files["IOT_2019_ixi/Y.txt"]
    p = _zip(tmp_path, rel)
    assert main(["table", "info", str(p), "--format", "exiobase"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no EXIOBASE table inside" in err and "Y.txt" in err


def test_truncated_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _zip(tmp_path, generate("v38"))
    p.write_bytes(p.read_bytes()[:-300])
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not a valid zip file" in err


def test_non_numeric_cell_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = generate("v38")
    name = "IOT_2019_ixi/Z.txt"
    lines = rel.files[name].decode().splitlines()
    cells = lines[5].split("\t")  # line 6: AT, sector 3
    cells[4] = "x1.5"
    lines[5] = "\t".join(cells)
    rel.files[name] = ("\n".join(lines) + "\n").encode()
    p = _zip(tmp_path, rel)
    assert main(["measure", "vs", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "IOT_2019_ixi.zip!IOT_2019_ixi/Z.txt, row 6, column 5: not a number" in err
    assert "row AT Real estate activities (70), column AT Real estate activities (70)" in err
    assert "'x1.5'" in err


def test_row_labels_must_match(tmp_path: Path) -> None:
    rel = generate("v38")
    name = "IOT_2019_ixi/Y.txt"
    lines = rel.files[name].decode().splitlines()
    lines[4] = lines[4].replace("AT\t", "FR\t", 1)
    rel.files[name] = ("\n".join(lines) + "\n").encode()
    with pytest.raises(InputError, match=r"Y\.txt, row 5, column 1: row labels differ.*expected"):
        icio.read(_zip(tmp_path, rel))


def test_other_format_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _zip(tmp_path, generate("v38"))
    assert main(["table", "info", str(p), "--format", "eora26"]) == 2
    assert "no Eora26 table inside" in capsys.readouterr().err
    assert main(["table", "info", str(p), "--format", "figaro"]) == 2
    assert "no FIGARO table inside" in capsys.readouterr().err
    csv = tmp_path / "2017.csv"
    csv.write_text(",AUS_A01,AUS_HFCE,OUT\nAUS_A01,1,2,3\n")
    assert main(["table", "info", str(csv), "--format", "exiobase"]) == 2
    assert "not an EXIOBASE release" in capsys.readouterr().err


def test_zip_member_size_limit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inflates to"):
        icio.read(_zip(tmp_path, generate("v38")), max_bytes=2000)
