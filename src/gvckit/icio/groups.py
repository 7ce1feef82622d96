"""Who counts as one economy: countries, their parts, and user-defined country groups.

A *unit* is what the measures treat as one exporter: flows between rows of the same unit are
domestic, flows to any other unit are exports. By default each country is a unit (its split
entities, e.g. OECD's ``CN1``/``CN2`` for China, belong to it). A group such as
``NAFTA=MEX,USA`` makes its members one unit, without aggregating the table; as in
Borin & Mancini (2019, World Bank WPS 8804, §5) trade among members is then domestic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gvckit.errors import OptionError
from gvckit.icio.table import IcioTable

__all__ = ["GroupSpec", "Grouping", "grouping", "parse_groups"]

GroupSpec = Mapping[str, Sequence[str]] | Iterable[str] | None


@dataclass(frozen=True)
class Grouping:
    """A partition of the table's rows and final-demand destinations into units."""

    units: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    row_unit: NDArray[np.intp]
    dest_unit: NDArray[np.intp]
    sectors: tuple[str, ...]
    row_sector: NDArray[np.intp]

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def trivial(self) -> bool:
        """True when every row block is its own unit (results need no aggregation)."""
        return len(self.units) * len(self.sectors) == len(self.row_unit) and bool(
            np.all(np.diff(self.row_unit * len(self.sectors) + self.row_sector) == 1)
        )

    def unit_rows(self, u: int) -> NDArray[np.intp]:
        """Row indices of unit ``u``."""
        return np.flatnonzero(self.row_unit == u)

    def row_mask(self) -> NDArray[np.float64]:
        """n×U indicator matrix: 1 where row i belongs to unit u."""
        m = np.zeros((len(self.row_unit), self.n_units))
        m[np.arange(len(self.row_unit)), self.row_unit] = 1.0
        return m

    def aggregate_rows(self, a: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum the rows (first axis) of ``a`` to unit×sector rows (unit-major)."""
        if self.trivial:
            return a
        key = self.row_unit * len(self.sectors) + self.row_sector
        out = np.zeros((self.n_units * len(self.sectors), *a.shape[1:]))
        np.add.at(out, key, a)
        return out


def parse_groups(specs: GroupSpec) -> dict[str, tuple[str, ...]]:
    """Read groups given as ``{"NAFTA": ["MEX", "USA"]}`` or ``["NAFTA=MEX,USA", ...]``."""
    if specs is None:
        return {}
    if isinstance(specs, Mapping):
        items = [(str(k), [str(m) for m in v]) for k, v in specs.items()]
    else:
        items = []
        for spec in specs:
            name, sep, rest = str(spec).partition("=")
            if not sep or not name.strip() or not rest.strip():
                raise OptionError(
                    f"group {spec!r} is not of the form NAME=MEMBER,MEMBER (e.g. NAFTA=MEX,USA)"
                )
            items.append((name.strip(), [m.strip() for m in rest.split(",") if m.strip()]))
    out: dict[str, tuple[str, ...]] = {}
    for name, members in items:
        if name in out:
            raise OptionError(f"group {name!r} is defined twice")
        if not members:
            raise OptionError(f"group {name!r} has no members")
        out[name] = tuple(dict.fromkeys(members))
    return out


def grouping(table: IcioTable, groups: GroupSpec = None) -> Grouping:
    """The units of ``table`` under ``groups`` (each country its own unit where not grouped)."""
    parsed = parse_groups(groups)
    countries = table.countries
    known = set(countries)
    group_of: dict[str, str] = {}
    for name, members in parsed.items():
        for m in members:
            if m not in known:
                raise OptionError(
                    f"group {name!r}: {m!r} is not a country of the table "
                    f"(countries: {', '.join(countries)})"
                )
            if m in group_of:
                raise OptionError(f"{m!r} is in two groups: {group_of[m]!r} and {name!r}")
            group_of[m] = name
        if name in known and group_of.get(name) != name:
            raise OptionError(f"group name {name!r} is already a country of the table")
    for name, members in parsed.items():
        if set(members) >= known and len(known) > 1:
            raise OptionError(
                f"group {name!r} covers every country of the table, so nothing would be"
                " exported; leave at least one country outside"
            )
    unit_of: dict[str, int] = {}
    units: list[str] = []
    members_of: dict[str, list[str]] = {}
    for c in countries:
        u = group_of.get(c, c)
        if u not in unit_of:
            unit_of[u] = len(units)
            units.append(u)
            members_of[u] = []
        members_of[u].append(c)
    country_unit = {c: unit_of[group_of.get(c, c)] for c in countries}
    entity_unit = np.array([country_unit[c] for c in table.entity_country], dtype=np.intp)
    return Grouping(
        units=tuple(units),
        members=tuple(tuple(members_of[u]) for u in units),
        row_unit=np.repeat(entity_unit, len(table.sectors)),
        dest_unit=np.array([country_unit[d] for d in table.destinations], dtype=np.intp),
        sectors=table.sectors,
        row_sector=table.row_sector,
    )
