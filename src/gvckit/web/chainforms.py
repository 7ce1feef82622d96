"""Forms for the parts of a chain snapshot (stages, actors, links, end markets, supporters,
clusters and each link's governance evidence, exchange rates and reference prices) and of the
chain (its sources), generated from the model's own fields: an enum is a select of its values
(the controlled vocabularies), a reference to a stage, an actor, an end market or a cluster a
select of those the snapshot has, a list of words a comma-separated text. A snapshot's exchange
rates and reference prices are mappings in the model (currency → rate, stage → price): the forms
show one entry each, as :class:`ExchangeRate` and :class:`ReferencePrice`.

Nothing is checked here: the edited chain goes through the model (:class:`gvckit.chain.Chain`)
and its message is shown beside the field it names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel

from gvckit.chain.model import (
    Actor,
    Cluster,
    EndMarket,
    Link,
    Snapshot,
    Source,
    Stage,
    Supporter,
)
from gvckit.errors import ChainError

__all__ = ["CHAIN_PARTS", "MAPPINGS", "PARTS", "ExchangeRate", "FormField", "ReferencePrice",
           "apply_edit", "fields_for", "item_from_form", "item_values", "model_fields",
           "new_chain_data", "parse_number", "part_items"]  # fmt: skip


class ExchangeRate(BaseModel):
    """One entry of a snapshot's ``exchange_rates``: the chain currency per unit of
    ``currency``."""

    currency: str
    rate: float


class ReferencePrice(BaseModel):
    """One entry of a snapshot's ``reference_prices``: a market reference unit price of the
    output of ``stage``, in the chain currency (e.g. a world price)."""

    stage: str
    price: float


#: The editable lists of a snapshot and the model of their items.
PARTS: dict[str, type[BaseModel]] = {
    "stages": Stage, "actors": Actor, "links": Link, "end_markets": EndMarket,
    "supporters": Supporter, "clusters": Cluster, "exchange_rates": ExchangeRate,
    "reference_prices": ReferencePrice, "sources": Source,
}  # fmt: skip
#: Parts that are mappings in the model: (key field, value field) of their form.
MAPPINGS = {"exchange_rates": ("currency", "rate"), "reference_prices": ("stage", "price")}
#: Parts of the chain itself, not of a snapshot.
CHAIN_PARTS = ("sources",)
TITLES = {"stages": "Stages", "actors": "Actors", "links": "Links (product, money, knowledge,"
          " services; governance evidence)", "end_markets": "End markets",
          "supporters": "Supporters", "clusters": "Clusters",
          "exchange_rates": "Exchange rates (chain currency per unit of the currency)",
          "reference_prices": "Reference prices (chain currency per unit of a stage's output)",
          "sources": "Sources of the figures (the whole chain)"}  # fmt: skip
#: Fields that name something else in the snapshot: chosen from those it has.
REFERENCES = {("actors", "stage"): "stages", ("actors", "cluster"): "clusters",
              ("links", "source"): "actors", ("links", "target"): "targets",
              ("reference_prices", "stage"): "stages"}  # fmt: skip
UNITS = {"unit_price": "currency per unit", "money": "currency", "volume": "units",
         "external_inputs": "currency", "other_output": "currency", "annual_wage": "currency",
         "wages": "currency", "taxes": "currency", "financial_charges": "currency",
         "depreciation": "currency", "rate": "chain currency per unit",
         "price": "chain currency per unit"}  # fmt: skip


@dataclass
class FormField:
    name: str  # dotted for nested models: "governance.complexity"
    label: str
    widget: str  # text, number, select, list
    required: bool
    choices: list[str] = field(default_factory=list)
    unit: str = ""
    integer: bool = False


def _inner(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` / ``Annotated[X, ...]``, and whether None is allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def model_fields(
    model: type[BaseModel],
    references: dict[str, list[str]] | None = None,
    units: dict[str, str] | None = None,
    prefix: str = "",
) -> list[FormField]:
    """The form fields of ``model`` (nested models flattened to dotted names, fields named by
    their alias): a field in ``references`` is a select of its choices, an enum a select of its
    values, a tuple of words a comma-separated text, a number a number with its unit from
    ``units``, a date a date, a yes/no a select; lists of nested models are left out."""
    refs, units = references or {}, units or {}
    out: list[FormField] = []
    for name, info in model.model_fields.items():
        kind, _ = _inner(info.annotation)
        key = info.alias or name
        full = f"{prefix}{key}"
        label = full.replace("_", " ").replace(".", ": ")
        required = info.is_required() and not prefix
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += model_fields(kind, None, units, f"{full}.")
            continue
        if not prefix and key in refs:
            out.append(FormField(full, label, "select", required, refs[key]))
        elif isinstance(kind, type) and issubclass(kind, Enum):
            out.append(FormField(full, label, "select", required, [str(e.value) for e in kind]))
        elif typing.get_origin(kind) is tuple:
            item, _ = _inner(typing.get_args(kind)[0])
            if not (isinstance(item, type) and issubclass(item, BaseModel)):
                out.append(FormField(full, label + " (comma-separated)", "list", False))
        elif kind is bool:
            out.append(FormField(full, label, "select", required, ["true", "false"]))
        elif kind in (int, float):
            out.append(FormField(full, label, "number", required, unit=units.get(name, ""),
                                 integer=kind is int))  # fmt: skip
        elif kind is dt.date:
            out.append(FormField(full, label, "date", required))
        else:
            out.append(FormField(full, label, "text", required))
    return out


def _fields(model: type[BaseModel], part: str, snap: dict[str, Any]) -> list[FormField]:
    refs = {name: _names(snap, what) for (p, name), what in REFERENCES.items() if p == part}
    if part == "supporters":
        refs["level"] = ["meso", "macro"]
    return model_fields(model, refs, UNITS)


def _names(snap: dict[str, Any], what: str) -> list[str]:
    if what == "stages":
        return [s["name"] for s in snap.get("stages", [])]
    if what == "clusters":
        return [c["name"] for c in snap.get("clusters", [])]
    actors = [a["id"] for a in snap.get("actors", [])]
    if what == "actors":
        return actors
    return actors + [m["id"] for m in snap.get("end_markets", [])]


def fields_for(part: str, snap: dict[str, Any]) -> list[FormField]:
    """The form fields of one item of ``part`` in snapshot data ``snap``."""
    return _fields(PARTS[part], part, snap)


def item_values(item: dict[str, Any]) -> dict[str, str]:
    """An item's values as the form shows them (dotted names; lists comma-separated)."""
    out: dict[str, str] = {}

    def walk(data: dict[str, Any], prefix: str) -> None:
        for k, v in data.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            elif isinstance(v, list | tuple):
                out[f"{prefix}{k}"] = ", ".join(str(x) for x in v)
            elif v is not None:
                out[f"{prefix}{k}"] = str(v) if not isinstance(v, float) else repr(v)

    walk(item, "")
    return out


#: A number whose thousands are grouped by commas (or narrow spaces), as the pages show them.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([,\u202f])\d{3})(?:\1\d{3})*(?:\.\d*)?")


def parse_number(text: str) -> float | None:
    """The number a person typed, or None: thousands may be grouped (``1,234.5``), but a
    comma anywhere else is not dropped (``1,5`` is not 15: a decimal comma is refused)."""
    text = text.strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "").replace("\u202f", "")
    try:
        return float(text)
    except ValueError:
        return None


def _value(f: FormField, text: str) -> Any:
    if f.widget == "list":
        return [w.strip() for w in text.split(",") if w.strip()]
    if f.widget == "number":
        number = parse_number(text)
        if number is None:
            return text  # the model says what is wrong with it
        return int(number) if f.integer and number.is_integer() else number
    return text


def item_from_form(fields: list[FormField], form: dict[str, str]) -> dict[str, Any]:
    """The item a submitted form describes (empty fields left out)."""
    item: dict[str, Any] = {}
    for f in fields:
        text = form.get(f.name, "").strip()
        if not text:
            continue
        where = item
        *parents, last = f.name.split(".")
        for p in parents:
            where = where.setdefault(p, {})
        where[last] = _value(f, text)
    return item


def part_items(data: dict[str, Any], snap: dict[str, Any], part: str) -> list[dict[str, Any]]:
    """The items of ``part`` as the forms list them: a snapshot's list, the chain's sources,
    or a snapshot's mapping as one ``{key: ..., value: ...}`` item per entry."""
    if part in CHAIN_PARTS:
        return list(data.get(part, []))
    if part in MAPPINGS:
        key, value = MAPPINGS[part]
        return [{key: k, value: v} for k, v in snap.get(part, {}).items()]
    return list(snap.get(part, []))


def apply_edit(content: str, year: int, part: str, index: int | None, form: dict[str, str],
               delete: bool = False) -> tuple[dict[str, Any], int]:  # fmt: skip
    """The chain data (from chain JSON ``content``) with item ``index`` of ``part`` in the
    snapshot of ``year`` (or of the chain, for its sources) replaced by the form's item
    (appended when ``index`` is None, removed with ``delete``); and the position of the
    snapshot."""
    data = json.loads(content)
    k = next((i for i, s in enumerate(data["snapshots"]) if s["year"] == year), None)
    if k is None:
        raise ChainError(f"no snapshot for {year}", field="snapshots")
    snap = data["snapshots"][k]
    items = part_items(data, snap, part)
    if delete:
        if index is not None and 0 <= index < len(items):
            items.pop(index)
    else:
        item = item_from_form(fields_for(part, snap), form)
        if index is None or not 0 <= index < len(items):
            items.append(item)
        else:
            items[index] = item
    if part in CHAIN_PARTS:
        data[part] = items
    elif part in MAPPINGS:
        key, value = MAPPINGS[part]
        mapping: dict[str, Any] = {}
        for n, item in enumerate(items):
            name = str(item.get(key, "")).strip()
            if not name or name in mapping:
                what = "is missing" if not name else f"{name!r} is given twice"
                raise ChainError(f"the {key} {what}", field=f"{part}[{n}].{key}")
            mapping[name] = item.get(value)
        snap[part] = mapping
    else:
        snap[part] = items
    return data, k


def new_chain_data(form: dict[str, str]) -> dict[str, Any]:
    """A new chain's data from the first form: its header, a year, a first stage and actor."""
    header = {k: form.get(k, "").strip() for k in ("name", "product", "country", "currency",
                                                   "unit")}  # fmt: skip
    year_text = form.get("year", "").strip()
    year: Any = int(year_text) if year_text.lstrip("-").isdigit() else year_text
    snapshot = {
        "year": year,
        "stages": [{"name": form.get("stage", "").strip()}],
        "actors": [{"id": form.get("actor", "").strip(), "kind": form.get("kind", "").strip(),
                    "stage": form.get("stage", "").strip()}],
    }  # fmt: skip
    return {**{k: v for k, v in header.items() if v}, "snapshots": [snapshot]}


def snapshot_fields() -> list[str]:
    return list(Snapshot.model_fields)
