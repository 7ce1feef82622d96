"""Eora26 multi-region input-output tables, as published (Lenzen, Moran, Kanemoto & Geschke 2013,
"Building Eora", Economic Systems Research 25(1); worldmrio.com).

Release: one zip per year and price basis, ``Eora26_<YYYY>_bp.zip`` (basic prices) or ``_pp``
(purchasers' prices), holding tab-separated matrices without headers: ``Eora26_<YYYY>_bp_T.txt``
(intermediate flows), ``_FD.txt`` (final demand), ``_VA.txt`` (primary inputs), ``_Q.txt`` and
``_QY.txt`` (satellite accounts, not read). Their rows and columns are named by label files,
inside the zip or beside it (``indices.zip``, or the files themselves): ``labels_T.txt``
(country name, ISO3 code, ``Industries``, sector), ``labels_FD.txt`` (country, code, ``Final
Demand``, category) and ``labels_VA.txt`` (``Primary Inputs``, category); a trailing tab is
accepted. 189 countries × 26 sectors, six final-demand categories per country; values in
thousands of current US dollars (Eora FAQ; as pymrio and MARIO read them).

Statistical discrepancy. Eora closes its accounts with an entity coded ``ROW`` (one row and one
column, sector ``TOTAL``, and final-demand columns). pymrio drops its row and columns (reporting
the loss); MARIO books the column as exports and the row as imports. Here, so that every row still
adds up to the output Eora publishes implicitly (T and FD row sums), sales to ``ROW`` (its T
column and its final-demand columns) are booked as final demand of the producing country,
category ``Statistical discrepancy (ROW)``; purchases from ``ROW`` (its T row) are kept as a
primary input of that name, so derived value added (output − intermediate inputs) includes them.
What ``ROW`` itself sells to final demand and to itself, and its own primary inputs, lie outside
the table; their totals are given in the table's notes. Folders may hold the extracted files or
several release zips (``year`` picks one; ``price`` prefers ``bp``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gvckit.errors import InputError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress
from gvckit.icio.readers._dense import read_block
from gvckit.icio.readers._layout import entity_major
from gvckit.icio.readers._members import Archive, basename, require_release, share_progress
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["DISCREPANCY", "read_eora26", "sniff_eora26"]

#: Code of Eora's statistical-discrepancy entity, and the name its flows get in the table.
DISCREPANCY = "ROW"
DISCREPANCY_NAME = "Statistical discrepancy (ROW)"
PRICES = {"bp": "basic prices", "pp": "purchasers' prices"}
LABEL_FILES = {"T": "labels_T.txt", "FD": "labels_FD.txt", "VA": "labels_VA.txt"}
_DATA = re.compile(r"^Eora26_((?:19|20)\d\d)_(bp|pp)_(T|FD|VA)\.txt$", re.IGNORECASE)
_ZIP = re.compile(r"^Eora26_((?:19|20)\d\d)_(bp|pp)\.zip$", re.IGNORECASE)


def sniff_eora26(names: tuple[str, ...] | list[str]) -> bool:
    """True when member names look like an Eora26 release (data files or release zips)."""
    return any(_DATA.match(basename(n)) or _ZIP.match(basename(n)) for n in names)


@dataclass(frozen=True)
class _Release:
    """The data files of one year and price basis, and where their labels are."""

    archive: Archive
    year: int
    price: str
    members: dict[str, str]  # "T", "FD", "VA" → member name
    labels: Archive
    label_members: dict[str, str]


def _pick(
    keys: list[tuple[int, str]], year: int | None, price: str | None, path: Path
) -> tuple[int, str]:
    """The (year, price) to read among those present."""
    years = sorted({y for y, _ in keys})
    chosen = [
        k for k in keys if (year is None or k[0] == year) and (price is None or k[1] == price)
    ]
    if not chosen:
        wanted = " ".join(str(v) for v in (year, price) if v is not None)
        raise InputError(
            f"no Eora26 table for {wanted} inside",
            file=path,
            expected="one of " + ", ".join(f"{y} {p}" for y, p in sorted(keys)),
        )
    if len({y for y, _ in chosen}) > 1:
        raise InputError(
            f"holds tables for several years ({', '.join(map(str, years))})",
            file=path,
            expected="a year (option --year / year=)",
        )
    return sorted(chosen, key=lambda k: k[1] != "bp")[0]  # basic prices first


def _release(path: Path, year: int | None, price: str | None) -> _Release:
    """Find the data and label files of the release to read in a zip or folder."""
    archive = Archive.of(path)
    found: dict[tuple[int, str], dict[str, str]] = {}
    for name in archive.names:
        m = _DATA.match(basename(name))
        if m:
            found.setdefault((int(m[1]), m[2].lower()), {})[m[3].upper()] = name
    if not found and not archive.is_zip:
        zips = {
            (int(m[1]), m[2].lower()): n
            for n in archive.names
            if (m := _ZIP.match(basename(n))) is not None
        }
        if zips:
            key = _pick(list(zips), year, price, path)
            return _release(path / zips[key], key[0], key[1])
    if not found:
        raise InputError(
            "no Eora26 table inside",
            file=path,
            expected="files named Eora26_YYYY_bp_T.txt, _FD.txt and _VA.txt, with labels_*.txt",
        )
    y, p = _pick(list(found), year, price, path)
    members = found[(y, p)]
    for kind in ("T", "FD", "VA"):
        if kind not in members:
            raise InputError(
                f"Eora26_{y}_{p}_{kind}.txt is missing",
                file=path,
                expected="the T, FD and VA files of the release",
            )
    labels, label_members = _labels(archive)
    return _Release(archive, y, p, members, labels, label_members)


def _labels(archive: Archive) -> tuple[Archive, dict[str, str]]:
    """Where the label files are: in the archive, in an ``indices.zip`` inside a folder, or
    beside the zip (the files or ``indices.zip``)."""

    def find(arch: Archive) -> dict[str, str] | None:
        got = {}
        for kind, file in LABEL_FILES.items():
            names = [n for n in arch.names if basename(n).lower() == file.lower()]
            if not names:
                return None
            got[kind] = names[0]
        return got

    candidates = [archive]
    indices = [n for n in archive.names if basename(n).lower() == "indices.zip"]
    if indices and not archive.is_zip:
        candidates.append(Archive.of(archive.path / indices[0]))
    if archive.is_zip:
        beside = archive.path.parent
        files = tuple(f for f in LABEL_FILES.values() if (beside / f).is_file())
        candidates.append(Archive(beside, files, False))
        if (beside / "indices.zip").is_file():
            candidates.append(Archive.of(beside / "indices.zip"))
    for arch in candidates:
        got = find(arch)
        if got is not None:
            return arch, got
    raise InputError(
        "the label files are missing",
        file=archive.path,
        expected="labels_T.txt, labels_FD.txt and labels_VA.txt in the zip or beside it"
        " (or indices.zip)",
    )


def _label_rows(archive: Archive, name: str, fields: int) -> list[list[str]]:
    """The tab-separated lines of a label file, trailing empty fields dropped."""
    shown = archive.shown(name)
    text = archive.read_small(name).decode("utf-8", errors="replace")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows = []
    for k, line in enumerate(lines):
        cells = [c.strip() for c in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        bad = next((j for j, c in enumerate(cells) if "\ufffd" in c), None)
        if bad is not None:  # decoded with replacement characters: not UTF-8
            raise InputError(
                "not UTF-8 text",
                file=shown,
                row=k + 1,
                column=bad + 1,
                expected="UTF-8 text (as published)",
                found=cells[bad],
            )
        if len(cells) < fields:
            raise InputError(
                "label line has too few fields",
                file=shown,
                row=k + 1,
                expected=f"{fields} tab-separated fields",
                found=line,
            )
        rows.append(cells)
    if not rows:
        raise InputError(
            "the label file is empty",
            file=shown,
            row=1,
            expected=f"one line of {fields} tab-separated fields per label",
        )
    return rows


@dataclass(frozen=True)
class _Axes:
    """Rows and final-demand columns of the release, as its labels give them."""

    entities: list[str]
    sectors: list[str]
    keep: np.ndarray  # T rows/columns of the table's entity-sectors
    disc: np.ndarray  # T rows/columns of the discrepancy entity
    dests: list[str]
    cats: list[str]
    fd_keep: np.ndarray  # FD columns of countries
    fd_disc: np.ndarray  # FD columns of the discrepancy entity
    fd_dest: np.ndarray  # destination index of each kept FD column
    fd_cat: np.ndarray  # category index of each kept FD column
    primaries: list[str]
    names: list[str]  # "<code> <sector>" of every T row, for messages


def _axes(release: _Release) -> _Axes:
    """Check the labels and derive the table's axes from them."""
    arch, files = release.labels, release.label_members
    lt = _label_rows(arch, files["T"], 4)
    lf = _label_rows(arch, files["FD"], 4)
    lv = _label_rows(arch, files["VA"], 1)
    is_disc = np.array([r[1].upper() == DISCREPANCY for r in lt])
    keep = np.flatnonzero(~is_disc)
    pairs = [(lt[i][1], lt[i][3]) for i in keep]
    shown_t = arch.shown(files["T"])
    entities, sectors = entity_major(
        pairs, shown_t, lambda k: {"row": int(keep[k]) + 1, "column": 4}, "labels"
    )
    fd_is_disc = np.array([r[1].upper() == DISCREPANCY for r in lf])
    fd_keep = np.flatnonzero(~fd_is_disc)
    shown_f = arch.shown(files["FD"])
    dests = list(dict.fromkeys(lf[k][1] for k in fd_keep))
    cats = list(dict.fromkeys(lf[k][3] for k in fd_keep))
    seen: dict[tuple[str, str], int] = {}
    for k in fd_keep:
        code, cat = lf[k][1], lf[k][3]
        if code not in entities:
            raise InputError(
                "final-demand column of a country without industries",
                file=shown_f,
                row=int(k) + 1,
                column=2,
                expected="a country code of labels_T.txt",
                found=code,
            )
        if (code, cat) in seen:
            raise InputError(
                f"duplicate final-demand column (lines {seen[code, cat] + 1} and {k + 1})",
                file=shown_f,
                row=int(k) + 1,
                expected="one column per country and category",
                found=f"{code} {cat}",
            )
        seen[code, cat] = int(k)
    primaries = [r[1] if len(r) > 1 else r[0] for r in lv]
    dup = next((k for k, p in enumerate(primaries) if p in primaries[:k]), None)
    if dup is not None:
        raise InputError(
            "duplicate primary-input label",
            file=arch.shown(files["VA"]),
            row=dup + 1,
            expected="one line per primary input",
            found=primaries[dup],
        )
    return _Axes(
        entities,
        sectors,
        keep,
        np.flatnonzero(is_disc),
        dests,
        cats,
        fd_keep,
        np.flatnonzero(fd_is_disc),
        np.array([dests.index(lf[k][1]) for k in fd_keep], dtype=np.intp),
        np.array([cats.index(lf[k][3]) for k in fd_keep], dtype=np.intp),
        primaries,
        [f"{r[1]} {r[3]}" for r in lt],
    )


def read_eora26(
    path: str | Path,
    *,
    year: int | None = None,
    price: str | None = None,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read an Eora26 table from its zip as published or from a folder (extracted files, or
    several release zips: ``year`` picks one; ``price`` 'bp' or 'pp', default basic prices)."""
    path = Path(path)
    require_release(
        path,
        "an Eora26 release",
        "the zip as published (Eora26_YYYY_bp.zip) or a folder of its files",
    )
    if price is not None and price.lower() not in PRICES:
        raise InputError(f"unknown Eora price basis {price!r}", expected="'bp' or 'pp'")
    release = _release(path, year, price.lower() if price else None)
    axes = _axes(release)
    arch, members = release.archive, release.members
    n_all, n_fd, n_va = len(axes.names), len(axes.fd_keep) + len(axes.fd_disc), len(axes.primaries)
    sizes = {k: arch.size(members[k]) for k in ("T", "FD", "VA")}
    total = sum(sizes.values())
    done = 0
    blocks: dict[str, np.ndarray] = {}
    names = axes.names
    for kind, width, rows in (("T", n_all, n_all), ("FD", n_fd, n_all), ("VA", n_all, n_va)):

        def describe(i: int, j: int, _: list[str], kind: str = kind) -> str:
            row = names[i] if kind != "VA" else axes.primaries[i]
            col = names[j] if kind != "FD" else f"final-demand column {j + 1}"
            return f"{row} → {col}"

        with arch.open(
            members[kind],
            max_bytes=max_bytes,
            progress=share_progress(progress, done, total),
        ) as stream:
            blocks[kind] = read_block(
                stream, arch.shown(members[kind]), width=width, rows=rows, describe=describe
            ).values
        done += sizes[kind]
    return _table(blocks, axes, release, output_basis)


def _table(
    blocks: dict[str, np.ndarray], axes: _Axes, release: _Release, basis: OutputBasis
) -> IcioTable:
    """Assemble the table, booking the discrepancy entity as documented above."""
    T, FD, VA = blocks["T"], blocks["FD"], blocks["VA"]
    keep, disc = axes.keep, axes.disc
    n = keep.size
    Z = T[np.ix_(keep, keep)]
    has_disc = bool(disc.size or axes.fd_disc.size)
    cats = axes.cats + ([DISCREPANCY_NAME] if has_disc else [])
    Y = np.zeros((n, len(axes.dests), len(cats)))
    Y[:, axes.fd_dest, axes.fd_cat] = FD[np.ix_(keep, axes.fd_keep)]
    primaries = {name: VA[k, keep] for k, name in enumerate(axes.primaries)}
    notes: list[str] = []
    if has_disc:
        sales = T[np.ix_(keep, disc)].sum(axis=1) + FD[np.ix_(keep, axes.fd_disc)].sum(axis=1)
        homes = [axes.entities[k // len(axes.sectors)] for k in range(n)]
        missing = sorted({h for h in homes if h not in axes.dests})
        if missing:
            raise InputError(
                f"country {missing[0]} has no final-demand columns to book its sales to ROW in",
                file=release.labels.shown(release.label_members["FD"]),
                expected="final-demand columns for every country of labels_T.txt",
            )
        home = np.array([axes.dests.index(h) for h in homes], dtype=np.intp)
        Y[np.arange(n), home, -1] = sales
        primaries[DISCREPANCY_NAME] = T[np.ix_(disc, keep)].sum(axis=0)
        outside = (
            float(FD[np.ix_(disc, axes.fd_keep)].sum()),
            float(T[np.ix_(disc, disc)].sum() + FD[np.ix_(disc, axes.fd_disc)].sum()),
            float(VA[:, disc].sum()),
        )
        notes.append(
            f"ROW (statistical discrepancy): sales to it ({float(sales.sum()):g}) booked as"
            f" domestic final demand '{DISCREPANCY_NAME}'; purchases from it"
            f" ({float(primaries[DISCREPANCY_NAME].sum()):g}) kept as a primary input; outside"
            f" the table: its sales to final demand ({outside[0]:g}), to itself ({outside[1]:g})"
            f" and its primary inputs ({outside[2]:g})"
        )
    meta = TableMeta(
        source="Eora26 (Lenzen et al. 2013)",
        edition="Eora26",
        year=release.year,
        unit="USD thousand, current prices",
        price_basis=PRICES[release.price],
        value_added="derived: output minus intermediate inputs (the VA.txt primary inputs plus"
        " purchases from the ROW discrepancy)",
        file=basename(release.members["T"]),
        notes=tuple(notes),
        inventories=inventory_categories(cats),  # inventory changes P.52, valuables P.53
    )
    try:
        return IcioTable(
            entities=axes.entities,
            sectors=axes.sectors,
            Z=Z,
            Y=Y,
            destinations=axes.dests,
            categories=cats,
            primary_inputs=primaries,
            output_basis=basis,
            meta=meta,
            copy=False,
        )
    except TableError as err:
        raise err.located(release.archive.shown(release.members["T"])) from None
