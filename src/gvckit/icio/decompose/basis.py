"""Building blocks shared by the gross-export decompositions, computed once per model.

Every decomposition (KWW, WWZ, Borin–Mancini) needs the same few objects: the diagonal blocks
B^rr of the global Leontief inverse, each unit's local inverse L^rr = (I − A_rr)⁻¹, value added
by source V·B, and B applied to final demand split by destination. :class:`Basis` computes them
with **one** explicit inverse (the floor for exact block decompositions) and a handful of solves;
nothing of size n×n×G is ever formed. Sums over the rows of each unit use a column permutation
and ``np.add.reduceat`` (O(n) per row instead of a dense n×U product).

Notation: rows i, j; units s (exporter), r (partner), t, u; ``row_unit[i]`` the unit of row i;
Yd[i, u] final demand of unit u for the product of row i; Ydom[i] = Yd[i, unit(i)];
Yrow[i] = Σ_u Yd[i, u].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gvckit.icio.model import IcioModel

__all__ = ["Basis", "UnitSum"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class UnitSum:
    """Sums over the columns (last axis) of an array by unit: ``M[..., n] -> M[..., U]``."""

    __slots__ = ("_perm", "_starts")

    def __init__(self, row_unit: IntArray, n_units: int) -> None:
        self._perm = np.argsort(row_unit, kind="stable")
        counts = np.bincount(row_unit, minlength=n_units)
        if np.any(counts == 0):  # pragma: no cover - every unit has rows by construction
            raise ValueError("a unit without rows")
        self._starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def __call__(self, M: FloatArray) -> FloatArray:
        return np.add.reduceat(M[..., self._perm], self._starts, axis=-1)


class Basis:
    """Blocks of the Leontief system used by the decompositions (see module docstring)."""

    def __init__(self, model: IcioModel) -> None:
        g = model.grouping
        n, U = len(g.row_unit), g.n_units
        self.model = model
        self.row_unit: IntArray = g.row_unit
        self.n_units = U
        self.rows: list[IntArray] = [g.unit_rows(u) for u in range(U)]
        self.unit_sum = UnitSum(g.row_unit, U)
        self.A = model.A
        self.v = model.v
        self.X: FloatArray = np.asarray(model.table.x, dtype=np.float64)
        self.E = model.E

        dmask = np.zeros((len(g.dest_unit), U))
        dmask[np.arange(len(g.dest_unit)), g.dest_unit] = 1.0
        self.Yd: FloatArray = model.Yd @ dmask  # n×U
        ar = np.arange(n)
        self.Ydom: FloatArray = self.Yd[ar, g.row_unit]
        self.Yrow: FloatArray = self.Yd.sum(axis=1)

        B = model.system.inverse()
        B.flags.writeable = False
        #: the global Leontief inverse (one explicit inverse; kept for the pairwise blocks B^rs)
        self.B: FloatArray = B
        #: diagonal blocks B^rr and local inverses L^rr, per unit
        self.Bd: list[FloatArray] = [B[np.ix_(r, r)] for r in self.rows]
        self.Ld: list[FloatArray] = []
        for r in self.rows:  # small blocks: numpy's LAPACK call has the least overhead
            inv = np.linalg.inv(np.eye(len(r)) - self.A[np.ix_(r, r)])
            self.Ld.append(np.asarray(inv, dtype=np.float64))
        W = np.zeros((n, U))
        W[ar, g.row_unit] = self.v
        #: S[t, j] = Σ_{i∈t} v_i B_ij: value added from t per unit of final output of j
        self.S: FloatArray = W.T @ B
        #: B·Yd and B applied to domestic / exported final demand, split by unit of origin
        self.BYd: FloatArray = B @ self.Yd
        self.Mdom: FloatArray = B @ self._by_unit(self.Ydom)  # [:, s] = B[:, s] Ydom_s
        self.Mfin: FloatArray = B @ self._by_unit(self.Yrow - self.Ydom)  # B[:, s] Σ_{t≠s} Y_st
        #: m_k = Σ_{j: unit(j) ≠ unit(k)} A_kj B_jk, the diagonal of M_s = Σ_{j≠s} A_sj B_js
        self.m_diag: FloatArray = self._foreign_diag(self.A, B)
        self.BdYd: FloatArray = self.blockdiag(self.Bd, self.Yd)  # [i, u] = (B^rr Y^ru)_i
        self.vL: FloatArray = np.zeros(n)  # (V^s L^ss)_j for j in s
        for r, L in zip(self.rows, self.Ld, strict=True):
            self.vL[r] = self.v[r] @ L
        self.vB: FloatArray = self.S[g.row_unit, ar]  # (V^s B^ss)_j
        self.colS: FloatArray = self.S.sum(axis=0)  # Σ_t V^t B^tj (1 where x_j > 0)

    def _foreign_diag(self, A: FloatArray, B: FloatArray) -> FloatArray:
        """Σ_{j ∉ unit(k)} A_kj B_jk for every row k, in row chunks (no n×n temporary)."""
        n = A.shape[0]
        out = np.zeros(n)
        step = max(1, (1 << 24) // max(n, 1))
        for start in range(0, n, step):
            rows = slice(start, min(n, start + step))
            out[rows] = np.einsum("kj,jk->k", A[rows], B[:, rows])
        for r in self.rows:  # remove the domestic blocks
            out[r] -= np.einsum("kj,jk->k", A[np.ix_(r, r)], B[np.ix_(r, r)])
        return out

    def _by_unit(self, z: FloatArray) -> FloatArray:
        """n×U: z placed in the column of its row's unit."""
        out = np.zeros((len(z), self.n_units))
        out[np.arange(len(z)), self.row_unit] = z
        return out

    def blockdiag(self, blocks: list[FloatArray], M: FloatArray) -> FloatArray:
        """Apply the block-diagonal matrix with ``blocks`` (one per unit) to ``M`` (n or n×k)."""
        out = np.zeros_like(M, dtype=np.float64)
        for r, blk in zip(self.rows, blocks, strict=True):
            out[r] = blk @ M[r]
        return out

    def a_to_units(self, rows: IntArray, T: FloatArray) -> FloatArray:
        """|rows|×U: (A_{s,r} T_r) for every unit r, for the exporting ``rows`` of s."""
        return self.unit_sum(self.A[rows] * T[None, :])
