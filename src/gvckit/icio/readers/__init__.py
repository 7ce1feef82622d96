"""Readers: one module per published format, each returning a validated :class:`IcioTable`.

:func:`read` is the entry point; ``format="auto"`` recognises the format from the file itself.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gvckit.errors import InputError, OptionError
from gvckit.files import open_input
from gvckit.icio.table import IcioTable

__all__ = ["FORMATS", "detect_format", "read"]

Reader = Callable[..., IcioTable]


def _wide(path: Path, **kw: Any) -> IcioTable:
    from gvckit.icio.readers.wide import read_wide

    return read_wide(path, **kw)


def _oecd(path: Path, **kw: Any) -> IcioTable:
    from gvckit.icio.readers.oecd import read_oecd

    table: IcioTable = read_oecd(path, **kw)
    return table


#: Format name → reader. Each reader takes the path and keyword options.
FORMATS: dict[str, Reader] = {"wide": _wide, "oecd": _oecd}


def _first_line(path: Path) -> str:
    with open_input(path, max_bytes=1 << 26) as fh:
        line = fh.readline(1 << 24)
    return line.decode("utf-8-sig", errors="replace")


def detect_format(path: str | Path) -> str:
    """The format of ``path`` judged from its content (header row, zip members)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", file=p)
    if p.is_dir() or (zipfile.is_zipfile(p) and p.suffix.lower() == ".zip"):
        return "oecd"
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return "wide"
    line = _first_line(p)
    if not line.strip():
        raise InputError("the file is empty", file=p, expected="an input-output table")
    header = next(csv.reader(io.StringIO(line)))
    from gvckit.icio.readers.oecd import sniff_oecd
    from gvckit.icio.readers.wide import sniff_wide

    if sniff_wide(header):
        return "wide"
    if sniff_oecd(header):
        return "oecd"
    raise InputError(
        "cannot tell the table's format from its header",
        file=p,
        row=1,
        expected="a wide table (columns country, industry, ...) or an OECD ICIO file;"
        " name the format with --format",
        found=",".join(header[:4]),
    )


def read(path: str | Path, format: str = "auto", **options: Any) -> IcioTable:
    """Read an input-output table from ``path``.

    ``format`` is ``"auto"`` or one of :data:`FORMATS`; ``options`` go to the reader (e.g.
    ``output_basis="given"``, ``max_bytes=...``, ``progress=callback``).
    """
    p = Path(path)
    fmt = detect_format(p) if format == "auto" else format
    reader = FORMATS.get(fmt)
    if reader is None:
        raise OptionError(f"unknown format {format!r}; choose auto or one of: {', '.join(FORMATS)}")
    return reader(p, **options)
