"""The summaries of measure results the report shows (value-added shares of gross exports,
world means of upstreamness and downstreamness, where value added is absorbed, the origins of
foreign value added, the largest exporters), each against a plain numpy/pandas second
computation on the WIOD 2011 table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import wiod_path
from gvckit.errors import OptionError
from gvckit.icio import Basis, IcioModel, IcioTable, measure, read
from gvckit.icio.gvc_measures import export_shares
from gvckit.icio.gvc_position import country_output, world_means
from gvckit.icio.measures import absorbed_abroad, top_exporters, value_added_origins


@pytest.fixture(scope="module")
def table() -> IcioTable:
    return read(wiod_path(2011))


@pytest.fixture(scope="module")
def basis(table: IcioTable) -> Basis:
    return Basis(IcioModel(table), lazy=True)


def _plain(table: IcioTable) -> dict[str, np.ndarray]:
    """x, v, B = (I − A)⁻¹ and the exports E of every row, by hand (no gvckit code)."""
    n = table.n
    x = np.asarray(table.x, dtype=float)
    safe = np.where(x > 0, x, 1.0)
    A = np.where(x[None, :] > 0, np.asarray(table.Z) / safe[None, :], 0.0)
    v = np.where(x > 0, np.asarray(table.va) / safe, 0.0)
    B = np.linalg.inv(np.eye(n) - A)
    country = np.array([table.entity_country[e] for e in table.row_entity])
    Y = np.asarray(table.Y).sum(axis=2)  # rows × destinations
    dest = np.array(table.destinations)
    E = np.array([np.asarray(table.Z)[i, country != country[i]].sum()
                  + Y[i, dest != country[i]].sum() for i in range(n)])  # fmt: skip
    return {"x": x, "v": v, "B": B, "E": E, "Y": Y, "country": country, "dest": dest}


@pytest.fixture(scope="module")
def plain(table: IcioTable) -> dict[str, np.ndarray]:
    return _plain(table)


def test_export_shares_are_terms_over_gross_exports(basis: Basis) -> None:
    bm = measure("bm", basis, approach="sink", perspective="exporter")
    terms = ["VAX", "REF", "DDC", "FVA", "FDC"]
    shares = export_shares(bm, "CHN", [*terms, ("DDC", "FDC")])
    chn = {t: v for e, t, v in bm.itertuples(index=False) if e == "CHN"}
    for t in terms:
        assert shares[t] == chn[t] / chn["EXGR"]
    assert shares["DDC+FDC"] == (chn["DDC"] + chn["FDC"]) / chn["EXGR"]
    assert list(shares.index) == [*terms, "DDC+FDC"]
    assert shares[terms].sum() == pytest.approx(1.0, abs=1e-12)  # they make up gross exports
    with pytest.raises(OptionError, match="no gross exports"):
        export_shares(bm.assign(value=0.0), "CHN", ["DVA"])


def test_world_means_weigh_countries_by_their_output(
    table: IcioTable, basis: Basis, plain: dict[str, np.ndarray]
) -> None:
    model = basis.model
    per_country = pd.Series(plain["x"]).groupby(plain["country"]).sum()
    output = country_output(model)
    assert list(output.index) == list(table.countries)
    np.testing.assert_allclose(output.to_numpy(), per_country[list(table.countries)], rtol=1e-13)
    up = measure("upstreamness", model, by="country").set_index("country")["value"]
    down = measure("downstreamness", model, by="country").set_index("country")["value"]
    wide = pd.DataFrame({"U": up, "D": down})
    means = world_means(model, wide)
    w = per_country[list(wide.index)].to_numpy()
    for col in ("U", "D"):
        assert means[col] == pytest.approx(float(w @ wide[col].to_numpy() / w.sum()), rel=1e-12)
    assert means["U"] == pytest.approx(means["D"], rel=1e-12)  # Σ x U = 1'L x = Σ x D
    assert round(means["U"], 4) == 2.1105


def test_absorbed_abroad_is_top_destinations_and_the_rest(
    basis: Basis, plain: dict[str, np.ndarray]
) -> None:
    got = absorbed_abroad(measure("tiva", basis), "CHN", top=8)
    mine = plain["country"] == "CHN"
    vby = (plain["v"][mine] @ plain["B"][mine]) @ plain["Y"]  # CHN's value added by destination
    by_dest = pd.Series(vby).groupby(plain["dest"]).sum().drop("CHN").sort_values(ascending=False)
    assert list(got["destination_country"]) == [*by_dest.index[:8], "other"]
    assert set(got["origin_country"]) == {"CHN"}
    expected = [*by_dest.iloc[:8], by_dest.iloc[8:].sum()]
    np.testing.assert_allclose(got["value"], expected, rtol=1e-9)
    assert got["value"].sum() == pytest.approx(by_dest.sum(), rel=1e-9)  # all of VAX


def test_value_added_origins_is_foreign_content_by_source(
    basis: Basis, plain: dict[str, np.ndarray]
) -> None:
    leontief = measure("leontief", basis, post="exports")
    got = value_added_origins(leontief, "CHN", top=8)
    mine = plain["country"] == "CHN"
    content = (plain["v"][:, None] * plain["B"][:, mine]) @ plain["E"][mine]  # per source row
    by_source = pd.Series(content).groupby(plain["country"]).sum().drop("CHN")
    top = by_source.sort_values(ascending=False).head(8)
    assert got.index.name == "partner"
    assert list(got.index) == list(top.index)
    np.testing.assert_allclose(got.to_numpy(), top.to_numpy(), rtol=1e-9)
    every = value_added_origins(leontief, "CHN")
    assert "CHN" not in every.index
    assert every.sum() == pytest.approx(by_source.sum(), rel=1e-9)


def test_top_exporters_rank_gross_exports_without_aggregates(
    table: IcioTable, basis: Basis, plain: dict[str, np.ndarray]
) -> None:
    exports = measure("exports", basis)
    sector = np.array([table.sectors[s] for s in table.row_sector])
    for only in (None, "c14"):
        keep = np.ones(table.n, bool) if only is None else sector == only
        totals = pd.Series(plain["E"][keep]).groupby(plain["country"][keep]).sum()
        ranked = [c for c in totals.sort_values(ascending=False).index
                  if c not in ("CHN", "RoW")]  # fmt: skip
        assert top_exporters(exports, 5, sector=only, exclude=["CHN"]) == ranked[:5]
