"""Small OECD ICIO tables written in each edition's exact published layout.

Layouts (see src/gvckit/icio/readers/oecd.py and ../shared/FORMATS.md): header corner cell,
``<entity>_<industry>`` labels, final-demand label order, total columns and rows, split entities
after ROW with no final-demand columns, quoting and line endings (2016: quoted, CRLF). Numbers
are a random balanced table: rows add up to output, columns (with taxes and value added) too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Edition:
    name: str
    industries: tuple[str, ...]
    categories: tuple[str, ...]
    splits: tuple[str, ...]
    corner: str = ""
    category_major: bool = False
    out_col: str | None = "OUT"
    tail: str = "tls"  # "tls": TLS, VA, OUT; "taxsub": <ISO>_TAXSUB..., VALU, OUTPUT; "2016"
    disc: bool = False
    quoted_crlf: bool = False
    countries: tuple[str, ...] = field(default=("AUS", "CHN", "MEX", "ROW"))


EDITIONS = {
    "2023": Edition(
        "2023",
        ("A01_02", "C10T12", "D"),
        ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"),
        ("MX1", "MX2", "CN1", "CN2"),
    ),
    "2023sml": Edition(
        "2023sml",
        ("A01_02", "C10T12", "D"),
        ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"),
        (),
        corner="V1",
    ),
    "2025": Edition(
        "2025",
        ("A01", "C24A", "C302T309"),
        ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"),
        (),
        corner="V1",
        countries=("AGO", "ARG", "USA", "ROW"),
    ),
    "2021": Edition(
        "2021",
        ("01T02", "10T12", "35"),
        ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"),
        ("MX1", "MX2", "CN1", "CN2"),
        out_col="TOTAL",
        tail="taxsub",
    ),
    "2018": Edition(
        "2018",
        ("01T03", "10T12", "35T39"),
        ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "P33"),
        ("MX1", "MX2", "CN1", "CN2"),
        out_col="TOTAL",
        tail="taxsub",
    ),
    "2016": Edition(
        "2016",
        ("C01T05AGR", "C15T16FOD", "C40T41EGW"),
        ("HFCE", "NPS", "GGFC", "GFCF", "INV", "DIRP"),
        ("MX1", "MX2", "MX3", "CN1", "CN2", "CN3", "CN4"),
        category_major=True,
        out_col=None,
        tail="2016",
        disc=True,
        quoted_crlf=True,
    ),
}


@dataclass(frozen=True)
class Generated:
    entities: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray  # n × countries × categories (+ DISC as last category, domestic)
    x: np.ndarray
    tls: np.ndarray
    va: np.ndarray
    text: str


def generate(edition: Edition, seed: int = 7) -> Generated:
    rng = np.random.default_rng(seed)
    countries = list(edition.countries)
    entities = countries + list(edition.splits)
    N = len(edition.industries)
    n = len(entities) * N
    F = len(edition.categories) + (1 if edition.disc else 0)
    A = rng.random((n, n)) * 0.2
    A *= rng.uniform(0.2, 0.7, n) / A.sum(axis=0)
    Y = rng.random((n, len(countries), F)) * 50
    if edition.disc:  # DISC: domestic, small, sometimes negative
        Y[:, :, -1] = 0.0
        for k, e in enumerate(entities):
            home = countries.index({"C": "CHN", "M": "MEX"}[e[0]] if e in edition.splits else e)
            Y[k * N : (k + 1) * N, home, -1] = rng.normal(0, 0.5, N)
    if edition.splits:  # CHN and MEX rows and columns are empty; flows live in the parts
        for c in ("CHN", "MEX"):
            k = entities.index(c)
            rows = slice(k * N, (k + 1) * N)
            A[rows, :] = 0.0
            A[:, rows] = 0.0
            Y[rows] = 0.0
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=(1, 2)))
    Z = A * x[None, :]
    tls = 0.04 * x
    va = x - Z.sum(axis=0) - tls
    return Generated(tuple(entities), Z, Y, x, tls, va, _write(edition, entities, Z, Y, x, tls, va))


def _fmt(v: float) -> str:
    return repr(float(v))


def _write(
    ed: Edition,
    entities: list[str],
    Z: np.ndarray,
    Y: np.ndarray,
    x: np.ndarray,
    tls: np.ndarray,
    va: np.ndarray,
) -> str:
    countries = list(ed.countries)
    labels = [f"{e}_{i}" for e in entities for i in ed.industries]
    fd_keys: list[tuple[int, int]] = []  # (country index, category index)
    if ed.category_major:
        fd_labels = [f"{cat}_{c}" for cat in ed.categories for c in countries]
        fd_keys = [(d, f) for f in range(len(ed.categories)) for d in range(len(countries))]
    else:
        fd_labels = [f"{c}_{cat}" for c in countries for cat in ed.categories]
        fd_keys = [(d, f) for d in range(len(countries)) for f in range(len(ed.categories))]
    header = [ed.corner, *labels, *fd_labels]
    if ed.disc:
        header.append("DISC")
    if ed.out_col:
        header.append(ed.out_col)
    rows: list[list[str]] = []
    for i, lab in enumerate(labels):
        cells = [lab, *(_fmt(v) for v in Z[i])]
        cells += [_fmt(Y[i, d, f]) for d, f in fd_keys]
        if ed.disc:
            cells.append(_fmt(Y[i, :, -1].sum()))
        if ed.out_col:
            cells.append(_fmt(x[i]))
        rows.append(cells)
    n_fd = len(fd_keys) + (1 if ed.disc else 0)
    fd_tax = [_fmt(1.0)] * n_fd
    if ed.tail == "tls":
        rows.append(["TLS", *(_fmt(v) for v in tls), *fd_tax, _fmt(tls.sum() + n_fd)])
        rows.append(["VA", *(_fmt(v) for v in va), *["0.0"] * n_fd, _fmt(va.sum())])
        rows.append(["OUT", *(_fmt(v) for v in x), *["0.0"] * n_fd, _fmt(x.sum())])
    elif ed.tail == "taxsub":
        for c in countries:  # taxes split evenly by country of origin
            share = tls / len(countries)
            rows.append([f"{c}_TAXSUB", *(_fmt(v) for v in share), *fd_tax, _fmt(share.sum())])
        rows.append(["VALU", *(_fmt(v) for v in va), *["0"] * n_fd, _fmt(va.sum())])
        rows.append(["OUTPUT", *(_fmt(v) for v in x), *["0"] * n_fd, _fmt(x.sum())])
    else:  # 2016: blank final-demand cells in the total rows
        rows.append(["VA+TAXSUB", *(_fmt(v) for v in va + tls), *[""] * n_fd])
        rows.append(["OUT", *(_fmt(v) for v in x), *[""] * n_fd])
    buf = io.StringIO()
    if ed.quoted_crlf:  # as the 2016 files: labels quoted, numbers bare, blanks empty, CRLF
        buf.write(",".join(f'"{h}"' for h in header) + "\r\n")
        for r in rows:
            buf.write(",".join([f'"{r[0]}"', *r[1:]]) + "\r\n")
    else:
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return buf.getvalue()
