"""Workbook access shared by the spreadsheet readers: ``.xlsx`` and ``.xlsb``, through
python-calamine when it is installed (fast), else openpyxl and pyxlsb (the same values).

:func:`open_book` opens a workbook from a path or from bytes (a zip member), refusing one whose
parts inflate past ``max_bytes``; :meth:`Book.rows` streams a sheet's rows as lists of Python
values, all of the same width. :func:`numbers` turns the cells of one row into floats; a cell
that is not a number is an :class:`~gvckit.errors.InputError` naming the sheet and the cell
(``"WIOT_2009", row 9, column 'F'``). Errors name the file as ``<file> [<sheet>]``, as the chain
workbook does.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from openpyxl.utils import get_column_letter

from gvckit.errors import InputError
from gvckit.files import ByteProgress, check_zip_member
from gvckit.limits import WorkbookLimits
from gvckit.workbooks import check_workbook_zip, sheet_rows

__all__ = [
    "Book",
    "cell_name",
    "damaged_part",
    "is_blank",
    "letter",
    "numbers",
    "open_book",
    "text",
]

Kind = Literal["xlsx", "xlsb"]


def letter(col: int) -> str:
    """The Excel letter of 0-based column ``col`` (0 → ``A``)."""
    return str(get_column_letter(col + 1))


def cell_name(row: int, col: int) -> str:
    """``E7`` for 0-based ``row`` 6 and ``col`` 4."""
    return f"{letter(col)}{row + 1}"


def is_blank(value: object) -> bool:
    """True for an empty cell (nothing, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    """A label cell as stripped text; numbers written as labels lose a trailing ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def damaged_part(source: Path | bytes) -> str | None:
    """The first part of a workbook whose data does not inflate or fails its CRC, if any (read
    only after the workbook could not be opened, to name the part in the message)."""
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            for info in zf.infolist():
                try:
                    with zf.open(info) as fh:
                        while fh.read(1 << 20):
                            pass
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    return info.filename
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def _size_check(zf: zipfile.ZipFile, shown: str, max_bytes: int) -> None:
    total = sum(info.file_size for info in zf.infolist())
    if total > max_bytes:
        raise InputError(
            f"the workbook inflates to {total:,} bytes",
            file=shown,
            expected=f"at most {max_bytes:,} bytes (raise max_bytes if genuine)",
        )
    for info in zf.infolist():  # a part announcing more than its data holds
        check_zip_member(info, shown, max_bytes, "workbook part")


class Book:
    """An open workbook: its sheet names and a row stream per sheet. Close it after use."""

    def __init__(
        self,
        kind: Kind,
        handle: Any,
        shown: str,
        size: int,
        limits: WorkbookLimits | None = None,
        source: Path | bytes = b"",
    ) -> None:
        self.kind = kind
        self.limits = limits
        self._source = source
        self._handle = handle
        self.shown = shown
        self.size = size
        self._streams: list[Generator[list[object], None, None]] = []
        self.engine = "calamine" if _is_calamine(handle) else kind
        if self.engine == "calamine":
            self.sheetnames: list[str] = list(handle.sheet_names)
        elif kind == "xlsx":
            self.sheetnames = list(handle.sheetnames)
        else:
            self.sheetnames = list(handle.sheets)

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the row streams still open, then the workbook."""
        for stream in self._streams:
            stream.close()
        self._handle.close()

    def where(self, sheet: str) -> str:
        """The file and sheet, for messages."""
        return f"{self.shown} [{sheet}]"

    def require(self, sheet: str, expected: str) -> None:
        """Raise an :class:`InputError` when ``sheet`` is missing."""
        if sheet not in self.sheetnames:
            raise InputError(
                f"no sheet {sheet!r}",
                file=self.shown,
                expected=expected,
                found=", ".join(self.sheetnames),
            )

    def rows(self, sheet: str, progress: ByteProgress | None = None) -> Iterator[list[object]]:
        """The rows of ``sheet`` (from row 1), each padded to the sheet's width."""
        stream = self._guarded(sheet, progress)
        self._streams.append(stream)
        return stream

    def _guarded(
        self, sheet: str, progress: ByteProgress | None
    ) -> Generator[list[object], None, None]:
        try:
            yield from self._rows(sheet, progress)
        except InputError:
            raise
        except Exception as exc:  # openpyxl and pyxlsb raise many types on damaged parts
            if self.engine == "calamine":  # calamine opens parts lazily: as openpyxl at opening
                part = damaged_part(self._source)
                raise InputError(
                    f"cannot read the workbook ({type(exc).__name__}: {exc})",
                    file=f"{self.shown}!{part}" if part else self.shown,
                    expected=f"an .{self.kind} workbook",
                ) from None
            raise InputError(
                f"cannot read the sheet ({type(exc).__name__}: {exc})",
                file=self.where(sheet),
                expected=f"a valid .{self.kind} workbook",
            ) from None

    def _rows(
        self, sheet: str, progress: ByteProgress | None
    ) -> Generator[list[object], None, None]:
        if self.engine == "calamine":
            ws = self._handle.get_sheet_by_name(sheet)
            total = ws.height
            source: Any = _calamine_rows(ws)
        elif self.kind == "xlsx":
            ws = self._handle[sheet]
            total = ws.max_row or 0
            source = ws.iter_rows(values_only=True)
            if self.limits is not None:  # bounded rows, whatever the sheet declares
                source = (v for _, v in sheet_rows(ws, self.where(sheet), self.limits,
                                                   env="GVCKIT_TABLE_BOOK_"))  # fmt: skip
        else:
            ws = self._handle.get_sheet(sheet)
            dim = ws.dimension
            total = dim.r + dim.h if dim is not None else 0
            source = ([c.v for c in row] for row in ws.rows())
        width = 0
        try:
            for k, row in enumerate(source):
                values = list(row)
                width = max(width, len(values))
                if len(values) < width:
                    values += [None] * (width - len(values))
                if progress is not None and total and k % 64 == 0:
                    progress(min(self.size, self.size * k // total), self.size)
                yield values
        finally:
            source.close()  # closes the sheet's stream inside the zip
            if self.engine == "xlsb":
                ws.close()
        if progress is not None:
            progress(self.size, self.size)


def open_book(
    source: Path | bytes,
    shown: str,
    max_bytes: int,
    kind: Kind | None = None,
    limits: WorkbookLimits | None = None,
) -> Book:
    """Open a workbook (a path, or the bytes of a zip member named ``shown``); with ``limits``
    (a workbook a user filled in) also checked and read within them (:mod:`gvckit.workbooks`)."""
    if kind is None:
        name = source.name if isinstance(source, Path) else shown
        kind = "xlsb" if name.lower().endswith(".xlsb") else "xlsx"
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            _size_check(zf, shown, max_bytes)
        if limits is not None:
            check_workbook_zip(source, shown, limits, env="GVCKIT_TABLE_BOOK_")
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"not a valid .{kind} workbook ({exc})", file=shown, expected=f"an .{kind} file"
        ) from None
    stream: Any = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        calamine = _calamine()
        if calamine is not None and (
            limits is not None  # a workbook a user filled in: openpyxl, read within limits
            or (kind == "xlsx" and _has_error_cells(source))
        ):
            calamine = None
        handle: Any = None
        if calamine is not None:
            opened = str(source) if isinstance(source, Path) else stream
            handle = calamine.CalamineWorkbook.from_object(opened)
            if _sheet_parts(source) < len(handle.sheet_names):  # a sheet without its part:
                handle.close()  # openpyxl and pyxlsb leave it out of the sheet names
                handle = None
                stream = source if isinstance(source, Path) else io.BytesIO(source)
        if handle is None and kind == "xlsx":
            from openpyxl import load_workbook

            handle = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        elif handle is None:
            from pyxlsb import open_workbook  # type: ignore[import-untyped]

            handle = open_workbook(stream)
    except Exception as exc:  # damaged zip/xml/records
        part = damaged_part(source)
        raise InputError(
            f"cannot read the workbook ({type(exc).__name__}: {exc})",
            file=f"{shown}!{part}" if part else shown,
            expected=f"an .{kind} workbook",
        ) from None
    return Book(kind, handle, shown, size, limits, source)


def _calamine() -> Any:
    """The python-calamine module (Rust; reads .xlsx and .xlsb several times faster than
    openpyxl and pyxlsb), or None when it is not installed (``gvckit[excel]``)."""
    try:
        import python_calamine
    except ImportError:
        return None
    return python_calamine


def _is_calamine(handle: Any) -> bool:
    calamine = _calamine()
    return calamine is not None and isinstance(handle, calamine.CalamineWorkbook)


def _calamine_rows(ws: Any) -> Generator[list[object], None, None]:
    """A calamine sheet's rows from row 1 and column A, empty cells as None (as openpyxl and
    pyxlsb give them); numbers come as floats, which :func:`text` and :func:`numbers` read as
    they read openpyxl's integers. (calamine's rows start at row 1 but at the first used
    column.)"""
    pad: list[object] = [None] * (ws.start[1] if ws.height else 0)
    for row in ws.iter_rows():
        yield pad + [None if v == "" else v for v in row]


def _sheet_parts(source: Path | bytes) -> int:
    """How many sheet parts (``xl/worksheets/*.xml`` or ``.bin``) the workbook's zip holds."""
    with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
        names = zf.namelist()
    return sum(1 for n in names if n.startswith("xl/worksheets/") and n.count("/") == 2)


def _has_error_cells(source: Path | bytes) -> bool:
    """True when a sheet of an .xlsx holds an error cell (``#N/A``, ``t="e"``): calamine reads
    those as empty cells, so such a workbook is read with openpyxl, which names them."""
    with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 22):
                        if b' t="e"' in tail + chunk:
                            return True
                        tail = chunk[-8:]
    return False


def _refuse(value: object, row: int, col: int, where: str, what: str) -> InputError:
    return InputError(
        f"not a number ({what})" if not is_blank(value) else f"empty cell ({what})",
        file=where,
        row=row + 1,
        column=letter(col),
        expected="a number" if not is_blank(value) else "a number (0 for no flow)",
        found=None if is_blank(value) else value,
    )


def numbers(
    values: Sequence[object],
    row: int,
    first_col: int,
    where: str,
    what: str,
    blank_as_zero: bool,
) -> np.ndarray:
    """The cells ``values`` (sheet row ``row``, from column ``first_col``, both 0-based) as floats.

    Numbers written as text are accepted; an empty cell reads as 0 when ``blank_as_zero``,
    anything else is an :class:`InputError` naming ``where`` (file and sheet) and the cell.
    """
    try:
        out = np.asarray(values, dtype=np.float64)  # also parses "inf" and "nan" written as text
        if np.isfinite(out).all() and not any(isinstance(v, bool) for v in values):
            return out
    except (TypeError, ValueError):
        pass
    out = np.empty(len(values))
    for k, v in enumerate(values):
        if isinstance(v, bool):
            raise _refuse(v, row, first_col + k, where, what)
        if is_blank(v):
            if not blank_as_zero:
                raise _refuse(v, row, first_col + k, where, what)
            out[k] = 0.0
            continue
        try:
            out[k] = float(v.strip() if isinstance(v, str) else v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _refuse(v, row, first_col + k, where, what) from None
        if not np.isfinite(out[k]):
            raise _refuse(v, row, first_col + k, where, what)
    return out
