"""Position in global value chains: upstreamness, downstreamness and output shares, computed the
way Antràs & Chor (2018) publish them for the WIOD (with the net-inventory correction).

Notation: row i of the table (a country-sector) has gross output ``x_i`` (the table's, see
``output_basis``), intermediate sales ``Z_i·1``, final use ``F_i·1`` over destinations and
categories, of which ``N_i`` is changes in inventories (the categories the reader marks in
``table.meta.inventories``: WIOD ``c42``, OECD ``INVNT`` ...).

Net-inventory correction (Antràs, Chor, Fally & Hillberry 2012, AER P&P 102(3), footnote on
inventories; Antràs & Chor 2018, "On the Measurement of Upstreamness and Downstreamness in Global
Value Chains", in Ing & Yu (eds.), *World Trade Evolution*, Routledge, ch. 5; NBER WP 24185,
§3): an inventory change is output that is used later, by the same buyers in the same
proportions as the rest of the row's sales. Row i of Z and of final use is scaled by

    s_i = x_i / (x_i − N_i)

and final use then excludes inventories: ``f_i = s_i (F_i·1 − N_i)``. The row still sums to its
output, ``s_i (Z_i·1 + F_i·1 − N_i) = x_i`` (exactly with ``output_basis="rows"``).
Edge case: a row with nothing but inventories to scale (``x_i = N_i``; more generally no positive
use besides inventories, or no output) is left as it is (``s_i = 1``, its inventory change counted
as final use): a row selling only to inventories has F/GO = 1 and U = 1, never inf or NaN.

With ``A^c = ŝ A`` (A = Z x̂⁻¹) and ``L^c = (I − A^c)⁻¹``:

- upstreamness ``U = x̂⁻¹ L^c x``, i.e. ``U_i = 1 + Σ_j (s_i Z_ij / x_i) U_j`` (Antràs et al. 2012;
  Fally 2012): the average number of stages before final use;
- downstreamness ``D_j = Σ_i L^c_ij`` (Antràs & Chor 2013, Econometrica 81(6); 2018): the output
  needed, world-wide, per unit of output of j used as final good (the number of stages from
  primary factors);
- output shares ``F/GO = f_i / x_i`` (final-use share) and ``VA/GO = va_i / x_i`` with the
  table's value added ``va = x − Z'·1`` (not changed by the correction, which moves sales, not
  factor payments; Antràs & Chor use WIOD's value added at basic prices, without net taxes on
  products and margins, so their VA/GO is a little lower).

Identities: U ≥ 1 and D ≥ 1 where A^c ≥ 0; ``Σ x_i U_i = 1'L^c x = Σ x_j D_j`` (the output-weighted
means of U and D coincide); with ``output_basis="rows"``, ``F/GO + Z^c_i·1 / x_i = 1``.
``by="country"`` computes all four on the table collapsed to countries (groups), the correction
applied to each country's own output and inventories, as in Antràs & Chor (2018, Table 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.errors import OptionError, TableError
from gvckit.icio import leontief as lt
from gvckit.icio.measures import register
from gvckit.icio.model import IcioModel
from gvckit.icio.table import IcioTable
from gvckit.icio.tidy import unit_sector_labels

__all__ = [
    "INVENTORIES", "NET_DEFAULT", "country_output", "inventory_option", "net_inventory_scale",
    "world_means",
]  # fmt: skip

FloatArray = NDArray[np.float64]

INVENTORIES = ("net", "none")
#: How the default of ``inventories`` is chosen (shown by ``gvckit measures``).
NET_DEFAULT = "net where the table marks its inventory changes (as published), else none"
SHARES = ("F_GO", "VA_GO")


def inventory_option(table: IcioTable, inventories: str | None) -> str:
    """``"net"`` or ``"none"``: the option as given, or by default ``"net"`` when the table marks
    a final-demand category of inventory changes. ``"net"`` on a table without one is an
    :class:`OptionError`."""
    if inventories is None:
        return "net" if table.meta.inventories else "none"
    if inventories not in INVENTORIES:
        raise OptionError(
            f"inventories must be one of {', '.join(INVENTORIES)}, not {inventories!r}"
        )
    if inventories == "net" and not table.meta.inventories:
        raise OptionError(
            "--inventories net needs the final-demand category of inventory changes, and this"
            f" table ({table.meta.source}) marks none among its categories"
            f" ({', '.join(table.categories)}); use --inventories none"
        )
    return inventories


def net_inventory_scale(
    x: FloatArray, others: FloatArray, inventories: FloatArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Antràs & Chor (2018) scale of each row, ``s = x / (x − N)``, with ``others`` the row's
    sales besides inventories (``Z·1 + F·1 − N``), and the rows it applies to; ``s = 1`` where
    the row has no output or no positive use besides inventories (nothing to rescale: the row
    is left as it is, see the module docstring)."""
    rest = x - inventories
    ok = (x > 0) & (rest > 0) & (others > 0)
    return np.where(ok, x / np.where(ok, rest, 1.0), 1.0), ok


@dataclass(frozen=True)
class _Uses:
    """Output, corrected intermediate and final sales, the row scale and value added."""

    x: FloatArray
    intermediate: FloatArray
    final: FloatArray
    scale: FloatArray
    va: FloatArray


def _uses(
    x: FloatArray, sales: FloatArray, final: FloatArray, inv: FloatArray, va: FloatArray, net: bool
) -> _Uses:
    """Row sums after the correction: ``sales`` = Z·1, ``final`` = F·1 (all categories),
    ``inv`` = N."""
    if not net:
        return _Uses(x, sales, final, np.ones_like(x), va)
    s, ok = net_inventory_scale(x, sales + final - inv, inv)
    return _Uses(x, s * sales, np.where(ok, s * (final - inv), final), s, va)


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    """a / b, 0 where b = 0."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


def _per_output(a: FloatArray, x: FloatArray) -> FloatArray:
    """a / x, 0 where x ≤ 0: a sector without output has no position. A negative accounting
    output (row sums of a rounded table whose inventory drawdown exceeds its sales, e.g. WIOD
    2013 LUX c8 in 1999: x = −2) is no output either; dividing by it gave U < 1 and F/GO > 1."""
    return np.divide(a, x, out=np.zeros_like(a, dtype=np.float64), where=x > 0)


@dataclass(frozen=True)
class _Position:
    """A solved (possibly corrected, possibly collapsed) system and its row sums."""

    system: lt.LeontiefSystem
    uses: _Uses
    negative: bool  # the coefficients have negative entries (no sign condition on L)
    labels: tuple[str, ...]


def _inventory_rows(table: IcioTable, Y: FloatArray) -> FloatArray:
    """N: each row's inventory changes summed over destinations (``Y`` rows × D × F)."""
    mask = np.isin(np.array(table.categories, dtype=object), table.meta.inventories)
    return np.asarray(Y[:, :, mask].sum(axis=(1, 2)), dtype=np.float64)


def _sector_uses(model: IcioModel, net: bool) -> _Uses:
    """Row sums of the table's rows, corrected when ``net``."""
    t = model.table
    inv = _inventory_rows(t, t.Y) if net else np.zeros(t.n)
    return _uses(t.x, t.Z.sum(axis=1), t.Y.sum(axis=(1, 2)), inv, t.va, net)


def _country_uses(model: IcioModel, net: bool) -> tuple[_Uses, FloatArray]:
    """Row sums and Z of the table collapsed to the model's units (countries or groups); the
    correction applies to each unit's own output and inventories (collapse first)."""
    t, g = model.table, model.grouping
    M = g.row_mask()  # n × U indicator
    Z = M.T @ t.Z @ M
    inv = M.T @ _inventory_rows(t, t.Y) if net else np.zeros(g.n_units)
    uses = _uses(M.T @ t.x, Z.sum(axis=1), M.T @ t.Y.sum(axis=(1, 2)), inv, M.T @ t.va, net)
    return uses, Z


def _sector_position(model: IcioModel, net: bool) -> _Position:
    """The system of the model's rows, corrected when ``net``."""
    t = model.table
    uses = _sector_uses(model, net)
    negative = bool(t.Z.size and float(t.Z.min()) < 0)
    if not net:
        return _Position(model.system, uses, negative, t.row_labels)
    Ac = model.A * uses.scale[:, None]
    system = lt.LeontiefSystem(Ac)
    del Ac
    return _Position(system, uses, negative, t.row_labels)


def _country_position(model: IcioModel, net: bool) -> _Position:
    """The system of the table collapsed to the model's units (countries or groups)."""
    uses, Z = _country_uses(model, net)
    A = lt.technical_coefficients(Z, uses.x) * uses.scale[:, None]
    negative = bool(Z.size and float(Z.min()) < 0)
    return _Position(lt.LeontiefSystem(A), uses, negative, tuple(model.grouping.units))


def _position(
    model: IcioModel, inventories: str | None, by: str
) -> tuple[_Position, str, FloatArray]:
    """The system, the inventory option applied and the output multipliers D = 1'L (checked)."""
    option = inventory_option(model.table, inventories)
    net = option == "net"
    pos = _country_position(model, net) if by == "country" else _sector_position(model, net)
    return pos, option, _multipliers(pos, option)


def _multipliers(pos: _Position, option: str) -> FloatArray:
    """D = 1'L; a system whose Leontief inverse has negative entries is refused (with
    ``output_basis="rows"`` and non-negative flows the corrected system is always productive:
    A^c x = x − f^c ≤ x with x > 0, Perron–Frobenius)."""
    D = pos.system.solve_transpose(np.ones(pos.system.n))
    bad = np.flatnonzero(~np.isfinite(D) | ((D < 1.0 - 1e-9) & (not pos.negative)))
    if bad.size:
        j = int(bad[0])
        what = "with the net-inventory correction " if option == "net" else ""
        raise TableError(
            f"the table {what}is not productive (the Leontief inverse has negative entries)",
            column=pos.labels[j],
            expected="intermediate inputs below output in every column"
            + ("; or --inventories none" if option == "net" else ""),
            found=f"output multiplier {D[j]:.4g}",
        )
    return D


def _frame(model: IcioModel, value: FloatArray, by: str, option: str) -> pd.DataFrame:
    if by == "country":
        frame = pd.DataFrame(
            {"country": np.array(model.grouping.units, dtype=object), "value": value}
        )
    else:
        units, sectors = unit_sector_labels(model)
        frame = pd.DataFrame({"country": units, "sector": sectors, "value": value})
    frame.attrs["inventories"] = option
    return frame


@register(
    "upstreamness",
    ("country", "sector", "value"),
    "upstreamness U = x̂⁻¹(I − A)⁻¹x, stages to final use (Antràs et al. 2012; Antràs & Chor"
    " 2018, net-inventory correction)",
    defaults={"inventories": NET_DEFAULT},
    inventories=INVENTORIES,
    by=("sector", "country"),
)
def upstreamness_measure(
    model: IcioModel, inventories: str | None = None, by: str = "sector"
) -> pd.DataFrame:
    """Antràs, Chor, Fally & Hillberry (2012): ``U = x̂⁻¹ L x``, i.e. ``U_i = 1 + Σ_j Δ_ij U_j``
    with ``Δ_ij = Z_ij / x_i``, after the net-inventory correction of Antràs & Chor (2018) with
    ``inventories="net"`` (``Z_ij`` scaled by ``x_i / (x_i − N_i)``; see the module docstring).
    Output-weighted when rows are merged; 0 for sectors without output, also a negative one (U ≥ 1
    otherwise).
    ``by="country"``: on the table collapsed to countries. The frame's ``attrs["inventories"]``
    says which was applied."""
    pos, option, _ = _position(model, inventories, by)
    x = pos.uses.x
    weighted = pos.system.solve(x)  # x_i U_i = (L x)_i
    if by == "country":
        return _frame(model, _per_output(weighted, x), by, option)
    g = model.grouping
    return _frame(model, _per_output(g.aggregate_rows(weighted), g.aggregate_rows(x)), by, option)


@register(
    "downstreamness",
    ("country", "sector", "value"),
    "downstreamness D = 1'(I − A)⁻¹, stages from primary factors (Antràs & Chor 2013, 2018;"
    " net-inventory correction)",
    defaults={"inventories": NET_DEFAULT},
    inventories=INVENTORIES,
    by=("sector", "country"),
)
def downstreamness_measure(
    model: IcioModel, inventories: str | None = None, by: str = "sector"
) -> pd.DataFrame:
    """Antràs & Chor (2013, Econometrica 81(6); 2018); Miller & Temurshoev (2017, IRSR 40(5)):
    ``D_j = Σ_i L_ij``, the output needed in the world per unit of final output of j (≥ 1), on
    the corrected coefficients ``A^c = ŝ A`` with ``inventories="net"``. When rows are merged the
    value is weighted by final use (corrected when ``net``); merged rows without final use are
    weighted by output, and without output too, equally, so that a row left alone (a country
    outside every group) keeps its own D. ``by="country"``: on the table collapsed to
    countries."""
    pos, option, D = _position(model, inventories, by)
    g = model.grouping
    if by == "country" or g.trivial:
        return _frame(model, D, by, option)
    y = pos.uses.final if option == "net" else model.Yd.sum(axis=1)
    x = pos.uses.x
    agg = g.aggregate_rows
    by_final, by_output = agg(y), agg(x)
    value = np.where(
        by_final != 0,
        _ratio(agg(D * y), by_final),
        np.where(
            by_output > 0, _per_output(agg(D * x), by_output), _ratio(agg(D), agg(np.ones_like(D)))
        ),
    )
    return _frame(model, value, by, option)


@register(
    "output_shares",
    ("country", "sector", "indicator", "value"),
    "F_GO (final use / gross output) and VA_GO (value added / gross output), Antràs & Chor"
    " (2018); net-inventory correction on F_GO",
    defaults={"inventories": NET_DEFAULT},
    inventories=INVENTORIES,
    by=("sector", "country"),
)
def output_shares_measure(
    model: IcioModel, inventories: str | None = None, by: str = "sector"
) -> pd.DataFrame:
    """Antràs & Chor (2018, §2): ``F_GO = f_i / x_i`` (final use, without inventories and scaled
    by ``x_i / (x_i − N_i)`` with ``inventories="net"``) and ``VA_GO = va_i / x_i`` (the table's
    value added ``x − Z'·1``, which the correction leaves unchanged). Both are 0 for a sector
    without output (also a negative one); with ``output_basis="rows"``, F_GO plus the
    intermediate share is 1. ``by="country"``: on the table collapsed to countries. Columns
    ``country, sector, indicator, value`` (no ``sector`` by country)."""
    option = inventory_option(model.table, inventories)
    net = option == "net"
    g = model.grouping
    k = len(SHARES)
    if by == "country":
        uses, _ = _country_uses(model, net)
        values = np.stack([_per_output(uses.final, uses.x), _per_output(uses.va, uses.x)], axis=1)
        frame = pd.DataFrame(
            {
                "country": np.repeat(np.array(g.units, dtype=object), k),
                "indicator": np.tile(np.array(SHARES, dtype=object), g.n_units),
                "value": values.ravel(),
            }
        )
    else:
        uses = _sector_uses(model, net)
        out = g.aggregate_rows(uses.x)
        values = np.stack(
            [
                _per_output(g.aggregate_rows(uses.final), out),
                _per_output(g.aggregate_rows(uses.va), out),
            ],
            axis=1,
        )
        units, sectors = unit_sector_labels(model)
        frame = pd.DataFrame(
            {
                "country": np.repeat(units, k),
                "sector": np.repeat(sectors, k),
                "indicator": np.tile(np.array(SHARES, dtype=object), len(units)),
                "value": values.ravel(),
            }
        )
    frame.attrs["inventories"] = option
    return frame


def country_output(model: IcioModel) -> pd.Series:
    """Gross output of each country (unit of the model's grouping): Σ_{i∈c} x_i over the table's
    rows, indexed by country in table order."""
    g = model.grouping
    output = np.bincount(g.row_unit, weights=model.table.x, minlength=g.n_units)
    return pd.Series(output, index=list(g.units))


def world_means(model: IcioModel, by_country: pd.DataFrame) -> pd.Series:
    """Output-weighted world means of measures by country (rows indexed by country, one column
    per measure, e.g. U, D, F/GO, VA/GO ``by="country"``): Σ_c x_c m_c / Σ_c x_c with x_c the
    country's gross output (:func:`country_output`), as Antràs & Chor (2018, Table 1) report
    them. The means of U and D coincide (Σ x_i U_i = 1'L^c x = Σ x_j D_j, module docstring)."""
    output = country_output(model)
    return by_country.mul(output, axis=0).sum() / output.sum()
