"""Cluster mapping: industries grouped into cluster categories, and the European Cluster
Observatory's star rating of each region × category.

Categories are data: a map from industry codes to categories, shipped for NACE Rev. 2 / WZ 2008
sections (``nace-sections``, ``nace-a10``: see ``gvckit/data/clusters/README.md``) or given by
the user as a CSV with columns ``code, category``. A code matches exactly, or else by its NACE
section letter (``WZ08-C``, ``NACE C``, ``C`` all match ``C``). Industries that match no code
belong to no category but count in their region's total employment.

Stars (European Cluster Observatory, Ketels & Sölvell 2006; clusterobservatory.eu, "Evaluation of
regional cluster strength"): with ``E_rc`` the employment of category c in region r, ``e_r`` the
region's employment in all industries, ``E_c`` the category's and ``E`` all employment,

- size: ``E_rc`` is among the top ``size_top`` (10 %) of the regions in the same category;
- specialisation: ``LQ_rc = (E_rc / e_r) / (E_c / E) ≥ lq_min`` (2);
- focus: ``E_rc / e_r`` is among the top ``focus_top`` (10 %) of all region × category cells
  (``focus_within="all"``) or of the regions in the same category (``"category"``).

What was checked against the Observatory's page (clusterobservatory.eu, id=49): the size criterion
(top 10 % of the category's regional clusters by employees) and the specialisation measure (the
category's share of the region's employment over its share of all employment). The threshold
of 2 and the focus criterion were cut off in the copy available to us; their defaults follow
the Observatory's published description as commonly cited (Ketels & Sölvell 2006) and are
options.

"Among the top p" means fewer than ``p · n`` of the ``n`` cells compared have a strictly larger
value (so the top 10 % of 16 regions are the first two); a cell without employment gets no
star. Each criterion met gives one star (0–3).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from gvckit.clusters.indices import RegionalData
from gvckit.clusters.tables import labels, read_sheet
from gvckit.errors import InputError, OptionError

__all__ = [
    "SHIPPED_MAPS", "assign", "category_totals", "read_map", "shipped_map", "star_counts", "stars",
    "strongest",
]  # fmt: skip

SHIPPED_MAPS = {"nace-sections": "nace_sections.csv", "nace-a10": "nace_a10.csv"}
STAR_COLUMNS = [
    "region", "category", "employment", "category_share", "lq", "focus", "size_star",
    "specialisation_star", "focus_star", "stars",
]  # fmt: skip
_SECTION = re.compile(r"^(?:WZ\s*(?:20)?08|NACE(?:\s*REV\.?\s*2)?)?[\s\-_:.]*([A-U])$", re.I)


def shipped_map(name: str) -> dict[str, str]:
    """A category map shipped with gvckit (``nace-sections`` or ``nace-a10``)."""
    if name not in SHIPPED_MAPS:
        raise OptionError(f"no shipped category map {name!r}; maps: {', '.join(SHIPPED_MAPS)}")
    text = (files("gvckit") / "data" / "clusters" / SHIPPED_MAPS[name]).read_text("utf-8")
    return {row["code"]: row["category"] for row in csv.DictReader(text.splitlines())}


def read_map(path: str | Path) -> dict[str, str]:
    """A category map from a file (CSV, Excel or Parquet) with columns ``code`` and
    ``category``; a code given twice with different categories is an error."""
    table = read_sheet(path)
    codes = labels(table, "code", "industry code")
    cats = labels(table, "category", "category")
    out: dict[str, str] = {}
    for k, (code, cat) in enumerate(zip(codes, cats, strict=True)):
        if out.get(code, cat) != cat:
            raise InputError(
                f"code {code!r} is mapped to {out[code]!r} and to {cat!r}", file=table.file,
                row=table.line(k), column="category", expected="one category per code",
            )  # fmt: skip
        out[code] = cat
    return out


def _section(code: str) -> str | None:
    m = _SECTION.match(code.strip())
    return m.group(1).upper() if m else None


def assign(industries: tuple[str, ...], cmap: Mapping[str, str]) -> dict[str, str | None]:
    """Each industry's category: by its code, else by its NACE section letter, else None."""
    out: dict[str, str | None] = {}
    for ind in industries:
        if ind in cmap:
            out[ind] = cmap[ind]
            continue
        sec = _section(ind)
        out[ind] = cmap.get(sec) if sec is not None else None
    return out


def category_totals(
    data: RegionalData, cmap: Mapping[str, str]
) -> tuple[tuple[str, ...], np.ndarray, list[str]]:
    """Categories (in map order), employment by region × category and the unmapped industries."""
    of = assign(data.industries, cmap)
    cats = tuple(dict.fromkeys(c for c in cmap.values() if c in set(of.values())))
    M = np.zeros((len(data.industries), len(cats)))
    for i, ind in enumerate(data.industries):
        c = of[ind]
        if c is not None:
            M[i, cats.index(c)] = 1.0
    unmapped = [ind for ind, c in of.items() if c is None]
    return cats, data.values @ M, unmapped


def _top(values: np.ndarray, share: float) -> np.ndarray:
    """True where fewer than ``share · n`` values are strictly larger (and the value is > 0)."""
    flat = values.ravel()
    ordered = np.sort(flat)
    larger = flat.size - np.searchsorted(ordered, flat, side="right")
    out: np.ndarray = ((larger < share * flat.size) & (flat > 0)).reshape(values.shape)
    return out


def stars(
    data: RegionalData,
    cmap: Mapping[str, str],
    *,
    size_top: float = 0.10,
    lq_min: float = 2.0,
    focus_top: float = 0.10,
    focus_within: str = "all",
) -> tuple[pd.DataFrame, list[str]]:
    """The star rating of every region × category (columns :data:`STAR_COLUMNS`) and the
    industries that no category took."""
    for name, p in (("size_top", size_top), ("focus_top", focus_top)):
        if not 0.0 < p <= 1.0:
            raise OptionError(f"{name} must be a share in (0, 1], not {p}")
    if focus_within not in ("all", "category"):
        raise OptionError(f"focus_within must be 'all' or 'category', not {focus_within!r}")
    cats, E, unmapped = category_totals(data, cmap)
    if not cats:
        raise InputError(
            "no industry of the data matches a code of the category map",
            expected="codes such as " + ", ".join(list(cmap)[:5]),
            found=", ".join(data.industries[:5]),
        )
    e_r = data.region_totals
    total = float(e_r.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        focus = np.where(e_r[:, None] > 0, E / e_r[:, None], np.nan)
        lq = focus / (E.sum(axis=0)[None, :] / total)
        share = E / E.sum(axis=0)[None, :]
    size_star = np.column_stack([_top(E[:, c], size_top) for c in range(len(cats))])
    spec_star = np.nan_to_num(lq, nan=0.0) >= lq_min
    f0 = np.nan_to_num(focus, nan=0.0)
    if focus_within == "all":
        focus_star = _top(f0, focus_top)
    else:
        focus_star = np.column_stack([_top(f0[:, c], focus_top) for c in range(len(cats))])
    rows = []
    for r, region in enumerate(data.regions):
        for c, cat in enumerate(cats):
            s = (bool(size_star[r, c]), bool(spec_star[r, c]), bool(focus_star[r, c]))
            rows.append((region, cat, float(E[r, c]), float(share[r, c]), float(lq[r, c]),
                         float(focus[r, c]), *s, sum(s)))  # fmt: skip
    return pd.DataFrame(rows, columns=STAR_COLUMNS), unmapped


def star_counts(stars: pd.DataFrame) -> dict[str, int]:
    """What a star table (:func:`stars`) holds: the number of ``regions`` and ``categories``
    rated, of ``three_star`` region × category cells (size, specialisation and focus) and of
    cells with ``two_or_more`` stars."""
    return {
        "regions": int(stars["region"].nunique()),
        "categories": int(stars["category"].nunique()),
        "three_star": int((stars["stars"] >= 3).sum()),
        "two_or_more": int((stars["stars"] >= 2).sum()),
    }


def strongest(stars: pd.DataFrame, k: int = 20) -> pd.DataFrame:
    """The ``k`` strongest clusters of a star table (:func:`stars`): most stars first, then the
    highest location quotient."""
    return stars.sort_values(["stars", "lq"], ascending=False).head(k)
