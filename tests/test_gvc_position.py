"""Upstreamness, downstreamness and output shares with the net-inventory correction (Antràs &
Chor 2018, "On the Measurement of Upstreamness and Downstreamness in Global Value Chains", NBER
WP 24185), on hand-solved tables and on every real WIOD 2013-release table (1995–2011).

On the real tables every value is re-derived by a second, deliberately simple reading that shares
no code with gvckit: pandas reads the CSV, the correction is applied by hand and U and D come from
one explicit inverse of the allocation matrix G (G_ij = Z^c_ij / x_i): U = (I − G)⁻¹·1 (Antràs et
al. 2012, eq. 2) and D_j = (x'(I − G)⁻¹)_j / x_j (the Ghosh form of 1'L), whereas gvckit solves
with the LU of I − A.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from conftest import WIOD_YEARS, shared_path, wiod_path
from gvckit.cli import main
from gvckit.errors import OptionError, TableError
from gvckit.icio.table import TableMeta, inventory_categories

N_COUNTRIES, N_SECTORS = 41, 35


def _values(name: str, table: object, **options: str) -> np.ndarray:
    return icio.measure(name, table, **options)["value"].to_numpy()  # type: ignore[arg-type]


def _shares(table: object, **options: str) -> pd.DataFrame:
    frame = icio.measure("output_shares", table, **options)  # type: ignore[arg-type]
    keys = ["country", "sector"] if "sector" in frame else ["country"]
    return frame.pivot_table(index=keys, columns="indicator", values="value", sort=False)


def _toy(inventory: float = 10.0) -> icio.IcioTable:
    """One sector selling 30 to itself, 60 to consumption and ``inventory`` to inventories."""
    return icio.IcioTable(
        entities=["X"],
        sectors=["s"],
        Z=[[30.0]],
        Y=[[[60.0, inventory]]],
        categories=["HH", "INV"],
        meta=TableMeta(inventories=("INV",)),
    )


# ------------------------------------------------------------------------- solved by hand


def test_closed_economy_by_hand() -> None:
    """x = 100, N = 10: s = 100/90, Z^c = 100/3, f = 200/3; U = 1/(1 − 1/3) = 1.5, D = 1.5."""
    t = _toy()
    assert _values("upstreamness", t, inventories="net")[0] == pytest.approx(1.5, rel=1e-12)
    assert _values("downstreamness", t, inventories="net")[0] == pytest.approx(1.5, rel=1e-12)
    shares = _shares(t, inventories="net")
    assert shares["F_GO"].iloc[0] == pytest.approx(2 / 3, rel=1e-12)
    assert shares["VA_GO"].iloc[0] == pytest.approx(0.7, rel=1e-12)  # va = 100 − 30
    # without the correction: U = 1/(1 − 0.3), F/GO = 0.7 (inventories count as final use)
    assert _values("upstreamness", t, inventories="none")[0] == pytest.approx(1 / 0.7)
    assert _shares(t, inventories="none")["F_GO"].iloc[0] == pytest.approx(0.7)
    # the default is the correction, because the table marks its inventories
    assert _values("upstreamness", t)[0] == pytest.approx(1.5)
    assert icio.measure("upstreamness", t).attrs["inventories"] == "net"


def test_row_selling_only_to_inventories() -> None:
    """Y = N (all output to inventories): nothing to rescale, the row is left as it is and its
    inventory change counts as final use: U = 1, F/GO = 1, everything finite."""
    t = icio.IcioTable(
        entities=["X"],
        sectors=["a", "b"],
        Z=[[10.0, 20.0], [0.0, 0.0]],
        Y=[[[50.0, 20.0]], [[0.0, 40.0]]],  # b: output 40, all of it to inventories
        categories=["HH", "INV"],
        meta=TableMeta(inventories=("INV",)),
    )
    up = _values("upstreamness", t, inventories="net")
    down = _values("downstreamness", t, inventories="net")
    shares = _shares(t, inventories="net")
    assert np.isfinite(up).all() and np.isfinite(down).all()
    assert np.isfinite(shares.to_numpy()).all()
    assert up[1] == 1.0 and shares["F_GO"].iloc[1] == 1.0
    # row a: x = 100, N = 20, s = 1.25: Z^c = (12.5, 25), f = 62.5; U_a = 1 + 0.125 U_a + 0.25
    assert up[0] == pytest.approx(1.25 / 0.875, rel=1e-12)
    assert shares["F_GO"].iloc[0] == pytest.approx(0.625, rel=1e-12)


def test_negative_accounting_output_has_no_position() -> None:
    """A row whose inventory drawdown exceeds its sales has a negative row sum (WIOD 2013 LUX c8
    in 1999: sells 1, inventories −3, x = −2). It has no output, so U, F/GO and VA/GO are 0 as
    for a zero-output sector; dividing by x gave U = 1 − 0.5·U_a < 1 and F/GO = 1.5."""
    t = icio.IcioTable(
        entities=["X"],
        sectors=["a", "b"],
        Z=[[30.0, 0.0], [1.0, 0.0]],
        Y=[[[60.0, 10.0]], [[0.0, -3.0]]],
        output=[100.0, 0.0],  # published output 0, as WIOD prints it
        categories=["HH", "INV"],
        meta=TableMeta(inventories=("INV",)),
    )
    assert t.x[1] == -2.0
    for inventories in ("net", "none"):
        up = _values("upstreamness", t, inventories=inventories)
        shares = _shares(t, inventories=inventories)
        assert up[1] == 0.0 and up[0] >= 1.0
        assert shares["F_GO"].iloc[1] == 0.0 and shares["VA_GO"].iloc[1] == 0.0
    assert _values("upstreamness", t, inventories="net")[0] == pytest.approx(1.5, rel=1e-12)


def test_group_leaves_other_countries_downstreamness_alone() -> None:
    """A group merges its members' rows only: every other country-sector keeps its D, also R_b
    (output 12, all of it sold as inputs: no final use to weight by) and Q_b (no output). The
    final-use weights made them 0 (WIOD 1995 KOR c2, GO 3,379: D 1.62 -> 0 with any group)."""
    rng = np.random.default_rng(7)
    Z = rng.uniform(1.0, 5.0, (6, 6))
    Y = rng.uniform(5.0, 20.0, (6, 3, 2))
    Z[3, :], Z[:, 3], Y[3] = 0.0, 0.0, 0.0  # Q_b: no output
    Y[5] = 0.0  # R_b: intermediates only
    t = icio.IcioTable(
        entities=["P", "Q", "R"], sectors=["a", "b"], Z=Z, Y=Y, categories=["HH", "INV"],
        meta=TableMeta(inventories=("INV",)),
    )  # fmt: skip
    for inventories in ("net", "none"):
        alone = icio.measure("downstreamness", t, inventories=inventories)
        grouped = icio.measure("downstreamness", t, inventories=inventories, groups=["PQ=P,Q"])
        np.testing.assert_allclose(
            grouped["value"].iloc[2:].to_numpy(), alone["value"].iloc[4:].to_numpy(), rtol=1e-12
        )
        # P_b and Q_b merged: Q_b has no output nor final use, so the merged row is P_b
        assert grouped["value"].iloc[1] == pytest.approx(alone["value"].iloc[1], rel=1e-12)


def test_correction_that_breaks_productivity_is_refused() -> None:
    """Negative final use (−10) beside inventories (30): s = 100/70 lifts a = 0.8 to 1.14."""
    t = icio.IcioTable(
        entities=["X"], sectors=["s"], Z=[[80.0]], Y=[[[-10.0, 30.0]]],
        categories=["HH", "INV"], meta=TableMeta(inventories=("INV",)),
    )  # fmt: skip
    for name in ("upstreamness", "downstreamness"):
        with pytest.raises(TableError, match="with the net-inventory correction is not productive"):
            icio.measure(name, t)
        assert np.isfinite(_values(name, t, inventories="none")).all()


def test_net_refused_without_inventory_category(leather_path: Path) -> None:
    table = icio.read(leather_path)
    assert table.meta.inventories == ()
    with pytest.raises(OptionError, match=r"marks none .*use --inventories none"):
        icio.measure("upstreamness", table, inventories="net")
    # the default falls back to no correction there
    frame = icio.measure("downstreamness", table)
    assert frame.attrs["inventories"] == "none"
    np.testing.assert_array_equal(
        frame["value"], icio.measure("downstreamness", table, inventories="none")["value"]
    )


def test_metadata_must_name_a_category() -> None:
    with pytest.raises(TableError, match="inventory categories the table lacks: INV"):
        icio.IcioTable(
            entities=["X"],
            sectors=["s"],
            Z=[[1.0]],
            Y=[[2.0]],
            meta=TableMeta(inventories=("INV",)),
        )


@pytest.mark.parametrize(
    ("categories", "codes", "expected"),
    [
        (("c37", "c38", "c39", "c41", "c42"), ("c42",), ("c42",)),  # WIOD 2013
        (("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"), ("INVNT", "INV"), ("INVNT",)),
        (("P3_S13", "P3_S14", "P3_S15", "P51G", "P5M"), ("P5M", "P52", "P53"), ("P5M",)),
        (("F1", "F2", "F3", "F4", "F5"), ("F5",), ("F5",)),  # ADB MRIO
        (
            ("Gross fixed capital formation", "Changes in inventories", "Changes in valuables"),
            (),
            ("Changes in inventories", "Changes in valuables"),
        ),  # EXIOBASE
        (
            ("Household final consumption P.3h", "Inventory changes P.52"),
            (),
            ("Inventory changes P.52",),
        ),
        (("HH", "GOV", "FD"), (), ()),
    ],
)
def test_inventory_categories(
    categories: tuple[str, ...], codes: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert inventory_categories(categories, codes) == expected


def test_aggregation_keeps_the_inventory_category() -> None:
    t = icio.IcioTable(
        entities=["A", "B"],
        sectors=["s", "t"],
        Z=np.full((4, 4), 5.0),
        Y=np.full((4, 2, 2), 20.0),
        categories=["HH", "INV"],
        meta=TableMeta(inventories=("INV",)),
    )
    merged = icio.aggregate(t, sectors={"s": "all", "t": "all"})
    assert merged.meta.inventories == ("INV",)
    # by="country" is the table collapsed to countries
    by_country = _values("upstreamness", t, by="country")
    np.testing.assert_allclose(by_country, _values("upstreamness", merged), rtol=1e-12)


def test_measures_listing_says_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measures", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\noutput_shares," in out
    assert "--inventories net|none (default net where the table marks its inventory" in out


def test_report_section_uses_the_corrected_measures() -> None:
    from gvckit.datasets import load_example
    from gvckit.report.position import position_section

    table = load_example("wiod2013-2011")
    assert table.meta.inventories == ("c42",)
    section = position_section(table, "CHN", "c14", peers=["USA", "DEU"])
    block = next(b for b in section.blocks if b.title.startswith("Position along value chains"))
    shown = block.data.set_index("country")
    assert "With the net-inventory correction" in block.note
    up = icio.measure("upstreamness", table, inventories="net", by="country")
    down = icio.measure("downstreamness", table, inventories="net", by="country")
    shares = _shares(table, inventories="net", by="country")
    for c in ("CHN", "USA", "DEU"):
        assert shown.loc[c, "U"] == up.set_index("country").loc[c, "value"]
        assert shown.loc[c, "D"] == down.set_index("country").loc[c, "value"]
        assert shown.loc[c, "F/GO"] == shares.loc[c, "F_GO"]
    assert shown.loc["world", "U"] == pytest.approx(shown.loc["world", "D"], rel=1e-12)
    assert shown.loc["world", "F/GO"] == pytest.approx(0.486, abs=5e-4)
    sector = next(b for b in section.blocks if b.title.startswith("Sector c14"))
    assert "With the net-inventory correction" in sector.note
    ups = icio.measure("upstreamness", table, inventories="net").set_index(["country", "sector"])
    assert sector.data.set_index("country").loc["CHN", "upstreamness"] == pytest.approx(
        ups.loc[("CHN", "c14"), "value"], rel=1e-12
    )


# ----------------------------------------------------------------- real WIOD 2013 tables


def _by_hand(path: Path) -> dict[str, np.ndarray]:
    """U, D, F/GO by country-sector and by country, with the correction, read and computed
    without gvckit (x = row sums of Z and final use, as gvckit's default output basis)."""
    raw = pd.read_csv(path, keep_default_na=False)
    n = N_COUNTRIES * N_SECTORS
    Z = raw.iloc[:, 2 : 2 + n].to_numpy(dtype=float)
    F = raw.iloc[:, 2 + n : 2 + n + 5 * N_COUNTRIES].to_numpy(dtype=float)
    inventories = [c.endswith("_c42") for c in raw.columns[2 + n : 2 + n + 5 * N_COUNTRIES]]
    out: dict[str, np.ndarray] = {}
    for level in ("sector", "country"):
        if level == "country":
            C = np.kron(np.eye(N_COUNTRIES), np.ones((N_SECTORS, 1)))
            Zl, Fl = C.T @ Z @ C, C.T @ F
        else:
            Zl, Fl = Z, F
        x = Zl.sum(axis=1) + Fl.sum(axis=1)
        N = Fl[:, inventories].sum(axis=1)
        rest = x - N
        scale = np.ones_like(x)
        ok = (x > 0) & (rest > 0)
        scale[ok] = x[ok] / rest[ok]
        Zc = Zl * scale[:, None]
        final = np.where(ok, scale * (Fl.sum(axis=1) - N), Fl.sum(axis=1))
        live = x != 0  # as gvckit: negative row sums (rounding) keep their coefficients
        G = np.zeros_like(Zc)
        G[np.ix_(live, live)] = Zc[np.ix_(live, live)] / x[live, None]
        inv = np.linalg.inv(np.eye(len(x)) - G)
        U = inv.sum(axis=1)
        D = np.full_like(x, np.nan)
        D[live] = (x @ inv)[live] / x[live]
        out[f"{level}_x"] = x
        out[f"{level}_U"] = np.where(live, U, 0.0)
        out[f"{level}_D"] = D
        out[f"{level}_F_GO"] = np.where(live, final / np.where(live, x, 1.0), 0.0)
        out[f"{level}_intermediate"] = np.where(live, Zc.sum(axis=1) / np.where(live, x, 1.0), 0)
    return out


#: World F/GO with the net-inventory correction, as Antràs & Chor (2018) report it (GO-weighted
#: mean of the country-level values, three decimals).
WORLD_F_GO = {1995: 0.526, 2011: 0.486}


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_wiod_position_against_second_reading(year: int) -> None:
    path = wiod_path(year)
    table = icio.read(path)
    assert table.meta.inventories == ("c42",)
    model = icio.IcioModel(table)
    hand = _by_hand(path)
    live = hand["sector_x"] > 0
    np.testing.assert_array_equal(table.x, hand["sector_x"])

    for level in ("sector", "country"):
        U = _values("upstreamness", model, inventories="net", by=level)
        D = _values("downstreamness", model, inventories="net", by=level)
        shares = _shares(model, inventories="net", by=level)
        f_go = shares["F_GO"].to_numpy()
        keep = live if level == "sector" else np.ones(N_COUNTRIES, dtype=bool)
        # rows with output ≤ 0 (LUX c5 and c8: rounding leaves negative row sums) have no position
        np.testing.assert_allclose(U[keep], hand[f"{level}_U"][keep], rtol=1e-9)
        np.testing.assert_allclose(D[keep], hand[f"{level}_D"][keep], rtol=1e-9)
        np.testing.assert_allclose(f_go[keep], hand[f"{level}_F_GO"][keep], rtol=1e-9, atol=1e-12)

        # identities: U ≥ 1, D ≥ 1, F/GO + intermediate share = 1 (rows basis), and the
        # output-weighted means of U and D coincide (both are 1'L^c x / 1'x)
        x = hand[f"{level}_x"]
        assert np.all(U[keep] >= 1 - 1e-12) and np.all(D >= 1 - 1e-12)
        np.testing.assert_allclose(f_go[keep] + hand[f"{level}_intermediate"][keep], 1, rtol=1e-12)
        # (rows with negative output report no position: their share of 1'L^c x is added back)
        gone = ~keep
        assert (x[keep] @ U[keep] + x[gone] @ hand[f"{level}_U"][gone]) / x.sum() == pytest.approx(
            (x @ D) / x.sum(), rel=1e-12
        )
        assert np.all(U[gone] == 0) and np.all(f_go[gone] == 0)
        assert np.isfinite(shares.to_numpy()).all()

    # country level: world F/GO as published (Antràs & Chor 2018), and only with the correction
    if year in WORLD_F_GO:
        x = hand["country_x"]
        net = _shares(model, inventories="net", by="country")["F_GO"].to_numpy()
        none = _shares(model, inventories="none", by="country")["F_GO"].to_numpy()
        assert (x @ net) / x.sum() == pytest.approx(WORLD_F_GO[year], abs=5e-4)
        assert abs((x @ none) / x.sum() - WORLD_F_GO[year]) > 2e-3


@pytest.mark.shared
def test_wiod_cli_output_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``gvckit measure upstreamness|downstreamness|output_shares TABLE --inventories net -o``:
    columns ``country, sector, value`` (and ``indicator``), WIOD sector labels, full precision."""
    path = wiod_path(2011)
    model = icio.IcioModel(icio.read(path))
    for name in ("upstreamness", "downstreamness", "output_shares"):
        out = tmp_path / f"{name}.csv"
        assert main(["measure", name, str(path), "--inventories", "net", "-o", str(out)]) == 0
        assert "net-inventory correction" in capsys.readouterr().err
        frame = pd.read_csv(out, keep_default_na=False)
        expected = icio.measure(name, model, inventories="net")
        if name == "output_shares":
            assert list(frame.columns) == ["country", "sector", "indicator", "value"]
            assert set(frame["indicator"]) == {"F_GO", "VA_GO"}
            assert len(frame) == 2 * N_COUNTRIES * N_SECTORS
        else:
            assert list(frame.columns) == ["country", "sector", "value"]
            assert len(frame) == N_COUNTRIES * N_SECTORS
        assert frame["sector"].drop_duplicates().tolist() == [f"c{k}" for k in range(1, 36)]
        assert frame["country"].drop_duplicates().tolist() == list(model.table.countries)
        np.testing.assert_allclose(frame["value"], expected["value"], rtol=1e-15)
    # --by country and the bad value of the option
    assert main(["measure", "upstreamness", str(path), "--by", "country"]) == 0
    frame = pd.read_csv(StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(frame.columns) == ["country", "value"] and len(frame) == N_COUNTRIES
    assert main(["measure", "upstreamness", str(path), "--inventories", "gross"]) == 2
    assert "inventories='gross' is not one of net, none" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.parametrize("year", [1995, 2011])
@pytest.mark.parametrize("scale", [1.0, 0.2])
def test_whole_millions_move_positions_little(year: int, scale: float) -> None:
    """The national shared tables are truncated to whole millions; the regional ones keep their
    decimals. Truncating a regional table (scaled down, so that the rounding weighs as much as on
    the national rows) moves the corrected U and D by less than 0.025 and F/GO by less than 0.008
    where output exceeds 10,000, with gvckit's default output (row sums); the published output
    column would move U and D by up to 0.05 there."""
    regional = icio.read(shared_path("wiod2013", f"wiot_regional_{year}.csv.gz"))
    assert regional.meta.inventories == ("c42",)

    def table(Z: np.ndarray, Y: np.ndarray, out: np.ndarray) -> icio.IcioTable:
        return icio.IcioTable(
            entities=regional.entities, sectors=regional.sectors, Z=Z, Y=Y, output=out,
            categories=regional.categories, meta=regional.meta,
        )  # fmt: skip

    assert regional.given_output is not None
    exact = table(regional.Z * scale, regional.Y * scale, regional.given_output * scale)
    rounded = table(np.trunc(exact.Z), np.trunc(exact.Y), np.trunc(exact.x))
    big = exact.x > 10_000
    assert big.sum() > 150
    for name, tolerance in (("upstreamness", 0.025), ("downstreamness", 0.025)):
        a, b = _values(name, exact), _values(name, rounded)
        assert np.abs(a - b)[big].max() < tolerance
    a, b = _shares(exact)["F_GO"].to_numpy(), _shares(rounded)["F_GO"].to_numpy()
    assert np.abs(a - b)[big].max() < 0.008
