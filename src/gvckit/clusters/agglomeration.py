"""Agglomeration from firm data: the Ellison–Glaeser (1997) index and coagglomeration.

For an industry i with firms k of sizes ``e_ik`` in regions j:

- ``x_j`` the region's share of all employment: from the regions' given totals (each region's
  employment in all industries) or else from the firms in the data (all industries);
- ``s_ij`` the region's share of the industry's employment;
- ``G = Σ_j (s_ij − x_j)²`` the raw geographic concentration;
- ``H = Σ_k (e_ik / e_i)²`` the plant Herfindahl of the industry;
- ``gamma = (G − (1 − Σx_j²) H) / ((1 − Σx_j²)(1 − H))`` (EG 1997, eq. 4; REAT ``ellison.a``
  and ``ellison.a2``): 0 as if firms had been thrown at a dartboard, above 0 agglomeration;
- ``z = (G − E[G]) / sqrt(Var[G])`` with ``E[G] = (1 − Σx²) H`` and the variance of G under
  the null of no agglomeration given by EG (1997, section on significance; as REAT):
  ``Var[G] = 2 {H² [Σx² − 2Σx³ + (Σx²)²] − Σ_k z_k⁴ [Σx² − 4Σx³ + 3(Σx²)²]}`` with
  ``z_k = e_ik / e_i``.

Coagglomeration of a group of industries (EG 1997, eq. 5, "textbook" form): with ``w_i`` each
industry's share of the group's employment, ``s_j`` the group's pooled share of region j,
``G_c = Σ_j (s_j − x_j)²``, ``H_c = Σ_i w_i² H_i``,
``gamma_c = [G_c/(1 − Σx²) − H_c − Σ_i gamma_i w_i² (1 − H_i)] / (1 − Σ_i w_i²)``.
REAT's ``ellison.c`` differs (it sums the industries' shares instead of pooling them and uses
the industries' shares of all employment as weights), so its numbers are not comparable.

An industry with a single firm (H = 1), or an empty one, has no gamma (NaN).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from gvckit.clusters.readers import Firms
from gvckit.clusters.tables import Floats
from gvckit.errors import InputError

__all__ = ["EG_INDICATORS", "IndustryEG", "coagglomeration", "ellison_glaeser", "industry_eg"]

EG_INDICATORS = ("gamma", "G", "H", "z", "firms")
PAIR_INDICATORS = ("gamma_c", "G_c", "H_c")
COLUMNS = ["industry", "indicator", "value"]


@dataclass(frozen=True)
class IndustryEG:
    """The Ellison–Glaeser measures of one industry."""

    gamma: float
    G: float
    H: float
    z: float
    firms: int


def _region_shares(firms: Firms) -> tuple[list[str], Floats]:
    regions = list(dict.fromkeys(firms.region))
    if firms.region_total is not None:
        totals = np.array([firms.region_total[r] for r in regions], dtype=np.float64)
    else:
        totals = np.zeros(len(regions))
        index = {r: k for k, r in enumerate(regions)}
        for r, s in zip(firms.region, firms.size, strict=True):
            totals[index[r]] += s
    if totals.sum() <= 0:
        raise InputError("the regions' total employment is zero", expected="some employment")
    return regions, totals / totals.sum()


def industry_eg(sizes: Floats, region_of: Sequence[int], x: Floats) -> IndustryEG:
    """EG measures of one industry: firm ``sizes``, each firm's region (index into ``x``) and
    the regions' shares ``x`` of all employment."""
    e_i = float(sizes.sum())
    if e_i <= 0:
        return IndustryEG(math.nan, math.nan, math.nan, math.nan, int(sizes.size))
    s = np.zeros_like(x)
    np.add.at(s, np.asarray(region_of, dtype=np.intp), sizes)
    s /= e_i
    G = float(np.sum((s - x) ** 2))
    zk = sizes / e_i
    H = float(np.sum(zk**2))
    x2, x3 = float(np.sum(x**2)), float(np.sum(x**3))
    base = 1.0 - x2
    gamma = (G - base * H) / (base * (1.0 - H)) if base > 0 and H < 1.0 else math.nan
    var = 2.0 * (H**2 * (x2 - 2 * x3 + x2**2) - float(np.sum(zk**4)) * (x2 - 4 * x3 + 3 * x2**2))
    z = (G - base * H) / math.sqrt(var) if var > 0 else math.nan
    return IndustryEG(gamma, G, H, z, int(sizes.size))


def _by_industry(firms: Firms) -> tuple[list[str], Floats, dict[str, tuple[Floats, list[int]]]]:
    regions, x = _region_shares(firms)
    index = {r: k for k, r in enumerate(regions)}
    groups: dict[str, tuple[list[float], list[int]]] = {}
    for ind, reg, size in zip(firms.industry, firms.region, firms.size, strict=True):
        sizes, where = groups.setdefault(ind, ([], []))
        sizes.append(float(size))
        where.append(index[reg])
    return regions, x, {i: (np.array(v[0]), v[1]) for i, v in groups.items()}


def ellison_glaeser(firms: Firms) -> pd.DataFrame:
    """``industry, indicator, value`` with ``gamma``, ``G``, ``H``, ``z`` and ``firms`` per
    industry (in the order industries first appear)."""
    _, x, groups = _by_industry(firms)
    rows: list[tuple[str, str, float]] = []
    for ind, (sizes, where) in groups.items():
        eg = industry_eg(sizes, where, x)
        rows += [(ind, name, float(getattr(eg, name))) for name in EG_INDICATORS]
    return pd.DataFrame(rows, columns=COLUMNS)


def coagglomeration(firms: Firms, group: Sequence[str]) -> tuple[float, float, float]:
    """EG (1997) coagglomeration ``(gamma_c, G_c, H_c)`` of the industries ``group`` (two or
    more), region shares as in :func:`ellison_glaeser`."""
    _, x, groups = _by_industry(firms)
    return _coagg(x, groups, group)


def _coagg(
    x: Floats,
    groups: dict[str, tuple[Floats, list[int]]],
    group: Sequence[str],
    single: dict[str, IndustryEG] | None = None,
) -> tuple[float, float, float]:
    missing = [g for g in group if g not in groups]
    if missing:
        raise InputError(f"no firm of industry {missing[0]!r}")
    totals = np.array([groups[g][0].sum() for g in group])
    if totals.sum() <= 0 or len(group) < 2:
        return math.nan, math.nan, math.nan
    w = totals / totals.sum()
    pooled = np.zeros_like(x)
    ind_eg = []
    for g in group:
        sizes, where = groups[g]
        np.add.at(pooled, np.asarray(where, dtype=np.intp), sizes)
        ind_eg.append(single[g] if single is not None else industry_eg(sizes, where, x))
    pooled /= totals.sum()
    G_c = float(np.sum((pooled - x) ** 2))
    Hs = np.array([e.H for e in ind_eg])
    gammas = np.array([e.gamma for e in ind_eg])
    H_c = float(np.sum(w**2 * Hs))
    base, wsum = 1.0 - float(np.sum(x**2)), 1.0 - float(np.sum(w**2))
    if base <= 0 or wsum <= 0:
        return math.nan, G_c, H_c
    gamma_c = (G_c / base - H_c - float(np.sum(gammas * w**2 * (1.0 - Hs)))) / wsum
    return float(gamma_c), G_c, H_c


def pairs(firms: Firms) -> pd.DataFrame:
    """Coagglomeration of every pair of industries: ``industry`` is ``"A + B"`` (in the order
    industries first appear), indicators ``gamma_c``, ``G_c``, ``H_c``."""
    _, x, groups = _by_industry(firms)
    single = {g: industry_eg(sizes, where, x) for g, (sizes, where) in groups.items()}
    rows: list[tuple[str, str, float]] = []
    for a, b in combinations(list(groups), 2):
        values = _coagg(x, groups, (a, b), single)
        rows += [(f"{a} + {b}", n, v) for n, v in zip(PAIR_INDICATORS, values, strict=True)]
    return pd.DataFrame(rows, columns=COLUMNS)
