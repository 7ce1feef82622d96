"""Writing tidy results: CSV (default, also to stdout), Parquet or JSON, chosen by extension;
and the same results rounded for people (:func:`for_people`, used by the terminal tables).

Every file is written atomically (:func:`gvckit.files.atomic_write`): a failed run leaves no
partial output, and a new file gets the permissions a plain ``open()`` would give it. Files and
piped output keep full precision; only what is shown to a person is rounded.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from gvckit.errors import OptionError, OutputError
from gvckit.files import atomic_write

__all__ = [
    "MILLIONS_FROM",
    "OUTPUT_FORMATS",
    "STYLES",
    "for_people",
    "is_share",
    "money_for_people",
    "output_format",
    "output_style",
    "readable",
    "write_frame",
]

#: How a command's result is shown: ``auto`` is a table on a terminal and CSV when piped.
STYLES = ("auto", "table", "csv", "json")

_SHARE = re.compile(r"(share|(^|_)sh$|ratio|percent)", re.IGNORECASE)
_LABELS = ("indicator", "term", "measure")
_PLAIN_INT = re.compile(r"(year|date|rank|version|^id$|_id$|code)", re.IGNORECASE)


def output_style(style: str, output: str | Path | None = None, terminal: bool | None = None) -> str:
    """The style a result is written in: ``file`` when ``output`` is given, else ``style``;
    ``auto`` is ``table`` when stdout is a terminal (``terminal``, default: ``isatty``) and
    ``csv`` otherwise, so that piped output stays machine-readable."""
    if style not in STYLES:
        raise OptionError(f"--format must be one of {', '.join(STYLES)}, not {style!r}")
    if output is not None and str(output) != "-":
        return "file"
    if style != "auto":
        return style
    if terminal is None:
        terminal = sys.stdout.isatty()
    return "table" if terminal else "csv"


#: Columns that hold fractions of a whole under another name (progress to a target).
_SHARE_COLUMNS = frozenset({"progress", "expected"})


def is_share(name: object) -> bool:
    """Whether a column or indicator name denotes a share (``GVC_SH``, ``share_of_final_price``,
    ``VAX_RATIO``, a results chain's ``progress``): shown as a percentage."""
    return isinstance(name, str) and (bool(_SHARE.search(name)) or name in _SHARE_COLUMNS)


def readable(value: Any, share: bool = False, plain: bool = False) -> str:
    """One number (or other cell) for a person: thousands separators, about four significant
    digits, float noise gone (``0.30000000000000004`` → ``0.3``), shares as % with one decimal;
    missing values empty. ``plain`` integers (years, ranks, codes) are shown as they are."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, numbers.Integral):
        number = int(value)
        if share:
            return f"{number * 100:,} %"
        return str(number) if plain else f"{number:,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if share:
            return f"{x * 100:,.1f} %"
        if plain and x.is_integer():
            return str(int(x))
        return _number(x)
    return str(value)


def _number(x: float) -> str:
    if x == 0:
        return "0"
    size = abs(x)
    if size >= 1000:
        text = f"{x:,.0f}"
    elif size >= 1e-4:
        decimals = max(0, 3 - math.floor(math.log10(size)))
        text = f"{x:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{x:.3g}"
    return "0" if text in ("-0", "") else text


def for_people(frame: pd.DataFrame) -> list[list[str]]:
    """The rows of ``frame`` as text for a terminal table (see :func:`readable`). A column is a
    share when its name says so; a ``value`` column is a share in the rows whose ``indicator``
    or ``term`` says so."""
    labels = [c for c in _LABELS if c in frame.columns]
    share_cols = {c for c in frame.columns if is_share(c)}
    plain_cols = {c for c in frame.columns if isinstance(c, str) and _PLAIN_INT.search(c)}
    rows: list[list[str]] = []
    for record in frame.itertuples(index=False, name=None):
        cells = dict(zip(frame.columns, record, strict=True))
        row_share = any(is_share(cells[c]) for c in labels)
        rows.append(
            [
                readable(
                    v,
                    share=c in share_cols or (c == "value" and row_share),
                    plain=c in plain_cols,
                )
                for c, v in cells.items()
            ]
        )
    return rows


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
