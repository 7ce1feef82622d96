"""Accounting identities on random balanced tables (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gvckit.icio as icio
from gvckit.icio import leontief as lt
from gvckit.icio.table import IcioTable
from strategies import balanced_tables

RTOL = 1e-9


def _close(a: object, b: object) -> None:
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(balanced_tables())
def test_output_is_leontief_of_final_demand(table: IcioTable) -> None:
    """x = B·Y·1 and the given output equals the row sums (balanced table)."""
    model = icio.IcioModel(table)
    _close(model.system.solve(table.final_demand.sum(axis=1)), table.x)
    assert table.balance.balanced


@settings(max_examples=60, deadline=None)
@given(balanced_tables(zero_sector=True))
def test_value_added_shares_sum_to_one(table: IcioTable) -> None:
    """Σ_t V_t B_tj = 1 for every sector with output; 0 (not NaN) for zero-output sectors."""
    model = icio.IcioModel(table)
    S = model.value_added_by_source()
    live = table.x > 0
    _close(S.sum(axis=0)[live], np.ones(int(live.sum())))
    dead = ~live
    assert np.all(model.A[:, dead] == 0) and np.all(model.v[dead] == 0)
    assert np.isfinite(S).all()


@settings(max_examples=60, deadline=None)
@given(balanced_tables(zero_sector=True))
def test_exports_split_into_domestic_and_foreign_content(table: IcioTable) -> None:
    """VS + DC = E for every exporting country-sector; V·B·diag(E) columns sum to E."""
    model = icio.IcioModel(table)
    vs = icio.measure("vs", model)["value"].to_numpy()
    S = model.value_added_by_source()
    dc = lt.domestic_value_added_in_exports(S, model.E, model.grouping.row_unit)
    _close(vs + dc, model.E)
    vbe = icio.measure("leontief", model)
    by_user = vbe.groupby(["using_country", "using_sector"], sort=False)["value"].sum()
    _close(by_user.to_numpy(), model.E)


@settings(max_examples=60, deadline=None)
@given(balanced_tables())
def test_tiva_distributes_value_added(table: IcioTable) -> None:
    """Σ_destinations V·B·Y = value added of the origin; world TiVA = world value added."""
    tiva = icio.measure("tiva", table)
    by_origin = tiva.groupby("origin_country", sort=False)["value"].sum()
    va = table.va.reshape(len(table.entities), -1).sum(axis=1)
    _close(by_origin.to_numpy(), va)


@settings(max_examples=60, deadline=None)
@given(balanced_tables())
def test_vs1_totals_equal_vs_totals(table: IcioTable) -> None:
    """World VS = world VS1: each foreign value added in someone's exports is counted once."""
    vs = icio.measure("vs", table)["value"].sum()
    vs1 = icio.measure("vs1", table)["value"].sum()
    np.testing.assert_allclose(vs, vs1, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(balanced_tables(min_countries=3), st.data())
def test_group_is_one_exporter(table: IcioTable, data: st.DataObject) -> None:
    """Exports of a group = members' exports to non-members; intra-group trade disappears."""
    countries = list(table.countries)
    members = data.draw(
        st.lists(st.sampled_from(countries), min_size=2, max_size=len(countries) - 1, unique=True)
    )
    plain = icio.measure("exports", table)
    grouped = icio.measure("exports", table, groups={"GRP": members})
    outside = plain[plain.exporter.isin(members) & ~plain.importer.isin(members)]
    got = grouped[grouped.exporter == "GRP"]["value"].sum()
    np.testing.assert_allclose(got, outside["value"].sum(), rtol=1e-12, atol=1e-12)
    assert "GRP" in set(grouped.importer)
    # value-added identities hold for the group too
    model = icio.IcioModel(table, {"GRP": members})
    vs = icio.measure("vs", model)["value"].to_numpy()
    S = model.value_added_by_source()
    dc = model.grouping.aggregate_rows(
        lt.domestic_value_added_in_exports(S, model.E, model.grouping.row_unit)
    )
    _close(vs + dc, model.grouping.aggregate_rows(model.E))


@settings(max_examples=10, deadline=None)
@given(balanced_tables())
def test_group_of_every_country_is_refused(table: IcioTable) -> None:
    from gvckit.errors import OptionError

    with pytest.raises(OptionError, match="covers every country"):
        icio.measure("exports", table, groups={"WORLD": list(table.countries)})


def test_position_by_sector_is_nan_where_undefined() -> None:
    """KOR c2 has negative gross exports in WIOD 2011: its position is NaN, with no warning."""
    import warnings

    import numpy as np

    from gvckit.datasets import load_example
    from gvckit.icio import measure

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = measure("position", load_example("wiod2013-2011"), by="sector")
    bad = frame[~np.isfinite(frame["value"])]
    assert list(zip(bad["country"], bad["sector"], strict=True)) == [("KOR", "c2")]


def test_lazy_basis_equals_full_basis_for_every_measure() -> None:
    """measure() builds a lazy Basis (only the blocks a measure uses); results are identical."""
    import pandas as pd

    from gvckit.datasets import load_example
    from gvckit.icio import MEASURES, measure
    from gvckit.icio.decompose import Basis
    from gvckit.icio.model import IcioModel

    model = IcioModel(load_example("wiod2013-2011"))
    full = Basis(model)
    for name in MEASURES:
        lazy = measure(name, model)
        pd.testing.assert_frame_equal(lazy, measure(name, full), check_exact=True, obj=name)


def test_sum_columns_by_unit_equals_the_indicator_product() -> None:
    import numpy as np

    from gvckit.icio.leontief import sum_columns_by_unit

    rng = np.random.default_rng(3)
    for _ in range(50):
        k, m, units = rng.integers(1, 6), rng.integers(1, 12), rng.integers(1, 6)
        col_unit = rng.integers(0, units, m)
        if rng.random() < 0.5:
            col_unit = np.sort(col_unit)
        M = rng.normal(size=(k, m))
        mask = np.zeros((m, units))
        mask[np.arange(m), col_unit] = 1.0
        assert np.allclose(sum_columns_by_unit(M, col_unit, int(units)), M @ mask, atol=1e-12)
