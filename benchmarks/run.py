"""Benchmarks: gvckit against its peers, in one run, printed as tables.

Run with ``make bench`` (or ``python benchmarks/run.py [--repeat N] [--quick]``).

1. Leontief engine vs pymrio on the real WIOD 2011 table (same inputs, same run): median wall
   time and the ratio pymrio / gvckit (> 1: gvckit is faster).
2. Decompositions at WIOD size (n = 1,435, 41 exporters) and OECD ICIO size (a random balanced
   table with n = 3,465, 77 exporters): Borin–Mancini source + sink for every exporter, WWZ and
   KWW, against one explicit Leontief inverse of the same size and against the naive method
   that inverts I − A^(s) once per exporter (as the R and Stata tools do). At OECD size the naive
   method is timed on a few exporters and scaled to all of them (marked "≈"). Peak memory is
   the largest block of memory the task allocated (tracemalloc; numpy reports its arrays).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import gvckit.icio as icio
from gvckit.datasets import example_path
from gvckit.icio import leontief as lt
from gvckit.icio.decompose import Basis
from gvckit.icio.decompose import borin_mancini as bm
from gvckit.icio.decompose import wwz as wz


def _median_time(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mb(func: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def random_table(G: int, N: int, seed: int = 1) -> icio.IcioTable:
    """A balanced, productive random table with ICIO-like structure (strong domestic blocks)."""
    rng = np.random.default_rng(seed)
    n = G * N
    A = rng.random((n, n)) ** 4 * 0.02
    for g in range(G):
        blk = slice(g * N, (g + 1) * N)
        A[blk, blk] = rng.random((N, N)) * 0.04
    A *= rng.uniform(0.3, 0.7, n) / A.sum(axis=0)
    Y = rng.random((n, G)) ** 2 * 100
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=1))
    return icio.IcioTable(
        entities=[f"C{g:02d}" for g in range(G)], sectors=[f"s{k}" for k in range(N)],
        Z=A * x[None, :], Y=Y,
    )  # fmt: skip


def bm_fast(model: icio.IcioModel) -> None:
    """Borin–Mancini source and sink, every exporter, from a built model (A, LU of I − A)."""
    basis = Basis(model)
    bm.exporter_terms(basis, "source")
    bm.exporter_terms(basis, "sink")


def bm_naive(table: icio.IcioTable, exporters: int | None = None) -> None:
    """The one-inverse-per-exporter method: B^(s) = (I − A^(s))⁻¹, then the FVA of s."""
    model = icio.IcioModel(table)
    A, v, ru = model.A, model.v, model.grouping.row_unit
    n = len(v)
    for s in range(model.grouping.n_units if exporters is None else exporters):
        rows, others = np.flatnonzero(ru == s), np.flatnonzero(ru != s)
        As = np.array(A)
        As[np.ix_(rows, others)] = 0.0
        Bs = np.linalg.inv(np.eye(n) - As)
        _ = (v[others] @ Bs[np.ix_(others, rows)]) * model.E[rows]


def engine_section(repeat: int) -> None:
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
        ("A = Z diag(x)^-1", lambda: lt.technical_coefficients(Z, x),
         peer(lambda: pymrio.calc_A(Z, x))),
        ("factorise I - A (gvckit) / inverse L (pymrio)", lambda: lt.LeontiefSystem(A),
         peer(lambda: pymrio.calc_L(A))),
        ("x = B y from scratch", lambda: lt.LeontiefSystem(A).solve(y),
         peer(lambda: pymrio.calc_L(A) @ y)),
        ("full inverse B", lambda: lt.LeontiefSystem(A).inverse(),
         peer(lambda: pymrio.calc_L(A))),
        ("VS by country-sector (model built)", lambda: icio.measure("vs", model), None),
        ("TiVA origin x destination (model built)", lambda: icio.measure("tiva", model), None),
    ]  # fmt: skip
    version = f"pymrio {pymrio.__version__}" if pymrio is not None else "pymrio not installed"
    print(f"\n1. Leontief engine, WIOD 2011 (n = {table.n}); median of {repeat} runs; {version}")
    header = f"{'task':<48} {'gvckit s':>10} {'pymrio s':>10} {'ratio':>7}"
    print(header + "\n" + "-" * len(header))
    for name, ours, theirs in tasks:
        t_ours = _median_time(ours, repeat)
        if theirs is None:
            print(f"{name:<48} {t_ours:>10.4f} {'—':>10} {'—':>7}")
            continue
        t_theirs = _median_time(theirs, repeat)
        print(f"{name:<48} {t_ours:>10.4f} {t_theirs:>10.4f} {t_theirs / t_ours:>7.2f}")


def decomposition_section(repeat: int, quick: bool) -> None:
    cases = [("WIOD 2011", icio.read(example_path("wiod2013-2011")), None)]
    if not quick:
        cases.append(("OECD size (random)", random_table(77, 45), 3))
    print("\n2. Decompositions for all exporters; times in s, peak memory in MiB")
    header = (
        f"{'table':<20} {'n':>5} {'model':>6} {'inverse':>8} {'BM src+sink':>12} {'x inv':>6} "
        f"{'naive BM':>10} {'speed-up':>9} {'WWZ+KWW':>8} {'peak BM':>8} {'peak WWZ':>9}"
    )
    print(header + "\n" + "-" * len(header))
    for name, table, naive_exporters in cases:
        t_model = _median_time(lambda t=table: icio.IcioModel(t), repeat)
        model = icio.IcioModel(table)
        n, U = table.n, model.grouping.n_units
        eye = np.eye(n)
        t_inv = _median_time(lambda a=model.A, i=eye: np.linalg.inv(i - a), repeat)
        t_bm = _median_time(lambda m=model: bm_fast(m), repeat)
        if naive_exporters is None:
            t_naive = _median_time(lambda t=table: bm_naive(t), 1)
            naive = f"{t_naive:.2f}"
        else:
            t_naive = _median_time(lambda t=table, k=naive_exporters: bm_naive(t, k), 1)
            t_naive *= U / naive_exporters
            naive = f"≈{t_naive:.1f}"
        basis = Basis(model)
        t_wwz = _median_time(lambda b=basis: wz.kww(b, wz.wwz(b)), max(1, repeat // 2))
        peak_bm = _peak_mb(lambda m=model: bm_fast(m))
        peak_wwz = _peak_mb(lambda b=basis: wz.kww(b, wz.wwz(b)))
        print(
            f"{name:<20} {n:>5} {t_model:>6.3f} {t_inv:>8.3f} {t_bm:>12.3f} {t_bm / t_inv:>6.2f} "
            f"{naive:>10} {t_naive / t_bm:>8.1f}x {t_wwz:>8.3f} {peak_bm:>8.0f} "
            f"{peak_wwz:>9.0f}"
        )
    print(
        "model: A and the LU factorisation of I - A, shared by every measure; inverse: one"
        " explicit (I - A)^-1 from scratch;\nx inv: BM source + sink from a built model / one"
        " inverse (target <= 3); speed-up: naive method / gvckit"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the OECD-size table")
    args = parser.parse_args()
    engine_section(args.repeat)
    decomposition_section(args.repeat, args.quick)


if __name__ == "__main__":
    main()
