"""Recognising the spreadsheet, R and zip formats: WIOD, ADB MRIO and the gvckit template.

Judged from the file name where the publisher's naming is unambiguous, else from the content:
sheet names and the first rows of the data sheet (a workbook) or the member names (a zip or a
folder). ``None`` means "none of these" (a workbook is then read as a wide table, a zip or a
folder as an OECD ICIO one).
"""

from __future__ import annotations

import zipfile
from itertools import islice
from pathlib import Path

from gvckit.errors import InputError
from gvckit.files import DEFAULT_MAX_BYTES
from gvckit.icio.readers._sheets import open_book
from gvckit.icio.readers.adb import ADB_FILE, data_sheet, sniff_adb
from gvckit.icio.readers.template import sniff_template
from gvckit.icio.readers.wiod import WIOD_FILE, list_wiod_files, sniff_wiod

__all__ = ["WORKBOOK_SUFFIXES", "detect_collection", "detect_workbook"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb")
R_SUFFIXES = (".rdata", ".rda")
HEAD_ROWS = 12


def detect_workbook(path: Path) -> str | None:
    """``"wiod"``, ``"adb"``, ``"template"`` or None for a workbook or R data file."""
    suffix = path.suffix.lower()
    if suffix not in (*WORKBOOK_SUFFIXES, *R_SUFFIXES):
        return None
    if suffix in R_SUFFIXES or WIOD_FILE.search(path.name):
        return "wiod"
    if ADB_FILE.search(path.name):
        return "adb"
    with open_book(path, str(path), DEFAULT_MAX_BYTES) as book:
        sheets = book.sheetnames
        if sniff_template(sheets):
            return "template"
        sheet = data_sheet(sheets)
        head = list(islice(book.rows(sheet), HEAD_ROWS)) if sheet is not None else []
    first = head[0][0] if head and head[0] else None
    if sniff_template(sheets, first):
        return "template"
    if sniff_adb(path.name, sheets, head):
        return "adb"
    if sniff_wiod(path.name, head) or suffix == ".xlsb":
        return "wiod"
    return None


def detect_collection(path: Path) -> str | None:
    """``"wiod"`` for a zip or folder holding WIOD tables, else None."""
    try:
        if path.is_dir() or zipfile.is_zipfile(path):
            return "wiod" if list_wiod_files(path) else None
    except InputError:
        return None
    return None
