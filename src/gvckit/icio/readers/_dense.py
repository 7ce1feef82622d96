"""Large numeric matrices in delimited text, read in chunks straight into float64 arrays.

:func:`read_block` parses the rows of a stream with pandas' C parser, a few thousand rows at a
time, and copies each chunk into one preallocated array, so that reading an n×n matrix needs
about its own size in memory (plus one chunk), never a DataFrame of it. Leading label columns
are returned as strings. Every failure is an :class:`InputError` naming the file, the line and
the column: a cell that is not a number, a row with too few or too many fields, too few or too
many rows. A trailing separator at the end of each line (an empty last field) is accepted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from gvckit.errors import InputError
from gvckit.icio.readers._csv import _Prefixed, tokenizer_counts

__all__ = ["Block", "header_lines", "read_block", "skip_index_names"]

#: Cells parsed per chunk (about 128 MB of float64 plus pandas' buffers).
CHUNK_CELLS = 1 << 24
#: Longest header line read (bytes).
LINE_LIMIT = 1 << 26

Describe = Callable[[int, int, list[str]], str]
"""Given a cell's row index (among the rows kept), its column index and the row's label cells,
a description of the cell for messages."""


@dataclass(frozen=True)
class Block:
    """The numbers of a block (rows × width) and its label columns (one list per column)."""

    values: np.ndarray
    labels: list[list[str]]


def header_lines(stream: IO[bytes], count: int, shown: str, sep: str = "\t") -> list[list[str]]:
    """The first ``count`` lines split at ``sep`` (cells stripped); ``stream`` is left after
    them."""
    lines: list[list[str]] = []
    for k in range(count):
        raw = stream.readline(LINE_LIMIT)
        if not raw.strip():
            raise InputError(
                "the file ends before its header" if not raw else "blank header line",
                file=shown,
                row=k + 1,
                expected=f"{count} header lines, then the data",
            )
        cells = _cells(raw, sep)
        _check_text([cells], shown, k + 1)
        lines.append(cells)
    return lines


def skip_index_names(stream: IO[bytes], labels: int, sep: str = "\t") -> tuple[bool, IO[bytes]]:
    """Skip a line of index names (``region<TAB>sector<TAB><TAB>...``, as pandas writes them) if
    it comes next: True and the stream after it, or False and a stream that starts with it."""
    raw = stream.readline(LINE_LIMIT)
    cells = _cells(raw, sep)
    if raw and cells[0] and not any(cells[labels:]) and not _number(cells[0]):
        return True, stream
    return False, io.BufferedReader(_Prefixed(raw, stream))


def _check_text(rows: list[list[str]], shown: str, first_line: int) -> None:
    """Label cells decoded with replacement characters were not UTF-8: refuse the first one
    (``rows`` are lines of cells, the first one on file line ``first_line``)."""
    for i, cells in enumerate(rows):
        j = next((j for j, c in enumerate(cells) if "\ufffd" in c), None)
        if j is not None:
            raise InputError(
                "not UTF-8 text",
                file=shown,
                row=first_line + i,
                column=j + 1,
                expected="UTF-8 text (save the file as UTF-8)",
                found=cells[j],
            )


def _cells(raw: bytes, sep: str) -> list[str]:
    """The stripped cells of one line (quoted as the csv module and pandas quote them)."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    try:
        cells = next(csv.reader([text], delimiter=sep), [""])
    except csv.Error:
        cells = text.split(sep)
    return [c.strip() for c in cells] or [""]


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def read_block(
    stream: IO[bytes],
    shown: str,
    *,
    width: int,
    labels: int = 0,
    rows: int | None = None,
    first_line: int = 1,
    sep: str = "\t",
    keep: Callable[[list[list[str]]], np.ndarray] | None = None,
    describe: Describe | None = None,
) -> Block:
    """Read the rest of ``stream``: each line ``labels`` text cells, then ``width`` numbers.

    ``rows`` is the number of data lines expected (checked; the array is then allocated once).
    ``first_line`` is the file line of the first data line (for messages). ``keep(labels)``
    selects the rows of a chunk to keep, given its label columns (others are not converted).
    ``describe(i, j, row_labels)`` names a cell in messages (e.g. its row and column labels).
    """
    total = labels + width + 1  # one spare field for a trailing separator
    names = list(range(total))
    per_chunk = max(16, CHUNK_CELLS // total)
    out = np.empty((rows, width)) if rows is not None and keep is None else None
    parts: list[np.ndarray] = []
    label_cols: list[list[str]] = [[] for _ in range(labels)]
    done = 0  # data lines read
    kept = 0  # rows stored
    try:
        reader = pd.read_csv(
            stream,
            sep=sep,
            header=None,
            names=names,
            dtype={k: str for k in range(labels)},
            keep_default_na=False,
            na_values=[],
            chunksize=per_chunk,
            encoding="utf-8",
            encoding_errors="replace",
        )
        for chunk in reader:
            if chunk.empty:  # no data lines (pandas yields an empty chunk)
                continue
            line0 = first_line + done
            done += len(chunk)
            if rows is not None and done > rows:
                raise InputError(
                    "more data lines than expected",
                    file=shown,
                    row=first_line + rows,
                    expected=f"{rows} data lines",
                )
            _check_spare(chunk[total - 1], shown, line0, total - 1)
            texts = [
                [str(v) for v in chunk[k].fillna("").to_numpy(dtype=object)] for k in range(labels)
            ]
            if labels:
                _check_text([list(r) for r in zip(*texts, strict=True)], shown, line0)
            block = chunk.iloc[:, labels : labels + width]
            index = np.arange(len(chunk))
            if keep is not None:
                index = np.flatnonzero(keep(texts))
                block = block.iloc[index]
                texts = [[col[i] for i in index] for col in texts]
            values = _numbers(block, shown, line0, index, texts, describe, kept)
            for k in range(labels):
                label_cols[k].extend(texts[k])
            if out is not None:
                out[kept : kept + len(values)] = values
            else:
                parts.append(values)
            kept += len(values)
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, shown, first_line) from None
    except pd.errors.EmptyDataError:
        pass
    if rows is not None and done < rows:
        raise InputError(
            f"the file ends after {done} data lines",
            file=shown,
            row=first_line + done,
            expected=f"{rows} data lines",
        )
    if out is None:
        out = np.concatenate(parts) if parts else np.empty((0, width))
    return Block(out, label_cols)


def _check_spare(spare: pd.Series, shown: str, line0: int, column: int) -> None:
    """The spare last field may only be empty (a trailing separator) or absent."""
    filled = spare.notna().to_numpy() & (spare.astype(str).str.strip() != "").to_numpy()
    if filled.any():
        i = int(np.flatnonzero(filled)[0])
        raise InputError(
            "the line has more fields than expected",
            file=shown,
            row=line0 + i,
            column=column + 1,
            expected=f"{column} fields",
            found=str(spare.iloc[i]),
        )


def _numbers(
    block: pd.DataFrame,
    shown: str,
    line0: int,
    index: np.ndarray,
    texts: list[list[str]],
    describe: Describe | None,
    kept: int,
) -> np.ndarray:
    """The chunk's numbers as float64; the first bad cell (in reading order) is refused."""
    numeric = all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in block.dtypes
    )
    if numeric:
        values = block.to_numpy(dtype=np.float64)
        if np.isfinite(values).all():
            return values
    worst: tuple[int, int, str | None] | None = None  # (row, column, text)
    for j, (_, col) in enumerate(block.items()):
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            conv = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            conv = np.asarray(pd.to_numeric(col, errors="coerce"), dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(conv))
        if bad.size and (worst is None or int(bad[0]) < worst[0]):
            i = int(bad[0])
            value = col.iloc[i]
            worst = (i, j, None if pd.isna(value) else str(value))
    if worst is None:  # pragma: no cover - numeric with non-finite values is always found
        raise InputError("not a number", file=shown)
    i, j, text = worst
    labels = len(texts)
    where = f" ({describe(kept + i, j, [t[i] for t in texts])})" if describe is not None else ""
    if text is None or not text.strip():
        raise InputError(
            f"missing value: an empty cell, or the line has too few fields{where}",
            file=shown,
            row=line0 + int(index[i]),
            column=labels + j + 1,
            expected=f"{labels + block.shape[1]} fields",
        )
    finite = "not a finite number" if "inf" in text.lower() else "not a number"
    raise InputError(
        f"{finite}{where}",
        file=shown,
        row=line0 + int(index[i]),
        column=labels + j + 1,
        expected="a number",
        found=text,
    )


def _parser_error(exc: pd.errors.ParserError, shown: str, first_line: int) -> InputError:
    """A pandas parser error with the file's line number."""
    msg, counts = tokenizer_counts(exc)
    if counts is None:
        return InputError(f"malformed file ({msg})", file=shown)
    want, line, saw = counts
    return InputError(
        "the line has more fields than expected",
        file=shown,
        row=first_line + line - 1,
        expected=f"at most {want - 1} fields",
        found=f"{saw} fields",
    )
