"""Training of the value chain classifier's scores (:mod:`gvckit.portfolio.vcmodel`) on labelled
activities; needs scikit-learn (``pip install gvckit[training]``), imported here only.

1. Every labelled activity of ``tests/data/iati_vc_labels.csv`` in a split of
   :data:`TRAIN_SPLITS` (``train``, or no split) is read from the shared IATI corpus and turned
   into the features of :func:`gvckit.portfolio.classify.features`. These are exactly the rows
   the shipped model was trained on; ``train-2`` and ``train-3`` (labelled since, see the labels
   file's sections 7 and 8) are kept for the next model, ``test`` is the held-apart sample.
2. Two L2-regularised logistic regressions (scikit-learn, lbfgs, C = :data:`C`) are fitted on
   the features and the presence of the words found in at least :data:`MIN_DF` training
   documents (at most :data:`MAX_WORDS`): ``chain`` (label yes or possible) and ``yes`` (label
   yes). Rows of a stratified sample weigh
   their population weight N_h / n_h (normalised to mean 1); the other rows weigh 1.
3. Platt calibration: for each model, a one-feature logistic regression of the label on the
   5-fold cross-validated logits (folds stratified and seeded) gives (a, b).
4. Thresholds: on the cross-validated probabilities of the weighted rows (the stratified sample,
   population-weighted), the ``possible`` threshold maximises F_β (β = :data:`BETA`) of "yes or
   possible" (the issue puts precision first: "without losing recall"), and the
   ``yes`` threshold is the lowest with "yes judged yes" ≥ :data:`YES_TARGET` (after the capping
   rules of :func:`gvckit.portfolio.classify.decide`).

Everything is deterministic: the same labels and corpus give the same JSON.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gvckit.errors import InputError
from gvckit.portfolio.classify import (
    FEATURES,
    classify_activity,
    decide,
    features,
    normalise,
    words,
)
from gvckit.portfolio.iati import Activity, read_activities
from gvckit.portfolio.vcmodel import LogisticScore, Model

__all__ = [
    "TRAIN_SPLITS",
    "YES_TARGET",
    "C",
    "Labelled",
    "fit",
    "labelled_activities",
    "read_labels",
    "training_digest",
    "verdicts",
]  # fmt: skip

C = 0.1
#: The splits trained on: the shipped model's training rows (``""``: a file without splits).
TRAIN_SPLITS = ("train", "")
#: The possible threshold maximises F_β with β = 0.5: precision counts more than recall.
BETA = 0.5
SMOOTH = 5
YES_TARGET = 0.85
MIN_DF = 5
MAX_WORDS = 3000
_FOLDS = 5


@dataclass
class Labelled:
    """A labelled activity: the row of the labels file and the activity read from the corpus."""

    row: dict[str, str]
    activity: Activity

    @property
    def weight(self) -> float:
        return float(self.row.get("weight") or 0.0)


def read_labels(path: Path) -> list[dict[str, str]]:
    """The rows of a labels file (columns iati_identifier, file, label, reason[, split, stratum,
    weight])."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows, start=2):
        if r.get("label") not in ("yes", "possible", "no"):
            raise InputError(f"row {i}: label must be yes, possible or no", file=path)
    return rows


def labelled_activities(rows: Sequence[dict[str, str]], root: Path) -> list[Labelled]:
    """The activities of ``rows`` read from the corpus under ``root`` (paths in ``file`` are
    relative to it); an activity not found is an :class:`InputError`."""
    wanted = {(r["iati_identifier"], r["file"]): r for r in rows}
    found: dict[tuple[str, str], Labelled] = {}
    for name in sorted({r["file"] for r in rows}):
        for act in read_activities([root / name]):
            key = (act.iati_identifier, name)
            if key in wanted:
                found[key] = Labelled(wanted[key], act)
    missing = [k for k in wanted if k not in found]
    if missing:
        raise InputError(f"{len(missing)} labelled activities not in the corpus, e.g. {missing[0]}")
    return [found[(r["iati_identifier"], r["file"])] for r in rows]


def _matrix(items: Sequence[Labelled]) -> tuple[np.ndarray, list[str]]:
    rows, docs = [], []
    for it in items:
        a = it.activity
        dac = [c for c, v, _ in a.sectors if v in ("1", "2")]
        fin = [c for c in (a.finance_type, *a.transaction_finance_types) if c]
        aid = [c for c in (a.aid_type, *a.transaction_aid_types) if c]
        body = "\n".join(t for _, _, t in a.descriptions)
        norm = normalise(a.text)
        x, _, _ = features(a.text, dac, a.title, fin, aid, body, norm)
        rows.append([x[k] for k in FEATURES])
        docs.append(norm)
    return np.array(rows, dtype=float), docs


def _vocabulary(docs: Sequence[str]) -> list[str]:
    """The words (:data:`gvckit.portfolio.classify.WORD`) in at least :data:`MIN_DF` documents,
    at most :data:`MAX_WORDS` of the most frequent (ties alphabetical)."""
    df: dict[str, int] = {}
    for d in docs:
        for w in words(d):
            df[w] = df.get(w, 0) + 1
    kept = sorted((w for w, n in df.items() if n >= MIN_DF), key=lambda w: (-df[w], w))
    return sorted(kept[:MAX_WORDS])


def _design(x: np.ndarray, docs: Sequence[str], vocab: Sequence[str]) -> np.ndarray:
    index = {w: i for i, w in enumerate(vocab)}
    b = np.zeros((len(docs), len(vocab)))
    for r, d in enumerate(docs):
        for w in words(d):
            if w in index:
                b[r, index[w]] = 1.0
    return np.hstack([x, b])


def _fit_one(
    x: np.ndarray, docs: Sequence[str], y: np.ndarray, w: np.ndarray
) -> tuple[LogisticScore, np.ndarray]:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    cv_logit = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=_FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(x, y):
        vocab = _vocabulary([docs[i] for i in train])
        a_train = _design(x[train], [docs[i] for i in train], vocab)
        m = LogisticRegression(C=C, max_iter=5000).fit(a_train, y[train], sample_weight=w[train])
        cv_logit[test] = m.decision_function(_design(x[test], [docs[i] for i in test], vocab))
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(cv_logit[:, None], y, sample_weight=w)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    vocab = _vocabulary(docs)
    full = LogisticRegression(C=C, max_iter=5000).fit(_design(x, docs, vocab), y, sample_weight=w)
    beta = full.coef_[0]
    coef = {k: round(float(v), 6) for k, v in zip(FEATURES, beta[: len(FEATURES)], strict=True)}
    word_coef = {t: round(float(v), 6) for t, v in zip(vocab, beta[len(FEATURES):], strict=True)
                 if round(float(v), 6) != 0.0}  # fmt: skip
    cv_p = 1 / (1 + np.exp(-(a * cv_logit + b)))
    score = LogisticScore(coef, round(float(full.intercept_[0]), 6), (round(a, 6), round(b, 6)),
                          word_coef)  # fmt: skip
    return score, cv_p


def _rates(verdicts: Sequence[str], labels: Sequence[str], w: np.ndarray) -> tuple[float, ...]:
    pos_v = np.array([v != "no" for v in verdicts])
    pos_l = np.array([lab != "no" for lab in labels])
    yes_v = np.array([v == "yes" for v in verdicts])
    yes_l = np.array([lab == "yes" for lab in labels])
    prec = float(w[pos_v & pos_l].sum() / max(w[pos_v].sum(), 1e-12))
    rec = float(w[pos_v & pos_l].sum() / max(w[pos_l].sum(), 1e-12))
    yes_prec = float(w[yes_v & yes_l].sum() / max(w[yes_v].sum(), 1e-12))
    return prec, rec, yes_prec


def fit(items: Sequence[Labelled]) -> Model:
    """The model trained on ``items`` (see the module docstring)."""
    train = [it for it in items if it.row.get("split", "") in TRAIN_SPLITS]
    if len({it.row["label"] for it in train}) < 3:
        raise InputError("training needs yes, possible and no labels")
    x, docs = _matrix(train)
    labels = [it.row["label"] for it in train]
    pop = np.array([it.weight for it in train])
    w = np.where(pop > 0, pop / pop[pop > 0].mean() if (pop > 0).any() else 1.0, 1.0)
    chain, p_chain = _fit_one(x, docs, np.array([lab != "no" for lab in labels], dtype=int), w)
    yes, p_yes = _fit_one(x, docs, np.array([lab == "yes" for lab in labels], dtype=int), w)
    p_yes = np.minimum(p_yes, p_chain)
    sel = pop > 0 if (pop > 0).sum() >= 50 else np.ones(len(train), dtype=bool)
    ws = np.where(pop > 0, pop, 1.0)[sel]
    feats = [dict(zip(FEATURES, row, strict=True)) for row in x[sel]]
    lab_s = [lab for lab, s in zip(labels, sel, strict=True) if s]
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.01)]
    scores = []
    for t in grid:
        v = [decide(pc, 0.0, f, t, 2.0) for pc, f in zip(p_chain[sel], feats, strict=True)]
        prec, rec, _ = _rates(v, lab_s, ws)
        scores.append((1 + BETA**2) * prec * rec / (BETA**2 * prec + rec) if prec + rec else 0.0)
    # smoothed over ±SMOOTH grid steps: a small sample's F jumps from one threshold to the next
    smooth = [float(np.mean(scores[max(0, i - SMOOTH) : i + SMOOTH + 1])) for i in range(len(grid))]
    chain_t = grid[int(np.argmax(smooth))]
    yes_t = 0.99
    for t in grid:
        v = [decide(pc, py, f, chain_t, t)
             for pc, py, f in zip(p_chain[sel], p_yes[sel], feats, strict=True)]  # fmt: skip
        if sum(x == "yes" for x in v) >= 5 and _rates(v, lab_s, ws)[2] >= YES_TARGET:
            yes_t = t
            break
    meta: dict[str, Any] = {
        "features": list(FEATURES), "trained_on": len(train),
        "labels": {k: labels.count(k) for k in ("yes", "possible", "no")},
        "weighted_rows": int((pop > 0).sum()), "C": C, "folds": _FOLDS, "min_df": MIN_DF,
        "training_ids_sha256": training_digest([it.row for it in train]),
        "threshold_rows": int(sel.sum()),
    }  # fmt: skip
    return Model(chain, yes, chain_t, yes_t, meta)


def training_digest(rows: Sequence[dict[str, str]]) -> str:
    """sha256 of the sorted 'identifier|file' of the training rows (to check the split)."""
    import hashlib

    keys = sorted(f"{r['iati_identifier']}|{r['file']}" for r in rows)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def verdicts(items: Sequence[Labelled]) -> list[str]:
    """The shipped classifier's verdicts on ``items``."""
    return [classify_activity(it.activity).value_chain for it in items]
