"""Identities on every real WIOD 2013-release table, 1995–2011 (41 economies × 35 industries).

The tables are rounded to integers (../shared/data/wiod2013/README.md), so the published output
exceeds row sums by ~40 on average: identities are checked against the rebuilt output
x = Z·1 + Y·1 (gvckit's default ``output_basis="rows"``), and the gap is checked in the balance
report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from conftest import WIOD_YEARS, wiod_path
from gvckit.datasets import load_example
from gvckit.icio import leontief as lt


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_wiod_identities(year: int) -> None:
    path = wiod_path(year)
    table = icio.read(path)
    assert table.meta.year == year
    assert len(table.countries) == 41 and len(table.sectors) == 35
    assert table.categories == ("c37", "c38", "c39", "c41", "c42")

    raw = pd.read_csv(path, keep_default_na=False)
    np.testing.assert_array_equal(table.Z, raw.iloc[:, 2:1437].to_numpy(dtype=float))
    np.testing.assert_array_equal(table.given_output, raw["output"].to_numpy(dtype=float))

    # rebuilt output: row sums; the published output differs by the rounding gap
    rows = table.Z.sum(axis=1) + table.Y.sum(axis=(1, 2))
    np.testing.assert_array_equal(table.x, rows)
    gap = table.balance.row_gap
    assert gap is not None and 20 < float(np.mean(gap)) < 60 and float(np.abs(gap).max()) < 200

    model = icio.IcioModel(table)
    live = table.x != 0
    # x = B·Y·1; inputs bought by zero-output sectors are reported and booked as final use
    dropped = table.Z[:, ~live].sum(axis=1)
    assert table.balance.dropped_inputs == pytest.approx(np.abs(table.Z[:, ~live]).sum())
    np.testing.assert_allclose(model.Yd.sum(axis=1), table.final_demand.sum(axis=1) + dropped)
    x = model.system.solve(model.Yd.sum(axis=1))
    np.testing.assert_allclose(x, table.x, rtol=1e-9, atol=1e-9 * float(np.abs(table.x).max()))

    S = model.value_added_by_source()
    np.testing.assert_allclose(S.sum(axis=0)[live], 1.0, rtol=1e-9)
    assert np.isfinite(S).all() and np.all(model.A[:, ~live] == 0)

    vs = lt.foreign_value_added_in_exports(S, model.E, model.grouping.row_unit)
    dc = lt.domestic_value_added_in_exports(S, model.E, model.grouping.row_unit)
    np.testing.assert_allclose(vs[live] + dc[live], model.E[live], rtol=1e-9, atol=1e-6)
    # rounding leaves a few zero-output sectors with some sales (offset by negative inventory
    # changes); their exports carry no value added
    assert float(np.abs(model.E[~live]).max(initial=0)) <= 20.0
    assert np.all(vs[~live] == 0) and np.all(dc[~live] == 0)

    # world VS equals world VS1
    vs1 = lt.vs1(model.system, model.v, model.E, model.grouping.row_unit, 41)
    assert vs1.sum() == pytest.approx(vs.sum(), rel=1e-9)

    # TiVA: value added by origin is fully absorbed somewhere
    tiva = icio.measure("tiva", model)
    by_origin = tiva.groupby("origin_country", sort=False)["value"].sum().to_numpy()
    np.testing.assert_allclose(by_origin, table.va.reshape(41, 35).sum(axis=1), rtol=1e-9)


@pytest.mark.shared
def test_bundled_demo_table_is_the_shared_2011_table() -> None:
    bundled = load_example("wiod2013-2011")
    shared = icio.read(wiod_path(2011))
    np.testing.assert_array_equal(bundled.Z, shared.Z)
    np.testing.assert_array_equal(bundled.Y, shared.Y)
    np.testing.assert_array_equal(bundled.given_output, shared.given_output)


@pytest.mark.shared
def test_wiod_regional_table() -> None:
    """The 7-region table (decimals, label column 'region') reads as is."""
    table = icio.read(wiod_path(2011).with_name("wiot_regional_2011.csv.gz"))
    assert table.countries == (
        "Euro-zone",
        "Other EU",
        "NAFTA",
        "China",
        "East Asia",
        "BRIIAT",
        "RoW",
    )
    assert table.n == 245
    gap = table.balance.row_gap
    assert gap is not None and float(np.abs(gap).max()) < 5


@pytest.mark.shared
def test_output_basis_given_uses_published_output() -> None:
    table = icio.read(wiod_path(2011), output_basis="given")
    assert table.output_basis == "given"
    np.testing.assert_array_equal(table.x, table.given_output)
    np.testing.assert_array_equal(
        table.va[table.x != 0], (table.x - table.Z.sum(axis=0))[table.x != 0]
    )
    # the published output is not the row sums: B·Y·1 misses the rounding gap
    model = icio.IcioModel(table)
    gap = model.system.solve(table.final_demand.sum(axis=1)) - table.x
    assert 0 < float(np.abs(gap).max()) < 1e4
