"""Readers: one module per published format, each returning a validated :class:`IcioTable`.

:func:`read` is the entry point; ``format="auto"`` recognises the format from the file itself.
"""

from __future__ import annotations

import inspect
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gvckit.errors import InputError, OptionError
from gvckit.icio.readers._csv import read_header
from gvckit.icio.readers.oecd import read_oecd, sniff_oecd
from gvckit.icio.readers.wide import read_wide, sniff_wide
from gvckit.icio.table import IcioTable

__all__ = ["FORMATS", "detect_format", "read"]

Reader = Callable[..., IcioTable]

#: Format name → reader. Each reader takes the path and keyword options.
FORMATS: dict[str, Reader] = {"wide": read_wide, "oecd": read_oecd}

#: What each format reads, for messages.
DESCRIPTIONS = {
    "wide": "wide CSV and Excel tables",
    "oecd": "OECD ICIO files, zips and folders",
}


def detect_format(path: str | Path) -> str:
    """The format of ``path`` judged from its content (header row, zip members)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", file=p)
    if p.is_dir() or (zipfile.is_zipfile(p) and p.suffix.lower() == ".zip"):
        return "oecd"
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return "wide"
    header = read_header(p, p)
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


def _options_of(reader: Reader) -> set[str]:
    """The keyword options ``reader`` takes."""
    params = inspect.signature(reader).parameters.values()
    return {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}


def _accepted(fmt: str, path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` the reader of ``fmt`` takes; one it does not take is an :class:`OptionError`
    (unless its value is None, which means "not given")."""
    takes = _options_of(FORMATS[fmt])
    for name, value in options.items():
        if name not in takes and value is not None:
            others = [DESCRIPTIONS[f] for f, r in FORMATS.items() if name in _options_of(r)]
            hint = f"; it applies to {' and '.join(others)}" if others else ""
            raise OptionError(
                f"option {name!r} does not apply to {DESCRIPTIONS[fmt]} ({path.name}){hint}"
            )
    return {name: value for name, value in options.items() if name in takes}


def read(path: str | Path, format: str = "auto", **options: Any) -> IcioTable:
    """Read an input-output table from ``path``.

    ``format`` is ``"auto"`` or one of :data:`FORMATS`; ``options`` go to the reader (e.g.
    ``output_basis="given"``, ``max_bytes=...``, ``progress=callback``, ``year=2017`` for
    OECD zips, ``sheet="2011"`` for workbooks). An option the format does not take is an
    :class:`OptionError`.
    """
    p = Path(path)
    fmt = detect_format(p) if format == "auto" else format
    if fmt not in FORMATS:
        raise OptionError(f"unknown format {format!r}; choose auto or one of: {', '.join(FORMATS)}")
    return FORMATS[fmt](p, **_accepted(fmt, p, options))
