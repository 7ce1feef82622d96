"""Borin & Mancini (2019, World Bank WPS 8804; 2023 update): accounting for value added in
gross exports by where it is first (source-based) or last (sink-based) exported, and their
trade-based GVC participation.

Exporter perspective, source-based, by exporting sector j of country s (E_j its gross exports):

- DC = (V_s B_ss)_j E_j (domestic content); FC = (Σ_{t≠s} V_t B_ts)_j E_j; DC + FC = EXGR.
- DVA = (V_s L_ss)_j E_j with L_ss = (I − A_ss)⁻¹: value added leaving s for the first time;
  DDC = DC − DVA (domestic double counting).
- FVA = (Σ_{t≠s} V_t B^(s)_ts)_j E_j with B^(s) = (I − A^(s))⁻¹ and A^(s) = A without s's
  intermediate exports (A_sr = 0, r ≠ s); FDC = FC − FVA.
- REF = (V_s L_ss)_j (Σ_{r≠s} A_sr (B Y_·s)_r)_j (reflection: exported value added that comes
  back and is absorbed at home); VAX = DVA − REF.

The naive method inverts I − A^(s) for every exporter. Ordering rows as (s, o), I − A^(s) is
block lower-triangular, so B^(s)_os = (I − A_oo)⁻¹ A_os L_ss; with the inverse of a principal
block, (I − A_oo)⁻¹ = B_oo − B_os B_ss⁻¹ B_so, and the identity B_so A_os L_ss = B_ss − L_ss,
this collapses to

    Σ_{t≠s} V_t B^(s)_ts = (Σ_{t≠s} V_t B_ts) · B_ss⁻¹ · L_ss,

so one global inverse (its diagonal blocks) serves every exporter.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from numpy.typing import NDArray

from gvckit.icio.decompose.basis import Basis

__all__ = ["BM_TERMS", "bm_source_exporter", "davax", "fva_multiplier"]

FloatArray = NDArray[np.float64]

BM_TERMS = ("EXGR", "DC", "DVA", "VAX", "REF", "DDC", "FC", "FVA", "FDC")


def fva_multiplier(basis: Basis, s: int) -> FloatArray:
    """Σ_{t≠s} V_t B^(s)_ts for the rows of unit s (see the module docstring)."""
    b = basis
    rows = b.rows[s]
    fc = b.colS[rows] - b.vB[rows]  # Σ_{t≠s} V_t B_ts
    y = sla.solve(b.Bd[s].T, fc, check_finite=False)  # fc · B_ss⁻¹
    return np.asarray(y @ b.Ld[s], dtype=np.float64)


def bm_source_exporter(basis: Basis) -> FloatArray:
    """Source-based, exporter-perspective terms (BM_TERMS) by exporting row: array (9, n)."""
    b = basis
    E = b.E
    out = np.zeros((len(BM_TERMS), len(E)))
    dc = b.vB * E
    dva = b.vL * E
    fc = (b.colS - b.vB) * E
    fva = np.zeros_like(E)
    ref = np.zeros_like(E)
    for s, rows in enumerate(b.rows):
        fva[rows] = fva_multiplier(b, s) * E[rows]
        back = b.a_to_units(rows, b.BYd[:, s])  # A_sr (B Y_·s)_r by unit r
        ref[rows] = b.vL[rows] * (back.sum(axis=1) - back[:, s])
    for k, term in enumerate((E, dc, dva, dva - ref, ref, dc - dva, fc, fva, fc - fva)):
        out[k] = term
    return out


def davax(basis: Basis) -> FloatArray:
    """DAVAX by exporting row: (V_s L_ss)_j Σ_{r≠s} (Y_sr + A_sr L_rr Y_rr)_j — domestic value
    added exported once and absorbed by the direct importer (Borin & Mancini 2019, §4): the
    part of exports that is not GVC trade."""
    b = basis
    ar = np.arange(len(b.E))
    a_lydom = b.a_to_units(ar, b.blockdiag(b.Ld, b.Ydom))
    fin = b.Yd.copy()
    fin[ar, b.row_unit] = 0.0
    a_lydom[ar, b.row_unit] = 0.0
    return np.asarray(b.vL * (fin.sum(axis=1) + a_lydom.sum(axis=1)), dtype=np.float64)
