"""Finding the tables of a panel: files, folders and glob patterns, one table per year.

Re-exported by :mod:`gvckit.panel` (``panel.discover``, ``panel.parse_years``,
``panel.PanelTask``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gvckit.errors import InputError, OptionError
from gvckit.timeseries import year_span

__all__ = ["PanelTask", "YearsSpec", "discover", "parse_years", "year_of"]

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")
_TABLE_SUFFIXES = {".csv", ".gz", ".zip", ".xlsx", ".xlsm", ".tsv", ".txt"}

YearsSpec = str | Iterable[int] | None


@dataclass(frozen=True)
class PanelTask:
    """One table: its absolute ``path`` and ``year`` (None: the table's metadata tells);
    ``member`` when the reader must be told the year (a zip holding several years)."""

    path: str
    year: int | None
    member: bool = False

    @property
    def name(self) -> str:
        """The file name, the ``source`` column of the results."""
        return Path(self.path).name

    @property
    def label(self) -> str:
        """``YEAR file``, for progress lines and summaries."""
        return f"{self.year if self.year is not None else '????'} {self.name}"


def parse_years(years: YearsSpec) -> tuple[int, ...] | None:
    """Years from ``"1995-2011"``, ``"2000,2005,2010-2011"`` or ints (None: every year)."""
    if years is None:
        return None
    if not isinstance(years, str):
        return tuple(sorted({int(y) for y in years}))
    wanted: set[int] = set()
    for part in years.split(","):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", part)
        if m is None:
            raise OptionError(
                f"--years {years!r}: {part.strip()!r} is not a year or a range of years;"
                " write e.g. 1995-2011 or 2000,2005,2010-2011"
            )
        first, last = int(m[1]), int(m[2] or m[1])
        if last < first:
            raise OptionError(f"--years {years!r}: the range {first}-{last} runs backwards")
        wanted.update(range(first, last + 1))
    return tuple(sorted(wanted))


def year_of(name: str) -> int | None:
    """The year in a file name (the last one: ``ICIO2021_2017.csv`` is 2017), if any."""
    found = _YEAR.findall(re.sub(r"\.gz$", "", name, flags=re.IGNORECASE))
    return int(found[-1]) if found else None


def _expand(source: str) -> list[Path]:
    """The files a source names: a file, a folder's tables, or a glob pattern's matches."""
    if any(c in source for c in "*?["):
        matches = sorted(glob.glob(os.path.expanduser(source), recursive=True))
        if not matches:
            raise InputError("no file matches this pattern", file=source)
        return [p for m in matches for p in _expand_path(Path(m))]
    return _expand_path(Path(source).expanduser())


def _expand_path(path: Path) -> list[Path]:
    """``path``, or the files of a folder that have a year in their name (and its zips)."""
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if not path.is_dir():
        return [path]
    files = [
        p
        for p in sorted(path.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in _TABLE_SUFFIXES
        and (year_of(p.name) is not None or p.suffix.lower() == ".zip")
    ]
    if not files:
        raise InputError(
            "no table with a year in its name in this folder",
            file=path,
            expected="files such as wiot_2011.csv.gz or ICIO2023_2019.csv",
        )
    return files


def _tasks_of(path: Path) -> list[PanelTask]:
    """One task per year of an OECD zip holding several, else one for the file."""
    full = str(path.absolute())
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        from gvckit.icio.readers.oecd import list_members

        with contextlib.suppress(zipfile.BadZipFile, OSError):
            years = sorted({m.year for m in list_members(path)})
            if years:
                return [PanelTask(full, y, member=True) for y in years]
    return [PanelTask(full, year_of(path.name))]


def discover(sources: Iterable[str | Path], years: YearsSpec = None) -> list[PanelTask]:
    """The tables of a panel, by year: ``sources`` are files, folders (their files with a year
    in the name) or glob patterns; ``years`` filters. Two tables for one year is an error."""
    wanted = parse_years(years)
    tasks = list(dict.fromkeys(t for s in sources for p in _expand(str(s)) for t in _tasks_of(p)))
    if not tasks:
        raise InputError("no table given", expected="files, folders or glob patterns")
    if wanted is not None:
        found = sorted({t.year for t in tasks if t.year is not None})
        tasks = [t for t in tasks if t.year is None or t.year in wanted]
        if not tasks:
            raise OptionError(
                f"no table for the years asked ({year_span(wanted)}); the sources hold"
                f" {year_span(found)}"
            )
    by_year: dict[int, list[str]] = {}
    for t in tasks:
        if t.year is not None:
            by_year.setdefault(t.year, []).append(t.name)
    for year, names in by_year.items():
        if len(names) > 1:
            raise OptionError(
                f"several tables for {year}: {', '.join(names)};"
                " pass the files, or a pattern that picks one table per year"
            )
    return sorted(tasks, key=lambda t: (t.year is None, t.year or 0, t.path))
