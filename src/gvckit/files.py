"""Safe file access: bounded, decompressing input streams and atomic output.

Input: :func:`open_input` opens a plain or gzip file as a binary stream that counts the bytes it
delivers (for progress bars), refuses to inflate past a limit (gzip bombs) and turns a truncated
or corrupt gzip stream into an :class:`~gvckit.errors.InputError` naming the file.

Output: :func:`atomic_write` writes to a temporary file in the target's folder and renames it
into place only when the writer finished without error, so a failed run leaves no partial file.
The file gets the permissions a plain ``open()`` would give it (``0o666`` less the umask), or
those of the file it replaces.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import secrets
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from gvckit.errors import InputError, OutputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ByteProgress",
    "atomic_write",
    "bounded",
    "check_zip_member",
    "open_input",
]

#: Largest decompressed input read by default (bytes); a larger file is refused.
DEFAULT_MAX_BYTES = 8 * 1024**3
#: Most bytes a deflate stream inflates to per compressed byte (258-byte matches in 2 bits).
DEFLATE_MAX_RATIO = 1032

ByteProgress = Callable[[int, int], None]
"""Callback ``(bytes_done, bytes_total)``; ``bytes_total`` is the size on disk."""


class Closeable(Protocol):
    def close(self) -> None: ...


class _Bounded(io.RawIOBase):
    """A read-only stream over ``raw`` that enforces a byte limit and reports progress.

    ``position()`` tells how far the underlying source has been consumed, out of ``total``
    (compressed bytes on disk for a gzip file; bytes read for a zip member); ``also_close``
    are closed with the stream. ``kind`` names the source in messages ("gzip file").
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
        kind: str = "file",
    ) -> None:
        self._raw = raw
        self._kind = kind
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
                f"cannot read the {self._kind} ({exc})",
                file=self._name,
                expected=f"a complete, valid {self._kind}",
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
        _Bounded(raw, name, max_bytes, progress, total, also_close=also_close, kind="zip member"),
        buffer_size=1 << 20,
    )


def check_zip_member(
    info: zipfile.ZipInfo, file: str | Path, max_bytes: int, what: str = "zip member"
) -> None:
    """Refuse, from its headers alone, a zip member that inflates past ``max_bytes`` or that
    announces more bytes than its compressed data can hold (a damaged header or a zip bomb:
    stored data does not grow, deflated data grows at most 1032-fold)."""
    if info.file_size > max_bytes:
        raise InputError(
            f"{what} {info.filename!r} inflates to {info.file_size:,} bytes",
            file=file,
            expected=f"at most {max_bytes:,} bytes (raise max_bytes if genuine)",
        )
    most = {
        zipfile.ZIP_STORED: info.compress_size,
        zipfile.ZIP_DEFLATED: DEFLATE_MAX_RATIO * info.compress_size + 1024,
    }.get(info.compress_type)
    if most is not None and info.file_size > most:
        raise InputError(
            f"{what} {info.filename!r} announces {info.file_size:,} bytes from"
            f" {info.compress_size:,} compressed bytes (a damaged zip or a zip bomb)",
            file=file,
            expected=f"at most {most:,} bytes from that much compressed data",
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
    if not path.is_file():  # a named pipe (which cannot seek, or waits for ever), a device
        raise InputError("not a regular file", file=path, expected="a file")
    disk = path.open("rb")
    is_gzip = disk.read(2) == b"\x1f\x8b"
    disk.seek(0)
    raw: IO[bytes] = disk
    if is_gzip:
        raw = gzip.GzipFile(fileobj=disk, mode="rb")  # type: ignore[assignment]
    stream = _Bounded(
        raw,
        path,
        max_bytes,
        progress,
        path.stat().st_size,
        position=disk.tell,
        also_close=(disk,),
        kind="gzip file" if is_gzip else "file",
    )
    return io.BufferedReader(stream, buffer_size=1 << 20)


def _create_beside(target: Path) -> tuple[int, Path]:
    """Create a new, empty temporary file next to ``target``: its descriptor and path.

    Created as ``open()`` creates files (``0o666`` less the umask), then given the mode of the
    existing ``target`` if there is one.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        return fd, tmp
    raise OutputError(f"cannot write {target}: no free temporary file name in its folder")


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write ``path`` atomically: yield a file (``mode`` "wb", or "w" for UTF-8 text) opened on a
    temporary file beside it, renamed into place once the block finished without error.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = _create_beside(target)
    try:
        with open(fd, mode, encoding=None if "b" in mode else "utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
