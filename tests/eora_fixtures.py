"""Small Eora26 releases written in the published layout (src/gvckit/icio/readers/eora.py).

``Eora26_<YYYY>_bp.zip`` holds header-less tab-separated matrices ``Eora26_<YYYY>_bp_T.txt``
(n+1 × n+1: the last row and column are the ``ROW`` statistical discrepancy, sector ``TOTAL``),
``_FD.txt`` (n+1 × 6·(G+1): six categories per country, ROW's last), ``_VA.txt`` (6 × n+1),
``_Q.txt`` / ``_QY.txt`` (satellites) and the label files ``labels_T.txt`` (name, code,
``Industries``, sector), ``labels_FD.txt`` (name, code, ``Final Demand``, category),
``labels_VA.txt`` (``Primary Inputs``, category) and ``labels_Q.txt``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mrio_tables import Known, cell, known, quarters

NAMES = {"AFG": "Afghanistan", "ALB": "Albania", "DZA": "Algeria"}
SECTORS = ("Agriculture", "Fishing", "Mining and Quarrying")
CATEGORIES = (
    "Household final consumption P.3h",
    "Non-profit institutions serving households P.3n",
    "Government final consumption P.3g",
    "Gross fixed capital formation P.51",
    "Changes in inventories P.52",
    "Acquisitions less disposals of valuables P.53",
)
PRIMARIES = (
    "Compensation of employees D.1",
    "Taxes on production D.29",
    "Subsidies on production D.39",
    "Net operating surplus B.2n",
    "Net mixed income B.3n",
    "Consumption of fixed capital K.1",
)


@dataclass(frozen=True)
class Release:
    """The known table, what the files say about ROW, and the files by member name."""

    known: Known
    to_row: np.ndarray  # T column ROW: sales of each row to the discrepancy (n)
    row_fd: np.ndarray  # ROW's final-demand columns (n × 6)
    row_own: dict[str, float]  # ROW's sales to final demand, to itself, its primary inputs
    files: dict[str, bytes]


def _lines(rows: np.ndarray, crlf: bool) -> bytes:
    end = "\r\n" if crlf else "\n"
    return "".join("\t".join(cell(v) for v in r) + end for r in rows).encode()


def generate(
    year: int = 2015, price: str = "bp", trailing_tab: bool = False, crlf: bool = False
) -> Release:
    codes = tuple(NAMES)
    k = known(codes, SECTORS, CATEGORIES, PRIMARIES, negative_category=4, outside=True)
    rng = np.random.default_rng(11)
    n, G, F = k.n, len(codes), len(CATEGORIES)
    to_row = np.floor(k.extra_sales / 2 / 0.25) * 0.25
    row_fd = np.zeros((n, F))
    row_fd[:, 0] = k.extra_sales - to_row
    T = np.zeros((n + 1, n + 1))
    T[:n, :n] = k.Z
    T[:n, n] = to_row
    T[n, :n] = k.extra_inputs
    T[n, n] = 1.5
    FD = np.zeros((n + 1, (G + 1) * F))
    FD[:n, : G * F] = k.Y.reshape(n, G * F)
    FD[:n, G * F :] = row_fd
    FD[n, : G * F] = quarters(rng, 8, (G * F,))
    FD[n, G * F :] = 0.25
    VA = np.zeros((F, n + 1))
    VA[:, :n] = k.parts
    VA[:, n] = 0.5
    own = {
        "final demand": float(FD[n, : G * F].sum()),
        "itself": float(T[n, n] + FD[n, G * F :].sum()),
        "primary inputs": float(VA[:, n].sum()),
    }
    tab = "\t" if trailing_tab else ""
    end = "\r\n" if crlf else "\n"
    labels_t = [f"{NAMES[c]}\t{c}\tIndustries\t{s}{tab}" for c in codes for s in SECTORS]
    labels_t.append(f"ROW\tROW\tIndustries\tTOTAL{tab}")
    labels_fd = [
        f"{NAMES.get(c, 'ROW')}\t{c}\tFinal Demand\t{cat}{tab}"
        for c in (*codes, "ROW")
        for cat in CATEGORIES
    ]
    labels_va = [f"Primary Inputs\t{p}{tab}" for p in PRIMARIES]
    labels_q = ["Energy Usage (TJ)\tNatural Gas", "I-GHG-CO2 emissions (Gg)\tTotal"]
    stem = f"Eora26_{year}_{price}"
    files = {
        f"{stem}_T.txt": _lines(T, crlf),
        f"{stem}_FD.txt": _lines(FD, crlf),
        f"{stem}_VA.txt": _lines(VA, crlf),
        f"{stem}_Q.txt": _lines(quarters(rng, 100, (2, n + 1)), crlf),
        f"{stem}_QY.txt": _lines(quarters(rng, 100, (2, (G + 1) * F)), crlf),
        "labels_T.txt": (end.join(labels_t) + end).encode(),
        "labels_FD.txt": (end.join(labels_fd) + end).encode(),
        "labels_VA.txt": (end.join(labels_va) + end).encode(),
        "labels_Q.txt": (end.join(labels_q) + end).encode(),
    }
    return Release(k, to_row, row_fd, own, files)


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def write_folder(path: Path, files: dict[str, bytes]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (path / name).write_bytes(data)
    return path


def data_files(release: Release) -> dict[str, bytes]:
    return {k: v for k, v in release.files.items() if not k.startswith("labels_")}


def label_files(release: Release) -> dict[str, bytes]:
    return {k: v for k, v in release.files.items() if k.startswith("labels_")}
