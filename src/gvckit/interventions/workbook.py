"""The intervention as two sheets of the chain's Excel workbook.

``intervention``: one ``field, value`` row per field of
:class:`~gvckit.interventions.typology.Intervention` (nested fields dotted, lists separated by
``;``), with the valid codes shown in a third column. ``intervention_sources``: one row per
source, in the columns ``citation``, ``table``, ``page`` and ``url`` (as the chain's
``sources`` sheet); the ``sources`` row of the first sheet points there. Templates written
before that sheet existed are still read: citations written in the ``sources`` row, separated
by ``;``, are sources with a citation only.

Reading refuses, naming the sheet, row and column, what would be lost or misread: a field
given twice, an unknown field, a value without a field or beyond the sheet's columns, a date
or time, TRUE/FALSE, or an error value (``#N/A``) in a cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from gvckit.chain.model import Source
from gvckit.chain.readers import first_error
from gvckit.chain.workbook import append_exact, header_row
from gvckit.documents import split_path
from gvckit.errors import InputError
from gvckit.interventions.typology import Intervention
from gvckit.limits import WorkbookLimits
from gvckit.workbooks import Workbook, cell_problem, open_workbook, workbook_source

__all__ = [
    "SHEET",
    "SOURCES_SHEET",
    "add_intervention_sheet",
    "intervention_fields",
    "read_intervention_sheet",
]

SHEET = "intervention"
SOURCES_SHEET = "intervention_sources"
SOURCE_COLUMNS = list(Source.model_fields)
_SOURCES_NOTE = f"one row per source on the sheet {SOURCES_SHEET!r} ({', '.join(SOURCE_COLUMNS)})"

#: (sheet, row, column) of each field path read (``("sources", 0, "page")``)
Cells = dict[tuple[str | int, ...], tuple[str, int, str]]


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
    """Add the intervention's sheets (``intervention``, ``intervention_sources``) to an
    openpyxl workbook, filled if an intervention is given."""
    ws = wb.create_sheet(SHEET)
    header_row(ws, ["field", "value", "valid codes"])
    data = intervention.model_dump(mode="json") if intervention is not None else {}
    for field, is_list, codes in intervention_fields():
        if field == "sources":
            append_exact(ws, [field, None, _SOURCES_NOTE])
            continue
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
    ws = wb.create_sheet(SOURCES_SHEET)
    header_row(ws, SOURCE_COLUMNS)
    for source in data.get("sources", []):
        append_exact(ws, [source.get(c) for c in SOURCE_COLUMNS])
    ws.column_dimensions["A"].width = 60


def read_intervention_sheet(
    path: str | Path | bytes,
    limits: WorkbookLimits | None = None,
    *,
    name: str | Path | None = None,
) -> Intervention:
    """Read the intervention's sheets of a workbook, from a path or the bytes of an upload
    (``name`` names it in errors), within ``limits`` (default
    :func:`gvckit.limits.workbook_limits`); errors name the sheet, row and column."""
    source, p = workbook_source(path, name)
    cells: Cells = {}
    with open_workbook(source, name=p, limits=limits) as wb:
        if SHEET not in wb.sheetnames:
            raise InputError(f"no sheet {SHEET!r}", file=p, expected="the chain workbook template")
        data = _fields(wb.rows(SHEET), wb.where(SHEET), cells)
        _sources(wb, data, cells)
    try:
        return Intervention.model_validate(data)
    except ValidationError as exc:
        err = first_error(exc, p, {})
        loc = split_path(err.field or "")
        k = next((k for k in range(len(loc), 0, -1) if loc[:k] in cells), 0)
        if not k:
            raise InputError(err.reason, file=f"{p} [{SHEET}]", field=err.field,
                             found=err.found) from None  # fmt: skip
        sheet, row, column = cells[loc[:k]]
        if not column and k < len(loc) and isinstance(loc[k], str):
            column = str(loc[k])  # a missing field of a source: its column
        raise InputError(
            err.reason,
            file=f"{p} [{sheet}]",
            row=row,
            column=column,
            field=err.field,
            found=err.found,
        ) from None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_cell(value: object, where: str, row: int, column: str, field: str | None) -> None:
    problem = cell_problem(value)
    if problem is not None:
        raise InputError(problem, file=where, row=row, column=column, field=field, found=value,
                         expected="text or a number")  # fmt: skip


def _fields(rows: Iterable[tuple[int, tuple[object, ...]]], where: str, cells: Cells
            ) -> dict[str, Any]:  # fmt: skip
    """The nested data of the ``field, value`` rows (from row 2); ``cells`` gets the row of
    each field written in the sheet, with a value or not."""
    kinds = {f: is_list for f, is_list, _ in intervention_fields()}
    data: dict[str, Any] = {}
    for k, row in list(rows):  # the whole sheet within the limits first, as the chain's sheets
        if k < 2:
            continue
        for j in range(3, len(row)):
            if not _blank(row[j]):
                raise InputError(
                    "a value in a column without a name in the header", file=where, row=k,
                    column=get_column_letter(j + 1), found=row[j],
                    expected="the field in column A, its value in column B",
                )  # fmt: skip
        name, value = (row[0] if row else None), (row[1] if len(row) > 1 else None)
        if _blank(name):
            if not _blank(value):
                raise InputError("a value without a field", file=where, row=k, column="field",
                                 found=value, expected="the field's name in column A")  # fmt: skip
            continue
        field = str(name).strip()
        if field not in kinds:
            raise InputError(f"unknown field {field!r}", file=where, row=k, column="field",
                             expected="the fields of the template, one a row")  # fmt: skip
        key = tuple(field.split("."))
        if key in cells:
            raise InputError(f"field {field!r} is given twice (also row {cells[key][1]})",
                             file=where, row=k, column="field",
                             expected="each field once")  # fmt: skip
        cells[key] = (SHEET, k, "value")
        if _blank(value):
            continue
        _check_cell(value, where, k, "value", field)
        if kinds[field]:
            value = [v.strip() for v in str(value).split(";") if v.strip()]
            if field == "sources":  # an older template: citations, separated by ';'
                value = [{"citation": v} for v in value]
        target = data
        *parents, last = key
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return data


def _sources(wb: Workbook, data: dict[str, Any], cells: Cells) -> None:
    """The sources on their own sheet, one a row, into ``data``."""
    records = wb.records(SOURCES_SHEET)
    if not records:
        return
    if "sources" in data:
        raise InputError(f"sources are given both here and on the sheet {SOURCES_SHEET!r}",
                         file=wb.where(SHEET), row=cells[("sources",)][1], column="value",
                         expected=f"the sources only on the sheet ({_SOURCES_NOTE})")  # fmt: skip
    sources: list[dict[str, Any]] = []
    for row, rec in records:
        i = len(sources)
        cells[("sources", i)] = (SOURCES_SHEET, row, "")
        item: dict[str, Any] = {}
        for column, value in rec.items():
            cells[("sources", i, column)] = (SOURCES_SHEET, row, column)
            if _blank(value):
                continue
            _check_cell(value, wb.where(SOURCES_SHEET), row, column, f"sources[{i}].{column}")
            if column in ("table", "page") and isinstance(value, int | float):
                value = _number_text(value)  # page 12 typed as a number
            item[column] = value
        sources.append(item)
    data["sources"] = sources


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
