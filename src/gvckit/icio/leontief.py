"""The Leontief system: coefficients, factorised solves and value added in trade.

Pure functions, one per equation, on plain numpy arrays (no labels, no I/O). Notation as in
Miller & Blair (2009, *Input-Output Analysis*, ch. 2 and 6) and Koopman, Wang & Wei (2014, AER
104(2)): A technical coefficients, B = (I − A)⁻¹ the global Leontief inverse, v value-added
coefficients, V = diag(v), L_ss = (I − A_ss)⁻¹ a country's local Leontief inverse, E gross
exports. We factorise I − A once (LU) and solve; the explicit inverse B is formed only where a
measure needs all of its n² entries.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import scipy.linalg as sla
from numpy.typing import NDArray
from scipy.linalg import blas

from gvckit.errors import TableError

__all__ = [
    "LeontiefSystem",
    "domestic_value_added_in_exports",
    "foreign_value_added_in_exports",
    "gross_exports",
    "imported_input_ratio",
    "leontief_matrix",
    "local_leontief",
    "product",
    "sum_columns_by_unit",
    "technical_coefficients",
    "value_added_by_source",
    "value_added_coefficients",
    "value_added_in_exports",
    "value_added_in_final_demand",
    "vax_ratio",
    "vs1",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def technical_coefficients(Z: FloatArray, x: FloatArray) -> FloatArray:
    """A = Z·diag(x)⁻¹, with column j set to 0 where x_j = 0 (never NaN).

    Miller & Blair (2009), eq. 2.4.
    """
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return Z * inv[None, :]


def value_added_coefficients(va: FloatArray, x: FloatArray) -> FloatArray:
    """v = va / x (value added per unit of output), 0 where x = 0."""
    return np.divide(va, x, out=np.zeros_like(va), where=x != 0)


#: Solves with one factorisation run one at a time in a process (BLAS still uses its own
#: threads): SciPy's ``lu_solve`` on the same LU from several Python threads at once corrupts
#: memory with the OpenBLAS 0.3.30 that SciPy 1.17 wheels bundle (seen here: "double free or
#: corruption" with 16 threads; each thread with its own LU is fine).
_SOLVES = threading.Lock()


class LeontiefSystem:
    """An LU factorisation of (I − A), computed once, for repeated solves.

    ``solve(R)`` returns B·R and ``solve_transpose(R)`` returns B'·R (so that
    ``solve_transpose(w).T`` is w'·B), where B = (I − A)⁻¹ (Leontief 1936; Miller & Blair 2009,
    eq. 2.10). Solving costs O(n²) per right-hand side after one O(n³) factorisation.
    """

    __slots__ = ("_lu", "n")

    def __init__(self, A: FloatArray) -> None:
        n = A.shape[0]
        if A.shape != (n, n):
            raise TableError(f"A has shape {A.shape}", expected="a square matrix")
        M = np.negative(A, order="C")
        M.flat[:: n + 1] += 1.0
        self._factorise(M)

    @classmethod
    def of_matrix(cls, M: FloatArray) -> LeontiefSystem:
        """The system of the Leontief matrix ``M`` = I − A itself (n×n, C order, as
        :func:`leontief_matrix` builds it), factorised in place: ``M`` is overwritten by the
        factors and must not be used afterwards."""
        n = M.shape[0]
        if M.shape != (n, n) or not M.flags.c_contiguous or not M.flags.writeable:
            raise TableError(f"M has shape {M.shape}", expected="a square, writeable C array")
        system = cls.__new__(cls)
        system._factorise(M)
        return system

    def _factorise(self, M: FloatArray) -> None:
        """LU of (I − A)' in the buffer of ``M`` = I − A (C order, overwritten): LAPACK
        factorises the Fortran-ordered view M' without copying it (``self._lu`` is the LU of
        (I − A)', so a solve with B uses the transposed solve and vice versa)."""
        n = M.shape[0]
        with warnings.catch_warnings():  # singularity is reported below as a TableError
            warnings.simplefilter("ignore", sla.LinAlgWarning)
            lu, piv = sla.lu_factor(M.T, overwrite_a=True, check_finite=False)
        diag = np.abs(np.diag(lu))
        if n and float(diag.min()) <= 1e-14 * max(1.0, float(diag.max())):
            raise TableError(
                "the Leontief matrix I − A is singular",
                expected="a productive table (column sums of A below 1)",
            )
        self._lu = (lu, piv)
        self.n = n

    def solve(self, R: FloatArray) -> FloatArray:
        """B·R = (I − A)⁻¹·R."""
        with _SOLVES:
            return np.asarray(sla.lu_solve(self._lu, R, trans=1, check_finite=False))

    def solve_transpose(self, R: FloatArray) -> FloatArray:
        """B'·R = (I − A)⁻ᵀ·R; ``solve_transpose(w).T == w'·B``."""
        with _SOLVES:
            return np.asarray(sla.lu_solve(self._lu, R, check_finite=False))

    def inverse(self) -> FloatArray:
        """The full Leontief inverse B (n×n). Use only when all of B is needed."""
        eye = np.eye(self.n, order="F")  # solved in place: one n×n buffer, no copy
        with _SOLVES:
            solved = sla.lu_solve(self._lu, eye, trans=1, overwrite_b=True, check_finite=False)
        return np.asarray(solved)

    def diagonal_blocks(self, units: list[IntArray]) -> list[FloatArray]:
        """The diagonal blocks B_ss = B[rows_s, rows_s] of B = (I − A)⁻¹, one per list of rows,
        from the factorisation and without forming B.

        The LU is of (I − A)' = L·U (LAPACK's partial pivoting makes no row exchange on a
        Leontief matrix, whose columns sum to at most 1 in A), so I − A = U'·L' and a column
        j of B is L'⁻¹ (U'⁻¹ e_j): U'⁻¹ e_j is 0 above row j (U' is lower triangular) and rows
        k.. of L'⁻¹ y need only rows k.. of y (L' is upper triangular). Hence, for rows R ≥ k,
        B[k:, R] = L'[k:, k:]⁻¹ U'[k:, k:]⁻¹ I[k:, R]: two triangular solves on the trailing
        part only (Golub & Van Loan 2013, *Matrix Computations*, §3.1 and §3.2). The units are
        solved in about eight chunks of rows, which costs about 1.4 factorisations instead of
        the 3 of the explicit inverse. With a row exchange, the blocks of the explicit inverse.
        """
        lu, piv = self._lu
        n = self.n
        if not np.array_equal(piv, np.arange(n)):
            B = self.inverse()
            return [np.asarray(B[np.ix_(r, r)]) for r in units]
        out: dict[int, FloatArray] = {}
        order = sorted(range(len(units)), key=lambda s: int(units[s].min(initial=n)))
        chunk: list[int] = []
        for pos, s in enumerate(order):
            chunk.append(s)
            size = sum(len(units[c]) for c in chunk)
            if pos + 1 < len(order) and size < max(1, n // 8):
                continue
            R = np.concatenate([units[c] for c in chunk])
            k = int(R.min(initial=n))
            T = np.asfortranarray(lu[k:, k:])
            E = np.zeros((n - k, len(R)), order="F")
            E[R - k, np.arange(len(R))] = 1.0
            with _SOLVES:
                Y = blas.dtrsm(1.0, T, E, trans_a=1, lower=0, overwrite_b=1)  # U'⁻¹
                X = blas.dtrsm(1.0, T, Y, trans_a=1, lower=1, diag=1, overwrite_b=1)  # L'⁻¹
            start = 0
            for c in chunk:
                r = units[c]
                out[c] = np.array(X[np.ix_(r - k, np.arange(start, start + len(r)))])
                start += len(r)
            chunk = []
        return [out[s] for s in range(len(units))]


#: Rows of Z turned into rows of I − A per step of :func:`leontief_matrix`: one step (about
#: 0.7 MiB at n = 1,435) stays in the core's cache while its sums are taken.
_ROWS = 64


def leontief_matrix(
    Z: FloatArray, x: FloatArray, w: FloatArray
) -> tuple[FloatArray, bool, FloatArray]:
    """(M, negative, w'A): the Leontief matrix M = I − A with A = Z·diag(x)⁻¹ (column j 0
    where x_j = 0, as :func:`technical_coefficients`; the same numbers to the bit), whether
    A has a negative entry, and w'A for the weights ``w`` (n).

    One pass over Z, in blocks of rows: each block of −A is written into M (C order, the
    buffer :meth:`LeontiefSystem.of_matrix` factorises in place), and its largest entry and
    its part of w'A are taken while the block is in cache. A itself is not formed. The
    products are numpy loops (``einsum``), not BLAS calls: a threaded BLAS would synchronise
    its threads once per block (slow when other processes hold the cores), and numpy's BLAS
    has a thread pool of its own that would still be spinning when the factorisation starts.
    """
    n = len(x)
    minus_inv = np.divide(-1.0, x, out=np.zeros_like(x), where=x != 0)
    M = np.empty((n, n))
    wA = np.zeros(n)
    top = 0.0
    for start in range(0, n, _ROWS):
        block = M[start : start + _ROWS]
        np.multiply(Z[start : start + _ROWS], minus_inv[None, :], out=block)
        top = max(top, float(block.max(initial=0.0)))
        wA -= np.einsum("k,kj->j", w[start : start + _ROWS], block)  # no BLAS: see above
    M.flat[:: n + 1] += 1.0
    return M, top > 0.0, wA


def local_leontief(A: FloatArray, rows: IntArray) -> LeontiefSystem:
    """The factorised local Leontief system of one country: L_ss = (I − A_ss)⁻¹, where A_ss
    is A restricted to the country's rows and columns (domestic input coefficients).

    Koopman, Wang & Wei (2014, eq. 21) and Borin & Mancini (2019): L_ss separates value added
    that leaves the country once (DVA = V_s L_ss E_s) from value added that returns.
    """
    return LeontiefSystem(A[np.ix_(rows, rows)])


def gross_exports(
    Z: FloatArray, Yd: FloatArray, row_unit: IntArray, dest_unit: IntArray, n_units: int
) -> tuple[FloatArray, FloatArray]:
    """Gross exports of every row to every unit: (intermediate, final), each n×U.

    E_int[i, r] = Σ_{j ∈ r} Z_ij and E_fin[i, r] = Σ_{d ∈ r} Y_id for r ≠ unit(i); 0 for the
    row's own unit (Koopman, Wang & Wei 2014, eq. 3: E_sr = A_sr x_r + Y_sr).
    """
    n = Z.shape[0]
    e_int = sum_columns_by_unit(Z, row_unit, n_units)
    e_fin = sum_columns_by_unit(Yd, dest_unit, n_units)
    e_int[np.arange(n), row_unit] = 0.0
    e_fin[np.arange(n), row_unit] = 0.0
    return e_int, e_fin


def sum_columns_by_unit(M: FloatArray, col_unit: IntArray, n_units: int) -> FloatArray:
    """k×U sums of the columns of ``M`` (k×m) by unit: ``out[:, u] = Σ_{j: col_unit[j] = u}
    M[:, j]`` (0 for a unit without columns).

    A reduction (one pass over ``M``), not a product with a 0/1 matrix: no BLAS call, whose
    thread pool (numpy's, separate from scipy's) would otherwise still be spinning on the cores
    when the next factorisation or solve starts. Units of equal size in column order (every
    country of a table, no group) are summed as the last axis of a k×U×size view by
    ``einsum`` (about 2.5x faster than ``reduceat`` at n = 1,435); other units by ``reduceat``.
    """
    counts = np.bincount(col_unit, minlength=n_units)
    present = np.flatnonzero(counts)
    if present.size == 0 or M.shape[0] == 0:
        return np.zeros((M.shape[0], n_units))
    ordered = not np.any(np.diff(col_unit) < 0)
    if ordered and present.size == n_units and np.all(counts == counts[0]):
        return np.asarray(np.einsum("kus->ku", M.reshape(M.shape[0], n_units, int(counts[0]))))
    if not ordered:  # columns of a unit not contiguous: gather them first
        M = M[:, np.argsort(col_unit, kind="stable")]
    sums = np.add.reduceat(M, (np.cumsum(counts) - counts)[present], axis=1)
    if present.size == n_units:
        return np.asarray(sums, dtype=np.float64)
    out = np.zeros((M.shape[0], n_units))
    out[:, present] = sums
    return out


def value_added_by_source(
    system: LeontiefSystem, v: FloatArray, row_unit: IntArray, n_units: int
) -> FloatArray:
    """U×n matrix S with S[t, j] = Σ_{i ∈ t} v_i B_ij: value added from unit t per unit of
    final output of row j. Its column sums are 1 where v = 1 − A'·1 and x_j > 0
    (Koopman, Wang & Wei 2014, eq. 8: V·B summed by source country)."""
    n = len(v)
    W = np.zeros((n, n_units))
    W[np.arange(n), row_unit] = v
    return system.solve_transpose(W).T


def product(P: FloatArray, Q: FloatArray) -> FloatArray:
    """P·Q for 2-D arrays, by SciPy's BLAS (the library and thread pool of the factorisation
    and the solves): numpy's ``@`` would wake numpy's own BLAS threads, which keep spinning
    on the cores for a while after the product and slow the next factorisation."""
    if P.shape[1] != Q.shape[0]:
        raise ValueError(f"shapes {P.shape} and {Q.shape} do not multiply")
    if P.size == 0 or Q.size == 0:
        return np.zeros((P.shape[0], Q.shape[1]))
    # (Q'·P')' with both transposes in Fortran order when P and Q are in C order: no copies
    return np.asarray(blas.dgemm(1.0, Q.T, P.T).T, dtype=np.float64)


def value_added_in_exports(B: FloatArray, v: FloatArray, E: FloatArray) -> FloatArray:
    """V·B·diag(E): value added of source row i in the gross exports of row j (n×n).

    Koopman, Wang & Wei (2014), eq. 9; decompr's ``leontief`` decomposition (Quast & Kummritz
    2015). Column j sums to E_j.
    """
    return (v[:, None] * B) * E[None, :]


def value_added_in_final_demand(
    system: LeontiefSystem, v: FloatArray, Yd: FloatArray
) -> FloatArray:
    """V·B·Y: value added of row i absorbed in the final demand of destination d (n×D).

    Johnson & Noguera (2012, JIE 86(2)) trade in value added; OECD TiVA's origin of value added
    in final demand.
    """
    return v[:, None] * system.solve(Yd)


def foreign_value_added_in_exports(S: FloatArray, E: FloatArray, row_unit: IntArray) -> FloatArray:
    """VS_j = E_j · Σ_{t ≠ unit(j)} S[t, j]: foreign value added in the exports of row j.

    Hummels, Ishii & Yi (2001, JIE 54(1)) vertical specialisation, measured with the global
    Leontief inverse as in Koopman, Wang & Wei (2014): FC_s = Σ_{t≠s} V_t B_ts E_s.
    """
    own = S[row_unit, np.arange(S.shape[1])]
    return np.asarray((S.sum(axis=0) - own) * E, dtype=np.float64)


def domestic_value_added_in_exports(S: FloatArray, E: FloatArray, row_unit: IntArray) -> FloatArray:
    """DC_j = E_j · S[unit(j), j]: domestic content V_s B_ss E_s of row j's exports
    (Borin & Mancini 2019); DC + VS = E."""
    return S[row_unit, np.arange(S.shape[1])] * E


def vs1(
    system: LeontiefSystem, v: FloatArray, E: FloatArray, row_unit: IntArray, n_units: int
) -> FloatArray:
    """VS1_i = v_i · Σ_{j: unit(j) ≠ unit(i)} B_ij E_j: value added of row i in other
    countries' gross exports (Hummels, Ishii & Yi 2001, VS1; by source sector as in
    Koopman, Wang & Wei 2014 and the OECD's forward participation)."""
    n = len(v)
    Emask = np.zeros((n, n_units))
    Emask[np.arange(n), row_unit] = E
    W = system.solve(Emask)  # W[i, r] = Σ_{j∈r} B_ij E_j
    foreign = W.sum(axis=1) - W[np.arange(n), row_unit]
    return np.asarray(v * foreign, dtype=np.float64)


def vax_ratio(vax: FloatArray, exports: FloatArray) -> FloatArray:
    """VAX ratio = value added absorbed abroad / gross exports (Johnson & Noguera 2012);
    NaN where a unit has no exports."""
    return np.divide(vax, exports, out=np.full_like(vax, np.nan), where=exports != 0)


def imported_input_ratio(A: FloatArray, row_unit: IntArray) -> FloatArray:
    """Σ_{i: unit(i) ≠ unit(j)} A_ij: imported intermediate inputs per unit of output of j
    (Hummels, Ishii & Yi 2001, the direct import content)."""
    n = A.shape[0]
    mask = row_unit[:, None] != row_unit[None, :]
    return np.asarray((A * mask).sum(axis=0)).reshape(n)
