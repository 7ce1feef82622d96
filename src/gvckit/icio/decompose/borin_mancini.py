"""Borin & Mancini (2019, World Bank WPS 8804; 2023, *Economic Systems Research* 35(4)):
value added in gross exports, counted where it is first (source-based) or last (sink-based)
exported, from four perspectives; and their trade-based GVC participation.

Terms (each an array term × exporting row × partner unit): EXGR = DC + FC; DC = DVA + DDC;
FC = FVA + FDC; DVA = VAX + REF. DC = (V_s B_ss)_k E and FC = (Σ_{t≠s} V_t B_ts)_k E are the
same in every perspective; what changes is the *extraction* that separates value added counted
once (DVA, FVA) from double counting (DDC, FDC): B^x = (I − A^x)⁻¹ where A^x is A without the
flow of interest.

- **exporter** (country perspective; A^(s): s's intermediate exports A_sr = 0, r ≠ s).
  Source: DVA = (V_s L_ss)_k E_srk, FVA = (Σ_{t≠s} V_t B^(s)_ts)_k E_srk,
  REF = (V_s L_ss)_k (A_sr (B Y_·s)_r)_k. Sink: the same extraction applied downstream,
  Φ_sr = E_sr − A_sr B^(s)_rs E_s, DVA = (V_s B_ss)_k Φ_srk, FVA = (Σ_{t≠s} V_t B_ts)_k Φ_srk,
  REF = (V_s B_ss)_k (A_sr (B^(s) Y_·s)_r)_k. Country totals of DVA, FVA and REF agree.
- **sector** (A^(s,k): row k of s without its foreign columns; exports of sector k):
  DVA = (V_s B_ss)_k E_k / (1 + m_k), FVA = (Σ_{t≠s} V_t B_ts)_k E_k / (1 + m_k), with
  m_k = Σ_{j∉s} A_kj B_jk (a rank-one extraction only rescales column k of B).
- **bilateral** (A^(sr): only the block A_sr; exports of s to r): the coefficients become
  c (I + A_sr B_rs)⁻¹ (Woodbury), c = V_s B_ss for DVA, Σ_{t≠s} V_t B_ts for FVA.
- **world** (country level): DVA, DDC, REF as for the exporter; FVA counts foreign value added
  once in world exports. Source (BM 2019 eq. 52): FVA = Σ_{t≠s} V_t L_tt A_ts L_ss E_s. Sink
  (eq. 54): FVA = Σ_{t≠s} V_t B_ts Σ_{r≠s} (Y_sr + A_sr L_rr Y_rr)
  + Σ_{r≠s} V_r B_rs A_sr L_rr [Σ_{j≠r} Y_rj + Σ_{j≠r} A_rj L_jj Y_jj].

In the sector and bilateral perspectives the flow of interest is extracted as such, so source
and sink coincide (as in Stata ``icio``). Sector and bilateral terms are not additive across
sectors or partners.

Speed. The naive method inverts I − A^x for every exporter. Ordering rows as (s, o), I − A^(s)
is block lower-triangular; with the Woodbury identity its column block s is
B^(s)_·s = B_·s (I + M_s)⁻¹ = B_·s B_ss⁻¹ L_ss (M_s = Σ_{j≠s} A_sj B_js), which gives
Σ_{t≠s} V_t B^(s)_ts = (Σ_{t≠s} V_t B_ts) B_ss⁻¹ L_ss: one global inverse serves every
exporter and every perspective.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gvckit.icio.decompose.basis import Basis

__all__ = [
    "BM_TERMS",
    "PERSPECTIVES",
    "bilateral_terms",
    "davax",
    "exporter_terms",
    "fva_multiplier",
    "sector_terms",
    "world_terms",
]

FloatArray = NDArray[np.float64]

BM_TERMS = ("EXGR", "DC", "DVA", "VAX", "REF", "DDC", "FC", "FVA", "FDC")
PERSPECTIVES = ("exporter", "sector", "bilateral", "world")


def _stack(
    exgr: FloatArray, dc: FloatArray, dva: FloatArray, ref: FloatArray, fc: FloatArray,
    fva: FloatArray,
) -> FloatArray:  # fmt: skip
    return np.stack([exgr, dc, dva, dva - ref, ref, dc - dva, fc, fva, fc - fva])


def _bilateral_exports(b: Basis) -> FloatArray:
    """E_sr by exporting row and partner unit (n×U), 0 for the own unit."""
    m = b.model
    return np.asarray(m.E_int + m.E_fin, dtype=np.float64)


def _fc(b: Basis) -> FloatArray:
    """Σ_{t≠s} V_t B_ts per exporting row (foreign content per unit of exports)."""
    return np.asarray(b.colS - b.vB, dtype=np.float64)


def _without_own(b: Basis, M: FloatArray, s: int) -> FloatArray:
    out = np.array(M)
    out[:, s] = 0.0
    return out


def fva_multiplier(basis: Basis, s: int) -> FloatArray:
    """Σ_{t≠s} V_t B^(s)_ts = (Σ_{t≠s} V_t B_ts) B_ss⁻¹ L_ss on the rows of unit s."""
    b = basis
    y = np.linalg.solve(b.Bd[s].T, _fc(b)[b.rows[s]])  # fc · B_ss⁻¹
    return np.asarray(y @ b.Ld[s], dtype=np.float64)


def _solve_per_unit(b: Basis, vectors: list[NDArray[np.floating]]) -> FloatArray:
    """B applied to each unit's vector (placed on its rows): n×U, column s = B_·s w_s."""
    W = np.zeros((len(b.row_unit), b.n_units))
    for s, (rows, w) in enumerate(zip(b.rows, vectors, strict=True)):
        W[rows, s] = w
    return b.model.system.solve(W)


def exporter_terms(basis: Basis, approach: str = "source") -> FloatArray:
    """Exporter (country) perspective, split by partner: array (9, n, U)."""
    b = basis
    Ebil = _bilateral_exports(b)
    fc = _fc(b)[:, None]
    out = np.zeros((len(BM_TERMS), *Ebil.shape))
    if approach == "source":
        for s, rows in enumerate(b.rows):
            e = Ebil[rows]
            back = _without_own(b, b.a_to_units(rows, b.BYd[:, s]), s)
            vL = b.vL[rows, None]
            out[:, rows] = _stack(
                e,
                b.vB[rows, None] * e,
                vL * e,
                vL * back,
                fc[rows] * e,
                fva_multiplier(b, s)[:, None] * e,
            )
        return out
    # sink: B^(s)_·s E_s and B^(s) Y_·s for every s from two batched solves
    L_E = [b.Ld[s] @ b.E[r] for s, r in enumerate(b.rows)]
    P = _solve_per_unit(b, [np.linalg.solve(b.Bd[s], v) for s, v in enumerate(L_E)])
    C = [b.a_to_units(rows, b.BYd[:, s]) for s, rows in enumerate(b.rows)]
    c_own = [(c.sum(axis=1) - c[:, s]) for s, c in enumerate(C)]  # A_so (B Y_·s)_o
    Q = _solve_per_unit(b, [np.linalg.solve(b.Bd[s], b.Ld[s] @ c) for s, c in enumerate(c_own)])
    for s, rows in enumerate(b.rows):
        e = Ebil[rows]
        ap = _without_own(b, b.a_to_units(rows, P[:, s]), s)  # A_sr B^(s)_rs E_s
        phi = e - ap
        bsy = b.BYd[:, s] - Q[:, s]  # B^(s) Y_·s
        back = _without_own(b, b.a_to_units(rows, bsy), s)
        vB = b.vB[rows, None]
        out[:, rows] = _stack(e, vB * e, vB * phi, vB * back, fc[rows] * e, fc[rows] * phi)
    return out


def sector_terms(basis: Basis) -> FloatArray:
    """Sector perspective (rank-one extraction of each exporting sector): (9, n, U)."""
    b = basis
    Ebil = _bilateral_exports(b)
    scale = 1.0 / (1.0 + b.m_diag)
    vB, fc = b.vB[:, None], _fc(b)[:, None]
    back = np.zeros_like(Ebil)
    for s, rows in enumerate(b.rows):
        back[rows] = _without_own(b, b.a_to_units(rows, b.BYd[:, s]), s)
    dva_c = (b.vB * scale)[:, None]
    return _stack(
        Ebil, vB * Ebil, dva_c * Ebil, dva_c * back, fc * Ebil, (_fc(b) * scale)[:, None] * Ebil
    )


def bilateral_terms(basis: Basis) -> FloatArray:
    """Bilateral perspective (extraction of the block A_sr for each pair): (9, n, U)."""
    b = basis
    Ebil = _bilateral_exports(b)
    fc = _fc(b)
    out = np.zeros((len(BM_TERMS), *Ebil.shape))
    for s, rows in enumerate(b.rows):
        back = b.a_to_units(rows, b.BYd[:, s])
        for r, rrows in enumerate(b.rows):
            if r == s:
                continue
            K = np.eye(len(rows)) + b.A[np.ix_(rows, rrows)] @ b.B[np.ix_(rrows, rows)]
            c_dva, c_fva = np.linalg.solve(K.T, np.stack([b.vB[rows], fc[rows]], axis=1)).T
            e = Ebil[rows, r]
            out[:, rows, r] = _stack(
                e, b.vB[rows] * e, c_dva * e, c_dva * back[:, r], fc[rows] * e, c_fva * e
            )
    return out


def world_terms(basis: Basis, approach: str = "source") -> FloatArray:
    """World perspective by exporting row (summed over partners): array (9, n)."""
    b = basis
    base = exporter_terms(b, "source").sum(axis=2)
    fva = np.zeros(len(b.E))
    if approach == "source":
        u = b.A.T @ b.vL  # Σ_i (V L)_i A_ik
        for rows, L in zip(b.rows, b.Ld, strict=True):
            u_foreign = u[rows] - b.vL[rows] @ b.A[np.ix_(rows, rows)]
            fva[rows] = (u_foreign @ L) * b.E[rows]
    else:
        ldy = b.blockdiag(b.Ld, b.Ydom)
        own_a = b.blockdiag([b.A[np.ix_(r, r)] for r in b.rows], ldy)
        z = (b.Yrow - b.Ydom) + (b.A @ ldy - own_a)  # Σ_{j≠r} Y_rj + Σ_{j≠r} A_rj L_jj Y_jj
        lz = b.blockdiag(b.Ld, z)
        dav = _absorbed_by_importer(b)
        for s, rows in enumerate(b.rows):
            via = _without_own(b, b.a_to_units(rows, lz), s)  # A_sr L_rr z_r by partner r
            fva[rows] = _fc(b)[rows] * dav[rows] + np.einsum("kr,rk->k", via, b.S[:, rows])
    t = dict(zip(BM_TERMS, base, strict=True))
    return _stack(t["EXGR"], t["DC"], t["DVA"], t["REF"], t["FC"], fva)


def _absorbed_by_importer(b: Basis) -> FloatArray:
    """Σ_{r≠s} (Y_sr + A_sr L_rr Y_rr) by exporting row: exports absorbed by the direct
    importer, as final goods or through its domestic production of final goods."""
    ar = np.arange(len(b.E))
    a_lydom = b.a_to_units(ar, b.blockdiag(b.Ld, b.Ydom))
    fin = b.Yd.copy()
    fin[ar, b.row_unit] = 0.0
    a_lydom[ar, b.row_unit] = 0.0
    return np.asarray(fin.sum(axis=1) + a_lydom.sum(axis=1), dtype=np.float64)


def davax(basis: Basis) -> FloatArray:
    """DAVAX by exporting row: (V_s L_ss)_k Σ_{r≠s} (Y_sr + A_sr L_rr Y_rr)_k — domestic value
    added exported once and absorbed by the direct importer (Borin & Mancini 2019, §4): the
    part of exports that is not GVC trade."""
    return np.asarray(basis.vL * _absorbed_by_importer(basis), dtype=np.float64)
