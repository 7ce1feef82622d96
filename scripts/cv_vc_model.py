"""Cross-validate the value chain classifier's whole training procedure on the labelled set.

    python scripts/cv_vc_model.py [--labels tests/data/iati_vc_labels.csv]
        [--corpus $GVCKIT_SHARED/data/iati] [--seeds 5]

Every row outside the held-apart split (test) is used. For each seed, 5 folds stratified by
label and current stratum: the model is trained
(gvckit.portfolio.training.fit, thresholds included) on four folds and classifies the fifth.
Printed: population-weighted precision of "yes or possible", recall of judged chain work, "yes"
judged yes (Wilson 95 % intervals on Kish's effective n) and Cohen's kappa, over the rows in the
frame a reader samples (yes or possible, or no in a productive sector), weighted 1/π as in
gvckit.portfolio.training.sample_weights. Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from gvckit.portfolio.agreement import wilson
from gvckit.portfolio.training import HELD_APART, cross_validate, labelled_activities, read_labels

ROOT = Path(__file__).resolve().parent.parent


def _ratio(w: list[float], num: list[bool], den: list[bool]) -> tuple[float, float, float]:
    ws = [x for x, d in zip(w, den, strict=True) if d and x > 0]
    s = sum(ws)
    if not s:
        return math.nan, 0.0, 1.0
    p = sum(x for x, a, d in zip(w, num, den, strict=True) if a and d) / s
    n = s * s / sum(x * x for x in ws)
    return (p, *wilson(p * n, n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--labels", type=Path, default=ROOT / "tests/data/iati_vc_labels.csv")
    shared = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared"))
    ap.add_argument("--corpus", type=Path, default=shared / "data" / "iati")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    rows = [r for r in read_labels(args.labels) if r.get("split", "") != HELD_APART]
    items = labelled_activities(rows, args.corpus)
    labels = [it.row["label"] for it in items]
    seen: list[list[float]] = []
    for seed, (verdict, w) in enumerate(cross_validate(items, range(args.seeds))):
        w = list(w)
        pv = [v != "no" for v in verdict]
        pl = [lab != "no" for lab in labels]
        yv = [v == "yes" for v in verdict]
        yl = [lab == "yes" for lab in labels]
        both = [a and b for a, b in zip(pv, pl, strict=True)]
        out = []
        values: list[float] = []
        for name, num, den in (("precision", both, pv), ("recall", both, pl),
                               ("yes judged yes", yl, yv)):  # fmt: skip
            p, lo, hi = _ratio(w, num, den)
            out.append(f"{name} {p:.3f} [{lo:.2f}, {hi:.2f}]")
            values.append(p)
        total = sum(w)
        po = sum(x for x, v, lab in zip(w, verdict, labels, strict=True) if v == lab) / total
        pe = sum(
            sum(x for x, v in zip(w, verdict, strict=True) if v == k)
            * sum(x for x, lab in zip(w, labels, strict=True) if lab == k)
            for k in ("yes", "possible", "no")
        ) / (total * total)
        out.append(f"kappa {(po - pe) / (1 - pe):.3f}")
        values.append((po - pe) / (1 - pe))
        seen.append(values)
        print(f"seed {seed}: " + "; ".join(out), flush=True)
    names = ("precision", "recall", "yes judged yes", "kappa")
    summary = []
    for k, name in enumerate(names):
        v = [s[k] for s in seen if not math.isnan(s[k])]
        if v:
            summary.append(f"{name} {sum(v) / len(v):.3f} ({min(v):.3f}-{max(v):.3f})")
    print(f"mean (range) over {len(seen)} seeds: " + "; ".join(summary))


if __name__ == "__main__":
    main()
