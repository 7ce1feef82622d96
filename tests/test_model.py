"""The model's one-pass build and its parts formed on first use: the same numbers as the plain
formulas (A, I − A, its factors, exports, TiVA), and the productivity certificate that spares
the check's solve, against that solve, on every real WIOD table."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

import gvckit.icio as icio
from conftest import WIOD_YEARS, wiod_path
from gvckit.datasets import load_example
from gvckit.errors import TableError
from gvckit.icio import leontief as lt
from gvckit.icio import model as mm


def _rebooked(table: icio.IcioTable) -> tuple[np.ndarray, np.ndarray]:
    """(Yd, Z): inputs of zero-output sectors moved into their country's final demand, on a
    copy of Z (a second reading of the model's rule, written plainly)."""
    Yd = table.Y.sum(axis=2)
    Z = np.array(table.Z)
    for j in np.flatnonzero(table.x == 0):
        country = table.entity_country[j // len(table.sectors)]
        if country in table.destinations:
            Yd[:, table.destinations.index(country)] += Z[:, j]
            Z[:, j] = 0.0
    return Yd, Z


def _exports(table: icio.IcioTable, Z: np.ndarray, Yd: np.ndarray, units: list[set[str]]):  # type: ignore[no-untyped-def]
    """(E_int, E_fin) by loops over units: each row's sales to the other units."""
    n, U = table.n, len(units)
    unit_of_country = {c: u for u, members in enumerate(units) for c in members}
    row_unit = np.array([unit_of_country[table.entity_country[i // len(table.sectors)]]
                         for i in range(n)])  # fmt: skip
    dest_unit = np.array([unit_of_country[d] for d in table.destinations])
    e_int, e_fin = np.zeros((n, U)), np.zeros((n, U))
    for u in range(U):
        e_int[:, u] = Z[:, row_unit == u].sum(axis=1)
        e_fin[:, u] = Yd[:, dest_unit == u].sum(axis=1)
    e_int[np.arange(n), row_unit] = 0.0
    e_fin[np.arange(n), row_unit] = 0.0
    return e_int, e_fin


@pytest.mark.shared
@pytest.mark.parametrize("year", [2002, 2011])  # 2002 has inputs of zero-output sectors to move
@pytest.mark.parametrize("grouped", [False, True])
def test_lazy_parts_equal_the_plain_formulas(year: int, grouped: bool) -> None:
    table = icio.read(wiod_path(year))
    countries = list(table.countries)
    group = [countries[0], countries[7], countries[-1]]  # rows not contiguous
    groups = {"G": group} if grouped else None
    model = icio.IcioModel(table, groups)
    assert model._A is None and model._exports is None and model._S is None  # nothing yet

    A = table.Z * np.divide(1.0, table.x, out=np.zeros(table.n), where=table.x != 0)
    np.testing.assert_array_equal(model.A, A)
    reference = lt.LeontiefSystem(A)  # I − A formed from A, then factorised
    np.testing.assert_array_equal(model.system._lu[0], reference._lu[0])
    np.testing.assert_array_equal(model.system._lu[1], reference._lu[1])

    Yd, Z = _rebooked(table)
    if year == 2002:
        assert model._moved.size > 0 and not np.array_equal(Z, table.Z)
    np.testing.assert_array_equal(model.Yd, Yd)
    units = [set(group)] + [{c} for c in countries if c not in group] if grouped else None
    e_int, e_fin = _exports(table, Z, Yd, units or [{c} for c in countries])
    np.testing.assert_allclose(model.E_int, e_int, rtol=1e-13, atol=0)
    np.testing.assert_allclose(model.E_fin, e_fin, rtol=1e-13, atol=0)
    np.testing.assert_allclose(model.E, e_int.sum(axis=1) + e_fin.sum(axis=1), rtol=1e-13, atol=0)
    for arr in (model.A, model.E_int, model.E_fin, model.E, model.value_added_by_source()):
        assert not arr.flags.writeable
    assert model.value_added_by_source() is model.value_added_by_source()  # solved once


@pytest.mark.shared
@pytest.mark.parametrize("year", [1995, 2008, 2011])
def test_tiva_by_country_from_value_added_by_source(year: int) -> None:
    """Σ_j S[t, j]·Y[j, d] (what tiva now computes) equals V·B·Y summed by origin: the solve
    against final demand that tiva took before, and the sector view still takes."""
    table = icio.read(wiod_path(year))
    model = icio.IcioModel(table)
    g = model.grouping
    VBY = lt.value_added_in_final_demand(model.system, model.v, model.Yd)
    before = np.zeros((g.n_units, table.n))
    before[g.row_unit, np.arange(table.n)] = 1.0
    expected = (before @ VBY).ravel()
    tiva = icio.measure("tiva", model)["value"].to_numpy()
    np.testing.assert_allclose(tiva, expected, rtol=1e-12, atol=0)
    by_sector = icio.measure("tiva", model, by="sector")
    summed = by_sector.groupby(["origin_country", "destination_country"], sort=False)["value"]
    np.testing.assert_allclose(summed.sum().to_numpy(), tiva, rtol=1e-12)


def test_leontief_matrix_in_one_pass() -> None:
    rng = np.random.default_rng(5)
    n = 150  # more rows than one block, and a last block that is not full
    Z = rng.random((n, n))
    x = Z.sum(axis=1) + rng.random(n) * 10
    x[[3, 90]] = 0.0
    w = rng.random(n) + 1
    A = lt.technical_coefficients(Z, x)
    M, negative, wA = lt.leontief_matrix(Z, x, w)
    np.testing.assert_array_equal(M, np.eye(n) - A)
    assert M.flags.c_contiguous and not negative
    np.testing.assert_allclose(wA, w @ A, rtol=1e-13)
    Z[140, 7] = -1e-3  # one negative flow, in the last block
    assert lt.leontief_matrix(Z, x, w)[1]
    x[7] = -1.0  # or a positive flow into a sector of negative output
    Z[140, 7] = 0.5
    assert lt.leontief_matrix(Z, x, w)[1]


def test_of_matrix_factorises_in_place() -> None:
    A = np.array([[0.1, 0.2], [0.3, 0.1]])
    M = np.eye(2) - A
    system = lt.LeontiefSystem.of_matrix(M)
    np.testing.assert_allclose(system.inverse(), np.linalg.inv(np.eye(2) - A), rtol=1e-14)
    assert np.shares_memory(system._lu[0], M)  # no copy was made
    with pytest.raises(TableError, match="square, writeable C array"):
        lt.LeontiefSystem.of_matrix(np.asfortranarray(np.eye(3) - 0.1))


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_certificate_agrees_with_the_solve(year: int) -> None:
    """Where w = 1 + A'1 certifies ρ(A) < 1, the check's solve finds every output multiplier
    ≥ 1 (the certificate only spares it), and ρ(A) < 1 holds by a power iteration."""
    table = icio.read(wiod_path(year))
    v = lt.value_added_coefficients(table.va, table.x)
    w = mm._weights(table.x, v)
    A = lt.technical_coefficients(table.Z, table.x)
    certified = mm._certified_productive(w, w @ A)
    assert float(A.min()) >= 0  # nonnegative: the certificate applies
    multipliers = lt.LeontiefSystem(A).solve_transpose(np.ones(table.n))
    assert float(multipliers.min()) >= 1.0 - 1e-9  # every WIOD year is productive
    if certified:
        assert float(np.max((w @ A) / w)) < 1.0
    assert certified == (year != 2008)  # 2008 takes the solve (see _certified_productive)
    icio.IcioModel(table)  # and builds either way


def _cycle_table() -> icio.IcioTable:
    """A = [[0, 0, 4], [0.2, 0, 0], [0, 0.5, 0]]: ρ(A) = 0.4^(1/3) ≈ 0.74 (productive), but
    column 3 buys 4 per unit of output (value added −3) and w = 1 + A'1 certifies nothing."""
    x = np.array([100.0, 30.0, 20.0])
    Z = np.array([[0.0, 0.0, 80.0], [20.0, 0.0, 0.0], [0.0, 15.0, 0.0]])
    return icio.IcioTable(
        entities=["AAA"], sectors=["s1", "s2", "s3"], Z=Z, Y=(x - Z.sum(axis=1))[:, None]
    )


def test_uncertified_productive_table_takes_the_solve() -> None:
    table = _cycle_table()
    A = lt.technical_coefficients(table.Z, table.x)
    w = mm._weights(table.x, lt.value_added_coefficients(table.va, table.x))
    assert not mm._certified_productive(w, w @ A)
    assert max(abs(np.linalg.eigvals(A))) < 1
    model = icio.IcioModel(table)  # the solve finds it productive
    B = np.linalg.inv(np.eye(3) - A)
    assert np.all(B >= 0)
    np.testing.assert_allclose(model.system.inverse(), B, rtol=1e-13)
    tiva = icio.measure("tiva", model)["value"].to_numpy()
    np.testing.assert_allclose(tiva, [model.v @ B @ table.final_demand[:, 0]], rtol=1e-13)


def test_non_productive_table_fails_the_certificate_and_the_solve() -> None:
    """A = [[0.5, 1.5], [0.5, 0.5]], ρ ≈ 1.37 > 1 (B has negative entries): not certified, and
    the table is refused with the solve's error, naming the column."""
    table = icio.IcioTable(
        entities=["AAA"],
        sectors=["s1", "s2"],
        Z=np.array([[5.0, 15.0], [5.0, 5.0]]),
        Y=np.array([[-10.0], [0.0]]),
        output=np.array([10.0, 10.0]),
        output_basis="given",
    )
    A = lt.technical_coefficients(table.Z, table.x)
    w = mm._weights(table.x, lt.value_added_coefficients(table.va, table.x))
    assert not mm._certified_productive(w, w @ A)
    with pytest.raises(TableError, match=r"column 'AAA_s\d'.*not productive.*multiplier -\d"):
        icio.IcioModel(table)


def test_model_pickles_and_threads_share_its_parts() -> None:
    table = load_example("wiod2013-2011")
    model = icio.IcioModel(table)
    found: list[np.ndarray] = []

    def work() -> None:
        found.append(model.value_added_by_source())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s is found[0] for s in found)
    back = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(back.value_added_by_source(), found[0])
    np.testing.assert_array_equal(back.E, model.E)


@pytest.mark.parametrize("categories", [1, 2, 5, 7, 8, 12])
def test_final_demand_adds_categories_as_numpy_sums_them(categories: int) -> None:
    """The slice-by-slice sum (up to seven categories) gives Y.sum(axis=2) to the bit: numpy
    adds a short last axis in order; beyond seven, Y.sum itself."""
    rng = np.random.default_rng(categories)
    n, D = 12, 3
    Y = rng.standard_normal((n, D, categories)) * 10.0 ** rng.integers(-8, 9, (n, D, categories))
    table = icio.IcioTable(
        entities=["A", "B", "C"],
        sectors=["s1", "s2", "s3", "s4"],
        Z=np.abs(rng.standard_normal((n, n))),
        Y=Y,
        categories=[f"c{k}" for k in range(categories)],
        output=np.full(n, 1e9),
        output_basis="given",
    )
    np.testing.assert_array_equal(table.final_demand, Y.sum(axis=2))
    assert table.final_demand is not table.final_demand  # a new array each time


def test_negative_flow_skips_the_check_as_before() -> None:
    """A negative coefficient leaves no sign condition to test: the model is built (as before
    the certificate), although this B has negative entries."""
    table = icio.IcioTable(
        entities=["AAA"],
        sectors=["s1", "s2"],
        Z=np.array([[5.0, 15.0], [5.0, -1.0]]),
        Y=np.array([[-10.0], [6.0]]),
        output=np.array([10.0, 10.0]),
        output_basis="given",
    )
    model = icio.IcioModel(table)
    assert float(model.A.min()) < 0
    B = np.linalg.inv(np.eye(2) - model.A)
    assert float(B.min()) < 0
    np.testing.assert_allclose(model.system.inverse(), B, rtol=1e-13)
