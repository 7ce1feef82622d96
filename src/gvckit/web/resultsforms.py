"""Forms for the parts of a results chain (boxes, links between boxes, indicators with their
unit, baseline, target and dates), generated from the model's own fields
(:mod:`gvckit.interventions.results`) like the chain's (:func:`gvckit.web.chainforms.model_fields`):
a box a link or an indicator refers to is a select of the boxes there are, a level or a
universal indicator a select of the model's values.

Nothing is checked here: the edited results chain goes through the model and its message is
shown beside the field it names. The actuals entered for an indicator are not part of its form:
an edit keeps them on the indicator it edits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from gvckit.errors import InputError
from gvckit.interventions.results import Box, CausalLink, Indicator
from gvckit.web.chainforms import FormField, item_from_form, model_fields

__all__ = ["HEADER", "PARTS", "TITLES", "apply_edit", "fields_for", "located"]

#: The editable lists of a results chain and the model of their items.
PARTS: dict[str, type[BaseModel]] = {"boxes": Box, "links": CausalLink, "indicators": Indicator}
TITLES = {"boxes": "Boxes (activities, outputs, outcomes, impact)",
          "links": "Links between boxes", "indicators": "Indicators"}  # fmt: skip
#: The results chain's own fields, edited in its header form.
HEADER = ("name", "description", "currency")
_REFERENCES = {"links": ("from", "to"), "indicators": ("box",)}
_PATH = re.compile(r"(boxes|links|indicators)\[(\d+)\](?:\.(.+))?")


def fields_for(part: str, data: dict[str, Any]) -> list[FormField]:
    """The form fields of one item of ``part`` in results chain data ``data``."""
    boxes = [str(b.get("id", "")) for b in data.get("boxes", [])]
    return model_fields(PARTS[part], dict.fromkeys(_REFERENCES.get(part, ()), boxes))


def apply_edit(content: str, part: str, index: int | None, form: dict[str, str],
               delete: bool = False) -> dict[str, Any]:  # fmt: skip
    """The results chain data (from JSON ``content``) with item ``index`` of ``part`` replaced
    by the form's item (appended when ``index`` is None, removed with ``delete``). An edited
    indicator keeps the actuals entered for it."""
    if part not in PARTS:
        raise InputError(f"part must be one of {', '.join(PARTS)}", field="part")
    data: dict[str, Any] = json.loads(content)
    items = data.setdefault(part, [])
    if delete:
        if index is not None and 0 <= index < len(items):
            items.pop(index)
        return data
    item = item_from_form(fields_for(part, data), form)
    if index is None or not 0 <= index < len(items):
        items.append(item)
    else:
        if part == "indicators" and items[index].get("actuals"):
            item["actuals"] = items[index]["actuals"]
        items[index] = item
    return data


def located(exc: InputError, part: str, index: int | str, position: int,
            form: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    """Where on the edit page the model's message goes: the form of item ``index`` (``"new"``
    for the add form) and the field it names, when the message is about the edited item (at
    ``position`` of ``part`` in the edited data)."""
    where: dict[str, Any] = {"message": str(exc), "part": part, "values": form, "field": None,
                             "index": index}  # fmt: skip
    found = _PATH.fullmatch(exc.field or "")
    if found and found.group(1) == part and int(found.group(2)) == position:
        where["field"] = found.group(3)
    return where
