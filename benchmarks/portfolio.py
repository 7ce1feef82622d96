"""Benchmark: scan the shared IATI corpus (27,237 activities in 288 files), classify every
activity and store it in a fresh SQLite file; compare with a bare lxml ``iterparse`` pass over
the same files (the floor: reading the XML and nothing else).

Run with ``make bench`` or ``python benchmarks/portfolio.py [--data DIR]``. Each step runs in
its own process so that its peak resident memory (ru_maxrss) is its own. Besides wall-clock
seconds, each step reports its CPU seconds (user + system, its own and its workers'): on a shared
machine the wall clock depends on the load, the CPU time much less. The target is a scan within
6x the bare pass (``x bare``, by CPU time for the one-process scan).
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


def _scan(folder: Path, workers: int) -> int:
    from gvckit.portfolio.iati import find_files
    from gvckit.portfolio.store import PortfolioStore

    with tempfile.TemporaryDirectory() as tmp, PortfolioStore(f"sqlite:///{tmp}/b.db") as store:
        return store.scan(find_files([folder]), workers=workers).activities


def _child(step: str, folder: Path) -> None:
    start = time.perf_counter()
    n = _bare(folder) if step == "bare" else _scan(folder, int(step.removeprefix("scan")))
    seconds = time.perf_counter() - start
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    peak = me.ru_maxrss / 1024 + 2 * kids.ru_maxrss / 1024  # storer + (at most) two workers
    print(json.dumps({"activities": n, "seconds": seconds, "cpu": cpu, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("GVCKIT_SHARED", "")
                        or DEFAULT.parents[2]) / "data" / "iati" / "activities")  # fmt: skip
    parser.add_argument("--child", choices=["bare", "scan1", "scan2"])
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data)
        return
    if not args.data.is_dir():
        sys.exit(f"no IATI data at {args.data} (set GVCKIT_SHARED)")
    results = {}
    for step in ("bare", "scan1", "scan2"):
        out = subprocess.run([sys.executable, __file__, "--child", step, "--data", str(args.data)],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
        results[step] = json.loads(out.strip().splitlines()[-1])
    bare = results["bare"]
    load = os.getloadavg()[0]
    print(f"\nPortfolio scan of the shared IATI corpus (2 cores, load {load:.1f}; "
          "targets: <= 30 s, <= 1 GiB)")  # fmt: skip
    print(f"{'step':<50}{'activities':>11}{'seconds':>9}{'CPU s':>8}{'peak MiB':>10}"
          f"{'x bare':>8}")  # fmt: skip
    rows = [("bare lxml iterparse (read only)", bare),
            ("gvckit scan, 1 process (default on 2 CPUs)", results["scan1"]),
            ("gvckit scan, 2 worker processes + store", results["scan2"])]  # fmt: skip
    for label, r in rows:
        print(f"{label:<50}{r['activities']:>11,}{r['seconds']:>9.1f}{r['cpu']:>8.1f}"
              f"{r['peak_mib']:>10.0f}{r['cpu'] / bare['cpu']:>8.1f}")  # fmt: skip
    print("peak MiB: the storing process plus twice the largest worker (an upper bound);"
          " x bare: CPU seconds over the bare pass's.")  # fmt: skip


if __name__ == "__main__":
    main()
