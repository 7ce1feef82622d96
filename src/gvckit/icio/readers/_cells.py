"""Checks shared by the readers: numbers and labels, with errors naming the file cell."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.errors import InputError

__all__ = ["check_final_demand", "check_unique", "codes", "numeric_block"]


def codes(text: str) -> tuple[str, ...]:
    """The whitespace-separated codes of ``text``, in order (for long label lists)."""
    return tuple(text.split())


def check_unique(
    labels: Sequence[str], file: str | Path, what: Literal["column", "row"], first: int = 1
) -> None:
    """Raise an :class:`InputError` on the first non-empty label seen twice.

    ``what`` is ``"column"`` (labels of the header row, ``labels[0]`` in column ``first``) or
    ``"row"`` (labels of the first column, ``labels[0]`` on line ``first``).
    """
    seen: dict[str, int] = {}
    for k, label in enumerate(labels):
        if label and label in seen:
            at = (seen[label] + first, k + first)
            raise InputError(
                f"duplicate {what} label ({what}s {at[0]} and {at[1]})",
                file=file,
                row=1 if what == "column" else at[1],
                column=label if what == "column" else 1,
                expected=f"unique {what} labels",
                found=label if what == "row" else None,
            )
        seen.setdefault(label, k)


def check_final_demand(
    final: Sequence[tuple[str, str]], file: str | Path, row: int = 1, what: str = "country"
) -> None:
    """Every destination of the final-demand columns ``final`` (destination, category) must
    have every category (blocks of the same shape); the first missing one is an InputError
    naming the header ``row``."""
    have = set(final)
    categories = list(dict.fromkeys(c for _, c in final))
    for d in dict.fromkeys(d for d, _ in final):
        missing = next((c for c in categories if (d, c) not in have), None)
        if missing is not None:
            raise InputError(
                f"final demand of {d!r} has no column {missing!r}",
                file=file,
                row=row,
                expected=f"the same {len(categories)} final-demand categories for every {what}",
            )


def numeric_block(
    frame: pd.DataFrame,
    columns: Sequence[Hashable],
    names: Sequence[str],
    file: str | Path,
    first_row: int = 2,
    blank_as_zero: NDArray[np.bool_] | None = None,
) -> np.ndarray:
    """``frame[columns]`` as a float matrix. A non-numeric or non-finite cell raises an
    :class:`InputError` giving the file row (data row 0 is ``first_row``) and ``names[k]``;
    empty cells in the rows flagged by ``blank_as_zero`` read as 0."""
    out = np.empty((len(frame), len(columns)))
    numeric_dtype = {  # once per dtype, not per column (a WIOD year has 1,643 columns)
        t: pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
        for t in set(frame.dtypes)
    }
    kinds: dict[Hashable, bool] = {
        c: numeric_dtype[t] for c, t in zip(frame.columns, frame.dtypes, strict=True)
    }
    numeric = [k for k, c in enumerate(columns) if kinds[c]]
    if numeric:  # one conversion for every numeric column (no per-column Series)
        block = frame[[columns[k] for k in numeric]]
        out[:, numeric] = block.to_numpy(dtype=np.float64, na_value=np.nan)
    not_numbers: dict[int, NDArray[np.bool_]] = {}
    for k in sorted(set(range(len(columns))) - set(numeric)):
        text = frame[columns[k]].astype(str).str.strip()
        conv = np.array(pd.to_numeric(text, errors="coerce"), dtype=np.float64)
        if blank_as_zero is not None:
            conv[blank_as_zero & (text == "").to_numpy()] = 0.0
        not_numbers[k] = np.isnan(conv)
        out[:, k] = conv
    bad_columns = np.flatnonzero(~np.isfinite(out).all(axis=0))
    if bad_columns.size:  # the first column with a bad cell, as a reader going left to right
        k = int(bad_columns[0])
        col = frame[columns[k]]
        if k in not_numbers:
            _refuse(not_numbers[k], col, names[k], file, first_row, "not a number", "a number")
        bad = ~np.isfinite(out[:, k])
        _refuse(bad, col, names[k], file, first_row, "not a finite number", "a finite number")
    return out


def _refuse(
    bad: NDArray[np.bool_],
    col: pd.Series,
    name: str,
    file: str | Path,
    first_row: int,
    reason: str,
    expected: str,
) -> None:
    """Raise for the first flagged cell of ``col``, naming its file row."""
    where = np.flatnonzero(bad)
    if where.size:
        i = int(where[0])
        raise InputError(
            reason, file=file, row=i + first_row, column=name, expected=expected,
            found=str(col.iloc[i]),
        )  # fmt: skip
