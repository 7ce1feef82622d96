"""Train the value chain classifier's scores and write them to src/gvckit/data/vc_model.json.

    python scripts/train_vc_model.py [--labels tests/data/iati_vc_labels.csv]
        [--corpus $GVCKIT_SHARED/data/iati] [--out src/gvckit/data/vc_model.json]

Needs scikit-learn (pip install 'gvckit[training]'). Deterministic: see gvckit.portfolio.training.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from gvckit.portfolio.training import fit, labelled_activities, read_labels

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--labels", type=Path, default=ROOT / "tests/data/iati_vc_labels.csv")
    shared = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared"))
    ap.add_argument("--corpus", type=Path, default=shared / "data" / "iati")
    ap.add_argument("--out", type=Path, default=ROOT / "src/gvckit/data/vc_model.json")
    args = ap.parse_args()
    rows = read_labels(args.labels)
    model = fit(labelled_activities(rows, args.corpus))
    args.out.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n")
    print(
        f"wrote {args.out}: thresholds possible {model.chain_threshold}, yes {model.yes_threshold}"
    )


if __name__ == "__main__":
    main()
