"""A minimal ``.xlsb`` writer for test fixtures (no Python library writes xlsb).

An xlsb workbook is a zip of binary BIFF12 parts ([MS-XLSB]): ``xl/workbook.bin`` lists the
sheets (BrtBundleSh), ``xl/sharedStrings.bin`` holds the strings (BrtSST, BrtSSTItem) and
``xl/worksheets/sheetN.bin`` the cells (BrtWsDim, BrtBeginSheetData, BrtRowHdr, BrtCellReal for
numbers, BrtCellIsst for strings, BrtEndSheetData). Each record is a type (7 bits per byte,
high bit = more) and a length (the same encoding), then the payload. The relationship and
content-type parts are the XML ones Excel writes (copied from the structure of the WIOD 2016
test cut ``WIOTtest_Nov16_ROW.xlsb`` shipped with CLIMADA, which was read with pyxlsb to check
the record kinds: BrtCellReal, BrtCellRk, BrtCellIsst, BrtCellBlank). Only what pyxlsb reads is
written: enough for gvckit's reader, which uses pyxlsb; Excel itself is not a target.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path

_NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BIN_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _record(rtype: int, payload: bytes = b"") -> bytes:
    return _varint(rtype) + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


# record types ([MS-XLSB] 2.3.2)
ROW_HDR, CELL_REAL, CELL_ISST = 0, 5, 7
BEGIN_SHEET, END_SHEET, BEGIN_DATA, END_DATA, WS_DIM = 129, 130, 145, 146, 148
BEGIN_BOOK, END_BOOK, BEGIN_SHEETS, END_SHEETS, BUNDLE_SH = 131, 132, 143, 144, 156
BEGIN_SST, END_SST, SST_ITEM = 159, 160, 19


def _sheet_part(rows: Sequence[Sequence[object]], strings: dict[str, int]) -> bytes:
    width = max((len(r) for r in rows), default=1)
    out = bytearray(_record(BEGIN_SHEET))
    out += _record(WS_DIM, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1))
    out += _record(BEGIN_DATA)
    for r, row in enumerate(rows):
        out += _record(ROW_HDR, struct.pack("<IIHHBBH", r, 0, 0x0114, 0, 0, 0, 0))
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                isst = strings.setdefault(value, len(strings))
                out += _record(CELL_ISST, struct.pack("<III", c, 0, isst))
            else:
                out += _record(CELL_REAL, struct.pack("<IId", c, 0, float(value)))  # type: ignore[arg-type]
    out += _record(END_DATA) + _record(END_SHEET)
    return bytes(out)


def write_xlsb(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """Write ``sheets`` (name → rows of numbers, strings or None) as an .xlsb workbook."""
    strings: dict[str, int] = {}
    parts = {f"xl/worksheets/sheet{k}.bin": _sheet_part(rows, strings)
             for k, rows in enumerate(sheets.values(), start=1)}  # fmt: skip
    book = bytearray(_record(BEGIN_BOOK) + _record(BEGIN_SHEETS))
    for k, name in enumerate(sheets, start=1):
        book += _record(BUNDLE_SH, struct.pack("<II", 0, k) + _wide(f"rId{k}") + _wide(name))
    book += _record(END_SHEETS) + _record(END_BOOK)
    sst = bytearray(_record(BEGIN_SST, struct.pack("<II", len(strings), len(strings))))
    for text in strings:  # dicts keep insertion order = index order
        sst += _record(SST_ITEM, b"\x00" + _wide(text))
    sst += _record(END_SST)
    n = len(sheets)
    rels = "".join(
        f'<Relationship Id="rId{k}" Type="{_NS_DOC}/worksheet" Target="worksheets/sheet{k}.bin"/>'
        for k in range(1, n + 1)
    )
    rels += (
        f'<Relationship Id="rId{n + 1}" Type="{_NS_DOC}/sharedStrings" Target="sharedStrings.bin"/>'
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.bin"'
        ' ContentType="application/vnd.ms-excel.worksheet"/>'
        for k in range(1, n + 1)
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="bin" ContentType="{_BIN_MAIN}"/>'
            '<Default Extension="rels"'
            ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/sharedStrings.bin"'
            ' ContentType="application/vnd.ms-excel.sharedStrings"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            head + f'<Relationships xmlns="{_NS_REL}"><Relationship Id="rId1"'
            f' Type="{_NS_DOC}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        )
        zf.writestr("xl/workbook.bin", bytes(book))
        zf.writestr(
            "xl/_rels/workbook.bin.rels",
            head + f'<Relationships xmlns="{_NS_REL}">{rels}</Relationships>',
        )
        for name, data in parts.items():
            zf.writestr(name, data)
        zf.writestr("xl/sharedStrings.bin", bytes(sst))
    return path
