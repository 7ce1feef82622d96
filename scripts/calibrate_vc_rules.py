"""Which labelling rules agree with the issue's independent reader? The reader judged the round-1
classifier's verdicts (234 yes, 538 possible, 1,480 no in productive sectors; kept for the
labelled activities in tests/data/iati_vc_round1.csv). The same measures, computed with our
labels under each rule set (columns label_v1, label_v2 and label = v3 of the labels file) and
each labelled row weighted 1/π over the stratified samples (gvckit.portfolio.training.
sample_weights), show which definition reproduces the reader's figures (labels doc §12).

    python scripts/calibrate_vc_rules.py [--labels tests/data/iati_vc_labels.csv]
        [--round1 tests/data/iati_vc_round1.csv] [--corpus $GVCKIT_SHARED/data/iati]

Printed per rule set: round-1 "yes" judged yes, "yes" judged yes or possible, "possible" judged
yes or possible, yes+possible judged yes or possible (weighted by the round-1 counts 234 and
538), and the share of chain work among its no in productive sectors (DAC 311, 312, 313, 321,
322, 323, 331, 250, 332, 43040; activity sectors, else the transactions'). Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

from corpus_vc_agreement import productive  # the reader's productive sectors, one list

from gvckit.portfolio.training import HELD_APART, labelled_activities, read_labels, sample_weights

ROOT = Path(__file__).resolve().parent.parent
#: The reader's figures for the round-1 classifier (the issue's table).
READER = {"yes->yes": 0.53, "yes->pos": 0.88, "pos->pos": None, "flagged->pos": 0.66,
          "no-productive->pos": 0.088}  # fmt: skip
ROUND1 = {"yes": 234, "possible": 538}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "tests/data/iati_vc_labels.csv")
    ap.add_argument("--round1", type=Path, default=ROOT / "tests/data/iati_vc_round1.csv")
    shared = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared"))
    ap.add_argument("--corpus", type=Path, default=shared / "data" / "iati")
    args = ap.parse_args()
    rows = [r for r in read_labels(args.labels) if r.get("split", "") != HELD_APART]
    with args.round1.open(encoding="utf-8", newline="") as fh:
        round1 = {(r["iati_identifier"], r["file"]): r["verdict"] for r in csv.DictReader(fh)}
    in_productive = [
        productive([c for c, v, _ in it.activity.sectors if v in ("1", "2")])
        for it in labelled_activities(rows, args.corpus)
    ]
    mult = sample_weights(rows)
    print("reader: " + "; ".join(f"{k} {v}" for k, v in READER.items() if v is not None))
    for column, only_old in (("label_v1", True), ("label_v2", True), ("label", True),
                             ("label", False)):  # fmt: skip
        sums: dict[str, list[float]] = {}
        for r, w, prod in zip(rows, mult, in_productive, strict=True):
            if w <= 0 or (only_old and not r.get("label_v1")):
                continue
            verdict = round1[(r["iati_identifier"], r["file"])]
            cell = verdict if verdict != "no" else ("no-productive" if prod else "")
            if cell:
                s = sums.setdefault(cell, [0.0, 0.0, 0.0])
                s[0] += w
                s[1] += w * (r[column] == "yes")
                s[2] += w * (r[column] != "no")
        y, p, n = sums["yes"], sums["possible"], sums["no-productive"]
        flagged = (ROUND1["yes"] * y[2] / y[0] + ROUND1["possible"] * p[2] / p[0]) / sum(
            ROUND1.values()
        )
        name = ("v3" if column == "label" else column[-2:]) + (
            "" if only_old else " (with later samples)"
        )
        print(f"{name}: yes->yes {y[1] / y[0]:.3f}; yes->pos {y[2] / y[0]:.3f}; "
              f"pos->pos {p[2] / p[0]:.3f}; flagged->pos {flagged:.3f}; "
              f"no-productive->pos {n[2] / n[0]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
