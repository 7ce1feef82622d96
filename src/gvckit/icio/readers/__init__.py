"""Readers: one module per published format, each returning a validated :class:`IcioTable`.

:func:`read` is the entry point; ``format="auto"`` recognises the format from the file itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gvckit.errors import InputError, OptionError
from gvckit.icio.readers._containers import container_format
from gvckit.icio.readers._csv import read_header
from gvckit.icio.readers._detect import WORKBOOK_SUFFIXES, detect_collection, detect_workbook
from gvckit.icio.readers.adb import read_adb
from gvckit.icio.readers.eora import read_eora26
from gvckit.icio.readers.exiobase import read_exiobase
from gvckit.icio.readers.figaro import read_figaro, sniff_figaro
from gvckit.icio.readers.oecd import read_oecd, sniff_oecd
from gvckit.icio.readers.template import read_template
from gvckit.icio.readers.wide import read_wide, sniff_wide
from gvckit.icio.readers.wiod import read_wiod
from gvckit.icio.table import IcioTable

__all__ = ["FORMATS", "detect_format", "read"]

Reader = Callable[..., IcioTable]

#: Format name → reader. Each reader takes the path and keyword options.
FORMATS: dict[str, Reader] = {
    "wide": read_wide,
    "oecd": read_oecd,
    "eora26": read_eora26,
    "exiobase": read_exiobase,
    "figaro": read_figaro,
    "wiod": read_wiod,
    "adb": read_adb,
    "template": read_template,
}

#: What each format reads, for messages.
DESCRIPTIONS = {
    "wide": "wide CSV and Excel tables",
    "oecd": "OECD ICIO files, zips and folders",
    "eora26": "Eora26 zips and folders",
    "exiobase": "EXIOBASE 3 zips and folders",
    "figaro": "FIGARO CSV files, zips and folders",
    "wiod": "WIOD workbooks (.xlsx, .xlsb), R data files, zips and folders",
    "adb": "ADB MRIO workbooks",
    "template": "gvckit table templates (.xlsx)",
}


def detect_format(path: str | Path) -> str:
    """The format of ``path`` judged from its content (header row, zip members)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", file=p)
    if p.is_dir() or p.suffix.lower() == ".zip":
        # by member names; a damaged zip is an InputError
        return detect_collection(p) or container_format(p)
    special = detect_workbook(p)  # WIOD, ADB MRIO, template: by name, sheets, header rows
    if special is not None:
        return special
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        return "wide"
    header = read_header(p, p)
    if sniff_wide(header):
        return "wide"
    if sniff_figaro(header):
        return "figaro"
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
    OECD, Eora26 and FIGARO zips, ``sheet="2011"`` for workbooks, ``price="pp"`` for Eora26,
    ``table="prod-by-prod"`` for FIGARO). An option the format does not take is an
    :class:`OptionError`.
    """
    p = Path(path)
    fmt = detect_format(p) if format == "auto" else format
    if fmt not in FORMATS:
        raise OptionError(f"unknown format {format!r}; choose auto or one of: {', '.join(FORMATS)}")
    return FORMATS[fmt](p, **_accepted(fmt, p, options))
