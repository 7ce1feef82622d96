"""The value chain classifier's learned scores: two logistic models over the features of
:func:`gvckit.portfolio.classify.features` and the words of the text, shipped as JSON
(coefficients, vocabulary, intercept, Platt calibration and thresholds; no pickles, nothing
downloaded).

For each model m (``chain``: a reader says yes or possible; ``yes``: a reader says yes) the
probability is P = σ(a·z + b) with the logit z = β₀ + Σ βᵢ xᵢ + Σ_{w ∈ text} γ_w·v(n_w) over the
features xᵢ and the words w of the normalised text (runs of three or more letters, see
:data:`gvckit.portfolio.classify.WORD`), each seen n_w times, and σ(t) = 1 / (1 + e⁻ᵗ). The word's
value v is its presence (v = 1, ``"tf": "binary"``) or its sublinear term frequency
v(n) = 1 + ln n (``"tf": "log"``; Manning, Raghavan & Schütze 2008, §6.4.1); (a, b)
is Platt's (1999) calibration fitted on cross-validated logits. The models are trained by
``scripts/train_vc_model.py`` (:mod:`gvckit.portfolio.training`) on ``tests/data/
iati_vc_labels.csv``; the JSON records what they were trained on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gvckit.errors import InputError

__all__ = ["MODEL_FILE", "TF", "LogisticScore", "Model", "read_model", "shipped_model"]

MODEL_FILE = "vc_model.json"
#: How a word's count n becomes its value: ``binary`` (1) or ``log`` (1 + ln n).
TF = ("binary", "log")
_NONE: Mapping[str, int] = {}
#: 1 + ln n for small n (a word seen n times).
_LOG1P = tuple(1.0 + math.log(n) if n else 0.0 for n in range(64))


@dataclass(frozen=True)
class LogisticScore:
    """One calibrated logistic model: coefficients by feature name, coefficients by word (times
    the word's value, :data:`TF`), intercept, Platt (a, b)."""

    coef: dict[str, float]
    intercept: float
    platt: tuple[float, float] = (1.0, 0.0)
    words: dict[str, float] = field(default_factory=dict)
    tf: str = "binary"

    def logit(self, x: dict[str, float], tokens: Mapping[str, int] = _NONE) -> float:
        """z of the features ``x`` and the words ``tokens`` (word → times seen)."""
        coef = self.coef
        z = self.intercept + sum(coef.get(name, 0.0) * v for name, v in x.items() if v)
        w = self.words
        # fsum is exact: the sum does not depend on the (hash) order of the words
        if self.tf == "log":
            table = _LOG1P  # 1 + ln n, inline: this sum is the classifier's hottest loop
            return z + math.fsum([
                w[t] * (table[n] if (n := tokens[t]) < 64 else 1.0 + math.log(n))
                for t in w.keys() & tokens.keys()
            ])  # fmt: skip
        return z + math.fsum(w[t] for t in w.keys() & tokens.keys())

    def probability(self, x: dict[str, float], tokens: Mapping[str, int] = _NONE) -> float:
        a, b = self.platt
        t = a * self.logit(x, tokens) + b
        return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))


@dataclass(frozen=True)
class Model:
    """The two scores and the thresholds of the verdicts."""

    chain: LogisticScore
    yes: LogisticScore
    chain_threshold: float
    yes_threshold: float
    meta: dict[str, Any]

    def probabilities(
        self, x: dict[str, float], tokens: Mapping[str, int] = _NONE
    ) -> tuple[float, float]:
        """(P(yes or possible), P(yes)); P(yes) is bounded by P(yes or possible)."""
        p_chain = self.chain.probability(x, tokens)
        return p_chain, min(p_chain, self.yes.probability(x, tokens))

    def to_json(self) -> dict[str, Any]:
        def score(s: LogisticScore) -> dict[str, Any]:
            out = {"coef": s.coef, "intercept": s.intercept, "platt": list(s.platt),
                   "words": s.words}  # fmt: skip
            if s.tf != "binary":
                out["tf"] = s.tf
            return out

        return {"chain": score(self.chain), "yes": score(self.yes),
                "chain_threshold": self.chain_threshold, "yes_threshold": self.yes_threshold,
                "meta": self.meta}  # fmt: skip


def _score(raw: Any, where: str) -> LogisticScore:
    try:
        coef = {str(k): float(v) for k, v in raw["coef"].items()}
        a, b = (float(v) for v in raw.get("platt", (1.0, 0.0)))
        words = {str(k): float(v) for k, v in raw.get("words", {}).items()}
        tf = str(raw.get("tf", "binary"))
        if tf not in TF:
            raise ValueError(f"tf must be one of {', '.join(TF)}")
        return LogisticScore(coef, float(raw["intercept"]), (a, b), words, tf)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{where}: not a model ({exc})") from None


def read_model(path: Path | None = None) -> Model:
    """The model in ``path`` (default: the one shipped with gvckit)."""
    where = str(path) if path else f"gvckit/data/{MODEL_FILE}"
    try:
        source = path if path else resources.files("gvckit.data").joinpath(MODEL_FILE)
        text = source.read_text(encoding="utf-8")
        raw = json.loads(text)
        return Model(_score(raw["chain"], where), _score(raw["yes"], where),
                     float(raw["chain_threshold"]), float(raw["yes_threshold"]),
                     dict(raw.get("meta", {})))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: cannot read the model ({exc})") from None


@cache
def shipped_model() -> Model:
    """The model shipped with gvckit (read once)."""
    return read_model()
