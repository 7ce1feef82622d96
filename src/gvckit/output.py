"""Writing tidy results: CSV (default, also to stdout), Parquet or JSON, chosen by extension.

Every file is written atomically (:func:`gvckit.files.atomic_write`): a failed run leaves no
partial output, and a new file gets the permissions a plain ``open()`` would give it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from gvckit.errors import OptionError, OutputError
from gvckit.files import atomic_write

__all__ = ["OUTPUT_FORMATS", "output_format", "write_frame"]

OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json"}


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
