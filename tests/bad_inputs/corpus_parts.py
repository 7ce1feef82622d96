"""The building blocks of the bad-input corpus: the case record, the per-reader folder, and
byte-level helpers that cut, damage or re-announce files and zip members."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Size announced by the zip bomb's headers.
BOMB_BYTES = 2_000_000_000
FORMATS = ("wide", "oecd", "figaro", "eora26", "exiobase", "wiod", "adb", "template")

Grid = list[list[str]]
Rows = list[list[Any]]

#: What the messages of the container cases say.
GZIP_CUT = ("cannot read the gzip file", "expected a complete, valid gzip file")
ZIP_CUT = ("not a valid zip file", "expected a complete zip file")
XLSX_CUT = ("not a valid .xlsx workbook", "expected an .xlsx file")
DAMAGED = ("cannot read the zip member", "expected a complete, valid zip member")
BOMB = ("announces 2,000,000,000 bytes", "a zip bomb", "expected at most")


@dataclass(frozen=True)
class Case:
    """One bad file: the error line must start with ``error: <path>`` and name ``member`` (a
    zip member, when the file is a zip) and each of ``expect`` after the path."""

    name: str  # "<format>-<case>", the test id
    path: Path
    format: str  # the reader forced with --format, or "auto"
    expect: tuple[str, ...]
    member: str | None = None
    command: tuple[str, ...] = ("measure", "tiva")

    def argv(self, output: Path) -> list[str]:
        """The command line: the measure, the file, the output file, the format."""
        args = [*self.command, str(self.path), "-o", str(output)]
        return args if self.format == "auto" else [*args, "--format", self.format]


class _Folder:
    """Writes the cases of one reader into ``folder/<reader>/`` (only lists them when ``write``
    is False)."""

    def __init__(self, root: Path, reader: str, write: bool) -> None:
        self.reader = reader
        self.folder = root / reader
        self.write = write
        if write:
            if self.folder.exists():
                shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
        self.cases: list[Case] = []

    def add(
        self,
        case: str,
        name: str,
        data: bytes,
        *expect: str,
        format: str = "auto",
        member: str | None = None,
    ) -> Path:
        target = self.folder / case / name  # one folder per case: files keep published names
        if self.write:
            target.parent.mkdir()
            target.write_bytes(data)
        self.cases.append(Case(f"{self.reader}-{case}", target, format, expect, member))
        return target

    def zip_cases(self, name: str, archive: bytes, member: str) -> None:
        """The zip ``archive`` cut short (as found, and forced to this reader), with ``member``
        damaged, and with ``member`` announcing 2 GB."""
        self.add("truncated_zip", name, _cut(archive), *ZIP_CUT)
        self.add("truncated_zip_forced", name, _cut(archive), *ZIP_CUT, format=self.reader)
        self.add("member_damaged", name, _damaged(archive, member), *DAMAGED, member=member)
        self.add("zip_bomb", name, _announce(archive, member), *BOMB, member=member)


# ---------------------------------------------------------------- bytes, CSV and zip helpers


def _csv(grid: Sequence[Sequence[object]], sep: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(grid)
    return buf.getvalue()


def _grid(text: str, sep: str = ",") -> Grid:
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)]


def _cut(data: bytes) -> bytes:
    """The first two thirds of ``data`` (a download cut short)."""
    return data[: len(data) * 2 // 3]


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _without(data: bytes, member: str) -> bytes:
    """The zip without ``member``."""
    return _zip({k: v for k, v in _unzip(data).items() if k != member})


def _data_span(data: bytes, member: str) -> tuple[int, int]:
    """Where ``member``'s compressed data lies in the zip: start and length."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
    return at + 30 + name_len + extra_len, info.compress_size


def _damaged(data: bytes, member: str) -> bytes:
    """The zip with the middle of ``member``'s compressed data overwritten."""
    start, length = _data_span(data, member)
    lo, hi = start + length // 4, start + 3 * length // 4
    return data[:lo] + b"\xff" * (hi - lo) + data[hi:]


def _announce(data: bytes, member: str, size: int = BOMB_BYTES) -> bytes:
    """The zip with ``member``'s uncompressed size set to ``size`` in its local header and in
    the central directory (a zip bomb's headers, without the 2 GB of data)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at = zf.getinfo(member).header_offset
    struct.pack_into("<I", out, at + 22, size)  # local file header: uncompressed size
    pos = out.find(b"PK\x01\x02")  # the central directory's first entry
    while pos >= 0:
        name_len, extra_len, comment_len = struct.unpack("<HHH", out[pos + 28 : pos + 34])
        if out[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, pos + 24, size)  # central header: uncompressed size
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    raise KeyError(member)


def _book(sheets: dict[str, Rows]) -> bytes:
    """An .xlsx workbook holding ``sheets`` (name → rows of values)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_part(book: bytes, k: int = 1) -> str:
    """The zip member of the ``k``-th sheet of a workbook written by openpyxl."""
    name = f"xl/worksheets/sheet{k}.xml"
    assert name in _unzip(book)
    return name


def _set(grid: Grid, row: int, col: int, value: str) -> Grid:
    """A copy of ``grid`` with cell (``row``, ``col``) (0-based) set to ``value``."""
    out = [list(r) for r in grid]
    out[row][col] = value
    return out


def _drop_col(grid: Sequence[Sequence[Any]], col: int) -> list[list[Any]]:
    return [[v for k, v in enumerate(r) if k != col] for r in grid]


def _swap(rows: Sequence[Any], a: int, b: int) -> list[Any]:
    out = list(rows)
    out[a], out[b] = out[b], out[a]
    return out


def _swap_cols(grid: Sequence[Sequence[Any]], a: int, b: int) -> list[list[Any]]:
    return [_swap(r, a, b) for r in grid]
