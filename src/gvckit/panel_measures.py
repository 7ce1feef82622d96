"""Which measures a panel computes: one, or several in one pass over the years.

A panel of several measures reads each year's table once and builds its model and Basis once
(the table's work cache, :mod:`gvckit.icio.workcache`); each measure then writes its own dataset.
Measures are given as a list, or as one string of comma-separated items, each ``NAME`` or
``NAME:OPTION=VALUE[:OPTION=VALUE]``::

    bm:approach=source,bm:approach=sink,participation

Options given for the whole panel (``approach="sink"``, ``--by sector``) go to every measure that
takes them, unless the item sets its own; an option no chosen measure takes is an error. A
dataset is named after its measure (``participation``), followed by the values of the item's own
options when a measure appears more than once (``bm-source``, ``bm-sink``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gvckit.errors import OptionError

__all__ = ["MeasureJob", "MeasuresSpec", "jobs"]

#: A measure name, ``"a,b:opt=v"``, or a list of names, ``(name, options)`` pairs or items.
MeasuresSpec = str | Iterable["str | tuple[str, Mapping[str, Any]]"]


@dataclass(frozen=True)
class MeasureJob:
    """One measure of a panel: its ``dataset`` name, the ``measure`` and its checked options."""

    dataset: str
    measure: str
    options: Mapping[str, Any]


def _item(text: str) -> tuple[str, dict[str, str]]:
    """``NAME[:OPTION=VALUE...]`` read."""
    name, *parts = (p.strip() for p in text.split(":"))
    own: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise OptionError(
                f"measure {text!r}: {part!r} is not OPTION=VALUE; write e.g. bm:approach=sink"
            )
        own[key.strip()] = value.strip()
    if not name:
        raise OptionError(f"measure {text!r} has no name; write e.g. bm,participation")
    return name, own


def _items(measures: MeasuresSpec) -> list[tuple[str, dict[str, str]]]:
    if isinstance(measures, str):
        texts = [t for t in (p.strip() for p in measures.split(",")) if t]
        if not texts:
            raise OptionError("no measure given; write e.g. bm or bm,participation")
        return [_item(t) for t in texts]
    out: list[tuple[str, dict[str, str]]] = []
    for m in measures:
        if isinstance(m, str):
            out.append(_item(m))
        else:
            name, opts = m
            out.append((str(name), {str(k): str(v) for k, v in opts.items() if v is not None}))
    if not out:
        raise OptionError("no measure given; write e.g. bm or bm,participation")
    return out


def jobs(measures: MeasuresSpec, options: Mapping[str, Any]) -> tuple[MeasureJob, ...]:
    """The checked measures of a panel, with the panel-wide ``options`` (None ones ignored).

    With one measure, every option must be one it takes (as ``gvckit measure`` checks); with
    several, each option goes to the measures that take it and must fit at least one."""
    import gvckit.icio  # noqa: F401  (registers every measure)
    from gvckit.icio.measures import MEASURES, check_options

    items = _items(measures)
    common = {k: v for k, v in options.items() if v is not None}
    if len(items) > 1:
        for key in common:
            if not any(key in MEASURES.get(name, _NONE).options for name, _ in items):
                takes = ", ".join(dict.fromkeys(name for name, _ in items))
                raise OptionError(f"no measure of this panel ({takes}) has the option {key!r}")
    counts: dict[str, int] = {}
    for name, _ in items:
        counts[name] = counts.get(name, 0) + 1
    found: list[MeasureJob] = []
    for name, own in items:
        spec = MEASURES.get(name)
        shared = common if spec is None or len(items) == 1 else {
            k: v for k, v in common.items() if k in spec.options
        }  # fmt: skip
        _, clean = check_options(name, {**shared, **own})
        dataset = name if counts[name] == 1 else "-".join([name, *own.values()])
        found.append(MeasureJob(dataset, name, clean))
    seen: dict[str, MeasureJob] = {}
    for job in found:
        if job.dataset in seen:
            raise OptionError(
                f"measure {job.measure!r} is asked for twice with the same options;"
                " give each its own, e.g. bm:approach=source,bm:approach=sink"
            )
        seen[job.dataset] = job
    return tuple(found)


class _NoOptions:
    options: Mapping[str, tuple[str, ...]] = {}


_NONE = _NoOptions()
