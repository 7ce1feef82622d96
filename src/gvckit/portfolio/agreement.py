"""How far a classifier's verdicts agree with a reader's: precision, recall, Cohen's kappa, with
Wilson 95 % intervals, weighted to the population when the judged sample is stratified.

A judged activity has the reader's label, the classifier's verdict (``yes``/``possible``/``no``)
and a stratum. With N_h activities in stratum h of the population and n_h judged, each judged
activity weighs N_h / n_h; an unstratified sample gives every stratum weight 1.

Each measure is a ratio R = Σ w·y / Σ w·x over the judged activities (e.g. precision of "yes or
possible": x = called yes or possible, y = x and judged yes or possible). Its variance is the
linearised variance of a stratified ratio estimator (Cochran 1977, §6.11),
V(R) = Σ_h N_h² (1 − n_h/N_h) s_h²(e) / n_h / X², with e = y − R·x and X = Σ w·x. The Wilson
(1927) interval is computed with the effective sample size n_eff = R(1 − R) / V(R) (the number
of successes in the ratio itself when every weight is equal and there is one stratum).

Cohen's (1960) kappa over the three verdicts is κ = (p_o − p_e) / (1 − p_e), with the observed
agreement p_o and the chance agreement p_e = Σ_k p_reader(k) p_classifier(k), all weighted; its
interval is a stratified bootstrap (seeded, so reproducible).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gvckit.errors import InputError

__all__ = ["LABELS", "Agreement", "Estimate", "Judged", "agreement", "cohen_kappa", "wilson"]

LABELS = ("yes", "possible", "no")
_POSITIVE = frozenset({"yes", "possible"})


def wilson(successes: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion successes/n:
    (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n); (0, 1) when n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = min(1.0, max(0.0, successes / n))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Judged:
    """One judged activity: the reader's label, the classifier's verdict, its stratum."""

    label: str
    verdict: str
    stratum: str = "all"


@dataclass(frozen=True)
class Estimate:
    """A weighted proportion with its Wilson 95 % interval and the judged activities behind it."""

    value: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.value:.2f} [{self.low:.2f}, {self.high:.2f}] (n={self.n})"


@dataclass(frozen=True)
class Agreement:
    """The issue's measures: precision of "yes or possible", recall of judged chain work, "yes"
    judged yes, and Cohen's kappa (estimate, bootstrap 95 % interval)."""

    precision: Estimate
    recall: Estimate
    yes_precision: Estimate
    kappa: tuple[float, float, float]
    n: int


def _weights(
    items: Sequence[Judged], population: Mapping[str, int] | None
) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    sampled: dict[str, int] = {}
    for it in items:
        sampled[it.stratum] = sampled.get(it.stratum, 0) + 1
    sizes = {}
    for h, n_h in sampled.items():
        big = population.get(h) if population is not None else n_h
        if big is None:
            raise InputError(f"stratum {h!r} has judged activities but no population size")
        if big < n_h:
            raise InputError(f"stratum {h!r}: {n_h} judged but only {big} in the population")
        sizes[h] = (int(big), n_h)
    w = np.array([sizes[it.stratum][0] / sizes[it.stratum][1] for it in items], dtype=float)
    return w, sizes


def _ratio(
    items: Sequence[Judged], w: np.ndarray, sizes: Mapping[str, tuple[int, int]],
    x: Callable[[Judged], bool], y: Callable[[Judged], bool],
) -> Estimate:  # fmt: skip
    xs = np.array([x(it) for it in items], dtype=float)
    ys = np.array([y(it) and x(it) for it in items], dtype=float)
    total_x = float((w * xs).sum())
    n = int(xs.sum())
    if total_x == 0:
        return Estimate(float("nan"), 0.0, 1.0, 0)
    r = float((w * ys).sum()) / total_x
    e = ys - r * xs
    strata = np.array([it.stratum for it in items])
    var = 0.0
    for h, (big, n_h) in sizes.items():
        if n_h > 1:
            eh = e[strata == h]
            var += big**2 * (1 - n_h / big) * float(eh.var(ddof=1)) / n_h
    var /= total_x**2
    n_eff = r * (1 - r) / var if var > 0 else float(n)
    lo, hi = wilson(r * n_eff, n_eff)
    return Estimate(r, lo, hi, n)


def cohen_kappa(labels: Sequence[str], verdicts: Sequence[str],
                weights: Iterable[float] | None = None) -> float:  # fmt: skip
    """Cohen's kappa of two ratings of the same items (optionally weighted)."""
    w = np.ones(len(labels)) if weights is None else np.asarray(list(weights), dtype=float)
    if len(labels) != len(verdicts) or len(w) != len(labels):
        raise InputError("kappa: labels, verdicts and weights differ in length")
    total = float(w.sum())
    if total <= 0:
        return float("nan")
    a, b = np.asarray(labels), np.asarray(verdicts)
    p_o = float(w[a == b].sum()) / total
    p_e = sum(float(w[a == k].sum()) * float(w[b == k].sum()) for k in LABELS) / total**2
    return (p_o - p_e) / (1 - p_e) if p_e < 1 else 1.0


def agreement(
    items: Sequence[Judged], population: Mapping[str, int] | None = None,
    bootstrap: int = 1000, seed: int = 0,
) -> Agreement:  # fmt: skip
    """The measures of the issue on judged activities; ``population`` gives each stratum's
    size (None: the sample is the population, every weight 1)."""
    for it in items:
        if it.label not in LABELS or it.verdict not in LABELS:
            raise InputError(f"labels and verdicts must be yes/possible/no: {it}")
    if not items:
        raise InputError("no judged activities")
    w, sizes = _weights(items, population)
    precision = _ratio(items, w, sizes, lambda j: j.verdict in _POSITIVE,
                       lambda j: j.label in _POSITIVE)  # fmt: skip
    recall = _ratio(items, w, sizes, lambda j: j.label in _POSITIVE,
                    lambda j: j.verdict in _POSITIVE)  # fmt: skip
    yes = _ratio(items, w, sizes, lambda j: j.verdict == "yes", lambda j: j.label == "yes")
    labels = [it.label for it in items]
    verdicts = [it.verdict for it in items]
    kappa = cohen_kappa(labels, verdicts, w)
    rng = np.random.default_rng(seed)
    strata = np.array([it.stratum for it in items])
    groups = [np.flatnonzero(strata == h) for h in sizes]
    draws = []
    for _ in range(bootstrap):
        idx = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])
        draws.append(cohen_kappa([labels[i] for i in idx], [verdicts[i] for i in idx], w[idx]))
    lo, hi = (float(np.nanpercentile(draws, q)) for q in (2.5, 97.5)) if draws else (kappa, kappa)
    return Agreement(precision, recall, yes, (kappa, lo, hi), len(items))
