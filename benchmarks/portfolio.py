"""Benchmark: scan the shared IATI corpus (27,237 activities in 288 files), classify every
activity and store it in a fresh SQLite file; compare with a bare lxml ``iterparse`` pass over
the same files (the floor: reading the XML and nothing else).

Run with ``make bench`` or ``python benchmarks/portfolio.py [--data DIR]``. Each step runs in
its own process so that its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "iati" / "activities"


def _bare(folder: Path) -> int:
    from lxml import etree

    count = 0
    for path in sorted(p for p in folder.rglob("*") if p.name.endswith((".xml", ".xml.gz"))):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            for _, elem in etree.iterparse(fh, events=("end",), tag="iati-activity",
                                           resolve_entities=False, no_network=True):  # fmt: skip
                count += 1
                elem.clear()
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
    return count


def _scan(folder: Path) -> int:
    from gvckit.portfolio.iati import find_files
    from gvckit.portfolio.store import PortfolioStore

    with tempfile.TemporaryDirectory() as tmp, PortfolioStore(f"sqlite:///{tmp}/b.db") as store:
        return store.scan(find_files([folder])).activities


def _child(step: str, folder: Path) -> None:
    start = time.perf_counter()
    n = _bare(folder) if step == "bare" else _scan(folder)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"activities": n, "seconds": seconds, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("GVCKIT_SHARED", "")
                        or DEFAULT.parents[2]) / "data" / "iati" / "activities")  # fmt: skip
    parser.add_argument("--child", choices=["bare", "scan"])
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data)
        return
    if not args.data.is_dir():
        sys.exit(f"no IATI data at {args.data} (set GVCKIT_SHARED)")
    results = {}
    for step in ("bare", "scan"):
        out = subprocess.run([sys.executable, __file__, "--child", step, "--data", str(args.data)],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
        results[step] = json.loads(out.strip().splitlines()[-1])
    bare, scan = results["bare"], results["scan"]
    print("\nPortfolio scan of the shared IATI corpus (2 cores; targets: <= 30 s, <= 1 GiB)")
    print(f"{'step':<44}{'activities':>11}{'seconds':>9}{'peak MiB':>10}")
    print(f"{'bare lxml iterparse (read only)':<44}{bare['activities']:>11,}"
          f"{bare['seconds']:>9.1f}{bare['peak_mib']:>10.0f}")  # fmt: skip
    print(f"{'gvckit scan: parse, classify, store (SQLite)':<44}{scan['activities']:>11,}"
          f"{scan['seconds']:>9.1f}{scan['peak_mib']:>10.0f}")  # fmt: skip
    print(f"ratio scan / bare iterparse: {scan['seconds'] / bare['seconds']:.1f}x")


if __name__ == "__main__":
    main()
