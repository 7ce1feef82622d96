"""Which reader a zip or a folder is for, judged from the names of the files inside it."""

from __future__ import annotations

from pathlib import Path

from gvckit.icio.readers._members import Archive
from gvckit.icio.readers.eora import sniff_eora26
from gvckit.icio.readers.exiobase import sniff_exiobase
from gvckit.icio.readers.figaro import sniff_figaro_members

__all__ = ["container_format"]


def container_format(path: Path) -> str:
    """``eora26``, ``exiobase`` or ``figaro`` when the member names say so, else ``oecd`` (zips
    and folders of OECD ICIO CSVs). A damaged zip is an InputError."""
    names = Archive.of(path).names
    if sniff_eora26(names):
        return "eora26"
    if sniff_exiobase(names):
        return "exiobase"
    if sniff_figaro_members(names):
        return "figaro"
    return "oecd"
