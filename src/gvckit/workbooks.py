"""Reading ``.xlsx`` workbooks given by users within limits (the chain and intervention
workbooks, the table template).

A workbook is a zip of XML parts. Before openpyxl sees it, :func:`check_workbook_zip` reads the
zip's headers only and refuses a file larger than ``max_bytes``, more than ``max_members``
parts, parts announcing more than ``max_inflated`` bytes in all, a part larger than 1 MiB that
inflates more than ``max_ratio``-fold or announces more than its compressed data can hold (zip
bombs), more than ``max_sheets`` sheets or two sheets on one part, and more than
``max_elements`` XML elements in the parts openpyxl reads whole on opening (a shared string
table of millions of strings, bloated styles). :func:`open_workbook` then opens it read-only for
values only: cached results of formulas are read, formulas are never evaluated, links to
other workbooks are dropped and macros are not loaded. :func:`sheet_rows` streams a sheet's
rows within ``max_rows``, ``max_columns`` and ``max_cells`` (see :mod:`gvckit.limits`),
ignoring the dimension the sheet declares (which may lie). Every refusal is one line naming the
file, and the sheet, row and column where there is one.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from gvckit.errors import InputError
from gvckit.files import check_zip_member
from gvckit.limits import WorkbookLimits, workbook_limits

__all__ = [
    "Budget",
    "Workbook",
    "cell_problem",
    "check_workbook_zip",
    "exact_row",
    "open_workbook",
    "sheet_rows",
    "workbook_source",
]

#: Parts smaller than this are not held to ``max_ratio`` (a small part cannot do harm).
_RATIO_FLOOR = 1024**2
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet[\s/>][^>]*")
_REL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*")
_ATTR_ID = re.compile(rb'\sId="([^"]*)"')
_ATTR_TARGET = re.compile(rb'\sTarget="([^"]*)"')
_ATTR_RID = re.compile(rb'\s[\w.-]+:id="([^"]*)"')
_ATTR_NAME = re.compile(rb'\sname="([^"]*)"')
#: Parts openpyxl streams (sheets), recognised by their root element.
_STREAMED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:worksheet|chartsheet|dialogsheet)[\s>]")
_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _limit(limits: WorkbookLimits, field: str, unit: str, prefix: str) -> str:
    return f"at most {getattr(limits, field):,} {unit} (limit {field}, {prefix}{field.upper()})"


def check_workbook_zip(
    source: Path | bytes,
    shown: str | Path,
    limits: WorkbookLimits,
    *,
    error: type[InputError] = InputError,
    env: str = "GVCKIT_BOOK_",
) -> None:
    """Refuse a workbook from its zip headers alone (see the module docstring); ``env`` is the
    prefix of the environment variables named in messages."""
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > limits.max_bytes:
        raise error(
            f"the workbook is larger than {limits.max_bytes:,} bytes ({size:,} bytes)",
            file=shown,
            expected=_limit(limits, "max_bytes", "bytes", env),
        )
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                raise error(
                    f"the workbook has {len(infos):,} parts",
                    file=shown,
                    expected=_limit(limits, "max_members", "parts", env),
                )
            for info in infos:
                _check_part(info, shown, limits, error, env)
            total = sum(info.file_size for info in infos)
            if total > limits.max_inflated:
                raise error(
                    f"the workbook inflates to {total:,} bytes",
                    file=shown,
                    expected=_limit(limits, "max_inflated", "bytes", env),
                )
            _check_sheets(zf, shown, limits, error, env)
            _check_elements(zf, infos, shown, limits, error, env)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:
        raise error(
            f"cannot read the workbook ({exc})", file=shown, expected="an .xlsx file"
        ) from None


def _check_part(
    info: zipfile.ZipInfo,
    shown: str | Path,
    limits: WorkbookLimits,
    error: type[InputError],
    env: str,
) -> None:
    try:
        check_zip_member(info, shown, limits.max_inflated, "workbook part")
    except InputError as exc:
        expected = exc.expected
        if info.file_size > limits.max_inflated:
            expected = _limit(limits, "max_inflated", "bytes", env)
        raise error(exc.reason + " (a zip bomb?)", file=shown, expected=expected) from None
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
        raise error(
            f"workbook part {info.filename!r} inflates {ratio:,.0f}-fold"
            f" ({info.compress_size:,} to {info.file_size:,} bytes; a zip bomb?)",
            file=shown,
            expected=_limit(limits, "max_ratio", "times its compressed size", env),
        )


def _check_sheets(
    zf: zipfile.ZipFile,
    shown: str | Path,
    limits: WorkbookLimits,
    error: type[InputError],
    env: str,
) -> None:
    """Count the sheets ``xl/workbook.xml`` lists (openpyxl opens each one when loading, and
    reads a sheet whole when it declares no dimension) and refuse two sheets on one part."""
    try:
        with zf.open("xl/workbook.xml") as fh:
            book = fh.read()
        with zf.open("xl/_rels/workbook.xml.rels") as fh:
            rels = fh.read()
    except KeyError:
        return  # openpyxl will say what is missing
    sheets = _SHEET_TAG.findall(book)
    if len(sheets) > limits.max_sheets:
        raise error(
            f"the workbook has {len(sheets):,} sheets",
            file=shown,
            expected=_limit(limits, "max_sheets", "sheets", env),
        )
    targets: dict[bytes, bytes] = {}
    for rel in _REL_TAG.findall(rels):
        ident, target = _ATTR_ID.search(rel), _ATTR_TARGET.search(rel)
        if ident and target:  # a part's name, whether written absolute or relative to xl/
            path = target.group(1).decode(errors="replace")
            path = path[1:] if path.startswith("/") else f"xl/{path}"
            targets[ident.group(1)] = posixpath.normpath(path).encode()
    seen: dict[bytes, bytes] = {}
    for sheet in sheets:
        ident = _ATTR_RID.search(sheet)
        name = _ATTR_NAME.search(sheet)
        part = targets.get(ident.group(1)) if ident else None
        if part is None:
            continue
        label = name.group(1) if name else b"?"
        if part in seen:
            raise error(
                f"sheets {seen[part].decode(errors='replace')!r} and"
                f" {label.decode(errors='replace')!r} are one part,"
                f" {part.decode(errors='replace')!r}",
                file=shown,
                expected="a part of its own for each sheet",
            )
        seen[part] = label


def _check_elements(
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    shown: str | Path,
    limits: WorkbookLimits,
    error: type[InputError],
    env: str,
) -> None:
    """Count the XML elements of the parts openpyxl reads whole when it opens a workbook (shared
    strings, styles, the workbook's own part...): every XML part but the sheets, which are read
    row by row within the row and cell limits."""
    elements = 0
    for info in infos:
        if info.is_dir() or info.file_size == 0:
            continue
        with zf.open(info) as fh:
            head = fh.read(4096)
            if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or _STREAMED.search(head):
                continue
            chunk, carry = head, b""
            while chunk:
                elements += len(_ELEMENT.findall(carry + chunk))
                carry = chunk[-1:] if chunk.endswith(b"<") else b""
                if elements > limits.max_elements:
                    raise error(
                        f"workbook part {info.filename!r} takes the workbook past"
                        f" {limits.max_elements:,} XML elements outside its sheets",
                        file=shown,
                        expected=_limit(limits, "max_elements", "elements", env),
                    )
                chunk = fh.read(1 << 20)


class Workbook:
    """An open workbook read within limits: its sheet names and bounded row streams (one cell
    budget, ``max_cells``, for all the sheets read). Close it after use (or use ``with``)."""

    def __init__(
        self, handle: Any, shown: str | Path, limits: WorkbookLimits, error: type[InputError]
    ) -> None:
        self._handle = handle
        self.shown = shown
        self.limits = limits
        self.error = error
        self.sheetnames: list[str] = list(handle.sheetnames)
        self._budget = Budget()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()

    def where(self, sheet: str) -> str:
        """The file and sheet, for messages: ``chain.xlsx [actors]``."""
        return f"{self.shown} [{sheet}]"

    def rows(self, sheet: str) -> Iterator[tuple[int, tuple[object, ...]]]:
        """``(row number, values)`` of ``sheet`` from row 1 (see :func:`sheet_rows`)."""
        ws = self._handle[sheet]
        return sheet_rows(ws, self.where(sheet), self.limits, error=self.error,
                          budget=self._budget)  # fmt: skip

    def records(self, sheet: str) -> list[tuple[int, dict[str, Any]]]:
        """The rows under the header of ``sheet`` as ``(row number, {column: value})``, blank
        rows skipped and empty cells left out (none if there is no such sheet). A column named
        twice, or a value in a column without a name or beyond the header, is refused (it
        would be lost)."""
        if sheet not in self.sheetnames:
            return []
        it = self.rows(sheet)
        first = next(it, None)
        header = [str(h).strip() if h is not None else "" for h in (first[1] if first else ())]
        where = self.where(sheet)
        for j, h in enumerate(header):
            if h and h in header[:j]:
                raise self.error(
                    f"column {h!r} appears twice in the header",
                    file=where, row=1, column=get_column_letter(j + 1),
                    expected="each column once",
                )  # fmt: skip
        out = []
        for k, values in it:
            if all(_blank(v) for v in values):
                continue
            for j, v in enumerate(values):
                if not _blank(v) and (j >= len(header) or not header[j]):
                    raise self.error(
                        "a value in a column without a name in the header", file=where, row=k,
                        column=get_column_letter(j + 1), found=v,
                        expected="values only under the template's columns",
                    )  # fmt: skip
            record = {h: v for h, v in zip(header, values, strict=False) if h and v is not None}
            out.append((k, record))
        return out


def workbook_source(path: str | Path | bytes, name: str | Path | None = None
                    ) -> tuple[Path | bytes, Path]:  # fmt: skip
    """What :func:`open_workbook` reads (a path, or an upload's bytes) and the name errors give it:
    ``name`` when given, else the path, else ``workbook.xlsx``."""
    source = path if isinstance(path, bytes) else Path(path)
    if name is not None:
        return source, Path(name)
    return source, source if isinstance(source, Path) else Path("workbook.xlsx")


def open_workbook(
    source: Path | bytes,
    *,
    name: str | Path | None = None,
    limits: WorkbookLimits | None = None,
    error: type[InputError] = InputError,
) -> Workbook:
    """A workbook opened read-only for values (no external links) from a path or bytes, after
    :func:`check_workbook_zip`."""
    lim = limits if limits is not None else workbook_limits()
    shown = name if name is not None else (source if isinstance(source, Path) else "workbook")
    if isinstance(source, Path) and not source.is_file():
        raise error("no such file", file=shown)
    check_workbook_zip(source, shown, lim, error=error)
    from openpyxl import load_workbook

    stream: Any = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        wb = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise error(f"cannot read the workbook ({message})", file=shown,
                    expected="an .xlsx workbook") from None  # fmt: skip
    if len(wb.sheetnames) > lim.max_sheets:
        wb.close()
        raise error(
            f"the workbook has {len(wb.sheetnames):,} sheets",
            file=shown,
            expected=_limit(lim, "max_sheets", "sheets", "GVCKIT_BOOK_"),
        )
    return Workbook(wb, shown, lim, error)


class Budget:
    """The cells spanned so far by the rows read from one workbook."""

    def __init__(self) -> None:
        self.spent = 0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: What a cell holding an error of the spreadsheet reads as (openpyxl gives its text).
ERROR_VALUES = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
     "#EXTERNAL!", "#PYTHON!")
)  # fmt: skip


def cell_problem(value: object) -> str | None:
    """Why a cell cannot hold text or a number of a model without dates or yes/no fields (a
    date or time, TRUE/FALSE, an error value such as ``#N/A``), or None if it can."""
    if isinstance(value, bool):
        return "TRUE/FALSE is not a value here"
    if isinstance(value, date | time | timedelta):  # datetime is a date
        return "a date or time is not a value here"
    if isinstance(value, str) and value.strip().upper() in ERROR_VALUES:
        return "the cell holds an error of the spreadsheet"
    return None


def sheet_rows(
    ws: Any,
    where: str,
    limits: WorkbookLimits,
    *,
    error: type[InputError] = InputError,
    env: str = "GVCKIT_BOOK_",
    budget: Budget | None = None,
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """``(row number, values)`` of an openpyxl read-only sheet, from row 1, within the limits;
    ``where`` names the file and sheet (``"chain.xlsx [actors]"``). A row is as wide as its last
    cell; cells beyond ``max_columns`` are dropped when empty and refused otherwise. The cells
    spanned count against ``budget`` (shared by the sheets of a workbook) or this sheet alone."""
    ws.reset_dimensions()  # the declared dimension may lie: read the rows as they are
    spent = budget if budget is not None else Budget()
    try:
        for k, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if k > limits.max_rows:
                raise error(
                    f"the sheet has more than {limits.max_rows:,} rows",
                    file=where,
                    row=k,
                    expected=_limit(limits, "max_rows", "rows", env),
                )
            row = tuple(values)
            spent.spent += len(row) + 1
            if spent.spent > limits.max_cells:
                raise error(
                    f"more than {limits.max_cells:,} cells read",
                    file=where,
                    row=k,
                    expected=_limit(limits, "max_cells", "cells (empty ones included)", env),
                )
            if len(row) > limits.max_columns:
                beyond = next(
                    (j for j in range(limits.max_columns, len(row)) if not _blank(row[j])), None
                )
                if beyond is not None:
                    raise error(
                        f"a value beyond column {get_column_letter(limits.max_columns)}",
                        file=where,
                        row=k,
                        column=get_column_letter(beyond + 1),
                        expected=_limit(limits, "max_columns", "columns", env),
                    )
                row = row[: limits.max_columns]
            yield k, row
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged parts
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise error(f"cannot read the sheet ({message})", file=where,
                    expected="a valid .xlsx workbook") from None  # fmt: skip


def exact_row(ws: Any, values: list[Any]) -> list[Any]:
    """The row to ``ws.append`` with its numbers in cells that read back exactly.

    openpyxl writes a number as ``"%.16g" % value``: 16 significant digits, one short of the 17
    a double may need (1.2195121951219512 is written 1.219512195121951, the largest double
    1.7976931348623157e308 rounds up to infinity, -0.0 becomes 0, an integer above 10**16 loses
    its last digits). Python's ``repr`` is the shortest text that reads back as the same number
    (``float(repr(x)) == x``, sign of zero included), so each finite number becomes a numeric
    cell holding its ``repr``; openpyxl reads ``<v>`` text back with ``float``/``int``. Works for
    ordinary and write-only sheets (the cells are made before they are appended).

    Text is always written as text: openpyxl would write a string starting with ``=`` (a name
    in a chain, a title in an IATI file) as a formula that the spreadsheet then runs
    (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``); it becomes a string cell that reads back as
    the same text."""
    from openpyxl.cell import Cell

    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = Cell(ws, row=1, column=1, value=value)
            cell.data_type = "s"  # text, never a formula
            row.append(cell)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            row.append(value)
        elif isinstance(value, float) and not math.isfinite(value):
            row.append(value)  # openpyxl writes no value for these; the models refuse them
        else:
            cell = Cell(ws, row=1, column=1, value=repr(value))  # placed by append
            cell.data_type = "n"  # a numeric cell holding the exact text
            row.append(cell)
    return row
