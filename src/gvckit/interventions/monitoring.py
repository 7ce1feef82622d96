"""Monitoring a results chain: progress against targets, breakdowns, the DCED universal
indicators and the chain's levels (models and reading: :mod:`gvckit.interventions.results`).

Totals. The *total* of an indicator at a date is its actual without disaggregation; where there is
none and the indicator is ``additive`` (counts, amounts — the default), the sum of the date's
breakdown, which must then be complete (two breakdowns of the same date that add up to different
totals are refused). With the total given, a breakdown may be partial ("of whom women"), but
not larger than the total. Averages, rates and shares are ``additive: false``: their breakdowns
are never summed.

Progress (:func:`progress`) compares the latest total with the baseline and target:
``progress = (latest − baseline) / (target − baseline)`` (so a falling target, e.g. a reject
rate from 30 % to 10 %, works the same way), against the share of the baseline-to-target time
elapsed at the latest actual, ``expected = (latest date − baseline date) / (target date −
baseline date)`` clipped to [0, 1] — a straight-line trajectory. Status: *achieved* when progress
≥ 1, *on track* when progress ≥ expected, otherwise *behind*; *no target* and *no data* where
these are missing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from typing import Any, NamedTuple

import pandas as pd

from gvckit.interventions.results import (
    ALL,
    DISAGGREGATIONS,
    TOLERANCE,
    UNIVERSAL_INDICATORS,
    Box,
    BoxLevel,
    Indicator,
    ResultsChain,
    UniversalIndicator,
)

__all__ = ["ChainLevels", "chain_levels", "disaggregated", "progress", "universal"]


class ChainLevels(NamedTuple):
    """The boxes in order (:func:`chain_levels`) and warnings on what is not measured."""

    table: pd.DataFrame
    warnings: list[str]


def _order(results: ResultsChain) -> list[Box]:
    """Boxes from activities to impact; within a level, causes before effects, then file order.

    Kahn's topological sort with the ready boxes taken by (level, file position): since links
    never go down a level, this lists the levels in order.
    """
    index = {b.id: k for k, b in enumerate(results.boxes)}
    indegree = dict.fromkeys(index, 0)
    succ: dict[str, list[str]] = {b: [] for b in index}
    for link in results.links:
        indegree[link.target] += 1
        succ[link.source].append(link.target)
    ready = [(b.level.rank, index[b.id]) for b in results.boxes if indegree[b.id] == 0]
    heapq.heapify(ready)
    out: list[Box] = []
    while ready:
        _, k = heapq.heappop(ready)
        box = results.boxes[k]
        out.append(box)
        for nxt in succ[box.id]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (results.box(nxt).level.rank, index[nxt]))
    return out


def _indicators_in_order(results: ResultsChain) -> list[Indicator]:
    position = {b.id: k for k, b in enumerate(_order(results))}
    return sorted(results.indicators, key=lambda i: position[i.box])


def _dates(values: list[dt.date | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")


def progress(results: ResultsChain) -> pd.DataFrame:
    """Progress of every indicator towards its target, one row per indicator.

    Columns: indicator, name, box, level, unit, universal, baseline, baseline_date, target,
    target_date, latest (the latest total), latest_date, progress ``(latest − baseline) /
    (target − baseline)``, expected (share of the baseline-to-target time elapsed at
    latest_date, in [0, 1]) and status: achieved (progress ≥ 1), on track (progress ≥
    expected), behind, no target, no data. Rows follow the results chain (activities first).
    """
    rows: list[dict[str, Any]] = []
    for ind in _indicators_in_order(results):
        totals = ind.totals()
        b, t = ind.baseline, ind.target
        latest_date = max(totals) if totals else None
        latest = totals[latest_date] if latest_date is not None else math.nan
        prog = expected = math.nan
        if t is None:
            status = "no target"
        elif latest_date is None:
            status = "no data"
        else:
            prog = (latest - b.value) / (t.value - b.value)
            span = (t.date - b.date).days
            expected = min(1.0, max(0.0, (latest_date - b.date).days / span))
            if prog >= 1 - TOLERANCE:
                status = "achieved"
            elif prog >= expected - TOLERANCE:
                status = "on track"
            else:
                status = "behind"
        rows.append(
            {
                "indicator": ind.id,
                "name": ind.name,
                "box": ind.box,
                "level": str(results.box(ind.box).level),
                "unit": ind.unit,
                "universal": str(ind.universal) if ind.universal else None,
                "baseline": b.value,
                "baseline_date": b.date,
                "target": t.value if t else math.nan,
                "target_date": t.date if t else None,
                "latest": latest,
                "latest_date": latest_date,
                "progress": prog,
                "expected": expected,
                "status": status,
            }
        )
    columns = [
        "indicator", "name", "box", "level", "unit", "universal", "baseline", "baseline_date",
        "target", "target_date", "latest", "latest_date", "progress", "expected", "status",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("baseline_date", "target_date", "latest_date"):
        frame[col] = _dates(list(frame[col]))
    for col in ("baseline", "target", "latest", "progress", "expected"):
        frame[col] = frame[col].astype(float)
    return frame


def disaggregated(results: ResultsChain) -> pd.DataFrame:
    """Every actual as a tidy row, with one column per disaggregation.

    Columns: indicator, name, box, level, unit, date, then ``sex``, ``firm_size`` and any other
    dimension used (``"all"`` where an actual is not broken down by it), value, total (the
    date's total, see the module notes) and share = value / total.
    """
    inds = _indicators_in_order(results)
    extra = sorted(
        {d for i in inds for a in i.actuals for d in a.disaggregation} - set(DISAGGREGATIONS)
    )
    dims = [*DISAGGREGATIONS, *extra]
    rows: list[dict[str, Any]] = []
    for ind in inds:
        totals = ind.totals()
        level = str(results.box(ind.box).level)
        for a in sorted(ind.actuals, key=lambda a: (a.date, len(a.disaggregation), a.key)):
            total = totals.get(a.date, math.nan)
            row: dict[str, Any] = {
                "indicator": ind.id,
                "name": ind.name,
                "box": ind.box,
                "level": level,
                "unit": ind.unit,
                "date": a.date,
            }
            row.update({d: a.disaggregation.get(d, ALL) for d in dims})
            row["value"] = a.value
            row["total"] = total
            row["share"] = a.value / total if total and not math.isnan(total) else math.nan
            rows.append(row)
    columns = ["indicator", "name", "box", "level", "unit", "date", *dims, "value", "total"]
    frame = pd.DataFrame(rows, columns=[*columns, "share"])
    frame["date"] = _dates(list(frame["date"]))
    for col in ("value", "total", "share"):
        frame[col] = frame[col].astype(float)
    return frame


def universal(results: ResultsChain) -> pd.DataFrame:
    """The DCED universal impact indicators: latest values, by sex where given, with notes.

    One row per indicator tagged ``universal: ...`` (in the order scale, net additional income,
    net additional jobs) and one row, with a note, for each universal indicator not measured.
    Columns: universal, label, indicator, name, unit, latest, latest_date, female, male, note.
    Values of several indicators of the same universal indicator are not added up: they may
    count the same enterprises twice (the DCED Standard asks programmes to avoid double
    counting when aggregating, control point 7.2).
    """
    rows: list[dict[str, Any]] = []
    for key, (label, definition) in UNIVERSAL_INDICATORS.items():
        tagged = [i for i in _indicators_in_order(results) if i.universal is key]
        if not tagged:
            rows.append(
                {
                    "universal": str(key),
                    "label": label,
                    "note": f"not measured: no indicator has universal: {key} (DCED universal"
                    f" impact indicator: {definition})",
                }
            )
        for ind in tagged:
            totals = ind.totals()
            notes: list[str] = []
            latest_date = max(totals) if totals else None
            by_sex = ind.by(latest_date, "sex") if latest_date is not None else {}
            if latest_date is None:
                notes.append("no actuals yet")
            elif not by_sex and key is not UniversalIndicator.NET_ADDITIONAL_INCOME:
                notes.append("not disaggregated by sex (the DCED Standard asks for it)")
            if key is UniversalIndicator.NET_ADDITIONAL_JOBS and not _is_fte(ind.unit):
                notes.append("DCED counts jobs in full-time equivalents (240 working days a year)")
            rows.append(
                {
                    "universal": str(key),
                    "label": label,
                    "indicator": ind.id,
                    "name": ind.name,
                    "unit": ind.unit,
                    "latest": totals[latest_date] if latest_date is not None else math.nan,
                    "latest_date": latest_date,
                    "female": by_sex.get("female", math.nan),
                    "male": by_sex.get("male", math.nan),
                    "note": "; ".join(notes),
                }
            )
    columns = [
        "universal", "label", "indicator", "name", "unit", "latest", "latest_date", "female",
        "male", "note",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["latest_date"] = _dates(list(frame["latest_date"]))
    for col in ("latest", "female", "male"):
        frame[col] = frame[col].astype(float)
    return frame


def _is_fte(unit: str) -> bool:
    u = unit.lower()
    return "fte" in u or "full-time" in u or "full time" in u


_LEVEL_COLUMNS = ["box", "level", "text", "assumptions", "leads_to", "link_assumptions",
                  "indicators"]  # fmt: skip


def chain_levels(results: ResultsChain) -> ChainLevels:
    """The boxes from activities to impact, with their indicators, and warnings.

    ``table`` columns: box, level, text, assumptions (joined by "; "), leads_to (box ids,
    comma-separated), link_assumptions (those of the links out of the box, "→ target: ..."),
    indicators (how many). ``warnings``: every output, outcome and impact box
    needs at least one indicator (DCED control point 2.1); a box linked to no other box; a level
    with no box at all.
    """
    count = {b.id: 0 for b in results.boxes}
    for ind in results.indicators:
        count[ind.box] += 1
    leads: dict[str, list[str]] = {b.id: [] for b in results.boxes}
    because: dict[str, list[str]] = {b.id: [] for b in results.boxes}
    linked: set[str] = set()
    for link in results.links:
        leads[link.source].append(link.target)
        because[link.source].extend(f"→ {link.target}: {a}" for a in link.assumptions)
        linked.update((link.source, link.target))
    ordered = _order(results)
    table = pd.DataFrame(
        [
            {
                "box": b.id,
                "level": str(b.level),
                "text": b.text,
                "assumptions": "; ".join(b.assumptions),
                "leads_to": ", ".join(leads[b.id]),
                "link_assumptions": "; ".join(because[b.id]),
                "indicators": count[b.id],
            }
            for b in ordered
        ],
        columns=_LEVEL_COLUMNS,
    )
    warnings: list[str] = []
    present = {b.level for b in results.boxes}
    for lvl in BoxLevel:
        if lvl not in present:
            warnings.append(f"the results chain has no {lvl} box")
    for b in ordered:
        if b.level is not BoxLevel.ACTIVITY and count[b.id] == 0:
            warnings.append(f"{b.level} box {b.id!r} ({b.text}) has no indicator")
        if len(results.boxes) > 1 and b.id not in linked:
            warnings.append(f"box {b.id!r} ({b.text}) is not linked to any other box")
    return ChainLevels(table, warnings)
