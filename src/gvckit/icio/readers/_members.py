"""Files inside a zip or a folder, for databases published as several files (Eora26, EXIOBASE 3)
or as zips of tables (FIGARO).

:class:`Archive` lists the files of a zip (as published) or of a folder (extracted), finds them by
name and opens each as a bounded stream (:func:`gvckit.files.bounded`): a zip member whose declared
size exceeds ``max_bytes`` is refused before anything is inflated, and reading stops past that
limit whatever the zip's directory claims (zip bombs). A truncated or damaged zip is an
:class:`~gvckit.errors.InputError` naming the file (and the member, once one is being read).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from gvckit.errors import InputError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, bounded, check_zip_member, open_input

__all__ = ["MAX_FILES", "Archive", "basename", "require_release", "share_progress"]

#: Most files listed in a folder or zip (a larger one is refused rather than walked).
MAX_FILES = 100_000
#: Largest small member read whole (labels, metadata).
SMALL_LIMIT = 1 << 26


def basename(name: str) -> str:
    """The file name of a member path (``IOT_2011_ixi/Y.txt`` → ``Y.txt``)."""
    return PurePosixPath(name).name


def share_progress(progress: ByteProgress | None, before: int, total: int) -> ByteProgress | None:
    """A callback for one of several files read in turn: ``before`` bytes of ``total`` are done."""
    if progress is None:
        return None
    report = progress
    return lambda done, _size: report(min(before + done, total), total)


@dataclass(frozen=True)
class Archive:
    """The files of a zip or a folder: ``names`` are ``/``-separated paths inside it."""

    path: Path
    names: tuple[str, ...]
    is_zip: bool

    @classmethod
    def of(cls, path: Path) -> Archive:
        """List ``path`` (a folder, or a zip file); a damaged zip is an :class:`InputError`."""
        if path.is_dir():
            names: list[str] = []
            for p in sorted(path.rglob("*")):
                if p.is_file():
                    names.append(p.relative_to(path).as_posix())
                    if len(names) > MAX_FILES:
                        raise InputError(
                            f"the folder holds more than {MAX_FILES:,} files",
                            file=path,
                            expected="the folder of one database release",
                        )
            return cls(path, tuple(names), False)
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"not a valid zip file ({exc})",
                file=path,
                expected="a complete zip file as published (download it again if it was cut short)",
            ) from None
        if len(infos) > MAX_FILES:
            raise InputError(f"the zip holds more than {MAX_FILES:,} files", file=path)
        return cls(path, tuple(i.filename for i in infos if not i.is_dir()), True)

    def matching(self, pattern: re.Pattern[str], names: Iterable[str] | None = None) -> list[str]:
        """The members whose file name (not folder) matches ``pattern``."""
        return [n for n in (self.names if names is None else names) if pattern.search(basename(n))]

    def shown(self, name: str) -> str:
        """How a member is named in messages: ``zip!member`` or the file's path."""
        return f"{self.path}!{name}" if self.is_zip else str(self.path / name)

    def size(self, name: str) -> int:
        """The member's size in bytes (uncompressed)."""
        if not self.is_zip:
            return (self.path / name).stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(name).file_size

    def open(
        self,
        name: str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: ByteProgress | None = None,
    ) -> IO[bytes]:
        """A bounded binary stream of the member (closed by the caller)."""
        if not self.is_zip:
            return open_input(self.path / name, max_bytes=max_bytes, progress=progress)
        zf = zipfile.ZipFile(self.path)
        try:
            info = zf.getinfo(name)
            check_zip_member(info, self.path, max_bytes)
            raw = zf.open(info)
        except zipfile.BadZipFile as exc:
            zf.close()
            raise InputError(
                f"cannot read the zip member ({exc})",
                file=self.shown(name),
                expected="a complete, valid zip member",
            ) from None
        except BaseException:
            zf.close()
            raise
        return bounded(
            raw,
            name=self.shown(name),
            total=info.file_size,
            max_bytes=max_bytes,
            progress=progress,
            also_close=(zf,),
        )

    def read_small(self, name: str, limit: int = SMALL_LIMIT) -> bytes:
        """The whole member (labels, metadata), at most ``limit`` bytes."""
        with self.open(name, max_bytes=limit) as fh:
            return fh.read()


def require_release(path: Path, what: str, expected: str) -> None:
    """``path`` must be a folder or a zip file; a missing path, a damaged zip or another file
    is an :class:`InputError` saying it is not ``what``."""
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if not (path.is_dir() or zipfile.is_zipfile(path)):
        if path.suffix.lower() == ".zip":
            Archive.of(path)  # a zip zipfile cannot open: "not a valid zip file"
        raise InputError(f"not {what}", file=path, expected=expected)
