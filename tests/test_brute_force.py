"""Every basic measure recomputed by brute force with an explicit inverse, on random tables
with parts of countries (OECD-style CN1/CN2), country groups and negative final demand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import gvckit.icio as icio


@st.composite
def split_tables(draw: st.DrawFn) -> tuple[icio.IcioTable, dict[str, list[str]] | None]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    N = draw(st.integers(1, 3))
    entities = ["AAA", "BBB", "CCC", "DDD", "B1", "B2"]  # B1, B2 are parts of BBB
    countries = ["AAA", "BBB", "CCC", "DDD"]
    n = len(entities) * N
    A = rng.random((n, n)) * 0.3
    A *= rng.uniform(0.2, 0.8, n) / A.sum(axis=0)
    Y = rng.random((n, len(countries), 2)) * 10
    Y[:, :, 1] -= rng.random((n, len(countries))) * 2  # inventories may be negative
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=(1, 2)))
    if np.any(x <= 0):
        Y[:, :, 1] = np.abs(Y[:, :, 1])
        x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=(1, 2)))
    table = icio.IcioTable(
        entities=entities, sectors=[f"s{k}" for k in range(N)], Z=A * x[None, :], Y=Y,
        destinations=countries, categories=["fd", "inv"],
        entity_country={"B1": "BBB", "B2": "BBB"},
    )  # fmt: skip
    groups = draw(st.sampled_from([None, {"G": ["AAA", "CCC"]}, {"G": ["BBB", "DDD"]}]))
    return table, groups


@settings(max_examples=40, deadline=None)
@given(split_tables())
def test_measures_equal_brute_force(
    case: tuple[icio.IcioTable, dict[str, list[str]] | None],
) -> None:
    table, groups = case
    model = icio.IcioModel(table, groups)
    g = model.grouping
    n, N, U = table.n, len(table.sectors), g.n_units
    A = table.Z / table.x[None, :]
    B = np.linalg.inv(np.eye(n) - A)
    v = 1 - A.sum(axis=0)
    ru = g.row_unit  # unit of each row (B1, B2 belong to BBB's unit)
    du = g.dest_unit
    Yd = table.Y.sum(axis=2)
    # gross exports by unit pair, summed to unit-sectors
    E = np.zeros(n)
    for i in range(n):
        E[i] = table.Z[i, ru != ru[i]].sum() + Yd[i, du != ru[i]].sum()
    exports = icio.measure("exports", model)
    for u in range(U):
        got = exports[exports.exporter == g.units[u]]["value"].sum()
        np.testing.assert_allclose(got, E[ru == u].sum(), rtol=1e-10, atol=1e-10)
    key = ru * N + g.row_sector  # unit-sector of each row

    def unit_sector(values: np.ndarray) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=U * N)

    vs = np.array([(v[ru != ru[j]] @ B[ru != ru[j], j]) * E[j] for j in range(n)])
    np.testing.assert_allclose(
        icio.measure("vs", model)["value"], unit_sector(vs), rtol=1e-9, atol=1e-10
    )
    vs1 = np.array([v[i] * (B[i, ru != ru[i]] @ E[ru != ru[i]]) for i in range(n)])
    np.testing.assert_allclose(
        icio.measure("vs1", model)["value"], unit_sector(vs1), rtol=1e-9, atol=1e-10
    )
    vby = (v[:, None] * B) @ Yd  # n × destinations
    tiva = np.zeros((U, U))
    for i in range(n):
        for d in range(Yd.shape[1]):
            tiva[ru[i], du[d]] += vby[i, d]
    np.testing.assert_allclose(
        icio.measure("tiva", model)["value"], tiva.ravel(), rtol=1e-9, atol=1e-10
    )
    vbe = (v[:, None] * B) * E[None, :]
    agg = np.zeros((U * N, U * N))
    np.add.at(agg, (key[:, None], key[None, :]), vbe)
    np.testing.assert_allclose(
        icio.measure("leontief", model)["value"], agg.ravel(), rtol=1e-9, atol=1e-10
    )
