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
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Protocol

from gvckit.errors import InputError, OutputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ByteProgress",
    "atomic_path",
    "atomic_write",
    "bounded",
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


class Closeable(Protocol):
    def close(self) -> None: ...


class _Bounded(io.RawIOBase):
    """A read-only stream over ``raw`` that enforces a byte limit and reports progress.

    ``position()`` tells how far the underlying source has been consumed, out of ``total``
    (compressed bytes on disk for a gzip file; bytes read for a zip member); ``also_close``
    are closed with the stream.
    """

    def __init__(
        self,
        raw: IO[bytes],
        name: str | Path,
        limit: int,
        progress: ByteProgress | None,
        total: int,
        position: Callable[[], int] | None = None,
        also_close: tuple[Closeable, ...] = (),
    ) -> None:
        self._raw = raw
        self._name = name
        self._limit = limit
        self._progress = progress
        self._total = total
        self._position = position
        self._also_close = also_close
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(b))
        except (EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"cannot decompress the file ({exc})",
                file=self._name,
                expected="a complete, valid compressed file",
            ) from None
        n = len(data)
        self._read += n
        if self._read > self._limit:
            raise InputError(
                f"the file inflates to more than {self._limit:,} bytes",
                file=self._name,
                expected="a smaller file (raise the limit with max_bytes if it is genuine)",
            )
        b[:n] = data
        if self._progress is not None:
            done = self._position() if self._position is not None else self._read
            self._progress(min(done, self._total), self._total)
        return n

    def close(self) -> None:
        for fh in (self._raw, *self._also_close):
            with contextlib.suppress(Exception):
                fh.close()
        super().close()


def bounded(
    raw: IO[bytes],
    *,
    name: str | Path,
    total: int,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
    also_close: tuple[Closeable, ...] = (),
) -> io.BufferedReader:
    """Wrap an open binary stream (e.g. a zip member of ``total`` bytes) with the byte limit
    and progress reporting of :func:`open_input`."""
    return io.BufferedReader(
        _Bounded(raw, name, max_bytes, progress, total, also_close=also_close),
        buffer_size=1 << 20,
    )


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
    stream = _Bounded(
        raw, path, max_bytes, progress, path.stat().st_size, position=disk.tell, also_close=(disk,)
    )
    return io.BufferedReader(stream, buffer_size=1 << 20)


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
