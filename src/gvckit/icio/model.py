"""The solved Leontief model of one table under one grouping, built once and reused.

Building the model computes A, v, final demand by destination, gross exports and the LU
factorisation of I − A, explicitly and once (no lazily filled attributes). Every measure takes a
model, so that computing several measures of one table factorises it once.

Sectors without output have A column 0 and v = 0. Rounded tables sometimes show such a sector
buying inputs (its sales and inventory changes cancel out); A cannot carry those purchases, so
the model books them as final use of the purchasing country. That keeps x = B·Y·1 exact and every
decomposition adding up to gross exports; the table's balance report lists the amount.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from gvckit.errors import TableError
from gvckit.icio import leontief as lt
from gvckit.icio.groups import Grouping, GroupSpec, grouping
from gvckit.icio.table import IcioTable

__all__ = ["IcioModel"]

FloatArray = NDArray[np.float64]
Progress = Callable[[str], None]


class IcioModel:
    """A, v, Y by destination, exports by partner unit, and the factorised system of a table."""

    __slots__ = ("A", "E", "E_fin", "E_int", "Yd", "grouping", "system", "table", "v")

    def __init__(
        self, table: IcioTable, groups: GroupSpec = None, progress: Progress | None = None
    ) -> None:
        say = progress or (lambda _msg: None)
        g = grouping(table, groups)
        say("technical coefficients")
        A = lt.technical_coefficients(table.Z, table.x)
        v = lt.value_added_coefficients(table.va, table.x)
        Yd, Z = _rebook_dead_inputs(table)
        e_int, e_fin = lt.gross_exports(Z, Yd, g.row_unit, g.dest_unit, g.n_units)
        say("factorising I − A")
        system = lt.LeontiefSystem(A)
        _check_productive(table, A, system)
        self.table: IcioTable = table
        self.grouping: Grouping = g
        self.A: FloatArray = A
        self.v: FloatArray = v
        self.Yd: FloatArray = Yd
        self.E_int: FloatArray = e_int
        self.E_fin: FloatArray = e_fin
        self.E: FloatArray = e_int.sum(axis=1) + e_fin.sum(axis=1)
        self.system: lt.LeontiefSystem = system
        for arr in (A, v, Yd, e_int, e_fin, self.E):
            arr.flags.writeable = False

    def unit_exports(self) -> FloatArray:
        """Gross exports of each unit (U)."""
        g = self.grouping
        return np.bincount(g.row_unit, weights=self.E, minlength=g.n_units).astype(np.float64)

    def value_added_by_source(self) -> FloatArray:
        """U×n: value added from each unit per unit of final output of each row."""
        g = self.grouping
        return lt.value_added_by_source(self.system, self.v, g.row_unit, g.n_units)


def _check_productive(table: IcioTable, A: FloatArray, system: lt.LeontiefSystem) -> None:
    """A table with non-negative coefficients is productive iff B = (I − A)⁻¹ ≥ 0 (Miller &
    Blair 2009, §2.9); the column sums of B (output multipliers) are then ≥ 1. A violation
    means inputs exceed output somewhere (negative value added large enough to matter)."""
    if A.size and float(A.min()) < 0:  # one pass, no n×n temporary
        return  # negative flows (e.g. inventories booked in Z): no sign condition to test
    multipliers = system.solve_transpose(np.ones(len(A)))
    bad = np.flatnonzero(multipliers < 1.0 - 1e-9)
    if bad.size:
        worst = int(bad[np.argmin(multipliers[bad])])
        raise TableError(
            "the table is not productive (the Leontief inverse has negative entries)",
            column=table.row_labels[worst],
            expected="intermediate inputs below output in every column (value added ≥ 0)",
            found=f"output multiplier {multipliers[worst]:.4g}",
        )


def _rebook_dead_inputs(table: IcioTable) -> tuple[FloatArray, FloatArray]:
    """(Y by destination, Z) with inputs into zero-output sectors moved to final use of the
    purchasing sector's country (see the module docstring)."""
    Yd = table.final_demand
    dead = np.flatnonzero(table.x == 0)
    if dead.size == 0 or not table.Z[:, dead].any():
        return Yd, table.Z
    dest_of = {d: k for k, d in enumerate(table.destinations)}
    entity = table.row_entity
    Yd = Yd.copy()
    Z = np.array(table.Z)
    for j in dead:
        d = dest_of.get(table.entity_country[entity[j]])
        if d is None:  # the country has no final demand column: leave the purchases out
            continue
        Yd[:, d] += Z[:, j]
        Z[:, j] = 0.0
    return Yd, Z
