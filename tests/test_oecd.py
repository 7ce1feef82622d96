"""OECD ICIO reader: every edition's published layout, zips as published, split entities."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from gvckit.cli import main
from gvckit.errors import InputError, OptionError
from gvckit.icio.readers.oecd import SPLIT_ENTITIES
from oecd_fixtures import EDITIONS, Generated, generate

FILENAMES = {
    "2023": "2017.csv",
    "2023sml": "2017_SML.csv",
    "2025": "2017_SML.csv",
    "2021": "ICIO2021_2017.csv",
    "2018": "ICIO2018_2017.CSV",
    "2016": "ICIO2016_2017.csv",
}


def _write(tmp_path: Path, key: str) -> tuple[Path, Generated]:
    gen = generate(EDITIONS[key])
    p = tmp_path / FILENAMES[key]
    p.write_bytes(gen.text.encode())
    return p, gen


@pytest.mark.parametrize("key", list(EDITIONS))
def test_each_edition_reads_exactly(tmp_path: Path, key: str) -> None:
    ed = EDITIONS[key]
    path, gen = _write(tmp_path, key)
    assert icio.detect_format(path) == "oecd"
    table = icio.read(path)
    assert table.entities == gen.entities
    assert table.countries == ed.countries
    assert table.sectors == ed.industries
    assert table.destinations == ed.countries
    assert table.categories == ed.categories + (("DISC",) if ed.disc else ())
    assert table.meta.inventories == tuple(c for c in ed.categories if c in ("INVNT", "INV"))
    np.testing.assert_allclose(table.Z, gen.Z, rtol=1e-15)
    np.testing.assert_allclose(table.Y, gen.Y, rtol=1e-15, atol=1e-12)
    np.testing.assert_allclose(table.x, gen.x, rtol=1e-12)
    np.testing.assert_allclose(table.va, gen.va + gen.tls, rtol=1e-9)  # va includes taxes
    assert table.meta.year == 2017
    assert table.meta.edition is not None and table.meta.edition.startswith(key[:4])
    assert table.meta.unit == "USD million, current prices"
    bal = table.balance
    assert bal.row_gap is not None and bal.balanced  # 2016: output from the OUT row
    assert bal.column_gap is not None and float(np.abs(bal.column_gap).max()) < 1e-8
    assert sum(table.primary_inputs.values()).sum() == pytest.approx((gen.va + gen.tls).sum())


@pytest.mark.parametrize("key", ["2023", "2021", "2018", "2016"])
def test_split_entities_are_domestic(tmp_path: Path, key: str) -> None:
    path, gen = _write(tmp_path, key)
    table = icio.read(path)
    assert {e: c for e, c in zip(table.entities, table.entity_country, strict=True) if e != c} == {
        e: SPLIT_ENTITIES[e] for e in EDITIONS[key].splits
    }
    exports = icio.measure("exports", table)
    # CN1 → CN2 and CN1 → CHN flows are domestic: China exports only to AUS, MEX, ROW
    china = exports[exports.exporter == "CHN"]
    assert set(china.importer) == {"AUS", "MEX", "ROW"}
    # exporter totals by hand from the generated arrays
    ents = list(gen.entities)
    N = len(EDITIONS[key].industries)
    unit = np.repeat([SPLIT_ENTITIES.get(e, e) for e in ents], N)
    dests = np.array(EDITIONS[key].countries)
    foreign_z = gen.Z[unit == "CHN"][:, unit != "CHN"].sum()
    foreign_y = gen.Y[unit == "CHN"][:, dests != "CHN"].sum()
    assert china["value"].sum() == pytest.approx(foreign_z + foreign_y, rel=1e-12)
    # identities hold on the split table
    model = icio.IcioModel(table)
    np.testing.assert_allclose(
        model.system.solve(table.final_demand.sum(axis=1)), table.x, rtol=1e-10
    )
    vs = icio.measure("vs", model)
    vax = icio.measure("vax", model).pivot(index="country", columns="indicator", values="value")
    assert vs.groupby("country")["value"].sum()["CHN"] == pytest.approx(vax.loc["CHN", "VS"])
    # sectors of CHN's parts are summed into CHN in tidy results
    assert len(vs[vs.country == "CHN"]) == N


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _year_text(key: str, seed: int) -> bytes:
    from oecd_fixtures import generate as gen

    return gen(EDITIONS[key], seed=seed).text.encode()


def test_zip_as_published_2023(tmp_path: Path) -> None:
    """2016-2020.zip holds YYYY.csv; 2016-2020_SML.zip holds YYYY_SML.csv."""
    ext = _zip(
        tmp_path / "2016-2020.zip", {f"{y}.csv": _year_text("2023", y) for y in (2016, 2017)}
    )
    with pytest.raises(InputError, match="several years \\(2016, 2017\\)"):
        icio.read(ext)
    t = icio.read(ext, year=2017)
    assert t.meta.year == 2017 and "CN1" in t.entities
    np.testing.assert_allclose(t.Z, generate(EDITIONS["2023"], seed=2017).Z)
    with pytest.raises(InputError, match=r"no table for 2019.*2016, 2017"):
        icio.read(ext, year=2019)
    sml = _zip(tmp_path / "2016-2020_SML.zip", {"2016_SML.csv": _year_text("2023sml", 1)})
    assert icio.read(sml).meta.edition == "2023 (small)"


def test_nested_zip_and_folder(tmp_path: Path) -> None:
    """Nov-2023 style ICIO-2016-2020-extended.zip holds an inner zip; folders work too."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("2018.CSV", _year_text("2023", 3))
    outer = _zip(tmp_path / "ICIO-2016-2020-extended.zip", {"2016-2020.zip": inner.getvalue()})
    t = icio.read(outer)
    assert t.meta.year == 2018
    folder = tmp_path / "icio"
    folder.mkdir()
    (folder / "ICIO2021_2015.csv").write_bytes(_year_text("2021", 4))
    (folder / "ICIO2021_2016.csv").write_bytes(_year_text("2021", 5))
    assert icio.read(folder, year=2016).meta.edition == "2021"


def test_gzip_csv(tmp_path: Path) -> None:
    p = tmp_path / "2017.csv.gz"
    p.write_bytes(gzip.compress(_year_text("2023", 7)))
    assert icio.read(p).entities[-1] == "CN2"


def test_zip_member_size_limit(tmp_path: Path) -> None:
    ext = _zip(tmp_path / "2016-2020.zip", {"2016.csv": _year_text("2023", 1)})
    with pytest.raises(InputError, match="inflates to"):
        icio.read(ext, max_bytes=1000)


def test_cli_year_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ext = _zip(
        tmp_path / "2016-2020.zip", {f"{y}.csv": _year_text("2023", y) for y in (2016, 2017)}
    )
    assert main(["measure", "exports", str(ext), "--year", "2016"]) == 0
    assert capsys.readouterr().out.startswith("exporter,exporter_sector,importer,kind,value")
    assert main(["table", "info", str(ext)]) == 2
    assert "several years (2016, 2017)" in capsys.readouterr().err


def test_bad_cell_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = generate(EDITIONS["2023sml"]).text.splitlines()
    cells = lines[3].split(",")
    cells[4] = "n/a"
    lines[3] = ",".join(cells)
    p = tmp_path / "2017_SML.csv"
    p.write_text("\n".join(lines) + "\n")
    assert main(["measure", "vs", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "2017_SML.csv" in err and "row 4" in err and "'CHN_A01_02'" in err and "n/a" in err


def test_duplicate_row_label(tmp_path: Path) -> None:
    lines = generate(EDITIONS["2023sml"]).text.splitlines()
    lines[2] = lines[1].split(",")[0] + "," + ",".join(lines[2].split(",")[1:])
    p = tmp_path / "2017_SML.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"row 3.*duplicate row label"):
        icio.read(p)


def test_wide_format_forced_on_oecd_file(tmp_path: Path) -> None:
    path, _ = _write(tmp_path, "2023sml")
    with pytest.raises(InputError, match="no label columns"):
        icio.read(path, format="wide")


def _edited(tmp_path: Path, key: str, edit: Callable[[list[list[str]]], None]) -> Path:
    """The edition's fixture as ``FILENAMES[key]`` after ``edit`` changed its cells in place."""
    rows = [line.split(",") for line in generate(EDITIONS[key]).text.splitlines()]
    edit(rows)
    p = tmp_path / FILENAMES[key]
    p.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return p


def _drop_column(label: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        k = rows[0].index(label)
        for r in rows:
            del r[k]

    return edit


def _drop_row(label: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[:] = [r for r in rows if r[0] != label]

    return edit


def test_missing_last_intermediate_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _edited(tmp_path, "2023", _drop_column("CN2_D"))
    with pytest.raises(InputError, match=r"industry row without its intermediate-use column"):
        icio.read(p)
    assert main(["measure", "vs", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "expected a column labelled 'CN2_D'" in err


def test_missing_last_industry_row_and_column(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        _drop_column("CN2_D")(rows)
        _drop_row("CN2_D")(rows)

    p = _edited(tmp_path, "2023", edit)
    with pytest.raises(InputError, match=r"industry 'CN2_D' is missing \(its row and its column"):
        icio.read(p)


def test_missing_industry_row_in_the_middle(tmp_path: Path) -> None:
    p = _edited(tmp_path, "2023", _drop_row("AUS_C10T12"))
    with pytest.raises(
        InputError,
        match=r"row 1, column 'AUS_C10T12': intermediate-use column without its industry row:"
        r" expected a row labelled 'AUS_C10T12'",
    ):
        icio.read(p)


def test_extra_industry_row(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows.insert(3, ["AUS_X99", *rows[3][1:]])

    p = _edited(tmp_path, "2023sml", edit)
    with pytest.raises(
        InputError, match=r"row 4, column 1: .*expected a column labelled 'AUS_X99'"
    ):
        icio.read(p)


def test_duplicate_column_label(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[0][rows[0].index("AUS_NPISH")] = "AUS_HFCE"

    p = _edited(tmp_path, "2023sml", edit)
    with pytest.raises(InputError, match=r"row 1, column 'AUS_HFCE': duplicate column label"):
        icio.read(p)


def test_year_of_a_single_csv(tmp_path: Path) -> None:
    path, _ = _write(tmp_path, "2021")
    assert icio.read(path, year=2017).meta.year == 2017
    with pytest.raises(InputError, match=r"ICIO2021_2017.csv: the file holds the 2017 table"):
        icio.read(path, year=2015)
    with pytest.raises(OptionError, match="'sheet' does not apply to OECD"):
        icio.read(path, sheet="x")


def test_year_from_a_gzip_file_name(tmp_path: Path) -> None:
    p = tmp_path / "ICIO2021_2017.csv.gz"
    p.write_bytes(gzip.compress(_year_text("2021", 1)))
    assert icio.read(p).meta.year == 2017
    with pytest.raises(InputError, match="holds the 2017 table"):
        icio.read(p, year=2021)


def test_row_without_a_label(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows.insert(4, [""] * 4)

    p = _edited(tmp_path, "2023sml", edit)
    with pytest.raises(InputError, match=r"row 5, column 1: row without a label"):
        icio.read(p)


def test_preview_member_names(tmp_path: Path) -> None:
    """The late-2022 preview named the small tables YYYYSML.CSV (no underscore)."""
    ext = _zip(tmp_path / "ICIO-2016-2020-small.zip", {"2016SML.CSV": _year_text("2023sml", 2)})
    table = icio.read(ext)
    assert table.meta.year == 2016 and table.meta.edition == "2023 (small)"
