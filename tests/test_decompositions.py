"""Decompositions of gross exports: published oracles, literal reference formulas, identities.

Oracles: decompr's KWW table and one WWZ row for the ``leather`` table (../shared/ORACLES.md §1).
References: tests/reference.py, the papers' equations written out literally.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import gvckit.icio as icio
from conftest import WIOD_YEARS, wiod_path
from gvckit.icio import leontief as lt
from gvckit.icio.decompose import Basis
from gvckit.icio.decompose import borin_mancini as bm
from gvckit.icio.decompose import wwz as wz
from gvckit.icio.table import IcioTable, TableMeta
from reference import bm_fva_naive, kww_naive, wwz_naive
from strategies import balanced_tables
from test_oracles import GROSS_EXPORTS, KWW_LEATHER

WWZ_ARG_AGR_TUR = {
    "DVA_FIN": 5.4744354, "DVA_INT": 2.6813686, "DVA_INTrexI1": 1.13634407,
    "DVA_INTrexF": 1.40930027, "DVA_INTrexI2": 0.504931544, "RDV_INT": 0.168614730,
    "RDV_FIN": 0.70568372, "RDV_FIN2": 0.347019751, "OVA_FIN": 0.41126356,
    "MVA_FIN": 0.21430105, "OVA_INT": 0.19588405, "MVA_INT": 0.10207118,
    "DDC_FIN": 0.064864146, "DDC_INT": 0.07171574, "ODC": 0.33673597, "MDC": 0.17546624,
}  # fmt: skip


def test_kww_matches_decompr_vignette(leather_path: Path) -> None:
    kww = icio.measure("kww", icio.read(leather_path))
    assert list(kww.columns) == ["exporter", "term", "value"]
    table = kww.pivot(index="exporter", columns="term", values="value")
    for country, published in KWW_LEATHER.items():
        ours = table.loc[country, list(wz.KWW_TERMS)].to_numpy()
        # the vignette prints 7 significant digits
        np.testing.assert_allclose(ours, published, rtol=5e-7, atol=1e-7)
        assert ours.sum() == pytest.approx(GROSS_EXPORTS[country], rel=1e-12)


def test_wwz_matches_decompr_row(leather_path: Path) -> None:
    wwz = icio.measure("wwz", icio.read(leather_path))
    assert list(wwz.columns) == ["exporter", "exporter_sector", "importer", "term", "value"]
    assert tuple(wwz.term.iloc[:16]) == wz.WWZ_TERMS
    row = wwz[
        (wwz.exporter == "Argentina")
        & (wwz.exporter_sector == "Agriculture")
        & (wwz.importer == "Turkey")
    ].set_index("term")["value"]
    for term, value in WWZ_ARG_AGR_TUR.items():
        assert row[term] == pytest.approx(value, rel=1e-7), term
    assert row.sum() == pytest.approx(14.0, rel=1e-12)
    assert len(wwz) == 3 * 3 * 2 * 16  # importer never equals exporter


def _arrays(table: IcioTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    model = icio.IcioModel(table)
    return model.A, model.v, table.final_demand, len(table.entities), len(table.sectors)


def _check_against_reference(table: IcioTable) -> None:
    model = icio.IcioModel(table)
    basis = Basis(model)
    A, v, Y, G, N = _arrays(table)
    W = wz.wwz(basis)  # 16 × n × G
    ref = wwz_naive(A, v, Y, G, N)  # 16 × G × N × G
    np.testing.assert_allclose(W, ref.reshape(16, G * N, G), rtol=1e-9, atol=1e-9)
    K = wz.kww(basis).reshape(9, G, N).sum(axis=2)
    np.testing.assert_allclose(K, kww_naive(A, v, Y, G, N), rtol=1e-9, atol=1e-9)
    fva = bm.exporter_terms(basis, "source").sum(axis=2)[bm.BM_TERMS.index("FVA")]
    np.testing.assert_allclose(fva, bm_fva_naive(A, v, model.E, G, N), rtol=1e-9, atol=1e-9)


def test_fast_forms_equal_literal_formulas_on_leather(leather_path: Path) -> None:
    _check_against_reference(icio.read(leather_path))


@settings(max_examples=25, deadline=None)
@given(balanced_tables())
def test_fast_forms_equal_literal_formulas(table: IcioTable) -> None:
    _check_against_reference(table)


def _check_identities(
    table: IcioTable, groups: dict[str, list[str]] | None = None, nonnegative: bool = False
) -> None:
    model = icio.IcioModel(table, groups)
    basis = Basis(model)
    live = table.x != 0
    E = model.E
    # WWZ: 16 terms add up to bilateral sector exports
    W = wz.wwz(basis)
    bilateral = model.E_int + model.E_fin
    np.testing.assert_allclose(W.sum(axis=0)[live], bilateral[live], rtol=1e-9, atol=1e-7)
    # KWW: 9 terms add up to exports; WWZ aggregates to KWW
    K = wz.kww(basis)
    np.testing.assert_allclose(K.sum(axis=0)[live], E[live], rtol=1e-9, atol=1e-7)
    by_row = dict(zip(wz.WWZ_TERMS, W.sum(axis=2), strict=True))
    kww = dict(zip(wz.KWW_TERMS, K, strict=True))
    for k_term, w_terms in wz.KWW_FROM_WWZ.items():
        np.testing.assert_allclose(
            kww[k_term], sum(by_row[w] for w in w_terms), rtol=1e-9, atol=1e-9
        )
    # Borin–Mancini
    t = dict(zip(bm.BM_TERMS, bm.exporter_terms(basis, "source").sum(axis=2), strict=True))
    np.testing.assert_allclose((t["DC"] + t["FC"])[live], t["EXGR"][live], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(t["DVA"] + t["DDC"], t["DC"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(t["FVA"] + t["FDC"], t["FC"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(t["VAX"] + t["REF"], t["DVA"], rtol=1e-12, atol=1e-9)

    # BM and KWW agree per country (they attribute to exporting sectors differently)
    def per_unit(a: np.ndarray) -> np.ndarray:
        return np.bincount(model.grouping.row_unit, weights=a, minlength=model.grouping.n_units)

    np.testing.assert_allclose(per_unit(t["DDC"]), per_unit(kww["DDC"]), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        per_unit(t["REF"]), per_unit(kww["RDV_FIN"] + kww["RDV_INT"]), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        per_unit(t["VAX"]),
        per_unit(kww["DVA_FIN"] + kww["DVA_INT"] + kww["DVA_INTrex"]),
        rtol=1e-9,
        atol=1e-9,
    )
    if nonnegative:  # with non-negative flows every term is non-negative
        assert np.all(W >= -1e-12) and np.all(K >= -1e-12)
        for name in ("DVA", "DDC", "FVA", "FDC", "REF", "VAX"):
            assert np.all(t[name] >= -1e-9 * (1 + np.abs(t["EXGR"]))), name


def test_identities_on_leather(leather_path: Path) -> None:
    _check_identities(icio.read(leather_path))
    _check_identities(icio.read(leather_path), {"TG": ["Turkey", "Germany"]})


@settings(max_examples=40, deadline=None)
@given(balanced_tables(zero_sector=True))
def test_identities_on_random_tables(table: IcioTable) -> None:
    _check_identities(table, nonnegative=True)
    if len(table.countries) > 2:
        _check_identities(table, {"GRP": list(table.countries[:2])}, nonnegative=True)


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_identities_on_wiod(year: int) -> None:
    _check_identities(icio.read(wiod_path(year)))


def _frame(name: str, table: IcioTable, **options: str) -> pd.DataFrame:
    return icio.measure(name, table, **options)


def test_participation_identities(leather_path: Path) -> None:
    table = icio.read(leather_path)
    for method in ("oecd", "bm"):
        p = _frame("participation", table, method=method).pivot(
            index="exporter", columns="indicator", values="value"
        )
        np.testing.assert_allclose(p.GVC, p.GVCB + p.GVCF, rtol=1e-12)
        exgr = pd.Series(GROSS_EXPORTS)
        np.testing.assert_allclose(p.GVC_SH, p.GVC / exgr[p.index], rtol=1e-12)
    oecd = _frame("participation", table).pivot(
        index="exporter", columns="indicator", values="value"
    )
    vs1 = _frame("vs1", table).groupby("country")["value"].sum()
    vs = _frame("vs", table).groupby("country")["value"].sum()
    np.testing.assert_allclose(oecd.GVCF, vs1[oecd.index], rtol=1e-12)
    np.testing.assert_allclose(oecd.GVCB, vs[oecd.index], rtol=1e-12)
    # BM trade-based: GVC = EXGR − DAVAX, GVCB = FC + DDC (= KWW's DDC + FVA + FDC)
    bmp = _frame("participation", table, method="bm").pivot(
        index="exporter", columns="indicator", values="value"
    )
    for country, kww in KWW_LEATHER.items():
        assert bmp.loc[country, "GVCB"] == pytest.approx(sum(kww[5:]), abs=3e-6)


def test_position_formula(leather_path: Path) -> None:
    table = icio.read(leather_path)
    pos = _frame("position", table).set_index("country")["value"]
    vs1 = _frame("vs1", table).groupby("country")["value"].sum()
    vs = _frame("vs", table).groupby("country")["value"].sum()
    for c, e in GROSS_EXPORTS.items():
        assert pos[c] == pytest.approx(np.log(1 + vs1[c] / e) - np.log(1 + vs[c] / e), rel=1e-12)


def test_upstreamness_and_downstreamness(leather_path: Path) -> None:
    table = icio.read(leather_path)
    model = icio.IcioModel(table)
    up = _frame("upstreamness", table)["value"].to_numpy()
    # U = 1 + Δ·U with Δ_ij = a_ij x_j / x_i (Antràs et al. 2012, eq. 2)
    x = table.x
    delta = model.A * x[None, :] / x[:, None]
    np.testing.assert_allclose(up, 1 + delta @ up, rtol=1e-12)
    assert np.all(up >= 1)
    down = _frame("downstreamness", table)["value"].to_numpy()
    np.testing.assert_allclose(down, model.system.inverse().sum(axis=0), rtol=1e-12)


def test_upstreamness_closed_economy() -> None:
    """One sector selling a share a of its output to itself: U = 1 / (1 − a)."""
    table = icio.IcioTable(entities=["X"], sectors=["s"], Z=[[30.0]], Y=[[70.0]])
    assert _frame("upstreamness", table)["value"].iloc[0] == pytest.approx(1 / (1 - 0.3))


def test_nrca_is_relative_share(leather_path: Path) -> None:
    table = icio.read(leather_path)
    nrca = _frame("nrca", table).pivot(index="country", columns="sector", values="value")
    basis = Basis(icio.IcioModel(table))
    dv = (basis.v * basis.blockdiag(basis.Ld, basis.E)).reshape(3, 3)
    # forward-linked DVA sums, per country, to Borin–Mancini's DVA
    dva = (
        bm.exporter_terms(basis, "source")
        .sum(axis=2)[bm.BM_TERMS.index("DVA")]
        .reshape(3, 3)
        .sum(axis=1)
    )
    np.testing.assert_allclose(dv.sum(axis=1), dva, rtol=1e-12)
    expected = (dv / dv.sum(axis=1, keepdims=True)) / (dv.sum(axis=0) / dv.sum())
    np.testing.assert_allclose(
        nrca.loc[list(table.countries), list(table.sectors)], expected, rtol=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(balanced_tables(zero_sector=True))
def test_no_nan_anywhere(table: IcioTable) -> None:
    if len(table.categories) > 1:  # the last category as inventory changes (net correction)
        meta = TableMeta(inventories=table.categories[-1:])
        table = IcioTable(
            entities=table.entities, sectors=table.sectors, Z=table.Z, Y=table.Y,
            categories=table.categories, output=table.given_output, meta=meta,
        )  # fmt: skip
    basis = Basis(icio.IcioModel(table))
    for name, spec in icio.MEASURES.items():
        choices = [{}] + [{k: v} for k, vals in spec.options.items() for v in vals]
        for opts in choices:
            if opts.get("inventories") == "net" and not table.meta.inventories:
                continue  # refused: tested in test_gvc_position
            frame = icio.measure(name, basis, **opts)
            values = frame["value"].to_numpy(dtype=float)
            if name == "vax":  # the VAX ratio of a country without exports is undefined
                values = values[frame["indicator"] != "VAX_RATIO"]
            assert np.isfinite(values).all(), (name, opts)


def test_wwyz_participation_bounds(leather_path: Path) -> None:
    frame = _frame("participation", icio.read(leather_path), method="wwyz", by="sector")
    assert set(frame.indicator) == {"forward", "backward"}
    assert frame["value"].between(0, 1).all()


def _bm_against_reference(table: IcioTable) -> None:
    """Every Borin–Mancini perspective equals its literal extraction (one inverse each)."""
    from reference import bm_sink_phi_naive, extraction_naive

    model = icio.IcioModel(table)
    basis = Basis(model)
    A, v, _, G, N = _arrays(table)
    Ebil = model.E_int + model.E_fin
    T = dict(zip(bm.BM_TERMS, bm.sector_terms(basis), strict=True))
    Bt = dict(zip(bm.BM_TERMS, bm.bilateral_terms(basis), strict=True))
    sink = dict(zip(bm.BM_TERMS, bm.exporter_terms(basis, "sink"), strict=True))
    for s in range(G):
        own = np.arange(s * N, (s + 1) * N)
        foreign = np.setdiff1d(np.arange(G * N), own)
        for k in own:  # sector perspective: only row k loses its foreign columns
            dva, fva = extraction_naive(A, v, own, np.array([k]), foreign)
            np.testing.assert_allclose(T["DVA"][k], dva[0] * Ebil[k], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(T["FVA"][k], fva[0] * Ebil[k], rtol=1e-9, atol=1e-12)
        for r in range(G):  # bilateral perspective: only the block A_sr
            if r == s:
                continue
            cols = np.arange(r * N, (r + 1) * N)
            dva, fva = extraction_naive(A, v, own, own, cols)
            np.testing.assert_allclose(Bt["DVA"][own, r], dva * Ebil[own, r], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(Bt["FVA"][own, r], fva * Ebil[own, r], rtol=1e-9, atol=1e-12)
        phi = Ebil[own] + bm_sink_phi_naive(A, model.E, G, N, s)
        phi[:, s] = 0.0
        np.testing.assert_allclose(
            sink["DVA"][own], basis.vB[own, None] * phi, rtol=1e-9, atol=1e-12
        )


def test_bm_perspectives_equal_literal_extractions(leather_path: Path) -> None:
    _bm_against_reference(icio.read(leather_path))


@settings(max_examples=20, deadline=None)
@given(balanced_tables())
def test_bm_perspectives_on_random_tables(table: IcioTable) -> None:
    _bm_against_reference(table)


def _bm_identities(table: IcioTable) -> None:
    basis = Basis(icio.IcioModel(table))
    model = basis.model
    live = table.x != 0
    per = {
        "source": bm.exporter_terms(basis, "source"),
        "sink": bm.exporter_terms(basis, "sink"),
        "sector": bm.sector_terms(basis),
        "bilateral": bm.bilateral_terms(basis),
    }
    for name, arr in per.items():
        t = dict(zip(bm.BM_TERMS, arr, strict=True))
        np.testing.assert_allclose(
            (t["DC"] + t["FC"])[live], t["EXGR"][live], rtol=1e-9, atol=1e-7, err_msg=name
        )
        np.testing.assert_allclose(t["DVA"] + t["DDC"], t["DC"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(t["FVA"] + t["FDC"], t["FC"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(t["VAX"] + t["REF"], t["DVA"], rtol=1e-12, atol=1e-9)
    # source and sink agree at country level (BM 2019, §3)
    ru, U = model.grouping.row_unit, model.grouping.n_units
    for term in ("DVA", "FVA", "REF", "DDC", "FDC", "VAX"):
        k = bm.BM_TERMS.index(term)
        src = np.bincount(ru, per["source"][k].sum(axis=1), minlength=U)
        snk = np.bincount(ru, per["sink"][k].sum(axis=1), minlength=U)
        np.testing.assert_allclose(src, snk, rtol=1e-9, atol=1e-7, err_msg=term)
    # world perspective: same world total of FVA whether source or sink
    w_src, w_snk = bm.world_terms(basis, "source"), bm.world_terms(basis, "sink")
    fva = bm.BM_TERMS.index("FVA")
    assert w_src[fva].sum() == pytest.approx(w_snk[fva].sum(), rel=1e-9, abs=1e-9)


def test_bm_identities_on_leather(leather_path: Path) -> None:
    _bm_identities(icio.read(leather_path))


@settings(max_examples=30, deadline=None)
@given(balanced_tables(zero_sector=True))
def test_bm_identities_on_random_tables(table: IcioTable) -> None:
    _bm_identities(table)


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_bm_identities_on_wiod(year: int) -> None:
    _bm_identities(icio.read(wiod_path(year)))


def test_bm_world_perspective_values(leather_path: Path) -> None:
    """World-perspective FVA (BM 2019 eqs. 52 and 54) for Argentina on leather, computed by hand
    from the formulas with explicit blocks."""
    table = icio.read(leather_path)
    model = icio.IcioModel(table)
    A, v, Y = model.A, model.v, table.final_demand
    B = np.linalg.inv(np.eye(9) - A)
    blk = [slice(0, 3), slice(3, 6), slice(6, 9)]
    L = [np.linalg.inv(np.eye(3) - A[b_, b_]) for b_ in blk]
    s, E = 0, model.E[blk[0]]
    src = sum(v[blk[t]] @ L[t] @ A[blk[t], blk[s]] @ L[s] @ E for t in (1, 2))
    frame = icio.measure("bm", table, perspective="world")
    got = frame[(frame.exporter == "Argentina") & (frame.term == "FVA")]["value"].item()
    assert got == pytest.approx(src, rel=1e-12)
    sink_part1 = sum(v[blk[t]] @ B[blk[t], blk[s]] for t in (1, 2)) @ sum(
        Y[blk[s], r] + A[blk[s], blk[r]] @ L[r] @ Y[blk[r], r] for r in (1, 2)
    )
    sink_part2 = 0.0
    for r in (1, 2):
        z = sum(Y[blk[r], j] + A[blk[r], blk[j]] @ L[j] @ Y[blk[j], j] for j in range(3) if j != r)
        sink_part2 += v[blk[r]] @ B[blk[r], blk[s]] @ A[blk[s], blk[r]] @ L[r] @ z
    frame = icio.measure("bm", table, perspective="world", approach="sink")
    got = frame[(frame.exporter == "Argentina") & (frame.term == "FVA")]["value"].item()
    assert got == pytest.approx(sink_part1 + sink_part2, rel=1e-12)


def test_my_world_counts_all_foreign_content_as_double(leather_path: Path) -> None:
    table = icio.read(leather_path)
    my = icio.measure("my", table, perspective="world").pivot(
        index="exporter", columns="term", values="value"
    )
    assert (my.FVA == 0).all()
    np.testing.assert_allclose(my.FDC, my.FC)
    exporter = icio.measure("my", table).pivot(index="exporter", columns="term", values="value")
    bmf = icio.measure("bm", table).pivot(index="exporter", columns="term", values="value")
    for term in ("DVA", "DDC", "FVA", "FDC"):
        np.testing.assert_allclose(exporter[term], bmf[term], rtol=1e-12)


@pytest.mark.parametrize(
    ("options", "columns"),
    [
        ({}, ["exporter", "term", "value"]),
        ({"by": "sector"}, ["exporter", "exporter_sector", "term", "value"]),
        ({"approach": "sink"}, ["exporter", "term", "value"]),
        ({"perspective": "sector"}, ["exporter", "exporter_sector", "term", "value"]),
        ({"perspective": "bilateral"}, ["exporter", "importer", "term", "value"]),
        (
            {"perspective": "bilateral", "by": "sector"},
            ["exporter", "exporter_sector", "importer", "term", "value"],
        ),
        ({"perspective": "world", "approach": "sink"}, ["exporter", "term", "value"]),
    ],
)
def test_bm_columns(leather_path: Path, options: dict[str, str], columns: list[str]) -> None:
    frame = icio.measure("bm", icio.read(leather_path), **options)
    assert list(frame.columns) == columns
    assert tuple(frame.term.iloc[:9]) == bm.BM_TERMS


def test_bm_sector_perspective_is_not_additive(leather_path: Path) -> None:
    from gvckit.errors import OptionError

    with pytest.raises(OptionError, match="not additive"):
        icio.measure("bm", icio.read(leather_path), perspective="sector", by="country")


def _blocks_of_inverse(system: lt.LeontiefSystem, units: list[np.ndarray]) -> list[np.ndarray]:
    B = system.inverse()
    return [B[np.ix_(r, r)] for r in units]


@pytest.mark.shared
@pytest.mark.parametrize("groups", [None, ["G=AUS,USA,RoW"]])
def test_diagonal_blocks_equal_the_blocks_of_the_inverse_on_wiod(groups: list[str] | None) -> None:
    """B_ss from triangular solves on the LU factors = B_ss cut from the explicit inverse, on a
    real table (43 units; and with a group of non-adjacent countries, rows not contiguous)."""
    model = icio.IcioModel(icio.read(wiod_path(2011)), groups)
    units = [model.grouping.unit_rows(u) for u in range(model.grouping.n_units)]
    got = model.system.diagonal_blocks(units)
    for r, new, old in zip(units, got, _blocks_of_inverse(model.system, units), strict=True):
        assert new.shape == (len(r), len(r))
        np.testing.assert_allclose(new, old, rtol=1e-12, atol=0)


def test_diagonal_blocks_with_row_exchanges() -> None:
    """A row of A summing above 1 makes LAPACK exchange rows of (I − A)'; the blocks then come
    from the explicit inverse, and still equal it."""
    rng = np.random.default_rng(7)
    A = rng.random((9, 9)) * 0.02
    A[0, 0] = 0.5
    A[0, 1:] = 0.8  # sector 0 sells most of every other sector's inputs: columns still < 1
    system = lt.LeontiefSystem(A)
    assert not np.array_equal(system._lu[1], np.arange(9))  # a row exchange happened
    units = [np.array([0, 4, 8]), np.array([1, 2, 3]), np.array([5, 6, 7])]
    for new, old in zip(
        system.diagonal_blocks(units), _blocks_of_inverse(system, units), strict=True
    ):
        np.testing.assert_array_equal(new, old)
    B = np.linalg.inv(np.eye(9) - A)  # an independent inverse
    np.testing.assert_allclose(
        system.diagonal_blocks(units)[0], B[np.ix_(units[0], units[0])], rtol=1e-12
    )


@pytest.mark.shared
@pytest.mark.parametrize("year", [1995, 2011])
def test_bm_without_the_inverse_equals_bm_from_it(year: int) -> None:
    """Borin–Mancini source and sink and WWZ with B_ss from the factorisation equal the same
    terms with B_ss cut from the explicit inverse (as computed before), rtol 1e-12."""
    model = icio.IcioModel(icio.read(wiod_path(year)))
    new, old = Basis(model, lazy=True), Basis(model, lazy=True)
    old.__dict__["Bd"] = _blocks_of_inverse(model.system, old.rows)
    assert "B" not in vars(new)
    for approach in ("source", "sink"):
        want = bm.exporter_terms(old, approach)
        got = bm.exporter_terms(new, approach)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * float(np.abs(want).max()))
    np.testing.assert_allclose(
        wz.wwz(new), wz.wwz(old), rtol=1e-12, atol=1e-12 * float(np.abs(wz.wwz(old)).max())
    )
    assert "B" not in vars(new)  # no explicit inverse was formed
