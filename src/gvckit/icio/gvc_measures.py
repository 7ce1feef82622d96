"""Decompositions of gross exports and GVC indicators, registered as tidy measures.

Each function takes a :class:`~gvckit.icio.decompose.Basis` (built once per model; pass one to
:func:`gvckit.icio.measure` to reuse it across measures) or a model, and returns a DataFrame
with the columns listed in its registration.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.errors import OptionError
from gvckit.icio.decompose import Basis
from gvckit.icio.decompose import borin_mancini as bm
from gvckit.icio.decompose import wwz as wz
from gvckit.icio.measures import register
from gvckit.icio.tidy import by_unit, partner_terms_frame, terms_frame, unit_sector_labels

__all__ = ["export_shares"]

FloatArray = NDArray[np.float64]

PARTICIPATION = ("GVC", "GVCB", "GVCF", "GVC_SH", "GVCB_SH", "GVCF_SH")


def _wwz_terms(basis: Basis) -> FloatArray:
    """The WWZ terms of ``basis``, computed once for ``wwz`` and ``kww`` on a shared Basis."""
    return basis.shared("wwz", lambda: wz.wwz(basis))


def _bm_exporter(basis: Basis, approach: str) -> FloatArray:
    """Borin–Mancini exporter terms, computed once per approach on a shared Basis (``bm``,
    ``my`` and ``participation --method bm`` use the source terms)."""
    return basis.shared(f"bm-exporter-{approach}", lambda: bm.exporter_terms(basis, approach))


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    """a / b, 0 where b = 0 (a sector without exports or output has no share to speak of)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


@register(
    "kww",
    ("exporter", "term", "value"),
    "Koopman, Wang & Wei (2014): gross exports in 9 value-added terms",
    needs_basis=True,
    by=("country", "sector"),
)
def kww_measure(basis: Basis, by: str = "country") -> pd.DataFrame:
    """KWW (2014, AER, eq. 36) terms DVA_FIN … FDC by exporter (``by="sector"``: and exporting
    sector); they add up to gross exports."""
    return terms_frame(basis.model, wz.kww(basis, _wwz_terms(basis)), wz.KWW_TERMS, by)


@register(
    "wwz",
    ("exporter", "exporter_sector", "importer", "term", "value"),
    "Wang, Wei & Zhu (2013): bilateral sector-level gross exports in 16 terms",
    needs_basis=True,
)
def wwz_measure(basis: Basis) -> pd.DataFrame:
    """WWZ (2013, NBER 19677, eq. 37) 16 terms by exporter-sector and importer."""
    return partner_terms_frame(basis.model, _wwz_terms(basis), wz.WWZ_TERMS, "sector")


def _bm_level(perspective: str, by: str | None) -> str:
    if perspective == "sector":
        if by == "country":
            raise OptionError(
                "the sector perspective is not additive across sectors: use --by sector"
            )
        return "sector"
    return by or "country"


@register(
    "bm",
    ("exporter", "term", "value"),
    "Borin & Mancini (2019): EXGR = DC + FC, DC = DVA + DDC, FC = FVA + FDC, DVA = VAX + REF",
    needs_basis=True,
    approach=("source", "sink"),
    perspective=bm.PERSPECTIVES,
    by=("country", "sector"),
)
def bm_measure(
    basis: Basis, approach: str = "source", perspective: str = "exporter", by: str | None = None
) -> pd.DataFrame:
    """Borin–Mancini terms EXGR DC DVA VAX REF DDC FC FVA FDC (see
    :mod:`gvckit.icio.decompose.borin_mancini`). Columns: ``exporter`` (``--by sector``: and
    ``exporter_sector``; always for the sector perspective), ``importer`` for the bilateral
    perspective, then ``term, value``."""
    level = _bm_level(perspective, by)
    model = basis.model
    if perspective == "bilateral":
        return partner_terms_frame(model, bm.bilateral_terms(basis), bm.BM_TERMS, level)
    if perspective == "world":
        values = bm.world_terms(basis, approach)
    elif perspective == "sector":
        values = bm.sector_terms(basis).sum(axis=2)
    else:
        values = _bm_exporter(basis, approach).sum(axis=2)
    return terms_frame(model, values, bm.BM_TERMS, level)


MY_TERMS = ("EXGR", "DC", "DVA", "DDC", "FC", "FVA", "FDC")


@register(
    "my",
    ("exporter", "term", "value"),
    "Miroudot & Ye (2021): EXGR = DVA + DDC + FVA + FDC, source-based",
    needs_basis=True,
    perspective=bm.PERSPECTIVES,
    by=("country", "sector"),
)
def my_measure(basis: Basis, perspective: str = "exporter", by: str | None = None) -> pd.DataFrame:
    """Miroudot & Ye (2021, *Economic Systems Research* 33(1)): source-based DVA, DDC, FVA, FDC
    with the same extractions as Borin–Mancini for the exporter, sector and bilateral
    perspectives; in the world perspective (A^o = the domestic blocks of A, B^o = L) all foreign
    content is double counted: FVA = 0 and FDC = FC. Columns as for ``bm``."""
    level = _bm_level(perspective, by)
    model = basis.model
    keep = [bm.BM_TERMS.index(t) for t in MY_TERMS]
    if perspective == "bilateral":
        return partner_terms_frame(model, bm.bilateral_terms(basis)[keep], MY_TERMS, level)
    if perspective == "sector":
        values = bm.sector_terms(basis).sum(axis=2)[keep]
    else:
        values = _bm_exporter(basis, "source").sum(axis=2)[keep]
        if perspective == "world":
            values[MY_TERMS.index("FVA")] = 0.0
            values[MY_TERMS.index("FDC")] = values[MY_TERMS.index("FC")]
    return terms_frame(model, values, MY_TERMS, level)


def _participation_oecd(basis: Basis) -> FloatArray:
    """GVCB = foreign content (VS), GVCF = VS1 (own value added in partners' exports):
    Koopman, Powers, Wang & Wei (2010); OECD TiVA. Rows: GVC, GVCB, GVCF, EXGR by row
    (GVCB by exporting sector, GVCF by source sector)."""
    from gvckit.icio import leontief as lt

    b = basis
    gvcb = (b.colS - b.vB) * b.E
    gvcf = lt.vs1(b.model.system, b.v, b.E, b.row_unit, b.n_units)
    return np.stack([gvcb + gvcf, gvcb, gvcf, b.E])


def _participation_bm(basis: Basis) -> FloatArray:
    """Borin & Mancini (2019) trade-based: GVC = EXGR − DAVAX = GVCB + GVCF with
    GVCB = FC + DDC (backward) and GVCF = DVA − DAVAX (forward)."""
    t = dict(zip(bm.BM_TERMS, _bm_exporter(basis, "source").sum(axis=2), strict=True))
    gvcb = t["FC"] + t["DDC"]
    gvcf = t["DVA"] - bm.davax(basis)
    return np.stack([gvcb + gvcf, gvcb, gvcf, t["EXGR"]])


def _participation_wwyz(basis: Basis) -> tuple[FloatArray, FloatArray]:
    """Wang, Wei, Yu & Zhu (2017, NBER 23261) production-based participation, per row:
    forward numerator V_GVC_i = v_i (L A^F B Y)_i over Va_i = v_i x_i, backward numerator
    Y_GVC_j = (v' L A^F B)_j Y_j over Y_j (final goods output), with L the block-diagonal local
    Leontief and A^F the foreign (imported-input) part of A. Returns (numerators 2×n,
    denominators 2×n)."""
    b = basis
    n = len(b.E)
    foreign = b.row_unit[:, None] != b.row_unit[None, :]
    AF = np.where(foreign, b.A, 0.0)
    BY = b.BYd.sum(axis=1)
    v_gvc = b.v * b.blockdiag(b.Ld, AF @ BY)
    back = b.model.system.solve_transpose(AF.T @ b.vL)  # (v' L A^F B)'
    y_gvc = back * b.Yrow
    va = b.v * b.X
    assert v_gvc.shape == (n,)
    return np.stack([v_gvc, y_gvc]), np.stack([va, b.Yrow])


@register(
    "participation",
    ("exporter", "indicator", "value"),
    "GVC participation: --method oecd (VS, VS1), bm (EXGR − DAVAX) or wwyz (production-based)",
    needs_basis=True,
    method=("oecd", "bm", "wwyz"),
    by=("country", "sector"),
)
def participation_measure(basis: Basis, method: str = "oecd", by: str = "country") -> pd.DataFrame:
    """GVC participation by exporter (or exporter-sector); see the method functions above."""
    model = basis.model
    g = model.grouping
    if method == "wwyz":
        num, den = _participation_wwyz(basis)
        if by == "sector":
            num, den = g.aggregate_rows(num.T).T, g.aggregate_rows(den.T).T
        else:
            num, den = by_unit(model, num.T).T, by_unit(model, den.T).T
        values = _ratio(num, den)
        names: tuple[str, ...] = ("forward", "backward")
    else:
        raw = _participation_oecd(basis) if method == "oecd" else _participation_bm(basis)
        agg = g.aggregate_rows(raw.T).T if by == "sector" else by_unit(model, raw.T).T
        gvc, gvcb, gvcf, exgr = agg
        values = np.stack(
            [gvc, gvcb, gvcf, _ratio(gvc, exgr), _ratio(gvcb, exgr), _ratio(gvcf, exgr)]
        )
        names = PARTICIPATION
    return _indicator_frame(basis, values, names, by)


def _indicator_frame(
    basis: Basis, values: FloatArray, names: tuple[str, ...], by: str
) -> pd.DataFrame:
    """Long frame of already aggregated values (k × units or k × unit-sectors)."""
    model = basis.model
    k = len(names)
    inds = np.tile(np.array(names, dtype=object), values.shape[1])
    flat = values.T.ravel()
    if by == "sector":
        units, sectors = unit_sector_labels(model)
        return pd.DataFrame(
            {
                "exporter": np.repeat(units, k),
                "exporter_sector": np.repeat(sectors, k),
                "indicator": inds,
                "value": flat,
            }
        )
    labels = np.array(model.grouping.units, dtype=object)
    return pd.DataFrame({"exporter": np.repeat(labels, k), "indicator": inds, "value": flat})


@register(
    "position",
    ("country", "value"),
    "GVC position index ln(1 + VS1/E) − ln(1 + VS/E) (Koopman, Powers, Wang & Wei 2010)",
    needs_basis=True,
    by=("country", "sector"),
)
def position_measure(basis: Basis, by: str = "country") -> pd.DataFrame:
    """Koopman, Powers, Wang & Wei (2010, NBER 16426) GVC position: ln(1 + VS1/E) − ln(1 + VS/E),
    VS1 the country's (sector's) value added in other countries' exports, VS the foreign value
    added in its exports, E its gross exports. 0 where E = 0; NaN where a logarithm is undefined
    (a ratio <= -1, which negative gross exports can give: KOR c2 in WIOD 2011 exports -163)."""
    raw = _participation_oecd(basis)  # GVC, VS, VS1, E
    model = basis.model
    g = model.grouping
    agg = g.aggregate_rows(raw.T).T if by == "sector" else by_unit(model, raw.T).T
    _, vs, vs1, e = agg
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log1p(_ratio(vs1, e)) - np.log1p(_ratio(vs, e))
    value = np.where(e != 0, logs, 0.0)
    if by == "sector":
        units, sectors = unit_sector_labels(model)
        return pd.DataFrame({"country": units, "sector": sectors, "value": value})
    return pd.DataFrame({"country": np.array(g.units, dtype=object), "value": value})


@register(
    "nrca",
    ("country", "sector", "value"),
    "KWW (2014) new RCA on forward-linked domestic value added in gross exports",
    needs_basis=True,
)
def nrca_measure(basis: Basis) -> pd.DataFrame:
    """Koopman, Wang & Wei (2014, §V): RCA computed on each sector's domestic value added in its
    country's gross exports, forward-linked (including indirect exports through other sectors):
    DV_i = v_i (L_ss E_s)_i for row i of s. NRCA_is = (DV_is / Σ_i DV_is) / (Σ_s DV_is / Σ DV)."""
    b = basis
    dv = b.v * b.blockdiag(b.Ld, b.E)
    model = b.model
    g = model.grouping
    per = g.aggregate_rows(dv).reshape(g.n_units, len(g.sectors))
    country_share = _ratio(per, per.sum(axis=1, keepdims=True))
    world = per.sum(axis=0)
    world_share = _ratio(world, np.full_like(world, world.sum()))
    value = np.where(world_share[None, :] != 0, _ratio(country_share, world_share[None, :]), 0.0)
    units, sectors = unit_sector_labels(model)
    return pd.DataFrame({"country": units, "sector": sectors, "value": value.ravel()})


def export_shares(
    bm_terms: pd.DataFrame, exporter: str, terms: Sequence[str | tuple[str, ...]]
) -> pd.Series:
    """Borin–Mancini terms of ``exporter``'s gross exports as shares of them: term / EXGR
    (Borin & Mancini 2019, World Bank WPS 8804), from the ``bm`` measure by exporter (any
    approach). A tuple of terms is their sum over EXGR, labelled ``"DDC+FDC"`` for
    ``("DDC", "FDC")`` (double counting). A Series ``value`` indexed by ``term``, in the order of
    ``terms``; EXGR must be positive."""
    values = bm_terms[bm_terms["exporter"] == exporter].set_index("term")["value"]
    exgr = float(values["EXGR"])
    if exgr <= 0:
        raise OptionError(f"{exporter} has no gross exports: no shares of them")

    def total(term: str | tuple[str, ...]) -> float:
        return (
            float(values[term])
            if isinstance(term, str)
            else sum((float(values[t]) for t in term), 0.0)
        )

    shares = {t if isinstance(t, str) else "+".join(t): total(t) / exgr for t in terms}
    return pd.Series(shares, name="value", dtype=float).rename_axis("term")
