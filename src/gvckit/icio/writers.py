"""Writing a table in the wide layout that :mod:`gvckit.icio.readers.wide` reads back.

Columns ``country, industry``, one column ``<entity>_<sector>`` per using entity-sector, one
column ``<destination>_<category>`` per final-demand cell, and ``output`` when the table has a
published output; primary-input rows (value added ...) follow the entity-sector rows with an
empty ``country`` cell. Numbers are written with full precision (``repr``), so the table reads
back with the same values.

``.csv`` (also ``.csv.gz``) is the format ``gvckit measure`` reads; ``.parquet`` holds the same
columns for other tools.
"""

from __future__ import annotations

import gzip
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd

from gvckit.errors import OptionError, OutputError
from gvckit.files import atomic_write
from gvckit.icio.table import IcioTable

__all__ = ["TABLE_FORMATS", "table_format", "wide_frame", "write_table"]

#: Output suffix → format.
TABLE_FORMATS = {".csv": "csv", ".csv.gz": "csv.gz", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: str | Path) -> str:
    """The format implied by ``path``'s name (``.csv``, ``.csv.gz``, ``.parquet``)."""
    name = Path(path).name.lower()
    for suffix in sorted(TABLE_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            fmt = TABLE_FORMATS[suffix]
            if fmt == "parquet" and not any(find_spec(m) for m in ("pyarrow", "fastparquet")):
                raise OptionError(f"writing {name} needs pyarrow (pip install pyarrow)")
            return fmt
    raise OptionError(
        f"cannot tell the table format of {str(path)!r} from its name;"
        f" use one of {', '.join(TABLE_FORMATS)}"
    )


def wide_frame(table: IcioTable) -> pd.DataFrame:
    """The table as one DataFrame in the wide layout (see the module docstring)."""
    parts = [e for e, c in zip(table.entities, table.entity_country, strict=True) if e != c]
    if parts:
        raise OptionError(
            f"the wide layout cannot record that {', '.join(parts[:4])} are parts of a country"
            " (read back, they would be countries of their own); merge them first by"
            " aggregating the countries (gvckit table aggregate --countries MAP)"
        )
    n, D, F = table.Y.shape
    zcols = list(table.row_labels)
    ycols = [f"{d}_{c}" for d in table.destinations for c in table.categories]
    columns: dict[str, object] = {
        "country": np.repeat(np.array(table.entities, dtype=object), len(table.sectors)),
        "industry": np.tile(np.array(table.sectors, dtype=object), len(table.entities)),
    }
    body = pd.DataFrame(np.hstack([table.Z, table.Y.reshape(n, D * F)]), columns=[*zcols, *ycols])
    frame = pd.concat([pd.DataFrame(columns), body], axis=1)
    if table.given_output is not None:
        frame["output"] = table.given_output
    if table.primary_inputs:
        below = pd.DataFrame(np.vstack(list(table.primary_inputs.values())), columns=zcols).reindex(
            columns=frame.columns
        )
        below["country"] = ""
        below["industry"] = list(table.primary_inputs)
        frame = pd.concat([frame, below], ignore_index=True)
    return frame


def write_table(table: IcioTable, path: str | Path) -> None:
    """Write ``table`` to ``path`` in the wide layout, atomically (format by the name)."""
    fmt = table_format(path)
    frame = wide_frame(table)
    try:
        with atomic_write(path) as fh:
            if fmt == "parquet":
                frame.to_parquet(fh, index=False)
            elif fmt == "csv.gz":
                with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
                    frame.to_csv(gz, index=False, lineterminator="\n", encoding="utf-8")
            else:
                frame.to_csv(fh, index=False, lineterminator="\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
