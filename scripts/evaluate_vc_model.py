"""Measure the shipped value chain classifier on a judged, stratified sample (a second, simple
reading: it shares no code with the training or gvckit.portfolio.agreement).

    python scripts/evaluate_vc_model.py LABELS.csv \\
        --population V-yes=10 V-possible=247 V-no-productive=1389 \\
        [--split test] [--corpus $GVCKIT_SHARED/data/iati] [--scan activities.csv]

LABELS.csv has the columns iati_identifier, file (relative to the corpus), label
(yes/possible/no) and stratum; with --split, only the rows of that split are read (e.g. the
fresh blind test sample of tests/data/iati_vc_labels.csv). Each row weighs N_h / n_h: the
population of its stratum over the rows of that stratum read. The verdicts are the
classifier's (gvckit.portfolio.classify on the activity read from the corpus), or, with --scan,
the value_chain column of a ``gvckit portfolio scan ... -o activities.csv`` output joined
on iati_identifier.

Printed, population-weighted: precision of "yes or possible" (judged yes or possible), recall
of judged chain work (yes or possible), "yes" judged yes, each with a Wilson 95 % interval on
Kish's effective sample size (Σw)²/Σw², and Cohen's kappa over the three classes; then the
counts of label by verdict in each stratum.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ("yes", "possible", "no")


def wilson(p: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson (1927) score interval of a proportion p on n observations."""
    if n <= 0:
        return 0.0, 1.0
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def weighted(pairs: list[tuple[float, bool, bool]]) -> str:
    """'p [low, high] (n)' of Σ w·[hit] / Σ w over the rows in the denominator."""
    den = [(w, hit) for w, hit, inside in pairs if inside]
    s = sum(w for w, _ in den)
    if not s:
        return "undefined (n=0)"
    p = sum(w for w, hit in den if hit) / s
    lo, hi = wilson(p, s * s / sum(w * w for w, _ in den))
    return f"{p:.3f} [{lo:.3f}, {hi:.3f}] (n={len(den)})"


def verdicts_from_corpus(rows: list[dict[str, str]], corpus: Path) -> dict[tuple[str, str], str]:
    from gvckit.portfolio.classify import classify_activity
    from gvckit.portfolio.iati import read_activities

    want = {(r["iati_identifier"], r["file"]) for r in rows}
    got: dict[tuple[str, str], str] = {}
    for name in sorted({f for _, f in want}):
        for act in read_activities([corpus / name]):
            key = (act.iati_identifier, name)
            if key in want:
                got[key] = classify_activity(act).value_chain
    return got


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("labels", type=Path)
    ap.add_argument("--population", nargs="+", required=True, metavar="STRATUM=N")
    shared = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared"))
    ap.add_argument("--corpus", type=Path, default=shared / "data" / "iati")
    ap.add_argument("--scan", type=Path, help="a portfolio scan's activities.csv")
    ap.add_argument("--split", help="read only the rows of this split")
    args = ap.parse_args()
    population = {}
    for item in args.population:
        name, _, n = item.partition("=")
        population[name] = float(n)
    with args.labels.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not args.split or r.get("split") == args.split]
    bad = [r for r in rows if r["label"] not in CLASSES or r["stratum"] not in population]
    if bad:
        what = f"{args.labels}: row {bad[0]['iati_identifier']}"
        print(f"error: {what} has an unknown label or stratum", file=sys.stderr)
        return 2
    sample = {h: sum(r["stratum"] == h for r in rows) for h in population}
    if args.scan:
        with args.scan.open(encoding="utf-8", newline="") as fh:
            by_id = {r["iati_identifier"]: r["value_chain"] for r in csv.DictReader(fh)}
        verdict = {(r["iati_identifier"], r["file"]): by_id.get(r["iati_identifier"], "")
                   for r in rows}  # fmt: skip
    else:
        verdict = verdicts_from_corpus(rows, args.corpus)
    missing = [r["iati_identifier"] for r in rows
               if verdict.get((r["iati_identifier"], r["file"]), "") not in CLASSES]  # fmt: skip
    if missing:
        print(f"error: no verdict for {len(missing)} rows, e.g. {missing[0]}", file=sys.stderr)
        return 2
    table = []  # (weight, label, verdict)
    for r in rows:
        w = population[r["stratum"]] / sample[r["stratum"]]
        table.append((w, r["label"], verdict[(r["iati_identifier"], r["file"])]))
    print(f"{len(rows)} judged activities; weights N_h/n_h: "
          + ", ".join(f"{h} {population[h]:g}/{sample[h]}" for h in population))  # fmt: skip
    print("precision of yes or possible:",
          weighted([(w, lab != "no", v != "no") for w, lab, v in table]))  # fmt: skip
    print("recall of judged chain work: ",
          weighted([(w, v != "no", lab != "no") for w, lab, v in table]))  # fmt: skip
    print("yes judged yes:              ",
          weighted([(w, lab == "yes", v == "yes") for w, lab, v in table]))  # fmt: skip
    total = sum(w for w, _, _ in table)
    p_o = sum(w for w, lab, v in table if lab == v) / total
    p_e = sum(sum(w for w, lab, _ in table if lab == k) * sum(w for w, _, v in table if v == k)
              for k in CLASSES) / total**2  # fmt: skip
    print(f"Cohen's kappa (3 classes):    {(p_o - p_e) / (1 - p_e):.3f}")
    for h in population:
        pairs = [(lab, v) for r, (_, lab, v) in zip(rows, table, strict=True) if r["stratum"] == h]
        cells = " ".join(f"{a}->{b}:{pairs.count((a, b))}" for a in CLASSES for b in CLASSES)
        print(f"  {h}: label->verdict {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
