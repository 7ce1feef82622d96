"""Eora26 reader: the zip and folder as published, labels beside the zip, the ROW discrepancy."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from eora_fixtures import (
    CATEGORIES,
    PRIMARIES,
    SECTORS,
    Release,
    data_files,
    generate,
    label_files,
    write_folder,
    write_zip,
)
from gvckit.cli import main
from gvckit.errors import InputError
from gvckit.icio.readers.eora import DISCREPANCY_NAME


def _check(table: icio.IcioTable, rel: Release) -> None:
    k = rel.known
    assert table.entities == k.countries == table.destinations
    assert table.sectors == SECTORS
    assert table.categories == (*CATEGORIES, DISCREPANCY_NAME)
    np.testing.assert_array_equal(table.Z, k.Z)
    np.testing.assert_array_equal(table.Y[:, :, :-1], k.Y)
    # sales to ROW (T column and ROW's final demand) are domestic final demand
    disc = table.Y[:, :, -1]
    home = np.repeat(np.arange(len(k.countries)), len(k.sectors))
    np.testing.assert_array_equal(disc[np.arange(k.n), home], rel.to_row + rel.row_fd.sum(axis=1))
    assert disc.sum() == (rel.to_row + rel.row_fd.sum(axis=1)).sum()
    np.testing.assert_array_equal(table.x, k.x)
    np.testing.assert_array_equal(table.va, k.parts.sum(axis=0) + k.extra_inputs)
    assert list(table.primary_inputs) == [*PRIMARIES, DISCREPANCY_NAME]
    for name, row in zip(PRIMARIES, k.parts, strict=True):
        np.testing.assert_array_equal(table.primary_inputs[name], row)
    np.testing.assert_array_equal(table.primary_inputs[DISCREPANCY_NAME], k.extra_inputs)


def test_zip_as_published(tmp_path: Path) -> None:
    rel = generate()
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", rel.files)
    assert icio.detect_format(p) == "eora26"
    table = icio.read(p)
    _check(table, rel)
    meta = table.meta
    assert meta.inventories == (
        "Changes in inventories P.52",
        "Acquisitions less disposals of valuables P.53",
    )  # the net-inventory correction of the position measures (inventories and valuables)
    assert (meta.source, meta.year, meta.unit) == (
        "Eora26 (Lenzen et al. 2013)",
        2015,
        "USD thousand, current prices",
    )
    assert meta.price_basis == "basic prices"
    assert meta.file == "Eora26_2015_bp_T.txt"
    assert "derived" in meta.value_added
    (note,) = meta.notes
    own = rel.row_own
    assert f"to final demand ({own['final demand']:g})" in note
    assert f"to itself ({own['itself']:g})" in note
    assert f"primary inputs ({own['primary inputs']:g})" in note


@pytest.mark.parametrize(("trailing_tab", "crlf"), [(True, False), (False, True)])
def test_label_and_line_variants(tmp_path: Path, trailing_tab: bool, crlf: bool) -> None:
    rel = generate(trailing_tab=trailing_tab, crlf=crlf)
    _check(icio.read(write_zip(tmp_path / "Eora26_2015_bp.zip", rel.files)), rel)


def test_folder_and_labels_beside_the_zip(tmp_path: Path) -> None:
    rel = generate(year=2016, price="pp")
    folder = write_folder(tmp_path / "eora", rel.files)
    assert icio.detect_format(folder) == "eora26"
    table = icio.read(folder)
    _check(table, rel)
    assert table.meta.price_basis == "purchasers' prices" and table.meta.year == 2016
    # labels in indices.zip beside the data zip, as the Eora site distributes them
    beside = tmp_path / "download"
    beside.mkdir()
    p = write_zip(beside / "Eora26_2016_pp.zip", data_files(rel))
    write_zip(beside / "indices.zip", label_files(rel))
    _check(icio.read(p), rel)


def test_folder_of_release_zips_needs_a_year(tmp_path: Path) -> None:
    folder = tmp_path / "eora"
    folder.mkdir()
    for year in (2014, 2015):
        write_zip(folder / f"Eora26_{year}_bp.zip", generate(year=year).files)
    assert icio.detect_format(folder) == "eora26"
    with pytest.raises(InputError, match=r"several years \(2014, 2015\).*--year"):
        icio.read(folder)
    assert icio.read(folder, year=2014).meta.year == 2014
    with pytest.raises(InputError, match=r"no Eora26 table for 2013 inside.*2014 bp, 2015 bp"):
        icio.read(folder, year=2013)


def test_missing_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = generate().files
    del files["Eora26_2015_bp_VA.txt"]
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    with pytest.raises(InputError, match=r"Eora26_2015_bp_VA\.txt is missing"):
        icio.read(p)
    files = data_files(generate())
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "the label files are missing" in err and "labels_T.txt" in err


def test_truncated_and_damaged_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", generate().files)
    blob = p.read_bytes()
    p.write_bytes(blob[: len(blob) // 2])  # cut short: no central directory
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not a valid zip file" in err and str(p) in err
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in generate().files.items():
            zf.writestr(name, data)
    blob = bytearray(p.read_bytes())
    start = blob.find(b"Eora26_2015_bp_T.txt") + 40
    blob[start : start + 200] = bytes(200)  # damage the compressed T matrix
    p.write_bytes(bytes(blob))
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Eora26_2015_bp_T.txt" in err and "zip member" in err


def test_non_numeric_cell_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = generate().files
    lines = files["Eora26_2015_bp_T.txt"].decode().splitlines()
    cells = lines[1].split("\t")
    cells[2] = "n/a"
    lines[1] = "\t".join(cells)
    files["Eora26_2015_bp_T.txt"] = ("\n".join(lines) + "\n").encode()
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "Eora26_2015_bp.zip!Eora26_2015_bp_T.txt, row 2, column 3: not a number" in err
    assert "AFG Fishing → AFG Mining and Quarrying" in err and "'n/a'" in err


def test_short_row_and_missing_rows(tmp_path: Path) -> None:
    files = generate().files
    lines = files["Eora26_2015_bp_FD.txt"].decode().splitlines()
    lines[3] = "\t".join(lines[3].split("\t")[:-2])
    files["Eora26_2015_bp_FD.txt"] = ("\n".join(lines) + "\n").encode()
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    with pytest.raises(InputError, match=r"_FD\.txt, row 4, column 23: missing value"):
        icio.read(p)
    files = generate().files
    files["Eora26_2015_bp_VA.txt"] = b"\n".join(files["Eora26_2015_bp_VA.txt"].splitlines()[:4])
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    with pytest.raises(InputError, match=r"_VA\.txt, row 5: the file ends after 4 data lines"):
        icio.read(p)


def test_labels_out_of_order(tmp_path: Path) -> None:
    files = generate().files
    lines = files["labels_T.txt"].decode().splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    files["labels_T.txt"] = ("\n".join(lines) + "\n").encode()
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", files)
    with pytest.raises(InputError, match=r"labels_T\.txt, row 4, column 4: labels are not"):
        icio.read(p)


def test_other_format_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", generate().files)
    assert main(["table", "info", str(p), "--format", "oecd"]) == 2
    assert "no OECD ICIO table inside" in capsys.readouterr().err
    assert main(["table", "info", str(p), "--format", "exiobase"]) == 2
    assert "no EXIOBASE table inside" in capsys.readouterr().err
    csv = tmp_path / "table.csv"
    csv.write_text("a,b\n1,2\n")
    assert main(["table", "info", str(csv), "--format", "eora26"]) == 2
    err = capsys.readouterr().err
    assert "not an Eora26 release" in err and "Eora26_YYYY_bp.zip" in err


def test_zip_member_size_limit(tmp_path: Path) -> None:
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", generate().files)
    with pytest.raises(InputError, match="inflates to"):
        icio.read(p, max_bytes=1000)


def test_measures_run_and_cli_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write_zip(tmp_path / "Eora26_2015_bp.zip", generate().files)
    assert main(["table", "info", str(p)]) == 0
    out = capsys.readouterr().out
    assert "Eora26 (Lenzen et al. 2013), 2015" in out and "USD thousand" in out
    table = icio.read(p)
    model = icio.IcioModel(table)
    np.testing.assert_allclose(
        model.system.solve(table.final_demand.sum(axis=1)), table.x, rtol=1e-12
    )
