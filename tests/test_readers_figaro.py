"""FIGARO reader: industry-by-industry and product-by-product matrices, CSV, gzip and zips."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from figaro_fixtures import AREAS, CATEGORIES, INDUSTRIES, VALUE_ADDED, Matrix, filename, generate
from gvckit.cli import main
from gvckit.errors import InputError


def _write(tmp_path: Path, m: Matrix, name: str | None = None) -> Path:
    p = tmp_path / (name or filename())
    p.write_text(m.text)
    return p


def _edited(tmp_path: Path, m: Matrix, row: int, col: int, value: str) -> Path:
    lines = m.lines
    lines[row][col] = value
    p = tmp_path / filename()
    p.write_text("\n".join(",".join(r) for r in lines) + "\n")
    return p


@pytest.mark.parametrize("table", ["ind-by-ind", "prod-by-prod"])
def test_reads_exactly(tmp_path: Path, table: str) -> None:
    m = generate(table)
    p = _write(tmp_path, m, filename(table))
    assert icio.detect_format(p) == "figaro"
    t = icio.read(p)
    k = m.known
    assert t.entities == AREAS == t.destinations
    assert t.sectors == INDUSTRIES[table]
    assert t.categories == CATEGORIES
    assert t.meta.inventories == ("P5M",)
    np.testing.assert_array_equal(t.Z, k.Z)
    np.testing.assert_array_equal(t.Y, k.Y)
    np.testing.assert_array_equal(t.x, k.x)
    np.testing.assert_array_equal(t.va, k.parts.sum(axis=0))
    assert list(t.primary_inputs) == list(VALUE_ADDED)
    for name, row in zip(VALUE_ADDED, k.parts, strict=True):
        np.testing.assert_array_equal(t.primary_inputs[name], row)
    assert t.given_output is None
    meta = t.meta
    assert meta.source == "FIGARO (Eurostat)" and meta.year == 2021
    kind = {"ind-by-ind": "industry by industry", "prod-by-prod": "product by product"}[table]
    assert meta.edition == f"2024, {kind}"
    assert (meta.unit, meta.price_basis) == ("EUR million, current prices", "basic prices")
    assert meta.notes[0] == "FIGW1 is the rest of the world"
    assert meta.notes[1] == (
        "W2 rows in final-demand columns, outside the model: D21X31 11.25, OP_RES 7.5, OP_NRES -7.5"
    )


def test_2022_edition_name_gzip_and_zip(tmp_path: Path) -> None:
    m = generate()
    p = tmp_path / (filename(edition=None, year=2019) + ".gz")
    p.write_bytes(gzip.compress(m.text.encode()))
    assert icio.detect_format(p) == "figaro"
    t = icio.read(p)
    assert (t.meta.edition, t.meta.year) == ("2022, industry by industry", 2019)
    z = tmp_path / "figaro.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for year in (2020, 2021):
            zf.writestr(filename(year=year), generate(seed=year).text)
        zf.writestr(filename("prod-by-prod", year=2021), generate("prod-by-prod").text)
        zf.writestr("readme.txt", "FIGARO")
    assert icio.detect_format(z) == "figaro"
    with pytest.raises(InputError, match=r"several years \(2020, 2021\)"):
        icio.read(z)
    with pytest.raises(InputError, match="industry-by-industry and product-by-product"):
        icio.read(z, year=2021)
    t = icio.read(z, year=2021, table="prod-by-prod")
    assert t.sectors == INDUSTRIES["prod-by-prod"]
    np.testing.assert_array_equal(
        icio.read(z, year=2020, table="ind-by-ind").Z, generate(seed=2020).known.Z
    )
    with pytest.raises(InputError, match="holds the 2021 table"):
        icio.read(_write(tmp_path, m), year=2020)


def test_non_numeric_cell_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _edited(tmp_path, generate(), 3, 5, "1,5e")  # a comma splits the cell: ragged row
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "row 4" in err and "fields" in err
    p = _edited(tmp_path, generate(), 3, 5, "n.a.")
    assert main(["measure", "vs", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{filename()}, row 4, column 'FIGW1_C20': not a number" in err and "'n.a.'" in err


def test_layout_errors(tmp_path: Path) -> None:
    m = generate()
    lines = m.lines
    del lines[2]  # the DE_C20 row
    p = tmp_path / filename()
    p.write_text("\n".join(",".join(r) for r in lines) + "\n")
    with pytest.raises(InputError, match=r"column 'DE_C20': intermediate-use column without its"):
        icio.read(p)
    lines = m.lines
    lines[0][-1] = "XX_P5M"
    p.write_text("\n".join(",".join(r) for r in lines) + "\n")
    with pytest.raises(InputError, match=r"column 'XX_P5M': column is neither"):
        icio.read(p)
    lines = m.lines
    lines[1][0], lines[2][0] = lines[2][0], lines[1][0]  # rows in another order: read by label
    p.write_text("\n".join(",".join(r) for r in lines) + "\n")
    swapped = icio.read(p)
    np.testing.assert_array_equal(swapped.Z[[1, 0]], m.known.Z[[0, 1]])
    lines = m.lines
    lines[0][1], lines[0][2] = lines[0][2], lines[0][1]  # DE's industries in another order
    p.write_text("\n".join(",".join(r) for r in lines) + "\n")
    with pytest.raises(
        InputError,
        match=r"row 1, column 'FIGW1_A01': intermediate-use columns are not entity-major",
    ):
        icio.read(p)


def test_other_format_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oecd_fixtures import EDITIONS
    from oecd_fixtures import generate as oecd

    p = tmp_path / "2017_SML.csv"
    p.write_text(oecd(EDITIONS["2023sml"]).text)
    assert main(["table", "info", str(p), "--format", "figaro"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.count("\n") == 0 and "does not look like a FIGARO matrix" in err and "rowLabels" in err
    )
    figaro = _write(tmp_path, generate())
    assert main(["table", "info", str(figaro), "--format", "oecd"]) == 2
    assert "expected a column labelled 'W2_D21X31'" in capsys.readouterr().err


def test_output_basis_given_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no output column"):
        icio.read(_write(tmp_path, generate()), output_basis="given")
