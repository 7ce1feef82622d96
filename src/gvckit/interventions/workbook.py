"""The intervention as a sheet of the chain's Excel workbook: one ``field, value`` row per
field of :class:`~gvckit.interventions.typology.Intervention` (nested fields dotted, lists
separated by ``;``), with the valid codes shown in a third column."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from gvckit.chain.readers import first_error
from gvckit.chain.workbook import append_exact, header_row
from gvckit.errors import InputError
from gvckit.interventions.typology import Intervention
from gvckit.limits import WorkbookLimits
from gvckit.workbooks import open_workbook, workbook_source

__all__ = ["SHEET", "add_intervention_sheet", "intervention_fields", "read_intervention_sheet"]

SHEET = "intervention"


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → X."""
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def intervention_fields(model: type[BaseModel] = Intervention, prefix: str = ""
                        ) -> list[tuple[str, bool, list[str]]]:  # fmt: skip
    """(dotted field, is a list, valid codes) for every leaf field, in model order."""
    out: list[tuple[str, bool, list[str]]] = []
    for name, info in model.model_fields.items():
        ann = _unwrap(info.annotation)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += intervention_fields(ann, f"{prefix}{name}.")
            continue
        is_list = get_origin(ann) is tuple
        item = _unwrap(get_args(ann)[0]) if is_list else ann
        codes = [e.value for e in item] if isinstance(item, type) and issubclass(item, Enum) else []
        out.append((prefix + name, is_list, codes))
    return out


def add_intervention_sheet(wb: Any, intervention: Intervention | None = None) -> None:
    """Add the intervention sheet to an openpyxl workbook, filled if an intervention is given."""
    ws = wb.create_sheet(SHEET)
    header_row(ws, ["field", "value", "valid codes"])
    data = intervention.model_dump(mode="json") if intervention is not None else {}
    for field, is_list, codes in intervention_fields():
        value: Any = data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if is_list and value is not None:
            value = "; ".join(str(v) for v in value) or None
        append_exact(
            ws,
            [
                field,
                value,
                ", ".join(codes) + (" (several, separated by ;)" if codes and is_list else ""),
            ],
        )
    ws.column_dimensions["B"].width = 60


def read_intervention_sheet(
    path: str | Path | bytes,
    limits: WorkbookLimits | None = None,
    *,
    name: str | Path | None = None,
) -> Intervention:
    """Read the intervention sheet of a workbook, from a path or the bytes of an upload
    (``name`` names it in errors), within ``limits`` (default
    :func:`gvckit.limits.workbook_limits`); errors name the sheet, row and field."""
    source, p = workbook_source(path, name)
    with open_workbook(source, name=p, limits=limits) as wb:
        if SHEET not in wb.sheetnames:
            raise InputError(f"no sheet {SHEET!r}", file=p, expected="the chain workbook template")
        data, row_of = _fields(wb.rows(SHEET), wb.where(SHEET))
    try:
        return Intervention.model_validate(data)
    except ValidationError as exc:
        err = first_error(exc, p, {})
        field = (err.field or "").split("[")[0]
        raise InputError(
            err.reason,
            file=f"{p} [{SHEET}]",
            row=row_of.get(field),
            column="value",
            field=err.field,
            found=err.found,
        ) from None


def _fields(
    rows: Iterable[tuple[int, tuple[object, ...]]], where: str
) -> tuple[dict[str, Any], dict[str, int]]:
    """The nested data of the ``field, value`` rows (from row 2) and the row of each field."""
    kinds = {f: is_list for f, is_list, _ in intervention_fields()}
    data: dict[str, Any] = {}
    row_of: dict[str, int] = {}
    for k, row in rows:
        if k < 2 or not row or row[0] is None:
            continue
        field, value = str(row[0]).strip(), row[1] if len(row) > 1 else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if kinds.get(field):
            value = [v.strip() for v in str(value).split(";") if v.strip()]
        target = data
        *parents, last = field.split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise InputError(
                    f"field {field!r} is below {part!r}, which has a value of its own",
                    file=where, row=k, column="A", expected="each field once",
                )  # fmt: skip
        target[last] = value
        row_of[field] = k
    return data, row_of
