"""Benchmark: panels over years on Dask, against the machine's own limit.

Run with ``make bench`` (or ``python benchmarks/panel.py [--quick] [--workers N]``).

1. The 17-year WIOD 2013 panel (1995-2011, n = 1,435) of Borin-Mancini source + sink and GVC
   participation (three ``gvckit panel`` runs, each reading every table) on a local Dask
   cluster of single-threaded worker processes; target <= 60 s. Cluster start-up (and the
   workers' first import of gvckit) is timed apart.
2. The same panel on 1 worker and on 2 workers: speed-up (target >= 1.7x on 2 cores).
3. The physical reference: one dense LU factorisation (scipy.linalg.lu_factor, 2/3 n^3 flops)
   at WIOD size (n = 1,435) and OECD ICIO size (n = 3,465), in a worker (one BLAS thread, as
   the tasks run) and in this process (all BLAS threads), and the ratio of our time per year
   to it. At OECD size there is no table file: the three measures are computed on a random
   balanced table of that size (no reading), in a worker.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WIOD = Path(os.environ.get("GVCKIT_SHARED", ROOT.parent / "shared")) / "data" / "wiod2013"
RUNS: list[tuple[str, dict[str, str]]] = [
    ("bm", {"approach": "source"}),
    ("bm", {"approach": "sink"}),
    ("participation", {}),
]


def lu_seconds(n: int, repeat: int = 5) -> float:
    """Median time of scipy.linalg.lu_factor on a dense, well-conditioned n x n matrix."""
    from scipy.linalg import lu_factor

    a = np.random.default_rng(0).random((n, n)) + n * np.eye(n)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        lu_factor(a)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def oecd_size_seconds(G: int, N: int) -> float:
    """BM source + sink and participation on a random balanced table of G x N rows, from the
    table (model, Basis and the three measures; no reading)."""
    import gvckit.icio as icio
    from gvckit.icio.decompose import Basis
    from run import random_table  # the benchmarks' shared balanced random table

    table = random_table(G, N)
    start = time.perf_counter()
    basis = Basis(icio.IcioModel(table))
    for name, options in RUNS:
        icio.measure(name, basis, **options)
    return time.perf_counter() - start


def run_panel(client: Any, sources: list[str], out: Path) -> tuple[float, list[Any]]:
    """Wall time of the three panel runs on ``client`` and their task results."""
    from gvckit import panel

    start = time.perf_counter()
    results: list[Any] = []
    for k, (name, options) in enumerate(RUNS):
        report = panel.write(name, sources, out / f"run{k}", client=client, force=True, **options)
        if failed := report.with_status("failed"):
            sys.exit(f"panel {name} failed: {failed[0].task.label}: {failed[0].reason}")
        results += report.results
    return time.perf_counter() - start, results


def timed_panel(workers: int, sources: list[str], out: Path) -> tuple[float, float, list[Any]]:
    """Start-up time (cluster and first import in the workers), panel time, task results."""
    from gvckit import panel

    start = time.perf_counter()
    with panel.connect(workers=workers) as client:
        client.run(__import__, "gvckit.icio")
        ready = time.perf_counter() - start
        wall, results = run_panel(client, sources, out)
    return ready, wall, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="workers of the full run")
    parser.add_argument("--quick", action="store_true", help="skip the OECD-size table")
    args = parser.parse_args()
    if importlib.util.find_spec("distributed") is None:
        sys.exit("panel benchmark skipped: Dask is not installed (pip install 'gvckit[scale]')")
    from gvckit import panel

    sources = [str(p) for p in sorted(WIOD.glob("wiot_[0-9]*.csv.gz"))]
    if len(sources) != 17:
        sys.exit(f"needs the 17 WIOD 2013 tables in {WIOD} (set GVCKIT_SHARED)")
    cpus, load = os.cpu_count() or 1, os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gvckit-bench-") as tmp:
        ready, wall, results = timed_panel(args.workers, sources, Path(tmp) / "full")
        ready1, wall1, _ = timed_panel(1, sources, Path(tmp) / "one")
    tasks = [r for r in results if r.status == "done"]
    read, compute, write = (statistics.median(r.seconds[k] for r in tasks) for k in range(3))
    per_year: dict[int | None, float] = {}
    for r in tasks:
        per_year[r.task.year] = per_year.get(r.task.year, 0.0) + sum(r.seconds)
    year_time = statistics.median(per_year.values())

    print("\n1. WIOD 2013 panel 1995-2011 (17 tables, n = 1435): BM source + BM sink +")
    print(f"   participation = 3 x 17 = {len(tasks)} tasks; {args.workers} workers, {cpus} CPUs")
    header = f"{'':<44} {'seconds':>9} {'target':>9}"
    print(header + "\n" + "-" * len(header))
    print(f"{'cluster start-up + first import in workers':<44} {ready:>9.2f} {'':>9}")
    print(f"{'panel (3 measures x 17 years)':<44} {wall:>9.2f} {'<= 60':>9}")
    print(f"{'  median task: read':<44} {read:>9.3f}")
    print(f"{'  median task: compute':<44} {compute:>9.3f}")
    print(f"{'  median task: write Parquet':<44} {write:>9.3f}")
    print(f"{'  one year (3 tasks, one worker)':<44} {year_time:>9.3f}")

    print(f"\n2. Workers: the same panel on 1 and {args.workers} workers (start-up excluded)")
    header = f"{'workers':<10} {'start-up s':>11} {'panel s':>9} {'speed-up':>9} {'target':>8}"
    print(header + "\n" + "-" * len(header))
    print(f"{1:<10} {ready1:>11.2f} {wall1:>9.2f} {1.0:>8.2f}x {'':>8}")
    speedup = wall1 / wall
    print(f"{args.workers:<10} {ready:>11.2f} {wall:>9.2f} {speedup:>8.2f}x {'>= 1.7x':>8}")

    print("\n3. Physical reference: one dense LU (scipy.linalg.lu_factor), median of 5")
    with panel.connect(workers=1) as client:
        lu1 = {n: client.submit(lu_seconds, n, pure=False).result() for n in (1435, 3465)}
        oecd = None
        if not args.quick:
            oecd = client.submit(oecd_size_seconds, 77, 45, pure=False).result()
    lu_all = {n: lu_seconds(n) for n in (1435, 3465)}
    header = (
        f"{'size':<18} {'n':>5} {'LU 1 thread':>12} {'LU all':>8} {'our time/year':>14} "
        f"{'x LU (1 thr)':>13}"
    )
    print(header + "\n" + "-" * len(header))
    print(
        f"{'WIOD (read+3 m.)':<18} {1435:>5} {lu1[1435]:>12.3f} {lu_all[1435]:>8.3f} "
        f"{year_time:>14.3f} {year_time / lu1[1435]:>13.1f}"
    )
    wall_year = wall / 17 * args.workers  # worker-seconds per year, queueing included
    print(
        f"{'WIOD (wall/yr/wkr)':<18} {1435:>5} {lu1[1435]:>12.3f} {lu_all[1435]:>8.3f} "
        f"{wall_year:>14.3f} {wall_year / lu1[1435]:>13.1f}"
    )
    shown = f"{oecd:>14.3f} {oecd / lu1[3465]:>13.1f}" if oecd is not None else f"{'skipped':>14}"
    print(f"{'OECD (3 m., no rd)':<18} {3465:>5} {lu1[3465]:>12.3f} {lu_all[3465]:>8.3f} {shown}")
    print(
        "our time/year: the three measures of one table, one worker (read + compute + write);"
        "\nwall/yr/wkr: panel wall time x workers / 17 (Dask overhead and idle tail included);"
        "\nx LU: how many single-threaded LU factorisations of the same size one year costs"
    )
    print(
        f"load average (1 min) at start {load:.2f}, at end {os.getloadavg()[0]:.2f}: other"
        f" processes on the {cpus} CPUs slow the panel and the speed-up down"
    )


if __name__ == "__main__":
    main()
