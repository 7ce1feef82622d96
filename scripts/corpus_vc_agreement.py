"""How a portfolio scan's verdicts agree with the labelled set, in the frame an independent reader
samples, over the whole corpus (a plain second reading of the scan output: it shares no code with
gvckit's classifier, training or agreement modules).

    gvckit portfolio scan $GVCKIT_SHARED/data/iati/activities -o activities.csv
    python scripts/corpus_vc_agreement.py activities.csv [--labels tests/data/iati_vc_labels.csv]

The reader's frame (the issue's sample): activities called yes or possible, and those called no
in a productive sector (DAC 311, 312, 313, 321, 322, 323, 331, 250, 332 or 43040, from the scan's
``sectors`` column). Three readings, population-weighted, each with a Wilson 95 % interval on
Kish's effective n:

1. **blind**: the held-apart split ``test`` alone, each row weighing N_h / n_h (its ``weight``):
   the activities no sample had reached, which the classifier never saw;
2. **labelled**: every other labelled activity once, with its label (a census of the labelled
   part; in-sample for the training rows);
3. **corpus**: every labelled activity outside the split once, with its label, and the unlabelled
   rest estimated from the blind sample: a blind row weighs (N_h − m_h) / n_h, m_h being the
   labelled rows outside the split in its stratum (a training sample drawn from the same
   stratum; the blind sample stands only for the activities left unlabelled).

Printed for each: precision of "yes or possible", recall of judged chain work, "yes" judged yes
and Cohen's kappa over the three classes.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from evaluate_vc_model import wilson  # the plain Wilson interval of the sibling script

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ("311", "312", "313", "321", "322", "323", "331", "250", "332")


def productive(codes: list[str]) -> bool:
    """Whether any DAC code is in a sector the issue's reader counts as productive."""
    return any(c[:3] in GROUPS or c == "43040" for c in codes)


def share(rows: list[tuple[float, str, str]], hit: str, inside: str) -> str:
    """Σw over rows where ``inside`` and ``hit`` / Σw where ``inside`` ('pos': yes or possible)."""

    def test(kind: str, value: str) -> bool:
        return value != "no" if kind == "pos" else value == "yes"

    den = [(w, lab, ver) for w, lab, ver in rows if test(inside[0], lab if inside[1] else ver)]
    s = sum(w for w, _, _ in den)
    if not s:
        return "undefined (n=0)"
    p = sum(w for w, lab, ver in den if test(hit[0], lab if hit[1] else ver)) / s
    lo, hi = wilson(p, s * s / sum(w * w for w, _, _ in den))
    return f"{p:.3f} [{lo:.2f}, {hi:.2f}] (n={len(den)})"


def kappa(rows: list[tuple[float, str, str]]) -> float:
    total = sum(w for w, _, _ in rows)
    p_o = sum(w for w, lab, ver in rows if lab == ver) / total
    p_e = sum(
        sum(w for w, lab, _ in rows if lab == k) * sum(w for w, _, ver in rows if ver == k)
        for k in ("yes", "possible", "no")
    ) / (total * total)
    return (p_o - p_e) / (1 - p_e)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scan", type=Path, help="activities.csv of gvckit portfolio scan")
    ap.add_argument("--labels", type=Path, default=ROOT / "tests/data/iati_vc_labels.csv")
    args = ap.parse_args()
    scan: dict[str, tuple[str, bool]] = {}
    with args.scan.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            codes = [s.split(":")[0] for s in r["sectors"].split(";") if s]
            scan[r["iati_identifier"].strip()] = (r["value_chain"], productive(codes))
    with args.labels.open(encoding="utf-8", newline="") as fh:
        labels = list(csv.DictReader(fh))
    readings: dict[str, list[tuple[float, str, str]]] = {"blind": [], "labelled": []}
    n_test: dict[str, int] = {}
    m_rest: dict[str, int] = {}
    for r in labels:
        count = n_test if r["split"] == "test" else m_rest
        count[r["stratum"]] = count.get(r["stratum"], 0) + 1
    rest: list[tuple[float, str, str]] = []
    missing = 0
    for r in labels:
        if r["iati_identifier"] not in scan:
            missing += 1
            continue
        verdict, in_productive = scan[r["iati_identifier"]]
        if verdict == "no" and not in_productive:
            continue  # outside the reader's frame
        if r["split"] == "test":
            w = float(r["weight"])  # N_h / n_h
            h = r["stratum"]
            readings["blind"].append((w, r["label"], verdict))
            unlabelled = w * n_test[h] - m_rest.get(h, 0)
            rest.append((unlabelled / n_test[h], r["label"], verdict))
        else:
            readings["labelled"].append((1.0, r["label"], verdict))
    readings["corpus"] = rest + readings["labelled"]
    for name, rows in readings.items():
        print(f"{name}: precision {share(rows, ('pos', True), ('pos', False))}; "
              f"recall {share(rows, ('pos', False), ('pos', True))}; "
              f"yes judged yes {share(rows, ('yes', True), ('yes', False))}; "
              f"kappa {kappa(rows):.3f}")  # fmt: skip
    if missing:
        print(f"{missing} labelled activities not in the scan")


if __name__ == "__main__":
    main()
