"""Safe file access: bounded, decompressing input streams and atomic output.

Input: :func:`open_input` opens a plain or gzip file as a binary stream that counts the bytes it
delivers (for progress bars), refuses to inflate past a limit (gzip bombs) and turns a truncated
or corrupt gzip stream into an :class:`~gvckit.errors.InputError` naming the file.

Output: :func:`atomic_write` writes to a temporary file in the target's folder and renames it
into place only when the writer finished without error, so a failed run leaves no partial file.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from gvckit.errors import InputError, OutputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ByteProgress",
    "atomic_write",
    "is_gzip",
    "open_input",
]

#: Largest decompressed input read by default (bytes); a larger file is refused.
DEFAULT_MAX_BYTES = 8 * 1024**3

ByteProgress = Callable[[int, int], None]
"""Callback ``(bytes_done, bytes_total)``; ``bytes_total`` is the size on disk."""


def is_gzip(path: Path) -> bool:
    """True when ``path`` starts with the gzip magic number."""
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


class _Bounded(io.RawIOBase):
    """A read-only stream over ``raw`` that enforces a byte limit and reports progress."""

    def __init__(
        self,
        raw: IO[bytes],
        disk: BinaryIO,
        path: Path,
        limit: int,
        progress: ByteProgress | None,
    ) -> None:
        self._raw = raw
        self._disk = disk
        self._path = path
        self._limit = limit
        self._progress = progress
        self._total = path.stat().st_size
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(b))
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise InputError(
                f"cannot decompress the file ({exc})",
                file=self._path,
                expected="a complete, valid gzip file",
            ) from None
        n = len(data)
        self._read += n
        if self._read > self._limit:
            raise InputError(
                f"the file inflates to more than {self._limit:,} bytes",
                file=self._path,
                expected="a smaller file (raise the limit with max_bytes if it is genuine)",
            )
        b[:n] = data
        if self._progress is not None:
            self._progress(min(self._disk.tell(), self._total), self._total)
        return n

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()
        with contextlib.suppress(Exception):
            self._disk.close()
        super().close()


def open_input(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> io.BufferedReader:
    """Open ``path`` (plain or gzip) for reading as a bounded binary stream."""
    if not path.exists():
        raise InputError("no such file", file=path)
    if path.is_dir():
        raise InputError("this is a folder", file=path, expected="a file")
    disk = path.open("rb")
    raw: IO[bytes]
    if disk.read(2) == b"\x1f\x8b":
        disk.seek(0)
        raw = gzip.GzipFile(fileobj=disk, mode="rb")  # type: ignore[assignment]
    else:
        disk.seek(0)
        raw = disk
    return io.BufferedReader(_Bounded(raw, disk, path, max_bytes, progress), buffer_size=1 << 20)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO[bytes] | IO[str]]:
    """Write ``path`` atomically: a temporary file beside it, renamed into place on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Like :func:`atomic_write` for writers that want a file name (e.g. Parquet writers)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
