"""Which panel a part of a panel's output belongs to: the recipe that decides its numbers (the
measure, its options with defaults spelt out, the groups and the reader options that change the
table), recorded in each part's Parquet metadata so that a rerun into the same folder skips only
the years of the same panel and refuses a folder holding another."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gvckit.errors import OptionError
from gvckit.panel_measures import MeasureJob

__all__ = ["RECIPE_KEY", "check", "describe", "recipe", "recorded"]

#: Key of the Parquet metadata that records which panel a part belongs to (:func:`recipe`).
RECIPE_KEY = b"gvckit.panel"


def recipe(job: MeasureJob, groups: Mapping[str, Iterable[str]], reader: Mapping[str, Any]) -> str:
    """What decides the numbers of ``job``'s parts, as canonical JSON: the measure, its options
    (defaults spelt out), the groups and the reader options that change the table."""
    from gvckit.icio.measures import MEASURES

    measure = MEASURES[job.measure]
    options = {
        k: job.options.get(k, None if k in measure.defaults else allowed[0])
        for k, allowed in measure.options.items()
    }
    return json.dumps(
        {
            "measure": job.measure,
            "options": options,
            "groups": {name: sorted(members) for name, members in groups.items()},
            "output_basis": reader.get("output_basis") or "rows",
            "small": bool(reader.get("small")),  # None (not said) reads as False does
        },
        sort_keys=True,
    )


def recorded(part: Path) -> str | None:
    """The recipe a part was written with (None: not recorded, or the part is unreadable)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(part).metadata or {}
    except (OSError, ValueError):  # damaged: reading the panel reports it
        return None
    value = meta.get(RECIPE_KEY)
    return value.decode("utf-8", errors="replace") if value is not None else None


def check(folder: Path, want: str, parts: Iterable[Path]) -> None:
    """Refuse ``folder`` when one of its ``parts`` (``year=YYYY/part-0.parquet``) holds another
    panel (another measure, other options, groups or output basis), with or without ``force``:
    its years would be skipped as already written, or mixed with this panel's. Parts written
    before recipes were recorded pass unchecked."""
    for part in parts:
        found = recorded(part)
        if found is not None and found != want:
            raise OptionError(
                f"{folder} holds another panel: its {part.parent.name} is"
                f" {describe(json.loads(found))}, this run asks for"
                f" {describe(json.loads(want))}; write to another folder, or remove that"
                " one first"
            )


def describe(recipe: Mapping[str, Any]) -> str:
    """A recipe in a few words: ``bm approach=source perspective=exporter; groups EU=...``."""
    words = [str(recipe.get("measure"))]
    words += [f"{k}={v}" for k, v in (recipe.get("options") or {}).items() if v is not None]
    text = " ".join(words)
    groups = recipe.get("groups") or {}
    if groups:
        text += "; groups " + " ".join(f"{k}={','.join(v)}" for k, v in groups.items())
    text += f"; output basis {recipe.get('output_basis')}"
    if recipe.get("small"):
        text += "; small table"
    return text
