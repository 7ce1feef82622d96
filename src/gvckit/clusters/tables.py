"""Reading the small tables of cluster analysis: CSV (plain or gzip), Excel or Parquet.

Every cell is read as text (``01`` stays ``01``) through bounded readers: a CSV file through
:func:`gvckit.icio.readers._csv.read_csv_table` (byte limit, separators, encodings), a
workbook after checking what its zip parts inflate to, a Parquet file after checking its row
and column counts in the footer. Numbers are then parsed column by column by :func:`numbers`,
whose errors name the file, the line (row 1 is the header) and the column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from gvckit.errors import InputError, OptionError
from gvckit.files import open_input
from gvckit.icio.readers._csv import HEADER_LIMIT, _parse_header, drop_blank_tail, read_csv_table

__all__ = ["MAX_BYTES", "MAX_CELLS", "Sheet", "numbers", "read_sheet"]

#: Largest input read (bytes, after decompression).
MAX_BYTES = 512 * 1024**2
#: Most cells (rows × columns) read from one table.
MAX_CELLS = 50_000_000
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "."})

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Sheet:
    """A table read as text: the header and the body (columns named as in the header).

    ``first_row`` is the line (row) of the body's first row in the file, for messages.
    """

    file: Path
    header: list[str]
    body: pd.DataFrame
    first_row: int = 2
    #: numbers may use a decimal comma (a semicolon-separated CSV file)
    decimal_comma: bool = False

    def column(self, name: str, role: str) -> pd.Series:
        """The body column ``name`` (stripped text), or an error naming what it was for."""
        if name not in self.header:
            raise InputError(
                f"no column {name!r} (given as {role})",
                file=self.file,
                row=1,
                expected="one of the header's columns",
                found=", ".join(self.header),
            )
        k = self.header.index(name)
        return self.body.iloc[:, k].map(_text)

    def line(self, position: int) -> int:
        """The line in the file of the body row at ``position`` (0-based)."""
        return self.first_row + position


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _check_header(header: list[str], file: Path) -> list[str]:
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for k, h in enumerate(header):
        if h and h in seen:
            raise InputError(
                f"column name {h!r} appears twice (columns {seen[h] + 1} and {k + 1})",
                file=file,
                row=1,
                expected="distinct column names",
            )
        seen[h] = k
    return header


def _trimmed(values: tuple[object, ...]) -> list[object]:
    """A sheet row without its trailing empty cells (a row formatted out to column XFD holds
    16,384 of them)."""
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return list(values[:end])


def _read_excel(path: Path, sheet: str | None) -> Sheet:
    """The sheet's values (never formulas), read within the table workbook limits
    (:func:`gvckit.limits.table_workbook_limits`: zip headers checked first, rows and cells
    bounded), as a frame of objects with empty cells as ``""``."""
    from gvckit.limits import table_workbook_limits
    from gvckit.workbooks import open_workbook

    with open_workbook(path, limits=table_workbook_limits()) as book:
        name = sheet if sheet is not None else (book.sheetnames or [""])[0]
        if name not in book.sheetnames:
            raise InputError(
                f"no sheet {name!r}", file=path,
                expected="a workbook with the table in its first sheet (or the sheet named)",
                found=", ".join(book.sheetnames),
            )  # fmt: skip
        rows = [_trimmed(values) for _, values in book.rows(name)]
    width = max((len(r) for r in rows), default=0)
    raw = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    raw = drop_blank_tail(raw.fillna(""))
    if raw.empty:
        raise InputError("the sheet is empty", file=path, expected="a header row and data")
    header = _check_header([_text(v) for v in raw.iloc[0]], path)
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = pd.RangeIndex(len(header))
    return Sheet(path, header, body)


def _read_parquet(path: Path, max_bytes: int = MAX_BYTES) -> Sheet:
    """A Parquet file within ``max_bytes`` of data once decompressed and decoded: the
    footer's cell count and uncompressed size are checked first, then the batches as they are
    decoded (a dictionary of one long string repeated on every row declares little)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
    except ImportError:  # pragma: no cover - pyarrow is a dependency of pandas' parquet
        raise OptionError("reading Parquet needs pyarrow (pip install pyarrow)") from None
    except Exception as exc:
        raise InputError(
            f"not a valid Parquet file ({exc})", file=path, expected="a Parquet file"
        ) from None
    if meta.num_rows * max(meta.num_columns, 1) > MAX_CELLS:
        raise InputError(
            f"the file holds {meta.num_rows:,} rows × {meta.num_columns} columns",
            file=path,
            expected=f"at most {MAX_CELLS:,} cells",
        )
    declared = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    too_large = InputError(
        "the file's data inflate to more than the limit", file=path,
        expected=f"at most {max_bytes:,} bytes of data",
    )  # fmt: skip
    if declared > max_bytes:
        raise too_large
    try:
        batches, used = [], 0
        for batch in parquet.iter_batches(batch_size=4096):
            used += batch.nbytes
            if used > max_bytes:
                raise too_large
            batches.append(batch)
        frame = pa.Table.from_batches(batches, schema=parquet.schema_arrow).to_pandas()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read the Parquet file ({exc})", file=path) from None
    header = _check_header([str(c) for c in frame.columns], path)
    body = frame.astype(object).reset_index(drop=True)
    body.columns = pd.RangeIndex(len(header))
    return Sheet(path, header, body)


def read_sheet(path: str | Path, sheet: str | None = None) -> Sheet:
    """Read a table from a CSV (comma, semicolon or tab; plain or gzip), an Excel workbook
    (``sheet`` or the first) or a Parquet file, every cell as text."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=p)
    if p.is_dir():
        raise InputError("this is a folder", file=p, expected="a file")
    suffix = p.suffix.lower()
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise OptionError(f"--sheet applies to Excel workbooks, not to {p.name}")
    if suffix in EXCEL_SUFFIXES:
        result = _read_excel(p, sheet)
    elif suffix in PARQUET_SUFFIXES:
        result = _read_parquet(p)
    else:
        csv = read_csv_table(
            p, p, text_columns=lambda header: range(len(header)), max_bytes=MAX_BYTES
        )
        header = _check_header(csv.header, p)
        if len(csv.body) * max(len(header), 1) > MAX_CELLS:
            raise InputError(f"the file has {len(csv.body):,} rows", file=p,
                             expected=f"at most {MAX_CELLS:,} cells")  # fmt: skip
        with open_input(p, max_bytes=MAX_BYTES) as stream:
            first = stream.readline(HEADER_LIMIT)
        result = Sheet(p, header, csv.body, decimal_comma=_parse_header(first, str(p))[1] == ";")
    if result.body.empty:
        raise InputError("the table has no rows after its header", file=p, row=2,
                         expected="data rows")  # fmt: skip
    return result


_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_NUMBER_LIKE = re.compile(r"^[+-]?\d[\d.,]*$")


class NumberConventionError(InputError):
    """A column of a semicolon file whose decimal separator cannot be told or is mixed."""


def _decimal_comma_column(table: Sheet, name: str, cells: list[str]) -> bool:
    """Whether the column ``name`` of a semicolon file writes numbers with a decimal comma (dots
    grouping thousands: ``1.234,5``, ``5.500``) rather than a decimal point (``5.5``). A column
    holds one convention: a comma anywhere, or a dot grouping twice (``1.507.000``), makes it a
    decimal-comma column, in which every dot must group three digits; a dot that cannot group
    (``5.5``) makes it a decimal-point column; a column whose dots could be either (only
    ``5.500``-like cells) is refused rather than read 1,000 times too small or too large."""
    shaped = [(k, c) for k, c in enumerate(cells) if _NUMBER_LIKE.match(c)]
    dotted = [(k, c) for k, c in shaped if "." in c]
    if any("," in c for _, c in shaped) or any(c.count(".") > 1 for _, c in dotted):
        for k, c in dotted:
            if not _GROUPED.match(c):
                raise _convention_error(
                    table,
                    name,
                    k,
                    c,
                    "a decimal point in a column written with decimal commas",
                    "one convention per column (1.234,5 or 1234.5)",
                )
        return True
    if dotted and all(_GROUPED.match(c) for _, c in dotted):
        k, c = dotted[0]
        raise _convention_error(
            table,
            name,
            k,
            c,
            "a dot that may group thousands or mark decimals (semicolon-separated file)",
            "numbers without thousands separators (5500, or 5,5 / 5.5)",
        )
    return False


def _convention_error(
    table: Sheet, name: str, k: int, cell: str, message: str, expected: str
) -> NumberConventionError:
    return NumberConventionError(
        message, file=table.file, row=table.line(k), column=name, expected=expected, found=cell
    )


def numbers(
    table: Sheet, name: str, role: str, *, allow_missing: bool = False, negative: bool = False
) -> Floats:
    """Column ``name`` as floats: a decimal number in every cell (empty cells are NaN when
    ``allow_missing``), not negative unless ``negative``; errors name the line and column."""
    cells = table.column(name, role)
    comma = table.decimal_comma and _decimal_comma_column(table, name, list(cells))
    out = np.empty(len(cells), dtype=np.float64)
    for k, cell in enumerate(cells):
        if cell.lower() in _MISSING:
            if allow_missing:
                out[k] = math.nan
                continue
            raise InputError(
                "missing value", file=table.file, row=table.line(k), column=name,
                expected=f"a number ({role})",
            )  # fmt: skip
        if comma:
            cell = cell.replace(".", "").replace(",", ".")
        try:
            x = float(cell.replace("_", "x"))
        except ValueError:
            raise InputError(
                "not a number", file=table.file, row=table.line(k), column=name,
                expected=f"a number ({role})", found=cell,
            ) from None  # fmt: skip
        if not math.isfinite(x) or (x < 0 and not negative):
            raise InputError(
                "not a finite, non-negative number" if not negative else "not a finite number",
                file=table.file, row=table.line(k), column=name,
                expected=f"a number ({role})", found=cell,
            )  # fmt: skip
        out[k] = x
    return out


def labels(table: Sheet, name: str, role: str) -> list[str]:
    """Column ``name`` as non-empty labels; an empty cell is an error naming its line."""
    cells = list(table.column(name, role))
    for k, cell in enumerate(cells):
        if not cell:
            raise InputError(
                "empty label", file=table.file, row=table.line(k), column=name,
                expected=f"a {role} name or code",
            )  # fmt: skip
    return cells
