"""Measures on an ICIO table, each returned as a tidy (long) DataFrame.

Each measure is one function ``f(model, **options) -> DataFrame`` registered under its CLI name;
:func:`measure` is the one entry point shared by the Python API and ``gvckit measure``. Rows of
the result are ordered as in the table (countries, then sectors), with the column names given in
:data:`MEASURES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.errors import OptionError
from gvckit.icio import leontief as lt
from gvckit.icio.decompose.basis import Basis
from gvckit.icio.groups import GroupSpec, parse_groups
from gvckit.icio.model import IcioModel, Progress
from gvckit.icio.table import IcioTable
from gvckit.icio.tidy import by_unit_sector, unit_sector_labels

__all__ = [
    "AGGREGATES", "MEASURES", "Measure", "absorbed_abroad", "check_options", "measure",
    "measure_names", "register", "solved", "top_exporters", "value_added_origins",
]  # fmt: skip

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Measure:
    """A registered measure: its function, columns, options (name → allowed values) and help.
    ``defaults`` describes an option whose default depends on the table (else the first
    allowed value is the default)."""

    name: str
    func: Callable[..., pd.DataFrame]
    columns: tuple[str, ...]
    summary: str
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    needs_basis: bool = False
    defaults: Mapping[str, str] = field(default_factory=dict)

    def default(self, option: str) -> str:
        """How the default of ``option`` is chosen, for listings."""
        return self.defaults.get(option) or self.options[option][0]


MEASURES: dict[str, Measure] = {}


def register(
    name: str,
    columns: tuple[str, ...],
    summary: str,
    needs_basis: bool = False,
    defaults: Mapping[str, str] | None = None,
    **options: tuple[str, ...],
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Register ``func(model_or_basis, **options)`` as measure ``name``. ``options`` maps
    each option to its allowed values, the first being the default unless ``defaults``
    describes a table-dependent one."""

    def deco(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        MEASURES[name] = Measure(
            name, func, columns, summary, options, needs_basis, dict(defaults or {})
        )
        return func

    return deco


def measure_names() -> tuple[str, ...]:
    """Names of every registered measure."""
    return tuple(MEASURES)


def check_options(name: str, options: Mapping[str, Any]) -> tuple[Measure, dict[str, str]]:
    """The measure ``name`` and its options without the None ones; an :class:`OptionError`
    listing the valid choices for an unknown measure, option or value."""
    spec = MEASURES.get(name)
    if spec is None:
        raise OptionError(f"unknown measure {name!r}; choose one of: {', '.join(MEASURES)}")
    clean: dict[str, str] = {}
    for key, value in options.items():
        if value is None:
            continue
        allowed = spec.options.get(key)
        if allowed is None:
            takes = ", ".join(spec.options) or "no options"
            raise OptionError(f"measure {name!r} has no option {key!r} (it takes: {takes})")
        if str(value) not in allowed:
            raise OptionError(
                f"measure {name!r}: {key}={value!r} is not one of {', '.join(allowed)}"
            )
        clean[key] = str(value)
    return spec, clean


def solved(table: IcioTable, groups: GroupSpec = None, progress: Progress | None = None) -> Basis:
    """The solved model of ``table`` under ``groups`` as a lazy :class:`Basis` (its ``model``
    holds the LU factorisation of I − A), built on the first call and then taken from the
    table's bounded work cache (:mod:`gvckit.icio.workcache`): every measure of one table and
    grouping shares one factorisation and one set of Basis blocks."""
    key = tuple(
        sorted((name, tuple(sorted(members))) for name, members in parse_groups(groups).items())
    )
    return table.reuse(
        ("solved", key), lambda: Basis(IcioModel(table, groups, progress=progress), lazy=True)
    )


def measure(
    name: str,
    table: IcioTable | IcioModel | Basis,
    *,
    groups: GroupSpec = None,
    progress: Progress | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compute measure ``name`` on ``table`` and return it as a tidy DataFrame.

    ``table`` may be an :class:`IcioTable`, an already built :class:`IcioModel` (reuses its
    factorisation) or a :class:`~gvckit.icio.decompose.Basis` (also reuses the blocks the
    decompositions share); ``groups`` must then be None. Given a table, the factorisation and
    the Basis are kept with the table (see :func:`solved`): ``measure("tiva", t)`` then
    ``measure("vs", t)`` factorise I − A once. Given a model, a measure that needs a Basis gets
    a lazy one: only the blocks it uses are computed. ``groups`` maps a group name to its member
    countries (or is a list of ``"NAME=A,B"`` strings): members count as one exporter.
    ``options`` are the measure's own options (see ``MEASURES[name].options``).
    """
    spec, clean = check_options(name, options)
    basis: Basis | None = None
    if isinstance(table, IcioTable):
        basis = solved(table, groups, progress)
        model = basis.model
    elif groups:
        raise OptionError("pass groups when building the model, not with a built model")
    elif isinstance(table, Basis):
        basis, model = table, table.model
    else:
        model = table
    if not spec.needs_basis:
        return spec.func(model, **clean)
    if basis is None:
        if progress is not None:
            progress("Leontief blocks")
        basis = Basis(model, lazy=True)
    return spec.func(basis, **clean)


# ----------------------------------------------------------------------------------- helpers


# ---------------------------------------------------------------------------------- measures


@register(
    "leontief",
    ("source_country", "source_sector", "using_country", "using_sector", "value"),
    "V·B·diag(E): value added of each source country-sector in each country-sector's exports",
    post=("exports", "output"),
)
def leontief_measure(model: IcioModel, post: str = "exports") -> pd.DataFrame:
    """V·B·diag(E) (or V·B·diag(x) with ``post="output"``) in long form, source outer.

    Koopman, Wang & Wei (2014, eq. 9); decompr's ``leontief`` (Quast & Kummritz 2015).
    """
    B = model.system.inverse()
    weights = model.E if post == "exports" else model.table.x
    M = lt.value_added_in_exports(B, model.v, weights)
    del B
    g = model.grouping
    M = g.aggregate_rows(g.aggregate_rows(M).T).T
    units, sectors = unit_sector_labels(model)
    k = len(units)
    return pd.DataFrame(
        {
            "source_country": np.repeat(units, k),
            "source_sector": np.repeat(sectors, k),
            "using_country": np.tile(units, k),
            "using_sector": np.tile(sectors, k),
            "value": M.ravel(),
        }
    )


@register(
    "tiva",
    ("origin_country", "destination_country", "value"),
    "V·B·Y: value added by origin country absorbed in each destination's final demand",
    by=("country", "sector"),
)
def tiva_measure(model: IcioModel, by: str = "country") -> pd.DataFrame:
    """Trade in value added V·B·Y by origin × destination (Johnson & Noguera 2012).

    By country, from value added by source (the model's S, shared with ``vs`` and ``vax``):
    Σ_{i∈t} v_i (B·Y)_{i,d} = Σ_j S[t, j]·Y_{j,d}, one product of a U×n and an n×D matrix
    after the solve S already took. ``by="sector"`` keeps the origin sector (V·B·Y solved row
    by row): columns ``origin_country, origin_sector, destination_country, value``.
    """
    g = model.grouping
    dests = np.array(g.units, dtype=object)
    U = g.n_units
    if by == "sector":
        VBY = lt.value_added_in_final_demand(model.system, model.v, model.Yd)
        rows = g.aggregate_rows(lt.sum_columns_by_unit(VBY, g.dest_unit, U))  # n×U
        units, sectors = unit_sector_labels(model)
        return pd.DataFrame(
            {
                "origin_country": np.repeat(units, U),
                "origin_sector": np.repeat(sectors, U),
                "destination_country": np.tile(dests, len(units)),
                "value": rows.ravel(),
            }
        )
    S = model.value_added_by_source()
    SY = lt.product(S, model.Yd)  # U×D
    per_unit = lt.sum_columns_by_unit(SY, g.dest_unit, U)  # U×U
    return pd.DataFrame(
        {
            "origin_country": np.repeat(dests, U),
            "destination_country": np.tile(dests, U),
            "value": per_unit.ravel(),
        }
    )


@register(
    "exports",
    ("exporter", "exporter_sector", "importer", "kind", "value"),
    "gross exports by exporter-sector, importer and kind (intermediate or final)",
)
def exports_measure(model: IcioModel) -> pd.DataFrame:
    """Gross exports E_sr = A_sr·x_r + Y_sr by exporter-sector and importer, split into
    intermediate and final goods (Koopman, Wang & Wei 2014, eq. 3)."""
    g = model.grouping
    e_int = g.aggregate_rows(model.E_int)
    e_fin = g.aggregate_rows(model.E_fin)
    units, sectors = unit_sector_labels(model)
    U = g.n_units
    rows = np.repeat(np.arange(len(units)), U)
    imp = np.tile(np.arange(U), len(units))
    exporter_unit = rows // len(g.sectors)
    keep = imp != exporter_unit
    rows, imp = rows[keep], imp[keep]
    stacked = np.stack([e_int[rows, imp], e_fin[rows, imp]], axis=1).ravel()
    names = np.array(g.units, dtype=object)
    return pd.DataFrame(
        {
            "exporter": np.repeat(units[rows], 2),
            "exporter_sector": np.repeat(sectors[rows], 2),
            "importer": np.repeat(names[imp], 2),
            "kind": np.tile(np.array(["intermediate", "final"], dtype=object), len(rows)),
            "value": stacked,
        }
    )


@register(
    "vs",
    ("country", "sector", "value"),
    "vertical specialisation: foreign value added in each country-sector's gross exports",
)
def vs_measure(model: IcioModel) -> pd.DataFrame:
    """VS: foreign value added in exports, by exporting country-sector (Hummels, Ishii & Yi
    2001; Koopman, Wang & Wei 2014 FC = Σ_{t≠s} V_t B_ts E_s)."""
    S = model.value_added_by_source()
    vs = lt.foreign_value_added_in_exports(S, model.E, model.grouping.row_unit)
    return by_unit_sector(model, vs, "country", "sector")


@register(
    "vs1",
    ("country", "sector", "value"),
    "VS1: each country-sector's value added in other countries' gross exports",
)
def vs1_measure(model: IcioModel) -> pd.DataFrame:
    """VS1 by source country-sector (Hummels, Ishii & Yi 2001): v_i Σ_{j∉s} B_ij E_j."""
    g = model.grouping
    values = lt.vs1(model.system, model.v, model.E, g.row_unit, g.n_units)
    return by_unit_sector(model, values, "country", "sector")


@register(
    "vax",
    ("country", "indicator", "value"),
    "gross exports (EXGR), value added exported (VAX), VAX ratio and domestic content (DC)",
)
def vax_measure(model: IcioModel) -> pd.DataFrame:
    """VAX ratio (Johnson & Noguera 2012): value added absorbed abroad / gross exports.

    Indicators per country: ``EXGR`` gross exports; ``VAX`` = Σ_{r≠s} V_s B Y_r (value added
    absorbed abroad); ``VAX_RATIO`` = VAX / EXGR (NaN for a country without exports); ``DC`` =
    V_s B_ss E_s (domestic content); ``VS`` = Σ_{t≠s} V_t B_ts E_s (foreign content). DC + VS =
    EXGR except for exports of sectors without output, which carry no value added.
    """
    g = model.grouping
    VBY = lt.value_added_in_final_demand(model.system, model.v, model.Yd)
    own_dest = g.dest_unit[None, :] == g.row_unit[:, None]
    abroad = np.where(own_dest, 0.0, VBY).sum(axis=1)
    vax = np.bincount(g.row_unit, weights=abroad, minlength=g.n_units).astype(np.float64)
    exgr = model.unit_exports()
    S = model.value_added_by_source()
    dc_rows = lt.domestic_value_added_in_exports(S, model.E, g.row_unit)
    dc = np.bincount(g.row_unit, weights=dc_rows, minlength=g.n_units).astype(np.float64)
    vs_rows = lt.foreign_value_added_in_exports(S, model.E, g.row_unit)
    vs = np.bincount(g.row_unit, weights=vs_rows, minlength=g.n_units).astype(np.float64)
    ratio = lt.vax_ratio(vax, exgr)
    names = np.array(g.units, dtype=object)
    inds = ("EXGR", "VAX", "VAX_RATIO", "DC", "VS")
    vals = np.stack([exgr, vax, ratio, dc, vs], axis=1)
    return pd.DataFrame(
        {
            "country": np.repeat(names, len(inds)),
            "indicator": np.tile(np.array(inds, dtype=object), g.n_units),
            "value": vals.ravel(),
        }
    )


@register(
    "iir",
    ("country", "sector", "value"),
    "imported-input ratio: imported intermediates per unit of output",
)
def iir_measure(model: IcioModel) -> pd.DataFrame:
    """Imported intermediate inputs per unit of gross output, by using country-sector
    (Hummels, Ishii & Yi 2001, direct import content); output-weighted when units are merged."""
    g = model.grouping
    ratio = lt.imported_input_ratio(model.A, g.row_unit)
    x = model.table.x
    imported = g.aggregate_rows(ratio * x)
    out = g.aggregate_rows(x)
    value = np.divide(imported, out, out=np.zeros_like(imported), where=out != 0)
    units, sectors = unit_sector_labels(model)
    return pd.DataFrame({"country": units, "sector": sectors, "value": value})


# Summaries of the tidy results above, for the report and callers that present them.

#: Rest-of-world and world aggregates: never a country's peer.
AGGREGATES = frozenset({"ROW", "RoW", "row", "WLD"})


def top_exporters(
    exports: pd.DataFrame, k: int = 5, *, sector: str | None = None, exclude: Sequence[str] = ()
) -> list[str]:
    """The ``k`` largest exporters by gross exports Σ_{r,kind} E_sr (of ``sector`` only if
    given), largest first, leaving out ``exclude`` and the rest-of-world and world aggregates
    (:data:`AGGREGATES`). ``exports`` is the result of the ``exports`` measure (KWW 2014,
    eq. 3)."""
    rows = exports if sector is None else exports[exports["exporter_sector"] == sector]
    ranked = rows.groupby("exporter")["value"].sum().sort_values(ascending=False)
    left_out = set(exclude) | AGGREGATES
    return [c for c in ranked.index if c not in left_out][:k]


def absorbed_abroad(tiva: pd.DataFrame, country: str, top: int = 8) -> pd.DataFrame:
    """Where ``country``'s value added is absorbed abroad (Johnson & Noguera 2012): its row of
    V·B·Y from the ``tiva`` measure (by country) without its own final demand, the ``top``
    destinations, largest first, then ``other``: Σ of the remaining destinations' value. Columns
    ``origin_country, destination_country, value``; all rows add up to VAX, the value added
    absorbed abroad."""
    mine = tiva[(tiva["origin_country"] == country) & (tiva["destination_country"] != country)]
    mine = mine.sort_values("value", ascending=False)
    rest = float(mine["value"].iloc[top:].sum())
    other = pd.DataFrame([{"origin_country": country, "destination_country": "other",
                           "value": rest}])  # fmt: skip
    return pd.concat([mine.head(top), other], ignore_index=True)


def value_added_origins(leontief: pd.DataFrame, country: str, top: int | None = None) -> pd.Series:
    """Foreign value added in ``country``'s gross exports by source country: Σ over the source
    and using sectors of V·B·diag(E) (the ``leontief`` measure with ``post="exports"``; Koopman,
    Wang & Wei 2014), the country's own value added left out; the ``top`` largest if given,
    largest first. A Series ``value`` indexed by ``partner``; it adds up to the country's VS
    (Hummels, Ishii & Yi 2001)."""
    content = leontief[leontief["using_country"] == country]
    origins = content.groupby("source_country")["value"].sum().drop(country, errors="ignore")
    if top is not None:
        origins = origins.sort_values(ascending=False).head(top)
    return origins.rename_axis("partner")
