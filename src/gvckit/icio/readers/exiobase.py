"""EXIOBASE 3 monetary input-output tables, as published (Stadler et al. 2018, "EXIOBASE 3:
Developing a time series of detailed environmentally extended multi-regional input-output
tables", Journal of Industrial Ecology 22(3); Zenodo records of each release).

Release: one zip per year and system, ``IOT_<YYYY>_ixi.zip`` (industry by industry, 163
industries) or ``IOT_<YYYY>_pxp.zip`` (product by product, 200 products), for 49 regions (44
countries and five rest-of-the-world regions WA, WE, WF, WL, WM): n = 7,987 or 9,800. Its files
(possibly in a folder inside the zip) are tab-separated text written by pymrio:

- ``Z.txt`` (3.8 and later) and ``A.txt``: header lines ``region<TAB><TAB><region…>`` and
  ``sector<TAB><TAB><sector…>``, an optional line of index names ``region<TAB>sector``, then
  ``<region><TAB><sector><TAB><values…>``. Release 3.4 gives only the coefficients A; then
  Z = A·diag(x), with x from ``x.txt``, or solved from (I − A)·x = Y·1 without it.
- ``Y.txt``: the same with ``category`` as second header line; seven categories per region
  (households, NPISH, government, GFCF, changes in inventories, changes in valuables,
  ``Exports: Total (fob)``).
- ``x.txt``: ``region<TAB>sector<TAB>indout``, one line per row: published gross output.
- ``unit.txt`` (``M.EUR``) and ``metadata.json`` (version, system, year in its description).
- Factor inputs: ``factor_inputs/F.txt`` (3.8 and later) or rows of ``satellite/F.txt`` (3.4):
  header lines ``region`` and ``sector`` (one label column), rows ``<name><TAB><values…>``:
  taxes less subsidies on products purchased, other net taxes on production, compensation of
  employees (low-, medium-, high-skilled), operating surplus (consumption of fixed capital, rents
  on land, royalties on resources, remaining net operating surplus). They are kept as primary
  inputs; value added used by measures is derived (output − intermediate inputs).

Values are million euros at current basic prices. Region codes are kept as written (some 3.4 ixi
files use ISO3 codes). Matrices are read in chunks straight into float64 arrays (about 0.5 GB for
Z at n = 7,987).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np
import scipy.linalg

from gvckit.documents import load_document
from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress
from gvckit.icio.readers._cells import check_final_demand
from gvckit.icio.readers._dense import header_lines, read_block, skip_index_names
from gvckit.icio.readers._layout import entity_major
from gvckit.icio.readers._members import Archive, basename, require_release, share_progress
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories
from gvckit.limits import DOCUMENT

__all__ = ["VALUE_ADDED", "read_exiobase", "sniff_exiobase"]

#: Factor-input rows that add up to value added (with net taxes on products), as in
#: EXIOBASE 3's ``F.txt`` (totals and tax components are not repeated).
VALUE_ADDED = (
    "Taxes less subsidies on products purchased: Total",
    "Other net taxes on production",
    "Compensation of employees; wages, salaries, & employers' social contributions: Low-skilled",
    "Compensation of employees; wages, salaries, & employers' social contributions: Medium-skilled",
    "Compensation of employees; wages, salaries, & employers' social contributions: High-skilled",
    "Operating surplus: Consumption of fixed capital",
    "Operating surplus: Rents on land",
    "Operating surplus: Royalties on resources",
    "Operating surplus: Remaining net operating surplus",
)
UNITS = {"M.EUR": "EUR million, current prices", "MEUR": "EUR million, current prices"}
_RELEASE = re.compile(r"IOT_((?:19|20)\d\d)_(ixi|pxp)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
Pair = tuple[str, str]


def _roots(names: tuple[str, ...] | list[str]) -> list[str]:
    """Folders (``""`` or ``"x/"``) holding ``Y.txt`` with ``Z.txt`` or ``A.txt``."""
    by_dir: dict[str, set[str]] = {}
    for n in names:
        p = PurePosixPath(n)
        folder = "" if str(p.parent) == "." else f"{p.parent}/"
        by_dir.setdefault(folder, set()).add(p.name)
    return sorted(
        d for d, files in by_dir.items() if "Y.txt" in files and files & {"Z.txt", "A.txt"}
    )


def sniff_exiobase(names: tuple[str, ...] | list[str]) -> bool:
    """True when member names look like an EXIOBASE 3 release (or a folder of release zips)."""
    return bool(_roots(names)) or any(
        _RELEASE.search(basename(n)) and n.lower().endswith(".zip") for n in names
    )


@dataclass(frozen=True)
class _Files:
    """The members of the release to read (None where the release has no such file)."""

    archive: Archive
    root: str
    Z: str | None
    A: str | None
    Y: str
    x: str | None
    F: str | None
    factor_dir: str | None  # "factor_inputs" or "satellite"
    unit: str | None
    metadata: str | None


def _files(path: Path) -> _Files:
    """Locate the release's files in a zip or folder."""
    archive = Archive.of(path)
    roots = _roots(archive.names)
    if not roots:
        zips = [n for n in archive.names if _RELEASE.search(basename(n)) and n.endswith(".zip")]
        raise InputError(
            "no EXIOBASE table inside" + (" (a folder of release zips)" if zips else ""),
            file=path,
            expected="one release: IOT_YYYY_ixi.zip or its files A.txt or Z.txt, Y.txt, x.txt"
            + (f", e.g. read {zips[0]}" if zips else ""),
        )
    if len(roots) > 1:
        raise InputError(
            f"holds several EXIOBASE tables ({', '.join(r or './' for r in roots)})",
            file=path,
            expected="one release (an IOT_YYYY_ixi.zip or its folder)",
        )
    root = roots[0]
    have = set(archive.names)

    def member(name: str) -> str | None:
        return f"{root}{name}" if f"{root}{name}" in have else None

    factor_dir = next((d for d in ("factor_inputs", "satellite") if member(f"{d}/F.txt")), None)
    y = member("Y.txt")
    assert y is not None  # a root has Y.txt
    return _Files(
        archive,
        root,
        member("Z.txt"),
        member("A.txt"),
        y,
        member("x.txt"),
        member(f"{factor_dir}/F.txt") if factor_dir else None,
        factor_dir,
        member("unit.txt"),
        member("metadata.json"),
    )


def _pairs(header: list[list[str]], labels: int, shown: str, second: str) -> list[Pair]:
    """Column labels (region, second) of a matrix from its two header lines."""
    first, other = header
    if first[0].lower() != "region" or other[0].lower() != second:
        raise InputError(
            "does not look like an EXIOBASE matrix",
            file=shown,
            row=1 if first[0].lower() != "region" else 2,
            column=1,
            expected=f"header lines 'region…' and '{second}…' (tab-separated, as pymrio writes)",
            found=(first if first[0].lower() != "region" else other)[0],
        )
    if len(first) != len(other) or len(first) <= labels:
        raise InputError(
            "the header lines differ in length",
            file=shown,
            row=2,
            expected=f"{len(first)} fields like line 1",
            found=f"{len(other)} fields",
        )
    return list(zip(first[labels:], other[labels:], strict=True))


class _Reader:
    """Reads the release's matrices, reporting progress over all of them."""

    def __init__(self, files: _Files, max_bytes: int, progress: ByteProgress | None) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self.progress = progress
        self.members = [m for m in (files.Z or files.A, files.Y, files.x, files.F) if m is not None]
        self.total = sum(files.archive.size(m) for m in self.members)
        self.done = 0

    def open(self, name: str) -> IO[bytes]:
        arch = self.files.archive
        stream = arch.open(
            name,
            max_bytes=self.max_bytes,
            progress=share_progress(self.progress, self.done, self.total),
        )
        self.done += arch.size(name)
        return stream

    def shown(self, name: str) -> str:
        return self.files.archive.shown(name)

    def matrix(
        self, name: str, second: str, rows: list[Pair] | None
    ) -> tuple[np.ndarray, list[Pair]]:
        """A matrix with two label columns: values and column labels. ``rows``: the expected
        row labels (None: the matrix is square, rows as columns)."""
        shown = self.shown(name)
        with self.open(name) as stream:
            cols = _pairs(header_lines(stream, 2, shown), 2, shown, second)
            expected = cols if rows is None else rows

            def describe(i: int, j: int, _: list[str]) -> str:
                return f"row {' '.join(expected[i])}, column {' '.join(cols[j])}"

            skipped, body = skip_index_names(stream, 2)
            block = read_block(
                body,
                shown,
                width=len(cols),
                labels=2,
                rows=len(expected),
                first_line=4 if skipped else 3,
                describe=describe,
            )
        _same_labels(list(zip(*block.labels, strict=True)), expected, shown, 4 if skipped else 3)
        return block.values, cols

    def output(self, name: str, rows: list[Pair]) -> np.ndarray:
        """x.txt: one published output per row."""
        shown = self.shown(name)
        with self.open(name) as stream:
            head = header_lines(stream, 1, shown)[0]
            if len(head) != 3 or head[0].lower() != "region":
                raise InputError(
                    "does not look like EXIOBASE's x.txt",
                    file=shown,
                    row=1,
                    expected="a header line 'region<TAB>sector<TAB>indout'",
                    found="\t".join(head),
                )
            block = read_block(stream, shown, width=1, labels=2, rows=len(rows), first_line=2)
        _same_labels(list(zip(*block.labels, strict=True)), rows, shown, 2)
        return block.values[:, 0]

    def factors(self, name: str, cols: list[Pair], satellite: bool) -> dict[str, np.ndarray]:
        """Value-added rows of F.txt, by name."""
        shown = self.shown(name)
        wanted = set(VALUE_ADDED)
        with self.open(name) as stream:
            header = header_lines(stream, 2, shown)
            found = _pairs(header, 1, shown, "sector")
            if found != cols:
                k = next(k for k, (a, b) in enumerate(zip(found, cols, strict=False)) if a != b)
                raise InputError(
                    "factor-input columns differ from the table's columns",
                    file=shown,
                    row=1,
                    column=k + 2,
                    expected=" ".join(cols[k]),
                    found=" ".join(found[k]),
                )
            skipped, body = skip_index_names(stream, 1)
            block = read_block(
                body,
                shown,
                width=len(cols),
                labels=1,
                first_line=4 if skipped else 3,
                keep=(lambda t: np.array([v in wanted for v in t[0]], bool)) if satellite else None,
            )
        names = block.labels[0]
        use = [k for k, v in enumerate(names) if v in wanted] or list(range(len(names)))
        return {names[k]: block.values[k] for k in use}


def _same_labels(found: list[Pair], expected: list[Pair], shown: str, first_line: int) -> None:
    """Row labels must be the table's, in its order."""
    k = next((k for k, (a, b) in enumerate(zip(found, expected, strict=False)) if a != b), None)
    if k is not None:
        raise InputError(
            "row labels differ from the table's",
            file=shown,
            row=first_line + k,
            column=1,
            expected=" ".join(expected[k]),
            found=" ".join(found[k]),
        )


def read_exiobase(
    path: str | Path,
    *,
    year: int | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read an EXIOBASE 3 table (ixi or pxp) from its zip as published or from its folder.

    ``year`` is checked against the release's year (zip or folder name, metadata.json)."""
    path = Path(path)
    require_release(
        path,
        "an EXIOBASE release",
        "the zip as published (IOT_YYYY_ixi.zip, IOT_YYYY_pxp.zip) or its folder",
    )
    files = _files(path)
    info = _metadata(files)
    if year is not None and info.year is not None and info.year != year:
        raise InputError(
            f"the release holds the {info.year} table, not {year}",
            file=path,
            expected=f"the {year} release (IOT_{year}_ixi.zip)",
        )
    reader = _Reader(files, max_bytes, progress)
    core = files.Z or files.A
    assert core is not None
    M, cols = reader.matrix(core, "sector", None)
    entities, sectors = entity_major(
        cols, reader.shown(core), lambda k: {"row": 2, "column": k + 3}, "column labels"
    )
    Yflat, fd_cols = reader.matrix(files.Y, "category", cols)
    Y, dests, cats = _final_demand(Yflat, fd_cols, reader.shown(files.Y))
    del Yflat
    given = reader.output(files.x, cols) if files.x else None
    notes: list[str] = []
    if files.Z is None:  # coefficients only (release 3.4): Z = A·diag(x)
        x = given
        if x is None:
            x = _solve_output(M, Y)
            notes.append("no x.txt: output solved from (I − A)·x = Y·1")
        M *= x[None, :]
        notes.append("Z = A·diag(x) (the release gives coefficients A only)")
    primaries = reader.factors(files.F, cols, files.factor_dir == "satellite") if files.F else {}
    meta = TableMeta(
        source="EXIOBASE 3 (Stadler et al. 2018)",
        edition=" ".join(v for v in (info.version, info.system) if v) or None,
        year=info.year,
        unit=UNITS.get(info.unit or "", info.unit or "EUR million, current prices"),
        price_basis="basic prices",
        value_added="derived: output minus intermediate inputs"
        + (f"; factor inputs of {files.factor_dir}/F.txt kept" if primaries else ""),
        file=basename(str(files.archive.path)),
        notes=tuple(notes),
        inventories=inventory_categories(cats),  # changes in inventories, in valuables
    )
    try:
        return IcioTable(
            entities=entities,
            sectors=sectors,
            Z=M,
            Y=Y,
            destinations=dests,
            categories=cats,
            output=given,
            primary_inputs=primaries,
            output_basis=output_basis,
            meta=meta,
            copy=False,
        )
    except TableError as err:
        raise err.located(files.archive.shown(core)) from None


def _final_demand(
    flat: np.ndarray, cols: list[Pair], shown: str
) -> tuple[np.ndarray, list[str], list[str]]:
    """Y as rows × destinations × categories, from columns (region, category)."""
    dests = list(dict.fromkeys(r for r, _ in cols))
    cats = list(dict.fromkeys(c for _, c in cols))
    seen: set[Pair] = set()
    for k, pair in enumerate(cols):
        if pair in seen:
            raise InputError(
                "duplicate final-demand column",
                file=shown,
                row=1,
                column=k + 3,
                expected="one column per region and category",
                found=" ".join(pair),
            )
        seen.add(pair)
    check_final_demand(cols, shown, row=2, what="region")
    Y = np.zeros((flat.shape[0], len(dests), len(cats)))
    d_idx = np.array([dests.index(r) for r, _ in cols], dtype=np.intp)
    c_idx = np.array([cats.index(c) for _, c in cols], dtype=np.intp)
    Y[:, d_idx, c_idx] = flat
    return Y, dests, cats


def _solve_output(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """x from (I − A)·x = Y·1 (release 3.4 without x.txt), one LU factorisation."""
    M = np.negative(A)
    M[np.diag_indices_from(M)] += 1.0
    return np.asarray(
        scipy.linalg.solve(M, Y.sum(axis=(1, 2)), overwrite_a=True, check_finite=False),
        dtype=np.float64,
    )


@dataclass(frozen=True)
class _Info:
    year: int | None
    version: str | None
    system: str | None
    unit: str | None


def _metadata(files: _Files) -> _Info:
    """Year, version and system from the names and ``metadata.json``; unit from ``unit.txt``."""
    arch = files.archive
    meta: dict[str, object] = {}
    if files.metadata:
        raw = arch.read_small(files.metadata, 1 << 20)
        try:  # bounded in size and depth: an unreadable metadata.json is ignored
            loaded = load_document(raw, name=files.metadata, kind="json", limits=DOCUMENT).data
            meta = loaded if isinstance(loaded, dict) else {}
        except InputError:
            meta = {}
    named = _RELEASE.search(f"{arch.path.name}/{files.root}")
    year = int(named.group(1)) if named else None
    if year is None:
        found = _YEAR.search(f"{meta.get('description', '')} {meta.get('name', '')}")
        year = int(found.group(1)) if found else None
    system = (named.group(2).lower() if named else None) or (
        str(meta["system"]) if meta.get("system") else None
    )
    version = str(meta["version"]) if meta.get("version") else None
    unit = None
    if files.unit:
        lines = arch.read_small(files.unit).decode("utf-8", errors="replace").splitlines()[1:]
        units = sorted({ln.split("\t")[-1].strip() for ln in lines if ln.strip()})
        unit = units[0] if len(units) == 1 else None
    return _Info(year, version, system, unit)
