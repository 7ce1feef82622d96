"""Benchmarks: gvckit's Leontief engine against pymrio on the real WIOD 2011 table.

Run with ``make bench`` (or ``python benchmarks/run.py [--repeat N]``). Prints one table: the
median wall time of each task for gvckit and for pymrio (same inputs, same machine, same run) and
the ratio pymrio / gvckit (> 1: gvckit is faster). Tasks where pymrio has no equivalent show "—".
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import gvckit.icio as icio
from gvckit.datasets import example_path
from gvckit.icio import leontief as lt


def _median_time(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    path = example_path("wiod2013-2011")
    table = icio.read(path)
    Z, x, y = table.Z, table.x, table.final_demand.sum(axis=1)
    A = lt.technical_coefficients(Z, x)
    model = icio.IcioModel(table)

    try:
        import pymrio
    except ImportError:  # the pymrio extra is not installed
        pymrio = None

    def peer(f: Callable[[], object]) -> Callable[[], object] | None:
        return f if pymrio is not None else None

    tasks: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("read WIOD 2011 CSV (1435 rows)", lambda: icio.read(path), None),
        (
            "A = Z diag(x)^-1",
            lambda: lt.technical_coefficients(Z, x),
            peer(lambda: pymrio.calc_A(Z, x)),
        ),
        (
            "factorise I - A (gvckit) / inverse L (pymrio)",
            lambda: lt.LeontiefSystem(A),
            peer(lambda: pymrio.calc_L(A)),
        ),
        (
            "x = B y from scratch",
            lambda: lt.LeontiefSystem(A).solve(y),
            peer(lambda: pymrio.calc_L(A) @ y),
        ),
        ("full inverse B", lambda: lt.LeontiefSystem(A).inverse(), peer(lambda: pymrio.calc_L(A))),
        ("VS by country-sector (model built)", lambda: icio.measure("vs", model), None),
        ("TiVA origin x destination (model built)", lambda: icio.measure("tiva", model), None),
        ("V B diag(E), 2.06M rows (model built)", lambda: icio.measure("leontief", model), None),
    ]
    print(
        f"WIOD 2011: n = {table.n}; median of {args.repeat} runs; numpy {np.__version__}"
        + (f"; pymrio {pymrio.__version__}" if pymrio is not None else "; pymrio not installed")
    )
    header = f"{'task':<48} {'gvckit s':>10} {'pymrio s':>10} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for name, ours, theirs in tasks:
        t_ours = _median_time(ours, args.repeat)
        if theirs is None:
            print(f"{name:<48} {t_ours:>10.4f} {'—':>10} {'—':>7}")
            continue
        t_theirs = _median_time(theirs, args.repeat)
        print(f"{name:<48} {t_ours:>10.4f} {t_theirs:>10.4f} {t_theirs / t_ours:>7.2f}")


if __name__ == "__main__":
    main()
