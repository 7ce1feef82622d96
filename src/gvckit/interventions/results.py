"""Results measurement: a results chain, its indicators, progress and the DCED universal indicators.

After the DCED Standard for Results Measurement (Donor Committee for Enterprise
Development: https://www.enterprise-development.org/measuring-results-the-dced-standard/).
A programme spells out its logic as a *results chain*: boxes at four levels — activities →
outputs → outcomes → impact — joined by links that lead from an activity towards impact, each box
with the assumptions it rests on (DCED control points 1.1–1.3). Every box above the activities is
measured by indicators (control point 2.1), each with a unit, a baseline (2.4), a target
(projection, 2.5) and actual values by date, disaggregated where relevant by sex and firm size.
The DCED *universal impact indicators* are

- **scale** — the number of target enterprises that realise a financial benefit as a result of the
  programme, per year and cumulatively;
- **net additional income** — additional sales minus additional costs accrued to target
  enterprises as a result of the programme, per year;
- **net additional jobs** — net additional full-time-equivalent jobs (240 working days a year)
  created in target enterprises as a result of the programme, per year and cumulatively;

reported disaggregated by sex where relevant. An indicator names the universal indicator it
measures with ``universal: scale | net_additional_income | net_additional_jobs``.

A results file (YAML or JSON)::

    name: Leather footwear MSE programme
    boxes:
      - {id: a1, level: activity, text: Train tannery technicians, assumptions: [...]}
      - {id: o1, level: output, text: Technicians trained}
    links:
      - {from: a1, to: o1}
    indicators:
      - id: trained
        box: o1
        name: Technicians trained
        unit: persons
        baseline: {value: 0, date: 2022-01-01}
        target: {value: 120, date: 2024-01-01}
        actuals:
          - {date: 2023-01-01, value: 30, disaggregation: {sex: female}}
          - {date: 2023-01-01, value: 42, disaggregation: {sex: male}}

Rules checked on reading (each error names the file, line and field): box and indicator ids are
unique; a link joins two boxes and goes to the same or a higher level (activity < output <
outcome < impact); links form no cycle (the boxes on it are named); every indicator has a
baseline (the indicator is named) and belongs to a box; a target differs from the baseline and is
dated after it; an actual is recorded once per date and disaggregation; for an additive
indicator, breakdowns of a date without a total add up to the same sum, and with the total given
a breakdown of non-negative values (which may be partial) does not add up to more than it.

Progress against targets and the universal indicators: :mod:`gvckit.interventions.monitoring`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from gvckit.documents import FieldPath, LocatedError, Name, read_document, validate
from gvckit.documents import Frozen as _Frozen
from gvckit.limits import DOCUMENT

__all__ = [
    "ALL",
    "DISAGGREGATIONS",
    "FIRM_SIZES",
    "MAX_BYTES",
    "SEXES",
    "TOLERANCE",
    "UNIVERSAL_INDICATORS",
    "Actual",
    "Box",
    "BoxLevel",
    "CausalLink",
    "Indicator",
    "Measurement",
    "ResultsChain",
    "UniversalIndicator",
    "read_results",
    "results_from_data",
]

#: Largest results file read by default (bytes): the document limit of :mod:`gvckit.limits`.
MAX_BYTES = DOCUMENT.max_bytes
#: Categories of the ``sex`` disaggregation (``mixed``: e.g. a firm owned jointly by women and men).
SEXES = ("female", "male", "mixed", "other", "unknown")
#: Categories of the ``firm_size`` disaggregation.
FIRM_SIZES = ("micro", "small", "medium", "large")
#: Label used in :func:`disaggregated` for a dimension an actual is not broken down by.
ALL = "all"
#: The disaggregations with known categories.
DISAGGREGATIONS = {"sex": SEXES, "firm_size": FIRM_SIZES}
#: Tolerance of the sums and progress comparisons.
TOLERANCE = 1e-9

Finite = Annotated[float, Field(allow_inf_nan=False)]


class BoxLevel(StrEnum):
    """Levels of a results chain, from the programme's activities to its impact."""

    ACTIVITY = "activity"
    OUTPUT = "output"
    OUTCOME = "outcome"
    IMPACT = "impact"

    @property
    def rank(self) -> int:
        """0 for activities ... 3 for impact."""
        return list(BoxLevel).index(self)


class UniversalIndicator(StrEnum):
    """The DCED universal impact indicators (DCED Standard, section 3)."""

    SCALE = "scale"
    NET_ADDITIONAL_INCOME = "net_additional_income"
    NET_ADDITIONAL_JOBS = "net_additional_jobs"


#: Label and definition of each universal indicator (after the DCED Standard, v8.1).
UNIVERSAL_INDICATORS: dict[UniversalIndicator, tuple[str, str]] = {
    UniversalIndicator.SCALE: (
        "Scale",
        "number of target enterprises that realise a financial benefit as a result of the"
        " programme, per year and cumulatively",
    ),
    UniversalIndicator.NET_ADDITIONAL_INCOME: (
        "Net additional income",
        "additional sales minus additional costs accrued to target enterprises as a result of"
        " the programme, per year",
    ),
    UniversalIndicator.NET_ADDITIONAL_JOBS: (
        "Net additional jobs",
        "net additional full-time-equivalent jobs (240 working days a year) created in target"
        " enterprises as a result of the programme, per year and cumulatively",
    ),
}


class Box(_Frozen):
    """A box of the results chain: one change the programme expects, at one level."""

    id: Name
    level: BoxLevel
    text: Name
    assumptions: tuple[Name, ...] = ()


class CausalLink(_Frozen):
    """A link ``from`` one box ``to`` the box it is expected to bring about."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, populate_by_name=True
    )

    source: Name = Field(alias="from")
    target: Name = Field(alias="to")
    assumptions: tuple[Name, ...] = ()


class Measurement(_Frozen):
    """A value at a date: an indicator's baseline or target."""

    value: Finite
    date: dt.date


class Actual(_Frozen):
    """A measured value of an indicator at a date, for all units (no ``disaggregation``) or for
    one group, e.g. ``{sex: female}`` or ``{sex: female, firm_size: micro}``."""

    date: dt.date
    value: Finite
    disaggregation: dict[str, str] = Field(default_factory=dict)

    @field_validator("disaggregation")
    @classmethod
    def _categories(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, raw in value.items():
            dim = key.strip().lower()
            cat = raw.strip().lower()
            if not dim.isidentifier():
                raise ValueError(f"{key!r} is not a disaggregation name (e.g. sex, firm_size)")
            if not cat:
                raise ValueError(f"empty category for {dim}")
            if cat == ALL:
                raise ValueError(f"{ALL!r} is reserved for totals: leave {dim} out instead")
            allowed = DISAGGREGATIONS.get(dim)
            if allowed is not None and cat not in allowed:
                raise ValueError(f"{raw!r} is not a {dim} category ({', '.join(allowed)})")
            out[dim] = cat
        return out

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        """The disaggregation as a sorted tuple (empty for a total)."""
        return tuple(sorted(self.disaggregation.items()))


class Indicator(_Frozen):
    """An indicator of one box: unit, baseline, target and actuals (DCED control points 2.1–2.5).

    ``additive`` (default true) says that values of groups add up to the total (counts and
    amounts); set it to false for averages, rates and shares.
    """

    id: Name
    box: Name
    name: Name
    unit: Name
    baseline: Measurement
    target: Measurement | None = None
    actuals: tuple[Actual, ...] = ()
    universal: UniversalIndicator | None = None
    additive: bool = True
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _has_baseline(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("baseline") is None:
            who = data.get("id") or data.get("name") or "(without id)"
            raise ValueError(
                f"indicator {who!r} has no baseline: give baseline: {{value: ..., date: ...}}"
                " (the DCED Standard asks for a baseline for every indicator)"
            )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        b, t = self.baseline, self.target
        if t is not None:
            if math.isclose(t.value, b.value, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
                raise LocatedError(
                    "target.value",
                    f"indicator {self.id!r}: the target equals the baseline ({b.value:g}), so"
                    " progress towards it is undefined",
                )
            if t.date <= b.date:
                raise LocatedError(
                    "target.date",
                    f"indicator {self.id!r}: the target date {t.date} is not after the baseline"
                    f" date {b.date}",
                )
        seen: set[tuple[dt.date, tuple[tuple[str, str], ...]]] = set()
        for k, a in enumerate(self.actuals):
            if (a.date, a.key) in seen:
                what = ", ".join(f"{d}={c}" for d, c in a.key) or "the total"
                raise LocatedError(
                    f"actuals[{k}]",
                    f"indicator {self.id!r}: {what} at {a.date} is given twice",
                )
            seen.add((a.date, a.key))
        if self.additive:
            for day in sorted({a.date for a in self.actuals}):
                items = [a for a in self.actuals if a.date == day]
                sums = _breakdown_sums(items)
                total = [a.value for a in items if not a.disaggregation]
                if total:
                    # a breakdown may be partial ("of whom women"), but parts of a non-negative
                    # count or amount cannot add up to more than their total
                    self._within_total(day, total[0], items)
                elif not _all_close(sums.values()):
                    shown = "; ".join(
                        f"by {' × '.join(dims)}: {v:g}" for dims, v in sorted(sums.items())
                    )
                    k = next(j for j, a in enumerate(self.actuals) if a.date == day)
                    raise LocatedError(
                        f"actuals[{k}]",
                        f"indicator {self.id!r}: the breakdowns at {day} add up to different"
                        f" totals ({shown}); give the total (an actual without disaggregation)"
                        " or complete breakdowns, or set additive: false",
                    )
        return self

    def _within_total(self, day: dt.date, total: float, items: list[Actual]) -> None:
        if total < 0 or any(a.value < 0 for a in items):
            return
        for dims, value in sorted(_breakdown_sums(items).items()):
            if value > total + TOLERANCE * max(1.0, abs(total)):
                k = next(j for j, a in enumerate(self.actuals)
                         if a.date == day and tuple(sorted(a.disaggregation)) == dims)  # fmt: skip
                raise LocatedError(
                    f"actuals[{k}]",
                    f"indicator {self.id!r}: at {day} the values by {' × '.join(dims)} add up"
                    f" to {value:g}, more than the total {total:g}",
                )

    def totals(self) -> dict[dt.date, float]:
        """The total at each date with actuals (see the module notes), in date order."""
        out: dict[dt.date, float] = {}
        for day in sorted({a.date for a in self.actuals}):
            items = [a for a in self.actuals if a.date == day]
            total = [a.value for a in items if not a.disaggregation]
            if total:
                out[day] = total[0]
            elif self.additive:
                out[day] = next(iter(_breakdown_sums(items).values()))
        return out

    def by(self, day: dt.date, dimension: str) -> dict[str, float]:
        """Values at ``day`` by the categories of one ``dimension`` (e.g. ``sex``), from the
        breakdown with the fewest other dimensions; empty where there is none (or where only
        a cross-classified breakdown of a non-additive indicator exists)."""
        items = [a for a in self.actuals if a.date == day and dimension in a.disaggregation]
        if not items:
            return {}
        fewest = min(len(a.disaggregation) for a in items)
        cells = [a for a in items if len(a.disaggregation) == fewest]
        dims = set(cells[0].disaggregation)
        cells = [a for a in cells if set(a.disaggregation) == dims]
        if fewest > 1 and not self.additive:
            return {}
        out: dict[str, float] = {}
        for a in cells:
            cat = a.disaggregation[dimension]
            out[cat] = out.get(cat, 0.0) + a.value
        return out


class ResultsChain(_Frozen):
    """A programme's results chain: boxes, links between them and the indicators of the boxes."""

    name: Name
    description: str | None = None
    currency: str | None = None
    boxes: Annotated[tuple[Box, ...], Field(min_length=1)]
    links: tuple[CausalLink, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def _repr_html_(self) -> str:
        """Boxes by level and the indicators' progress, for notebooks."""
        from gvckit.notebook import results_html

        return results_html(self)

    def box(self, box_id: str) -> Box:
        for b in self.boxes:
            if b.id == box_id:
                return b
        raise KeyError(box_id)

    @model_validator(mode="after")
    def _structure(self) -> Self:
        ids = [b.id for b in self.boxes]
        _unique(ids, "boxes", "box id")
        level = {b.id: b.level for b in self.boxes}
        pairs: set[tuple[str, str]] = set()
        for k, link in enumerate(self.links):
            for end, name in (("from", link.source), ("to", link.target)):
                if name not in level:
                    raise LocatedError(f"links[{k}].{end}", f"{name!r} is not a box id")
            a, b = level[link.source], level[link.target]
            if b.rank < a.rank:
                raise LocatedError(
                    f"links[{k}]",
                    f"the link {link.source} ({a}) → {link.target} ({b}) goes down a level:"
                    " links lead from activities towards impact (activity → output → outcome"
                    " → impact)",
                )
            if link.source == link.target:
                raise LocatedError(f"links[{k}]", f"the link {link.source} → {link.target} loops")
            if (link.source, link.target) in pairs:
                raise LocatedError(
                    f"links[{k}]", f"the link {link.source} → {link.target} is given twice"
                )
            pairs.add((link.source, link.target))
        cycle = _find_cycle(ids, [(x.source, x.target) for x in self.links])
        if cycle is not None:
            closing = next(
                k
                for k, x in enumerate(self.links)
                if (x.source, x.target) == (cycle[-2], cycle[-1])
            )
            raise LocatedError(
                f"links[{closing}]",
                f"the links form a cycle: {' → '.join(cycle)} (a results chain leads from"
                " activities to impact without loops)",
            )
        _unique([i.id for i in self.indicators], "indicators", "indicator id")
        for k, ind in enumerate(self.indicators):
            if ind.box not in level:
                raise LocatedError(
                    f"indicators[{k}].box",
                    f"indicator {ind.id!r}: {ind.box!r} is not a box id",
                )
        return self


# -- reading -------------------------------------------------------------------------------


def read_results(path: str | Path) -> ResultsChain:
    """Read and validate a results chain from a ``.yaml``/``.yml`` or ``.json`` file.

    Errors are :class:`~gvckit.errors.InputError` naming the file, the line and the field, e.g.
    ``results.yaml, row 31, field indicators[2]: indicator 'sales' has no baseline: ...``.
    """
    p = Path(path)
    data, lines = read_document(p, what="a results chain")
    return results_from_data(data, file=p, lines=lines)


def results_from_data(
    data: Any, file: str | Path | None = None, lines: dict[FieldPath, int] | None = None
) -> ResultsChain:
    """Validate already parsed data (a dict) as a :class:`ResultsChain`; ``lines`` maps field
    paths to lines of ``file`` for the error messages."""
    found: ResultsChain = validate(
        ResultsChain, data, file=file, lines=lines,
        expected="keys name, boxes, links, indicators",
    )  # fmt: skip
    return found


def _unique(values: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for k, v in enumerate(values):
        if v in seen:
            raise LocatedError(f"{where}[{k}]", f"duplicate {what} {v!r}")
        seen.add(v)


def _find_cycle(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    """A cycle as ``[a, b, ..., a]`` (the first found, in file order), or None."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    state = dict.fromkeys(nodes, 0)  # 0 new, 1 on the path, 2 done
    for start in nodes:
        if state[start]:
            continue
        path = [start]
        state[start] = 1
        stack = [iter(succ[start])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[nxt] == 1:
                return [*path[path.index(nxt) :], nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(succ[nxt]))
    return None


def _breakdown_sums(items: Iterable[Actual]) -> dict[tuple[str, ...], float]:
    """Sum of the values of each breakdown (set of dimensions) among ``items``."""
    sums: dict[tuple[str, ...], float] = {}
    for a in items:
        if a.disaggregation:
            dims = tuple(sorted(a.disaggregation))
            sums[dims] = sums.get(dims, 0.0) + a.value
    return sums


def _all_close(values: Iterable[float]) -> bool:
    vals = list(values)
    return all(math.isclose(v, vals[0], rel_tol=1e-9, abs_tol=1e-9) for v in vals)
