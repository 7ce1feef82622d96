"""Building blocks shared by the gross-export decompositions, computed once per model.

Every decomposition (KWW, WWZ, Borin–Mancini) needs the same few objects: the diagonal blocks
B^rr of the global Leontief inverse, each unit's local inverse L^rr = (I − A_rr)⁻¹, value added
by source V·B, and B applied to final demand split by destination. :class:`Basis` computes them
with solves against the model's factorisation: the diagonal blocks by triangular solves on the
trailing parts of the LU factors (about 1.4 factorisations, no explicit inverse); only the
perspectives that need off-diagonal blocks of B (Borin–Mancini sector and bilateral) form the
explicit inverse. Nothing of size n×n×G is ever formed. Sums over the rows of each
unit use ``np.add.reduceat`` (O(n) per row instead of a dense n×U product), after a column
permutation only when a unit's rows are not contiguous (groups of non-adjacent countries).

``Basis(model)`` computes every block at once; ``Basis(model, lazy=True)`` computes each block
on first use, so that a measure which needs only value added by source (OECD participation,
position) or the local inverses (NRCA) never computes the diagonal blocks, and one that needs
no off-diagonal block of B never forms the n×n inverse.
:func:`gvckit.icio.measure` builds a lazy Basis when it is given a table or a model.

Notation: rows i, j; units s (exporter), r (partner), t, u; ``row_unit[i]`` the unit of row i;
Yd[i, u] final demand of unit u for the product of row i; Ydom[i] = Yd[i, unit(i)];
Yrow[i] = Σ_u Yd[i, u].
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

from gvckit.icio import leontief as lt
from gvckit.icio.model import IcioModel

__all__ = ["BLOCKS", "Basis", "UnitSum"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
T = TypeVar("T")


class _Block(Generic[T]):
    """A Basis block computed on first use, once per Basis even when threads ask together:
    the computing thread holds the Basis's own (re-entrant) lock; later reads find the value in
    the instance's ``__dict__`` and take no lock."""

    def __init__(self, func: Callable[[Basis], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Block[T]: ...
    @overload
    def __get__(self, obj: Basis, owner: type | None = None) -> T: ...
    def __get__(self, obj: Basis | None, owner: type | None = None) -> T | _Block[T]:
        if obj is None:
            return self
        with obj._lock:
            cache = obj.__dict__
            if self.name not in cache:
                cache[self.name] = self.func(obj)
            value: T = cache[self.name]
            return value


class UnitSum:
    """Sums over the columns (last axis) of an array by unit: ``M[..., n] -> M[..., U]``."""

    __slots__ = ("_perm", "_starts")

    def __init__(self, row_unit: IntArray, n_units: int) -> None:
        perm = np.argsort(row_unit, kind="stable")
        counts = np.bincount(row_unit, minlength=n_units)
        if np.any(counts == 0):  # pragma: no cover - every unit has rows by construction
            raise ValueError("a unit without rows")
        #: None when each unit's rows are already contiguous and in unit order (no gather)
        self._perm: IntArray | None = None if np.all(perm == np.arange(len(perm))) else perm
        self._starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def __call__(self, M: FloatArray) -> FloatArray:
        if self._perm is not None:
            M = M[..., self._perm]
        return np.add.reduceat(M, self._starts, axis=-1)


#: The blocks of a :class:`Basis`, in the order an eager Basis computes them.
BLOCKS = ("B", "Bd", "Ld", "S", "BYd", "Mdom", "Mfin", "m_diag", "BdYd", "vL", "vB", "colS")


class Basis:
    """Blocks of the Leontief system used by the decompositions (see module docstring).

    Every block in :data:`BLOCKS` is computed once per Basis: in the constructor, or on first
    use with ``lazy=True``. :meth:`shared` keeps results that several measures use. A Basis
    may be shared between threads: each block and shared result is computed once, under the
    Basis's lock.
    """

    def __init__(self, model: IcioModel, lazy: bool = False) -> None:
        self._lock = threading.RLock()
        g = model.grouping
        n, U = len(g.row_unit), g.n_units
        self.model = model
        self.row_unit: IntArray = g.row_unit
        self.n_units = U
        self.rows: list[IntArray] = [g.unit_rows(u) for u in range(U)]
        self.unit_sum = UnitSum(g.row_unit, U)
        self.v = model.v
        self.X: FloatArray = np.asarray(model.table.x, dtype=np.float64)

        self.Yd: FloatArray = lt.sum_columns_by_unit(model.Yd, g.dest_unit, U)  # n×U
        ar = np.arange(n)
        self.Ydom: FloatArray = self.Yd[ar, g.row_unit]
        self.Yrow: FloatArray = self.Yd.sum(axis=1)
        self._shared: dict[str, FloatArray] = {}
        if not lazy:
            for name in BLOCKS:
                getattr(self, name)

    @property
    def A(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """The model's technical coefficients (formed on first use, see :class:`IcioModel`)."""
        return self.model.A

    @property
    def E(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """The model's gross exports by row (computed on first use, see :class:`IcioModel`)."""
        return self.model.E

    @_Block
    def B(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """The global Leontief inverse (one explicit inverse; kept for the blocks B^rs)."""
        B = self.model.system.inverse()
        B.flags.writeable = False
        return B

    @_Block
    def Bd(self) -> list[FloatArray]:  # noqa: N802 - named as in the papers
        """Diagonal blocks B^rr of the global inverse, per unit, by triangular solves with the
        factorisation (:meth:`~gvckit.icio.leontief.LeontiefSystem.diagonal_blocks`), never
        from B itself: the same numbers whichever blocks were computed before."""
        return self.model.system.diagonal_blocks(self.rows)

    @_Block
    def Ld(self) -> list[FloatArray]:  # noqa: N802 - named as in the papers
        """Local inverses L^rr = (I − A_rr)⁻¹, per unit."""
        out = []
        for r in self.rows:  # small blocks: numpy's LAPACK call has the least overhead
            inv = np.linalg.inv(np.eye(len(r)) - self.A[np.ix_(r, r)])
            out.append(np.asarray(inv, dtype=np.float64))
        return out

    @_Block
    def S(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """S[t, j] = Σ_{i∈t} v_i B_ij: value added from t per unit of final output of j."""
        return self.model.value_added_by_source()

    @_Block
    def BYd(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """B·Yd (n×U)."""
        return self.model.system.solve(self.Yd)

    @_Block
    def Mdom(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """[:, s] = B[:, s] Ydom_s: B applied to domestic final demand, by unit of origin."""
        return self.model.system.solve(self._by_unit(self.Ydom))

    @_Block
    def Mfin(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """[:, s] = B[:, s] Σ_{t≠s} Y_st: B applied to exported final demand, by origin."""
        return self.model.system.solve(self._by_unit(self.Yrow - self.Ydom))

    @_Block
    def m_diag(self) -> FloatArray:
        """m_k = Σ_{j: unit(j) ≠ unit(k)} A_kj B_jk, the diagonal of M_s = Σ_{j≠s} A_sj B_js."""
        return self._foreign_diag(self.A, self.B)

    @_Block
    def BdYd(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """[i, u] = (B^rr Y^ru)_i."""
        return self.blockdiag(self.Bd, self.Yd)

    @_Block
    def vL(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """(V^s L^ss)_j for j in s."""
        out = np.zeros(len(self.row_unit))
        for r, L in zip(self.rows, self.Ld, strict=True):
            out[r] = self.v[r] @ L
        return out

    @_Block
    def vB(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """(V^s B^ss)_j."""
        return np.asarray(self.S[self.row_unit, np.arange(len(self.row_unit))])

    @_Block
    def colS(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """Σ_t V^t B^tj (1 where x_j > 0)."""
        return np.asarray(self.S.sum(axis=0))

    def shared(self, key: str, compute: Callable[[], FloatArray]) -> FloatArray:
        """``compute()`` once per Basis, kept read-only under ``key``: terms that several
        measures computed from this Basis share (the WWZ terms for ``wwz`` and ``kww``)."""
        with self._lock:
            if key not in self._shared:
                value = compute()
                value.flags.writeable = False
                self._shared[key] = value
            return self._shared[key]

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
        """|rows|×U: (A_{s,r} T_r) for every unit r, for the exporting ``rows`` of s.

        In blocks of rows, so that the temporary A·diag(T) stays small."""
        n = self.A.shape[1]
        step = max(1, (1 << 22) // max(n, 1))
        if len(rows) <= step:
            return self.unit_sum(self.A[rows] * T[None, :])
        out = np.empty((len(rows), self.n_units))
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            out[start : start + step] = self.unit_sum(self.A[part] * T[None, :])
        return out
