"""The solved Leontief model of one table under one grouping, built once and reused.

Building the model computes v, final demand by destination and the LU factorisation of I − A,
in one pass over Z (:func:`~gvckit.icio.leontief.leontief_matrix`, which writes I − A straight
into the buffer LAPACK factorises). The parts that only some measures use are computed on
first use and then kept with the model: A itself, gross exports by partner unit (E_int, E_fin,
E) and value added by source (S = V·B summed by source unit, one solve shared by ``tiva``,
``vs``, ``vax`` and the decompositions). Every measure takes a model, so that computing several
measures of one table factorises it once.

Sectors without output have A column 0 and v = 0. Rounded tables sometimes show such a sector
buying inputs (its sales and inventory changes cancel out); A cannot carry those purchases, so
the model books them as final use of the purchasing country. That keeps x = B·Y·1 exact and every
decomposition adding up to gross exports; the table's balance report lists the amount.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from gvckit.errors import TableError
from gvckit.icio import leontief as lt
from gvckit.icio.groups import Grouping, GroupSpec, grouping
from gvckit.icio.table import IcioTable

__all__ = ["IcioModel"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Progress = Callable[[str], None]

#: Certified margin below 1 of the spectral-radius bound of :func:`_certified_productive`:
#: far above the rounding of w'A (at most about n·ε relative for sums of nonnegative terms).
MARGIN = 1e-9


class IcioModel:
    """v, Y by destination and the factorised system of a table; A, exports by partner unit
    and value added by source on first use (kept, read-only, safe across threads)."""

    __slots__ = (
        "Yd",
        "_A",
        "_S",
        "_exports",
        "_lock",
        "_moved",
        "grouping",
        "system",
        "table",
        "v",
    )

    def __init__(
        self, table: IcioTable, groups: GroupSpec = None, progress: Progress | None = None
    ) -> None:
        say = progress or (lambda _msg: None)
        g = grouping(table, groups)
        say("technical coefficients")
        v = lt.value_added_coefficients(table.va, table.x)
        Yd, moved = _rebook_dead_inputs(table)
        w = _weights(table.x, v)
        M, negative, wA = lt.leontief_matrix(table.Z, table.x, w)
        say("factorising I − A")
        system = lt.LeontiefSystem.of_matrix(M)
        del M  # overwritten by the factors
        if not negative and not _certified_productive(w, wA):
            _check_productive(table, system)
        self.table: IcioTable = table
        self.grouping: Grouping = g
        self.v: FloatArray = v
        self.Yd: FloatArray = Yd
        self.system: lt.LeontiefSystem = system
        self._moved: IntArray = moved
        self._A: FloatArray | None = None
        self._exports: tuple[FloatArray, FloatArray, FloatArray] | None = None
        self._S: FloatArray | None = None
        self._lock = threading.Lock()
        for arr in (v, Yd):
            arr.flags.writeable = False

    def __getstate__(self) -> dict[str, object]:
        """Every field but the lock (a copy gets its own)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "_lock"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._lock = threading.Lock()

    @property
    def A(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """Technical coefficients A = Z·diag(x)⁻¹ (the matrix that was factorised, to the bit),
        formed on first use."""
        with self._lock:
            if self._A is None:
                A = lt.technical_coefficients(self.table.Z, self.table.x)
                A.flags.writeable = False
                self._A = A
            return self._A

    def _gross_exports(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        with self._lock:
            if self._exports is None:
                self._exports = _gross_exports(self.table, self.grouping, self.Yd, self._moved)
            return self._exports

    @property
    def E_int(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """Intermediate exports of every row to every unit (n×U, 0 for the row's own unit)."""
        return self._gross_exports()[0]

    @property
    def E_fin(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """Final-good exports of every row to every unit (n×U, 0 for the row's own unit)."""
        return self._gross_exports()[1]

    @property
    def E(self) -> FloatArray:  # noqa: N802 - named as in the papers
        """Gross exports of every row (n): the row sums of E_int and E_fin."""
        return self._gross_exports()[2]

    def unit_exports(self) -> FloatArray:
        """Gross exports of each unit (U)."""
        g = self.grouping
        return np.bincount(g.row_unit, weights=self.E, minlength=g.n_units).astype(np.float64)

    def value_added_by_source(self) -> FloatArray:
        """U×n: value added from each unit per unit of final output of each row (one solve on
        first use, then kept read-only)."""
        with self._lock:
            if self._S is None:
                g = self.grouping
                S = lt.value_added_by_source(self.system, self.v, g.row_unit, g.n_units)
                S.flags.writeable = False
                self._S = S
            return self._S


def _weights(x: FloatArray, v: FloatArray) -> FloatArray:
    """w = 1 + A'1, the first two terms of the Neumann series of the column multipliers
    1'B = 1'(I + A + A² + ...), with the column sums of A read off v (A'1 = 1 − v where x ≠ 0,
    since v = (x − Σ_i Z_ij)/x_j): positive weights close to the left Perron vector of A."""
    return 1.0 + np.where(x != 0, np.maximum(1.0 - v, 0.0), 0.0)


def _certified_productive(w: FloatArray, wA: FloatArray) -> bool:
    """True when (w'A)_j ≤ (1 − :data:`MARGIN`)·w_j for every j, which proves a nonnegative A
    productive without a solve.

    For a nonnegative matrix and any positive vector w, ρ(A) = ρ(A') ≤ max_j (A'w)_j / w_j
    (the Collatz–Wielandt bound; Horn & Johnson 2013, *Matrix Analysis*, 2nd ed., §8.1). Hence
    ρ(A) < 1, B = (I − A)⁻¹ = Σ_k A^k ≥ 0 exists and its column sums 1'B = 1' + 1'A·B ≥ 1'
    (the Hawkins–Simon conditions hold; Miller & Blair 2009, §2.9): exactly what
    :func:`_check_productive` would find by solving. On the WIOD 2013 tables w = 1 + A'1
    certifies 16 of the 17 years (not 2008, which is then checked by the solve).
    """
    return bool(np.all(wA <= (1.0 - MARGIN) * w))


def _check_productive(table: IcioTable, system: lt.LeontiefSystem) -> None:
    """A table with non-negative coefficients is productive iff B = (I − A)⁻¹ ≥ 0 (Miller &
    Blair 2009, §2.9); the column sums of B (output multipliers) are then ≥ 1. A violation
    means inputs exceed output somewhere (negative value added large enough to matter). Tables
    with a negative coefficient (e.g. inventories booked in Z) have no sign condition to test
    and are not checked; nonnegative ones that :func:`_certified_productive` proves productive
    need no solve."""
    multipliers = system.solve_transpose(np.ones(system.n))
    bad = np.flatnonzero(multipliers < 1.0 - 1e-9)
    if bad.size:
        worst = int(bad[np.argmin(multipliers[bad])])
        raise TableError(
            "the table is not productive (the Leontief inverse has negative entries)",
            column=table.row_labels[worst],
            expected="intermediate inputs below output in every column (value added ≥ 0)",
            found=f"output multiplier {multipliers[worst]:.4g}",
        )


def _rebook_dead_inputs(table: IcioTable) -> tuple[FloatArray, IntArray]:
    """(Y by destination, the columns moved): inputs into zero-output sectors moved to final
    use of the purchasing sector's country (see the module docstring); Z is left as it is and
    :func:`_gross_exports` leaves the moved columns out."""
    Yd = table.final_demand
    dead = np.flatnonzero(table.x == 0)
    if dead.size == 0 or not table.Z[:, dead].any():
        return Yd, np.zeros(0, dtype=np.intp)
    dest_of = {d: k for k, d in enumerate(table.destinations)}
    entity = table.row_entity
    moved = []
    for j in dead:
        d = dest_of.get(table.entity_country[entity[j]])
        if d is None:  # the country has no final demand column: leave the purchases out
            continue
        Yd[:, d] += table.Z[:, j]
        moved.append(j)
    return Yd, np.asarray(moved, dtype=np.intp)


def _gross_exports(
    table: IcioTable, g: Grouping, Yd: FloatArray, moved: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(E_int, E_fin, E) of :func:`~gvckit.icio.leontief.gross_exports`, computed from Z with
    the ``moved`` columns counted as 0 (they were booked as final use), without copying Z: the
    sums of the units holding such columns are taken again from a copy of their columns alone
    with those columns set to 0."""
    e_int, e_fin = lt.gross_exports(table.Z, Yd, g.row_unit, g.dest_unit, g.n_units)
    if moved.size:
        n = len(g.row_unit)
        for u in np.unique(g.row_unit[moved]):
            cols = np.flatnonzero(g.row_unit == u)
            part = table.Z[:, cols]  # a copy
            part[:, np.isin(cols, moved)] = 0.0
            e_int[:, u] = lt.sum_columns_by_unit(part, np.zeros(len(cols), np.intp), 1)[:, 0]
        e_int[np.arange(n), g.row_unit] = 0.0
    E = e_int.sum(axis=1) + e_fin.sum(axis=1)
    for arr in (e_int, e_fin, E):
        arr.flags.writeable = False
    return e_int, e_fin, E
