"""Wang, Wei & Zhu (2013, NBER WP 19677, eq. 37): gross exports in 16 terms, by exporting
country-sector and importer; and their aggregation to Koopman, Wang & Wei (2014, AER 104(2)).

For exports E^sr = A^sr X^r + Y^sr of s to r, with # the element-wise product over s's sectors:

==============  =======================================================================
DVA_FIN         (V^s B^ss)' # Y^sr
DVA_INT         (V^s L^ss)' # (A^sr B^rr Y^rr)
DVA_INTrexI1    (V^s L^ss)' # (A^sr Σ_{t≠s,r} B^rt Y^tt)
DVA_INTrexF     (V^s L^ss)' # (A^sr B^rr Σ_{t≠s,r} Y^rt)
DVA_INTrexI2    (V^s L^ss)' # (A^sr Σ_{t≠s,r} B^rt Σ_{u≠s,t} Y^tu)
RDV_INT         (V^s L^ss)' # (A^sr B^rs Y^ss)
RDV_FIN         (V^s L^ss)' # (A^sr B^rr Y^rs)
RDV_FIN2        (V^s L^ss)' # (A^sr Σ_{t≠s,r} B^rt Y^ts)
DDC_FIN         (V^s L^ss)' # (A^sr B^rs Σ_{t≠s} Y^st)
DDC_INT         (V^s B^ss − V^s L^ss)' # (A^sr X^r)
MVA_FIN         (V^r B^rs)' # Y^sr
OVA_FIN         (Σ_{t≠s,r} V^t B^ts)' # Y^sr
MVA_INT         (V^r B^rs)' # (A^sr L^rr Y^rr)
OVA_INT         (Σ_{t≠s,r} V^t B^ts)' # (A^sr L^rr Y^rr)
MDC             (V^r B^rs)' # (A^sr L^rr E^r*)
ODC             (Σ_{t≠s,r} V^t B^ts)' # (A^sr L^rr E^r*)
==============  =======================================================================

The domestic terms 2–9 split (V^s L^ss)' # (A^sr X^r) by where the intermediates end up, since
X^r = Σ_t B^rt Σ_u Y^tu; the foreign terms use X^r = L^rr (Y^rr + E^r*). Term names and order are
decompr's (Quast & Kummritz 2015), whose published leather row the tests reproduce. Each block
product is evaluated from the :class:`~gvckit.icio.decompose.basis.Basis` (one inverse), never
forming n×n×G arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gvckit.icio.decompose.basis import Basis

__all__ = ["KWW_FROM_WWZ", "KWW_TERMS", "WWZ_TERMS", "kww", "wwz"]

FloatArray = NDArray[np.float64]

WWZ_TERMS = (
    "DVA_FIN", "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2",
    "RDV_INT", "RDV_FIN", "RDV_FIN2", "DDC_FIN", "DDC_INT",
    "MVA_FIN", "OVA_FIN", "MVA_INT", "OVA_INT", "MDC", "ODC",
)  # fmt: skip

KWW_TERMS = (
    "DVA_FIN", "DVA_INT", "DVA_INTrex", "RDV_FIN", "RDV_INT", "DDC", "FVA_FIN", "FVA_INT", "FDC",
)  # fmt: skip

#: KWW (2014) term ← the WWZ terms that add up to it. KWW class intermediate exports by where
#: they are finally absorbed: DVA_INT = V^s Σ_{r≠s} B^sr Y^rr, which with B^sr = L^ss A^so B^or
#: is WWZ's DVA_INT + DVA_INTrexI1 (absorbed by the direct importer or a third country t in its
#: own final demand); DVA_INTrex = V^s Σ B^sr Σ_{t≠s,r} Y^rt = DVA_INTrexF + DVA_INTrexI2.
KWW_FROM_WWZ: dict[str, tuple[str, ...]] = {
    "DVA_FIN": ("DVA_FIN",),
    "DVA_INT": ("DVA_INT", "DVA_INTrexI1"),
    "DVA_INTrex": ("DVA_INTrexF", "DVA_INTrexI2"),
    "RDV_FIN": ("RDV_FIN", "RDV_FIN2"),
    "RDV_INT": ("RDV_INT",),
    "DDC": ("DDC_FIN", "DDC_INT"),
    "FVA_FIN": ("MVA_FIN", "OVA_FIN"),
    "FVA_INT": ("MVA_INT", "OVA_INT"),
    "FDC": ("MDC", "ODC"),
}


def wwz(basis: Basis) -> FloatArray:
    """The 16 WWZ terms as an array (16, n, U): term × exporting row × importing unit.

    Entries where the importer is the exporter's own unit are 0. For every row i and importer
    r ≠ unit(i) the terms add up to gross exports Z_i,r·1 + Y_i,r.
    """
    b = basis
    n, U = len(b.row_unit), b.n_units
    out = np.zeros((len(WWZ_TERMS), n, U))
    ar = np.arange(n)
    t2 = b.BdYd[ar, b.row_unit]  # B^rr Y^rr, on the rows of every r
    BYrow, BYdom, BdYrow = b.BYd.sum(axis=1), b.Mdom.sum(axis=1), b.BdYd.sum(axis=1)
    # s-independent products A^sr T_r for all exporting rows at once (n×U)
    a_t2 = b.a_to_units(ar, t2)
    a_bydom = b.a_to_units(ar, BYdom)
    a_bdyrow = b.a_to_units(ar, BdYrow)
    a_byrow = b.a_to_units(ar, BYrow)
    a_x = b.a_to_units(ar, b.X)
    a_lydom = b.a_to_units(ar, b.blockdiag(b.Ld, b.Ydom))
    a_le = b.a_to_units(ar, b.blockdiag(b.Ld, b.E))
    for s, rows in enumerate(b.rows):
        a_mdom = b.a_to_units(rows, b.Mdom[:, s])  # A^sr B^rs Y^ss
        a_bdyd = b.a_to_units(rows, b.BdYd[:, s])  # A^sr B^rr Y^rs
        a_byd = b.a_to_units(rows, b.BYd[:, s])  # A^sr Σ_t B^rt Y^ts
        a_mfin = b.a_to_units(rows, b.Mfin[:, s])  # A^sr B^rs Σ_{t≠s} Y^st
        t2s, bydom, bdyrow = a_t2[rows], a_bydom[rows], a_bdyrow[rows]
        vL = b.vL[rows, None]
        vB = b.vB[rows, None]
        domestic = (
            a_t2[rows],
            bydom - t2s - a_mdom,
            bdyrow - t2s - a_bdyd,
            (a_byrow[rows] - bydom - a_byd) - (bdyrow - t2s - a_bdyd) - (a_mfin - a_mdom),
            a_mdom,
            a_bdyd,
            a_byd - a_bdyd - a_mdom,
            a_mfin,
        )
        out[0, rows] = vB * b.Yd[rows]
        for k, term in enumerate(domestic, start=1):
            out[k, rows] = vL * term
        out[9, rows] = (vB - vL) * a_x[rows]
        mva = b.S[:, rows].T  # [j, r] = (V^r B^rs)_j
        ova = b.colS[rows, None] - b.S[s, rows][:, None] - mva
        for k, vec in ((10, b.Yd[rows]), (12, a_lydom[rows]), (14, a_le[rows])):
            out[k, rows] = mva * vec
            out[k + 1, rows] = ova * vec
        out[:, rows, s] = 0.0
    return out


def kww(basis: Basis, wwz_terms: FloatArray | None = None) -> FloatArray:
    """The 9 KWW (2014, eq. 36) terms by exporting row, array (9, n): the WWZ terms summed
    over importers as in :data:`KWW_FROM_WWZ`. They add up to each row's gross exports."""
    W = wwz(basis) if wwz_terms is None else wwz_terms
    index = {name: k for k, name in enumerate(WWZ_TERMS)}
    by_row = W.sum(axis=2)
    return np.stack([by_row[[index[w] for w in KWW_FROM_WWZ[k]]].sum(axis=0) for k in KWW_TERMS])
