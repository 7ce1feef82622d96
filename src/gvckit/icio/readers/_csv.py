"""CSV reading shared by the readers: header row by the csv module, body by pyarrow or pandas.

:func:`read_csv_table` opens a file (plain or gzip, via :func:`gvckit.files.open_input`) or takes
an open stream (a zip member), reads the header row itself and the body with pyarrow's CSV reader
(fast) or, for what it cannot read as pandas would, with pandas, and turns every parser failure
into an :class:`InputError` naming the file and the line. It accepts:

- a UTF-8 byte-order mark;
- LF, CRLF and CR-only (old Mac) line endings;
- comma, semicolon or tab separators, judged from the header row (with semicolons, a decimal
  comma is accepted too);
- trailing all-empty rows (``,,,,`` as spreadsheet programs write them), which are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from gvckit.errors import InputError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, open_input
from gvckit.icio.readers._cells import check_unique

__all__ = ["CsvTable", "drop_blank_tail", "read_csv_table", "read_header"]

#: Separators recognised in the header row, the first one preferred on a tie.
DELIMITERS = (",", ";", "\t")
#: Longest header row read (bytes).
HEADER_LIMIT = 1 << 24

TextColumns = Callable[[list[str]], Iterable[int]]
"""Given the header, the positions of the columns to read as text (labels), not numbers."""


@dataclass(frozen=True)
class CsvTable:
    """A header row (cells stripped) and the body, whose columns are numbered from 0."""

    header: list[str]
    body: pd.DataFrame


class _Prefixed(io.RawIOBase):
    """The bytes ``head`` followed by the rest of ``tail`` (for a header read too far)."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(b))
        b[: len(data)] = data
        return len(data)


def _split_first_line(stream: IO[bytes], shown: str) -> tuple[bytes, IO[bytes]]:
    """The first line (without CR-only line ends) and a stream of the lines after it."""
    chunk = stream.readline(HEADER_LIMIT)
    cr = chunk.find(b"\r")
    if 0 <= cr < len(chunk) - 1 and chunk[cr + 1 : cr + 2] != b"\n":  # CR-only line ends
        return chunk[:cr], io.BufferedReader(_Prefixed(chunk[cr + 1 :], stream))
    if len(chunk) == HEADER_LIMIT and not chunk.endswith(b"\n"):
        raise InputError(
            f"the header row is longer than {HEADER_LIMIT:,} bytes",
            file=shown,
            row=1,
            expected="a CSV file with one header row",
        )
    return chunk, stream


def _sniff_fields(text: str) -> tuple[list[str], str]:
    """The header cells and the separator that splits the header into the most cells."""
    best: tuple[list[str], str] = ([text], ",")
    for sep in DELIMITERS:
        fields = next(csv.reader([text], delimiter=sep), [])
        if len(fields) > len(best[0]):
            best = (fields, sep)
    return best


def _undecodable(line: bytes, start: int) -> tuple[int, str | None]:
    """The 1-based field of the header ``line`` holding byte ``start``, which is not UTF-8,
    and that field as decoded with replacement characters."""
    try:
        before = _sniff_fields(line[:start].decode("utf-8-sig", errors="replace"))[0]
        cells = _sniff_fields(line.decode("utf-8-sig", errors="replace"))[0]
    except csv.Error:
        return 1, None
    column = len(before) if start else 1
    return column, cells[column - 1] if column <= len(cells) else None


def _parse_header(line: bytes, shown: str) -> tuple[list[str], str]:
    """The header row's stripped cells and its separator."""
    if not line.strip():
        raise InputError("the file is empty", file=shown, expected="a header row and data")
    try:
        text = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        column, found = _undecodable(line, exc.start)
        raise InputError(
            "the header is not UTF-8 text",
            file=shown,
            row=1,
            column=column,
            expected="UTF-8 text (save the file as CSV UTF-8)",
            found=found,
        ) from None
    try:
        fields, sep = _sniff_fields(text)
    except csv.Error as exc:
        raise InputError(f"malformed header row ({exc})", file=shown, row=1) from None
    return [f.strip() for f in fields], sep


def tokenizer_counts(exc: pd.errors.ParserError) -> tuple[str, tuple[int, int, int] | None]:
    """The message of a pandas tokenizer error and, when it says so, (fields expected, line in
    the parsed text, fields seen)."""
    msg = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if found is None:
        return msg, None
    want, line, saw = (int(g) for g in found.groups())
    return msg, (want, line, saw)


def _parser_error(exc: pd.errors.ParserError, shown: str) -> InputError:
    """A pandas parser error as an InputError; line numbers count the header row too."""
    msg, counts = tokenizer_counts(exc)
    if counts is None:
        return InputError(f"malformed CSV ({msg})", file=shown)
    want, line, saw = counts
    return InputError(
        "malformed CSV",
        file=shown,
        row=line + 1,
        expected=f"{want} fields like the header",
        found=f"{saw} fields",
    )


#: Bodies below this size are parsed as one pyarrow block, without threads (see _read_fast).
ONE_BLOCK = 1 << 26


def _read_fast(data: bytes, width: int, sep: str, text: Iterable[int]) -> pd.DataFrame | None:
    """The body read by pyarrow's CSV reader (several times faster than pandas' on wide
    tables), or None when it cannot give what pandas gives: a decimal comma, a row of the wrong
    width, bytes that are not UTF-8, a column of other cells than integers, decimals or text
    (booleans, dates ...), an empty body. The caller then reads with pandas, whose errors name
    the line. Cells are read as written, as with pandas (no NA values); floats are correctly
    rounded (pandas' parser: within one unit in the last place)."""
    if sep == ";" or not data.strip():
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    keep = {str(k): pa.string() for k in text}
    # A body up to ONE_BLOCK bytes is parsed as one block by one thread: one chunk per column
    # (nothing to concatenate for pandas) and no thread pool to share with the other processes
    # of a loaded machine (a WIOD year: 0.06 s instead of 0.17 s); larger bodies in 16 MiB
    # blocks on pyarrow's threads.
    one = len(data) < ONE_BLOCK
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(
                column_names=[str(k) for k in range(width)],
                use_threads=not one,
                block_size=len(data) + 1 if one else 1 << 24,
            ),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types=keep, null_values=[], strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    allowed = (pa.types.is_int64, pa.types.is_float64, pa.types.is_string)
    if not all(any(ok(t) for ok in allowed) for t in table.schema.types):
        return None
    import pyarrow.compute as pac

    for column in table.columns:  # nan, inf: pandas keeps some as text, its errors say which
        if pa.types.is_float64(column.type) and not pac.all(pac.is_finite(column)).as_py():
            return None
    frame: pd.DataFrame = table.to_pandas()
    frame.columns = pd.RangeIndex(width)
    return frame


def _read_body(
    stream: IO[bytes], shown: str, width: int, sep: str, text: Iterable[int]
) -> pd.DataFrame:
    """The rows after the header, ``width`` numbered columns, ``text`` columns as strings."""
    names = list(range(width))
    text = list(text)
    data = stream.read()
    fast = _read_fast(data, width, sep, text)
    if fast is not None:
        return fast
    try:
        body = pd.read_csv(
            io.BytesIO(data),
            header=None,
            names=names,
            sep=sep,
            decimal="," if sep == ";" else ".",
            dtype={k: str for k in text},
            keep_default_na=False,
            na_values=[],
            low_memory=False,
            encoding="utf-8",
            encoding_errors="replace",  # bytes that are not UTF-8 are found below
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=names)
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, shown) from None
    if not isinstance(body.index, pd.RangeIndex):
        # the first row has more fields than the header: pandas silently took the extra ones
        # as an index, shifting every cell of the table one or more columns to the right
        raise InputError(
            "malformed CSV",
            file=shown,
            row=_first_row(data),
            expected=f"{width} fields like the header",
            found=f"{width + body.index.nlevels} fields",
        )
    _check_utf8(body, shown)
    return body


def _first_row(data: bytes) -> int:
    """The row (the header is row 1) of the first line of ``data`` that is not blank."""
    row = 2
    for line in data.splitlines():
        if line.strip():
            return row
        row += 1
    return row


def _check_utf8(body: pd.DataFrame, shown: str) -> None:
    """Refuse the first text cell (in reading order) that held bytes that are not UTF-8."""
    first: tuple[int, int] | None = None  # (row, column) positions in ``body``
    for j, col in enumerate(body[c] for c in body.columns):
        if pd.api.types.is_numeric_dtype(col.dtype):
            continue
        bad = np.flatnonzero(col.astype(str).str.contains("\ufffd", regex=False).to_numpy())
        if bad.size and (first is None or int(bad[0]) < first[0]):
            first = (int(bad[0]), j)
    if first is not None:
        i, j = first
        raise InputError(
            "not UTF-8 text",
            file=shown,
            row=i + 2,
            column=j + 1,
            expected="UTF-8 text (save the file as CSV UTF-8)",
            found=str(body.iloc[i, j]),
        )


def _is_blank(row: pd.Series) -> bool:
    return all(pd.isna(v) or not str(v).strip() for v in row)


def drop_blank_tail(body: pd.DataFrame) -> pd.DataFrame:
    """``body`` without its trailing rows whose cells are all empty."""
    end = len(body)
    while end and _is_blank(body.iloc[end - 1]):
        end -= 1
    return body if end == len(body) else body.iloc[:end]


def _open(source: Path | IO[bytes], max_bytes: int, progress: ByteProgress | None) -> IO[bytes]:
    if isinstance(source, Path):
        return open_input(source, max_bytes=max_bytes, progress=progress)
    return source


def read_header(source: Path | IO[bytes], shown: str | Path, max_bytes: int = 1 << 26) -> list[str]:
    """The header row of a CSV file (plain or gzip) or stream, cells stripped."""
    with _open(source, max_bytes, None) as stream:
        line, _ = _split_first_line(stream, str(shown))
    return _parse_header(line, str(shown))[0]


def read_csv_table(
    source: Path | IO[bytes],
    shown: str | Path,
    *,
    text_columns: TextColumns = lambda header: (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> CsvTable:
    """Read a CSV file (plain or gzip) or an open binary stream, which is closed afterwards.

    Errors name ``shown``. ``text_columns(header)`` gives the columns read as text (labels keep
    leading zeros: ``01`` stays ``01``); every cell is read as written (no ``NA`` values), empty
    cells as ``""``.
    """
    where = str(shown)
    with _open(source, max_bytes, progress) as stream:
        line, rest = _split_first_line(stream, where)
        header, sep = _parse_header(line, where)
        body = _read_body(rest, where, len(header), sep, text_columns(header))
    return CsvTable(header, drop_blank_tail(body))


def row_labels(csv: CsvTable, shown: str, rows_expected: str, label_expected: str) -> list[str]:
    """The labels of the first column of a table read by :func:`read_csv_table`: present and
    each once (errors name the row and say what was expected)."""
    rows = [str(v).strip() for v in csv.body[0].fillna("")]
    if not rows:
        raise InputError("the file has no rows after its header", file=shown, row=2,
                         expected=rows_expected)  # fmt: skip
    if "" in rows:
        raise InputError("row without a label", file=shown, row=rows.index("") + 2, column=1,
                         expected=label_expected)  # fmt: skip
    check_unique(rows, shown, "row", first=2)
    return rows
