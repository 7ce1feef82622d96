"""Writing tidy results: CSV (default, also to stdout), Parquet or JSON, chosen by extension.

Every file is written atomically (:func:`gvckit.files.atomic_write`): a failed run leaves no
partial output, and a new file gets the permissions a plain ``open()`` would give it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gvckit.errors import OptionError, OutputError
from gvckit.files import atomic_write

__all__ = ["MILLIONS_FROM", "OUTPUT_FORMATS", "money_for_people", "output_format", "write_frame"]

OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json"}
#: A money column whose largest absolute amount reaches this is shown in millions.
MILLIONS_FROM = 10_000_000.0


def output_format(path: str | Path) -> str:
    """The format implied by ``path``'s extension."""
    suffix = Path(path).suffix.lower()
    fmt = OUTPUT_FORMATS.get(suffix)
    if fmt is None:
        raise OptionError(
            f"cannot tell the output format of {str(path)!r} from its extension;"
            f" use one of {', '.join(OUTPUT_FORMATS)}"
        )
    return fmt


def write_frame(frame: pd.DataFrame, path: str | Path | None = None) -> None:
    """Write ``frame`` to ``path`` (format by extension) or as CSV to stdout when ``path`` is
    None or ``"-"``."""
    if path is None or str(path) == "-":
        try:
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    fmt = output_format(path)
    try:
        with atomic_write(path) as fh:
            if fmt == "csv":
                frame.to_csv(fh, index=False, lineterminator="\n", encoding="utf-8")
            elif fmt == "parquet":
                frame.to_parquet(fh, index=False)
            else:
                frame.to_json(
                    fh, orient="records", double_precision=15, indent=None, date_format="iso"
                )
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def money_for_people(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` for a terminal table: each money column in ``columns`` as text with
    thousands separators and no cents (``2,180,753,218``); a column whose largest absolute
    amount reaches :data:`MILLIONS_FROM` is shown in millions with one decimal (``2,180.8``) and
    its header says so (``commitment (millions)``). Missing amounts stay empty. Files keep full
    precision: use this for the screen only."""
    out = frame.copy()
    for col in columns:
        if col not in out:
            continue
        values = pd.to_numeric(out[col], errors="coerce")
        largest = values.abs().max()
        if pd.notna(largest) and largest >= MILLIONS_FROM:
            text = values.map(lambda x: "" if pd.isna(x) else f"{x / 1e6:,.1f}")
            out[col] = text
            out = out.rename(columns={col: f"{col} (millions)"})
        else:
            out[col] = values.map(lambda x: "" if pd.isna(x) else f"{x:,.0f}")
    return out
