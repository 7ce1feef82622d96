"""Where are the clusters? Specialisation of regions and concentration of industries.

Notation (Farhauer & Kröll 2014, as in the R toolbox REAT by T. Wieland): ``e_ij`` employment
(or establishments, value added) of industry i in region j, ``e_j = Σ_i e_ij`` the region's
total, ``e_i`` the industry's total in the reference and ``e`` the reference's total.

Per region and industry
    ``lq`` location quotient ``(e_ij / e_j) / (e_i / e)`` (REAT ``locq``).

Per region (its industry structure against the reference's)
    ``krugman_specialisation`` ``K_j = Σ_i |e_ij/e_j − e_i/e|``, 0 (same structure) to 2
    (no industry in common) (Krugman 1991; REAT ``krugman.spec``);
    ``hoover_specialisation`` ``½ Σ_i |e_ij/e_j − e_i/e|`` (REAT ``hoover(x, ref)``);
    ``gini_specialisation`` the Gini coefficient of the region's location quotients over the
    industries, unweighted and without the ``n/(n−1)`` correction:
    ``G_j = 2 / (n² · mean(LQ)) · Σ_λ λ · (LQ_(λ) − mean(LQ))`` with LQ sorted ascending
    (Farhauer & Kröll 2014; REAT ``gini.spec``).

Per industry (its spread over the regions, against the regions' total employment)
    ``hoover_concentration`` ``½ Σ_j |e_ij/e_i − e_j/e|`` (REAT ``hoover(x, ref)``);
    ``gini_concentration`` the Gini of the industry's location quotients over the regions, as
    ``gini_specialisation`` (REAT ``gini.conc``);
    ``gini_locational`` the locational Gini of Krugman (1991): regions sorted by location
    quotient, the Lorenz curve of the industry's cumulative share against the cumulative share
    of total employment, ``G = 1 − Σ_k (X_k − X_{k−1})(Y_k + Y_{k−1})`` — the Gini of the
    location quotients weighted by the regions' employment;
    ``herfindahl`` ``H_i = Σ_j (e_ij/e_i)²`` (REAT ``herf``), ``herfindahl_normalised``
    ``(H − 1/n)/(1 − 1/n)`` with n regions, ``herfindahl_equivalent`` ``1/H``.

Where the data give each region's total over all industries (``--total-industry``: a row of
totals that includes suppressed or unlisted industries), location quotients divide by those
totals and the concentration indicators weigh regions by them (as REAT's ``locq`` and
``gini.conc`` do when given totals); the Gini of location quotients does not change (it is
scale-free), and Krugman's and Hoover's specialisation compare the distributions over the listed
industries (shares of their sum), as REAT's ``krugman.spec`` and ``hoover``.

The reference is ``"total"`` (all regions together) or one region of the data (e.g. the country
in which a city lies): that region is then only the reference, and the concentration indicators
are computed over the other regions (with their own totals, as REAT's ``gini.conc``), and only
when there are at least two. A location quotient whose reference share is zero, or whose region
is empty, is undefined (NaN); the Gini of location quotients leaves such industries (regions)
out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from gvckit.errors import InputError, OptionError

__all__ = [
    "INDICATORS",
    "INDUSTRY_INDICATORS",
    "REGION_INDICATORS",
    "RegionalData",
    "gini_locational",
    "gini_lq",
    "herfindahl",
    "indices",
    "location_quotients",
    "share_distance",
]

Floats = npt.NDArray[np.float64]

REGION_INDICATORS = ("krugman_specialisation", "hoover_specialisation", "gini_specialisation")
INDUSTRY_INDICATORS = (
    "hoover_concentration", "gini_concentration", "gini_locational", "herfindahl",
    "herfindahl_normalised", "herfindahl_equivalent",
)  # fmt: skip
INDICATORS = ("lq", *REGION_INDICATORS, *INDUSTRY_INDICATORS)
COLUMNS = ["region", "industry", "indicator", "value"]


@dataclass(frozen=True)
class RegionalData:
    """Employment (or another size) by region (rows) and industry (columns).

    ``totals`` (optional) is each region's employment in all industries where the data give it
    (a row of totals that includes suppressed or unlisted industries); without it a region's
    total is the sum of its industries.
    """

    regions: tuple[str, ...]
    industries: tuple[str, ...]
    values: Floats
    totals: Floats | None = None

    def __post_init__(self) -> None:
        shape = (len(self.regions), len(self.industries))
        if self.values.shape != shape:
            raise InputError(f"values of shape {self.values.shape}, expected {shape}")
        if len(set(self.regions)) != len(self.regions):
            raise InputError("a region appears twice", expected="distinct regions")
        if len(set(self.industries)) != len(self.industries):
            raise InputError("an industry appears twice", expected="distinct industries")
        if not np.all(np.isfinite(self.values)) or np.any(self.values < 0):
            raise InputError("values must be finite and not negative")
        if self.totals is not None and (
            self.totals.shape != (len(self.regions),)
            or not np.all(np.isfinite(self.totals))
            or np.any(self.totals < 0)
        ):
            raise InputError("region totals must be one finite, non-negative number per region")

    @property
    def region_totals(self) -> Floats:
        """Each region's total: the given ``totals`` or the sum over its industries."""
        return self.totals if self.totals is not None else self.values.sum(axis=1)

    @classmethod
    def from_long(
        cls, regions: Sequence[str], industries: Sequence[str], values: Sequence[float]
    ) -> RegionalData:
        """From parallel lists (one entry per region × industry; absent pairs are 0)."""
        frame = pd.DataFrame({"r": list(regions), "i": list(industries), "v": list(values)})
        dup = frame.duplicated(["r", "i"], keep=False)
        if dup.any():
            r, i = frame.loc[dup, ["r", "i"]].iloc[0]
            raise InputError(f"region {r!r} and industry {i!r} appear more than once")
        wide = frame.pivot(index="r", columns="i", values="v")
        order_r = list(dict.fromkeys(frame["r"]))
        order_i = list(dict.fromkeys(frame["i"]))
        wide = wide.reindex(index=order_r, columns=order_i).fillna(0.0)
        return cls(tuple(order_r), tuple(order_i), wide.to_numpy(dtype=np.float64))

    def without_industries(self, drop: Sequence[str]) -> RegionalData:
        """The data without the industries ``drop`` (e.g. a row of totals)."""
        missing = [d for d in drop if d not in self.industries]
        if missing:
            raise OptionError(f"no industry {missing[0]!r} to exclude in the data")
        keep = [k for k, i in enumerate(self.industries) if i not in set(drop)]
        return RegionalData(
            self.regions, tuple(self.industries[k] for k in keep), self.values[:, keep],
            self.totals,
        )  # fmt: skip

    def total_industry(self) -> str | None:
        """The label of an industry that is a row of totals, if one is recognisable: its label
        names a total (``total``, ``insgesamt``, ``all industries``, ``all``, or a range of
        section letters such as ``A-R`` that spans the first letter of every other industry, so
        that ``G-U`` beside ``A`` and ``B-F`` is an industry) and, in every region, its value is
        at least the sum of the other industries (sections suppressed in the source make it
        larger, never smaller)."""
        if len(self.industries) < 3:
            return None
        name = re.compile(r"(?i)^(total|insgesamt|gesamt|all industries)\b|^all$")
        span = re.compile(r"(?i)^([A-Z])\s*-\s*([A-Z])\b")
        section = re.compile(r"(?i)^(?:WZ\s*(?:20)?08|NACE(?:\s*REV\.?\s*2)?)?[\s\-_:.]*([A-Z])")
        for k, label in enumerate(self.industries):
            m = span.match(label.strip())
            if m:
                lo, hi = m.group(1).upper(), m.group(2).upper()
                firsts = [section.match(o.strip()) for o in self.industries if o != label]
                if not all(f and lo <= f.group(1).upper() <= hi for f in firsts):
                    continue
            elif not name.match(label.strip()):
                continue
            rest = self.values.sum(axis=1) - self.values[:, k]
            if np.all(self.values[:, k] >= rest * (1 - 1e-9)) and np.all(rest > 0):
                return label
        return None

    def with_total_industry(self, label: str) -> RegionalData:
        """The data with the industry ``label`` taken as the regions' totals (and removed)."""
        if label not in self.industries:
            raise OptionError(f"no industry {label!r} in the data to take as the total")
        k = self.industries.index(label)
        rest = self.without_industries([label])
        return RegionalData(rest.regions, rest.industries, rest.values, self.values[:, k].copy())


def _ratio(num: Floats, den: Floats | float) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den)
    return np.where(np.isfinite(out), out, np.nan)


def location_quotients(
    e_ij: Floats, e_i: Floats, e_j: float | None = None, e: float | None = None
) -> Floats:
    """``LQ_i = (e_ij / e_j) / (e_i / e)`` for one region ``e_ij`` against the reference ``e_i``
    (both by industry), with the totals ``e_j`` and ``e`` given or else the sums of the
    vectors; NaN where undefined."""
    tj = float(e_ij.sum()) if e_j is None else e_j
    t = float(e_i.sum()) if e is None else e
    return _ratio(_ratio(e_ij, tj), _ratio(e_i, t))


def share_distance(x: Floats, ref: Floats) -> float:
    """``Σ |x/Σx − ref/Σref|``: Krugman's specialisation index (0–2); half of it is Hoover's."""
    if x.sum() <= 0 or ref.sum() <= 0:
        return math.nan
    return float(np.abs(x / x.sum() - ref / ref.sum()).sum())


def gini_lq(lq: Floats) -> float:
    """The Gini coefficient of location quotients as REAT's ``gini.spec``/``gini.conc`` and
    Farhauer & Kröll (2014): ``2/(n²·m) · Σ_λ λ (q_(λ) − m)``, q sorted ascending, m the mean,
    n the number of defined quotients (no ``n/(n−1)`` correction)."""
    q = np.sort(lq[np.isfinite(lq)])
    n = q.size
    if n == 0 or q.mean() <= 0:
        return math.nan
    m = float(q.mean())
    lam = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 / (n * n * m) * np.sum(lam * (q - m)))


def gini_locational(e_ij: Floats, e_j: Floats) -> float:
    """Krugman's (1991) locational Gini of an industry ``e_ij`` over regions of total size
    ``e_j``: regions sorted by ``LQ = (e_ij/e_i)/(e_j/e)``, Lorenz curve of the cumulative
    industry share Y against the cumulative size share X, ``G = 1 − Σ (X_k − X_{k−1})(Y_k +
    Y_{k−1})`` (0: spread as total employment; towards 1: in one small region)."""
    keep = e_j > 0
    x, w = e_ij[keep], e_j[keep]
    if x.sum() <= 0 or w.sum() <= 0:
        return math.nan
    order = np.argsort(x / w, kind="stable")
    X = np.concatenate([[0.0], np.cumsum(w[order]) / w.sum()])
    Y = np.concatenate([[0.0], np.cumsum(x[order]) / x.sum()])
    return float(1.0 - np.sum(np.diff(X) * (Y[1:] + Y[:-1])))


def herfindahl(x: Floats) -> tuple[float, float, float]:
    """``H = Σ (x/Σx)²``, its normalised form ``(H − 1/n)/(1 − 1/n)`` and the equivalent number
    ``1/H`` (REAT ``herf``; n the number of units, zeros included)."""
    n = x.size
    if n == 0 or x.sum() <= 0:
        return math.nan, math.nan, math.nan
    h = float(np.sum((x / x.sum()) ** 2))
    norm = (h - 1.0 / n) / (1.0 - 1.0 / n) if n > 1 else math.nan
    return h, norm, 1.0 / h


def indices(data: RegionalData, reference: str = "total") -> pd.DataFrame:
    """Every indicator of this module as a tidy frame ``region, industry, indicator, value``
    (``region`` empty for industry indicators, ``industry`` empty for region indicators).

    ``reference`` is ``"total"`` (the sum of all regions) or the name of one region.
    """
    E, T = data.values, data.region_totals
    if reference == "total" and "total" not in data.regions:
        ref, ref_total = E.sum(axis=0), float(T.sum())
        rows = list(range(len(data.regions)))
    elif reference in data.regions:
        k = data.regions.index(reference)
        ref, ref_total = E[k], float(T[k])
        rows = [j for j in range(len(data.regions)) if j != k]
    else:
        shown = ", ".join(data.regions[:8]) + (", ..." if len(data.regions) > 8 else "")
        raise OptionError(f"--reference must be 'total' or a region of the data ({shown}),"
                          f" not {reference!r}")  # fmt: skip
    out: list[tuple[str, str, str, float]] = []
    for j in rows:
        lq = location_quotients(E[j], ref, float(T[j]), ref_total)
        out += [
            (data.regions[j], ind, "lq", float(v))
            for ind, v in zip(data.industries, lq, strict=True)
        ]
    for j in rows:
        name = data.regions[j]
        dist = share_distance(E[j], ref)
        out.append((name, "", "krugman_specialisation", dist))
        out.append((name, "", "hoover_specialisation", dist / 2.0))
        lq = location_quotients(E[j], ref, float(T[j]), ref_total)
        out.append((name, "", "gini_specialisation", gini_lq(lq)))
    if len(rows) >= 2:
        sub = E[rows]
        e_j = T[rows]
        for i, ind in enumerate(data.industries):
            col = sub[:, i]
            h, hn, heq = herfindahl(col)
            values = {
                "hoover_concentration": share_distance(col, e_j) / 2.0,
                "gini_concentration": gini_lq(location_quotients(col, e_j)),
                "gini_locational": gini_locational(col, e_j),
                "herfindahl": h,
                "herfindahl_normalised": hn,
                "herfindahl_equivalent": heq,
            }
            out += [("", ind, name, values[name]) for name in INDUSTRY_INDICATORS]
    frame = pd.DataFrame(out, columns=COLUMNS)
    frame["value"] = frame["value"].astype(np.float64)
    return frame
