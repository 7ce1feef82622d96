"""The chain as an Excel workbook analysts fill in: writing the template, reading it back.

One sheet per part of the model, one row per item, a ``year`` column tying rows to a snapshot:
``chain`` (field, value), ``sources``, ``stages``, ``actors``, ``links``, ``end_markets``,
``supporters``, ``clusters``, ``exchange_rates`` and ``reference_prices``. Nested fields are
flattened into columns (``employment.jobs``, ``governance.complexity``); lists are written
separated by ``;``. Columns with a closed vocabulary get a drop-down list. Reading validates the
chain like YAML does, and an error names the sheet, row and column of the offending cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from gvckit.chain.model import ActorKind, Chain, Channel, GovernanceType, Level, LinkKind
from gvckit.chain.readers import first_error
from gvckit.documents import split_path
from gvckit.errors import ChainError
from gvckit.files import atomic_write
from gvckit.limits import WorkbookLimits
from gvckit.workbooks import Workbook as BoundedWorkbook
from gvckit.workbooks import cell_problem, exact_row, open_workbook, workbook_source

__all__ = ["SHEETS", "append_exact", "header_row", "read_workbook", "write_template"]

_LEVELS = [v.value for v in Level]
#: sheet → (columns, {column: allowed values}); list columns hold ';'-separated values
SHEETS: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "sources": (["citation", "table", "page", "url"], {}),
    "stages": (["year", "name", "description"], {}),
    "actors": (
        ["year", "id", "name", "kind", "stage", "count", "size_class", "ownership", "location",
         "currency", "product", "product_equivalent", "external_inputs", "other_output",
         "value_added_split.wages", "value_added_split.taxes",
         "value_added_split.financial_charges", "value_added_split.depreciation",
         "employment.jobs", "employment.share_women", "employment.share_informal",
         "employment.annual_wage", "cluster"],
        {"kind": [k.value for k in ActorKind]},
    ),
    "links": (
        ["year", "source", "target", "kind", "volume", "unit_price", "currency", "money",
         "knowledge", "services", "contract", "governance.complexity",
         "governance.codifiability", "governance.supplier_capability", "governance.observed",
         "governance.notes"],
        {"kind": [k.value for k in LinkKind], "governance.complexity": _LEVELS,
         "governance.codifiability": _LEVELS, "governance.supplier_capability": _LEVELS,
         "governance.observed": [g.value for g in GovernanceType]},
    ),
    "end_markets": (["year", "id", "destination", "channel", "standards"],
                    {"channel": [c.value for c in Channel]}),
    "supporters": (["year", "name", "level", "role", "supports"], {"level": ["meso", "macro"]}),
    "clusters": (["year", "name", "location", "joint_actions"], {}),
    "exchange_rates": (["year", "currency", "rate"], {}),
    "reference_prices": (["year", "stage", "price"], {}),
}  # fmt: skip
CHAIN_FIELDS = ["name", "product", "country", "currency", "unit", "notes"]
LIST_COLUMNS = {"knowledge", "services", "standards", "supports", "joint_actions"}
SNAPSHOT_LISTS = ["stages", "actors", "links", "end_markets", "supporters", "clusters"]
_HEADER = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_template(
    path: str | Path, chain: Chain | None = None, extra: Iterable[Callable[[Any], None]] = ()
) -> None:
    """Write the workbook template to ``path`` (atomically), filled with ``chain`` if given.
    ``extra`` functions add further sheets to the workbook (e.g. the intervention sheet)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "chain"
    header_row(ws, ["field", "value"])
    data = chain.model_dump(mode="json") if chain is not None else {}
    for field in CHAIN_FIELDS:
        append_exact(ws, [field, data.get(field)])
    rows = _rows_of(data) if chain is not None else {}
    for sheet, (columns, choices) in SHEETS.items():
        ws = wb.create_sheet(sheet)
        header_row(ws, columns)
        for row in rows.get(sheet, []):
            append_exact(ws, [row.get(c) for c in columns])
        for col, allowed in choices.items():
            letter = get_column_letter(columns.index(col) + 1)
            dv = DataValidation(
                type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1000")
    for add_sheet in extra:
        add_sheet(wb)
    with atomic_write(path, "wb") as fh:
        wb.save(fh)


def header_row(ws: Any, columns: list[str]) -> None:
    """Write a bold, frozen header row and size the columns."""
    ws.append(columns)
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER, _FILL
    ws.freeze_panes = "A2"
    for k, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(k)].width = max(10, len(col) + 2)


def append_exact(ws: Any, values: list[Any]) -> None:
    """Append a row whose numbers read back exactly (:func:`gvckit.workbooks.exact_row`)."""
    ws.append(exact_row(ws, values))


def _rows_of(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Flatten a dumped chain into sheet rows."""
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SHEETS}
    rows["sources"] = [dict(s) for s in data.get("sources", [])]
    for snap in data["snapshots"]:
        year = snap["year"]
        for part in SNAPSHOT_LISTS:
            for item in snap.get(part, []):
                rows[part].append({"year": year, **_flatten(item)})
        for cur, rate in snap.get("exchange_rates", {}).items():
            rows["exchange_rates"].append({"year": year, "currency": cur, "rate": rate})
        for stage, price in snap.get("reference_prices", {}).items():
            rows["reference_prices"].append({"year": year, "stage": stage, "price": price})
    return rows


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = "; ".join(str(v) for v in value) if value else None
        else:
            out[prefix + key] = value
    return out


def read_workbook(
    path: str | Path | bytes,
    limits: WorkbookLimits | None = None,
    *,
    name: str | Path | None = None,
) -> Chain:
    """Read and validate a chain workbook written by :func:`write_template` and filled in,
    from a path or the bytes of an upload (``name`` names it in errors), within ``limits``
    (default :func:`gvckit.limits.workbook_limits`; see :mod:`gvckit.workbooks`)."""
    source, p = workbook_source(path, name)
    cells: dict[tuple[str | int, ...], tuple[str, int, str]] = {}
    with open_workbook(source, name=p, limits=limits, error=ChainError) as wb:
        data = _gather(wb, p, cells)
    try:
        return Chain.model_validate(data)
    except ValidationError as exc:
        err = first_error(exc, p, {})
        loc = split_path(err.field or "")
        k = next((k for k in range(len(loc), 0, -1) if loc[:k] in cells), 0)
        if not k:
            raise err from None
        sheet, row, column = cells[loc[:k]]
        if not column and k < len(loc) and isinstance(loc[k], str):
            column = ".".join(str(x) for x in loc[k:])  # a missing field: its column
        raise ChainError(
            err.reason,
            file=f"{p} [{sheet}]",
            row=row,
            column=column,
            field=err.field,
            found=err.found,
        ) from None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _records(wb: BoundedWorkbook, sheet: str, p: Path) -> list[tuple[int, dict[str, Any]]]:
    """:meth:`~gvckit.workbooks.Workbook.records` of ``sheet``, a cell that no chain field can
    hold (a date or time, TRUE/FALSE, an error value such as ``#N/A``) refused by row and column
    (a date had been read as text, ``#N/A`` as a name; the year column says its own error)."""
    out = wb.records(sheet)
    for row, rec in out:
        for column, value in rec.items():
            problem = cell_problem(value) if column != "year" else None
            if problem is not None:
                raise ChainError(problem, file=f"{p} [{sheet}]", row=row, column=column,
                                 found=value, expected="text or a number")  # fmt: skip
    return out


def _gather(
    wb: BoundedWorkbook, p: Path, cells: dict[tuple[str | int, ...], tuple[str, int, str]]
) -> dict[str, Any]:
    """The chain as nested data; ``cells`` maps each field path to its (sheet, row, column)."""
    data: dict[str, Any] = {}
    if "chain" not in wb.sheetnames:
        raise ChainError("no sheet 'chain'", file=p, expected="the sheets of the template")
    for row, rec in _records(wb, "chain", p):
        if "field" in rec:
            field = str(rec["field"]).strip()
            if field in data:
                raise ChainError(f"field {field!r} is given twice (also row {cells[(field,)][1]})",
                                 file=f"{p} [chain]", row=row, column="field",
                                 expected="each field once")  # fmt: skip
            data[field] = rec.get("value")
            cells[(field,)] = ("chain", row, "value")
    data["sources"] = []
    for row, rec in _records(wb, "sources", p):
        cells[("sources", len(data["sources"]))] = ("sources", row, "citation")
        data["sources"].append(rec)
    snaps: dict[int, dict[str, Any]] = {}
    by_year: dict[tuple[int, str, int], tuple[int, list[str]]] = {}  # item → (row, columns)
    for sheet in (*SNAPSHOT_LISTS, "exchange_rates", "reference_prices"):
        for row, rec in _records(wb, sheet, p):
            year = _year(rec, sheet, row, p)
            snap = snaps.setdefault(year, {"year": year})
            if sheet in ("exchange_rates", "reference_prices"):
                key, value = (
                    ("currency", "rate") if sheet == "exchange_rates" else ("stage", "price")
                )
                if _blank(rec.get(key)):
                    raise ChainError(f"the {key} is missing", file=f"{p} [{sheet}]", row=row,
                                     column=key, expected=f"a {key} for each {value}")  # fmt: skip
                snap.setdefault(sheet, {})[str(rec.get(key))] = rec.get(value)
                cells[("_", year, sheet, str(rec.get(key)))] = (sheet, row, value)
                continue
            items = snap.setdefault(sheet, [])
            by_year[(year, sheet, len(items))] = (row, list(rec))
            items.append(_nest(rec, f"{p} [{sheet}]", row))
    years = sorted(snaps)
    for (year, sheet, index), (row, columns) in by_year.items():
        base = ("snapshots", years.index(year), sheet, index)
        cells[base] = (sheet, row, "")
        for column in columns:
            cells[(*base, *column.split("."))] = (sheet, row, column)
    for placeholder in [k for k in cells if k[0] == "_"]:
        _, y, part, name = placeholder
        cells[("snapshots", years.index(int(y)), str(part), str(name))] = cells.pop(placeholder)
    data["snapshots"] = [snaps[y] for y in years]
    return data


def _year(rec: dict[str, Any], sheet: str, row: int, p: Path) -> int:
    value = rec.get("year")
    try:
        if isinstance(value, bool):  # TRUE/FALSE would read as years 1 and 0
            raise ValueError(value)
        year = int(value)  # type: ignore[arg-type]
        if isinstance(value, float) and value != year:
            raise ValueError(value)
        return year
    except (TypeError, ValueError, OverflowError):
        raise ChainError(
            "the year is missing or not a whole number",
            file=f"{p} [{sheet}]",
            row=row,
            column="year",
            found=value,
        ) from None


def _nest(rec: dict[str, Any], where: str, row: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if key == "year":
            continue
        if key in LIST_COLUMNS:
            value = [v.strip() for v in str(value).split(";") if v.strip()]
        parts = key.split(".")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ChainError(
                    f"column {key!r} is below column {part!r}, which has a value of its own",
                    file=where, row=row, column=key, expected="each field once",
                )  # fmt: skip
        target[parts[-1]] = value
    return out
