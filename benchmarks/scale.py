"""Benchmark: gvckit at scale, against pymrio and against the machine's own limit.

Run with ``make bench`` (or ``python benchmarks/scale.py [--quick]``). Every step runs in its
own subprocess, so that its peak resident memory (``ru_maxrss``) is its own; the peak is reset
(``/proc/self/clear_refs``) once the step's input table is in memory, so it counts the table
held in memory but not the temporaries of building a random table.

1. WIOD 2011 (the bundled table, n = 1,435): gvckit's model (A, LU of I - A), TiVA and VS,
   against pymrio's ``IOSystem(Z, Y, VA).calc_all()`` on the same table, with a value-added
   satellite account F = value added by country of origin (one row per country). Both then
   compute A, the Leontief system (pymrio: the explicit inverse L), the VA multipliers
   (pymrio M = S L; gvckit V B summed by source country) and value added by origin in each
   destination's final demand (pymrio D_cba_reg; gvckit TiVA). Median of 3 runs each, after
   one untimed warm-up run each; the multipliers and TiVA of both are compared in the same run.
   Target: gvckit >= 3x faster.
2. OECD ICIO size (random balanced table, 77 countries x 45 sectors, n = 3,465): every
   decomposition and GVC measure from one shared Basis. Target <= 10 s, <= 6 GiB.
3. EXIOBASE size (random balanced table, 49 regions x 163 sectors, n = 7,987): TiVA and
   participation (OECD). Target <= 60 s, <= 12 GiB. ``--quick``: 49 x 60 (n = 2,940).
4. The physical reference: one dense LU (scipy.linalg.lu_factor, 2/3 n^3 flops, all BLAS
   threads) at each size, median of 3, and each step's time as a multiple of it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
GIB = 2**30
WIOD_N = 1435
OECD = (77, 45)
EXIO = (49, 163)
EXIO_QUICK = (49, 60)

#: (measure, options) of step 2, in the order they are computed from one Basis.
ALL_MEASURES: list[tuple[str, dict[str, str]]] = [
    ("kww", {}),
    ("wwz", {}),
    ("bm", {"approach": "source"}),
    ("bm", {"approach": "sink"}),
    ("participation", {"method": "oecd"}),
    ("participation", {"method": "bm"}),
    ("participation", {"method": "wwyz"}),
    ("position", {}),
    ("upstreamness", {}),
    ("nrca", {}),
]


# ------------------------------------------------------------------------- in the subprocess


def _peak_bytes() -> int:
    """Peak resident memory of this process since the last reset (Linux: KiB in ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> int:
    """Collect garbage, reset the peak to the current resident memory and return it."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:  # not Linux, or not allowed: the peak then includes building the input
        pass
    return _rss_bytes()


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = func()
    return time.perf_counter() - start, out


def _wiod_table() -> Any:
    from gvckit.datasets import load_example

    return load_example("wiod2013-2011")


def child_wiod_gvckit(repeat: int, out: Path) -> dict[str, Any]:
    """Model (A, LU), TiVA origin x destination and VS by country-sector, from the table."""
    import gvckit.icio as icio

    table = _wiod_table()
    base = _reset_peak()

    def run() -> tuple[Any, Any, Any]:
        model = icio.IcioModel(table)
        return model, icio.measure("tiva", model), icio.measure("vs", model)

    run()  # warm-up (first BLAS call, first use of pandas' code paths), not counted
    times = []
    for _ in range(repeat):
        seconds, (model, tiva, _vs) = _timed(run)
        times.append(seconds)
    peak = _peak_bytes()
    U = model.grouping.n_units
    np.save(out / "gvckit_M.npy", model.value_added_by_source())  # what VS is computed from
    np.save(out / "gvckit_tiva.npy", tiva["value"].to_numpy().reshape(U, U))
    return {"seconds": times, "peak": peak, "input": base}


def pymrio_inputs(table: Any) -> tuple[Any, Any, Any, Any]:
    """pymrio's inputs for ``table``: Z, Y and an extension of value added by origin country
    (F, G×n, and its unit), so that calc_all's ``VA.D_cba_reg`` is trade in value added."""
    import pandas as pd

    n, G = table.n, len(table.entities)
    rows = pd.MultiIndex.from_product(
        [list(table.entities), list(table.sectors)], names=["region", "sector"]
    )
    fd = pd.MultiIndex.from_product(
        [list(table.destinations), list(table.categories)], names=["region", "category"]
    )
    Z = pd.DataFrame(np.array(table.Z), index=rows, columns=rows)
    Y = pd.DataFrame(np.array(table.Y).reshape(n, -1), index=rows, columns=fd)
    F = np.zeros((G, n))
    F[np.repeat(np.arange(G), len(table.sectors)), np.arange(n)] = table.va
    names = pd.Index([f"VA {e}" for e in table.entities], name="stressor")
    F_df = pd.DataFrame(F, index=names, columns=rows)
    unit = pd.DataFrame({"unit": ["M.USD"] * G}, index=names)
    return Z, Y, F_df, unit


def child_wiod_pymrio(repeat: int, out: Path) -> dict[str, Any]:
    """pymrio: IOSystem(Z, Y, extension VA by origin country) then calc_all()."""
    import pymrio

    Z, Y, F_df, unit = pymrio_inputs(_wiod_table())
    base = _reset_peak()

    def run() -> Any:
        io = pymrio.IOSystem(Z=Z, Y=Y, VA={"name": "VA", "F": F_df, "unit": unit})
        return io.calc_all()

    run()  # warm-up, as for gvckit
    times = []
    for _ in range(repeat):
        seconds, io = _timed(run)
        times.append(seconds)
    peak = _peak_bytes()
    np.save(out / "pymrio_M.npy", io.VA.M.to_numpy())
    np.save(out / "pymrio_tiva.npy", io.VA.D_cba_reg.to_numpy())
    return {"seconds": times, "peak": peak, "input": base, "version": pymrio.__version__}


def _random_table(G: int, N: int) -> Any:
    sys.path.insert(0, str(HERE))
    from run import random_table

    return random_table(G, N)


def child_oecd(G: int, N: int) -> dict[str, Any]:
    """Model, one Basis, then every measure of ALL_MEASURES from that Basis."""
    import gvckit.icio as icio
    from gvckit.icio.decompose import Basis

    table = _random_table(G, N)
    base = _reset_peak()
    parts: dict[str, float] = {}
    parts["model (A, LU of I - A)"], model = _timed(lambda: icio.IcioModel(table))
    parts["Basis (one inverse, blocks)"], basis = _timed(lambda: Basis(model))
    for name, options in ALL_MEASURES:
        label = " ".join([name, *options.values()])
        parts[label], _ = _timed(lambda n=name, o=options: icio.measure(n, basis, **o))
    return {"parts": parts, "peak": _peak_bytes(), "input": base}


def child_exio(G: int, N: int) -> dict[str, Any]:
    """Model, TiVA and participation (OECD) through the measure API."""
    import gvckit.icio as icio

    table = _random_table(G, N)
    base = _reset_peak()
    parts: dict[str, float] = {}
    parts["model (A, LU of I - A)"], model = _timed(lambda: icio.IcioModel(table))
    parts["tiva"], _ = _timed(lambda: icio.measure("tiva", model))
    parts["participation oecd"], _ = _timed(
        lambda: icio.measure("participation", model, method="oecd")
    )
    return {"parts": parts, "peak": _peak_bytes(), "input": base}


def child_lu(n: int, repeat: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from panel import lu_seconds

    return {"seconds": lu_seconds(n, repeat), "peak": _peak_bytes()}


def child_main(args: argparse.Namespace) -> None:
    out = Path(args.out)
    step, size = args.child, args.size
    G, N = (int(k) for k in size.split("x")) if size else (0, 0)
    if step == "wiod-gvckit":
        result = child_wiod_gvckit(args.repeat, out)
    elif step == "wiod-pymrio":
        result = child_wiod_pymrio(args.repeat, out)
    elif step == "oecd":
        result = child_oecd(G, N)
    elif step == "exio":
        result = child_exio(G, N)
    elif step == "lu":
        result = child_lu(G * N, args.repeat)
    else:
        raise SystemExit(f"unknown step {step!r}")
    (out / f"{step}-{size}.json").write_text(json.dumps(result))


# ------------------------------------------------------------------------------- the parent


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all processes, /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:9]]
    except OSError:  # not Linux: no measure of the other processes
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(step: str, tmp: Path, size: str = "", repeat: int = 1) -> dict[str, Any]:
    """Run one step in a fresh interpreter and return what it measured, with ``others``: the
    share of the machine's CPUs that other processes used meanwhile."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", step, "--out", str(tmp)]
    cmd += ["--size", size, "--repeat", str(repeat)]
    print(f"  running {step} {size}".rstrip() + " ...", file=sys.stderr, flush=True)
    busy, own, start = _busy_cpu_seconds(), _children_cpu_seconds(), time.perf_counter()
    proc = subprocess.run(cmd, check=False)
    wall = time.perf_counter() - start
    others = (_busy_cpu_seconds() - busy) - (_children_cpu_seconds() - own)
    if proc.returncode != 0:
        sys.exit(f"step {step} {size} failed (exit code {proc.returncode})")
    result: dict[str, Any] = json.loads((tmp / f"{step}-{size}.json").read_text())
    result["others"] = max(0.0, others) / (wall * (os.cpu_count() or 1))
    return result


HEADER = (
    f"{'step':<42} {'n':>5} {'seconds':>8} {'target':>7} {'peak GiB':>8} {'target':>6} "
    f"{'LU s':>6} {'x LU':>5} {'others':>6}  verdict"
)


def _row(
    label: str,
    n: int | str = "",
    seconds: float | None = None,
    t_target: str = "",
    peak: float | None = None,
    m_target: str = "",
    lu: float | None = None,
    others: float | None = None,
    note: str = "",
) -> str:
    sec = f"{seconds:.3f}" if seconds is not None else ""
    mem = f"{peak / GIB:.2f}" if peak is not None else ""
    lu_s = f"{lu:.3f}" if lu is not None else ""
    x_lu = f"{seconds / lu:.1f}" if lu is not None and seconds is not None else ""
    busy = f"{others:.0%}" if others is not None and others == others else ""
    line = (
        f"{label:<42} {n!s:>5} {sec:>8} {t_target:>7} {mem:>8} {m_target:>6} {lu_s:>6} "
        f"{x_lu:>5} {busy:>6}  {note}"
    )
    return line.rstrip()


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _size(G: int, N: int) -> str:
    return f"{G}x{N}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller EXIOBASE-like table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--size", default="", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return

    cpus = os.cpu_count() or 1
    load_start = os.getloadavg()
    exio = EXIO_QUICK if args.quick else EXIO
    n_oecd, n_exio = OECD[0] * OECD[1], exio[0] * exio[1]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gvckit-scale-") as name:
        tmp = Path(name)
        lu = {WIOD_N: run_child("lu", tmp, _size(41, WIOD_N // 41), repeat=3)}
        ours = run_child("wiod-gvckit", tmp, repeat=3)
        peer = run_child("wiod-pymrio", tmp, repeat=3)
        M_ours, M_peer = np.load(tmp / "gvckit_M.npy"), np.load(tmp / "pymrio_M.npy")
        T_ours, T_peer = np.load(tmp / "gvckit_tiva.npy"), np.load(tmp / "pymrio_tiva.npy")
        lu[n_oecd] = run_child("lu", tmp, _size(*OECD), repeat=3)
        oecd = run_child("oecd", tmp, _size(*OECD))
        lu[n_exio] = run_child("lu", tmp, _size(*exio), repeat=3)
        big = run_child("exio", tmp, _size(*exio))
    wall = time.perf_counter() - started
    load_end = os.getloadavg()
    lu_s = {n: r["seconds"] for n, r in lu.items()}

    t_ours, t_peer = statistics.median(ours["seconds"]), statistics.median(peer["seconds"])
    ratio = t_peer / t_ours
    m_diff = float(np.max(np.abs(M_ours - M_peer)))
    t_diff = float(np.max(np.abs(T_ours - T_peer)))
    t_rel = t_diff / float(np.max(np.abs(T_peer)))
    oecd_total = sum(oecd["parts"].values())
    big_total = sum(big["parts"].values())

    print(f"\ngvckit at scale: {cpus} CPUs, times in s, peak resident memory in GiB")
    if args.quick:
        print(f"--quick: step 3 uses a smaller table, {exio[0]} x {exio[1]} (n = {n_exio})")
    print(HEADER + "\n" + "-" * len(HEADER))
    print(_row("1. WIOD 2011: gvckit model + TiVA + VS", WIOD_N, t_ours, "", ours["peak"], "",
               lu_s[WIOD_N], ours["others"]))  # fmt: skip
    print(_row(f"   pymrio {peer['version']} IOSystem + calc_all", WIOD_N, t_peer, "",
               peer["peak"], "", lu_s[WIOD_N], peer["others"]))  # fmt: skip
    print(f"{'   ratio pymrio / gvckit':<42} {'':>5} {ratio:>7.2f}x {'>= 3x':>7}"
          f"{'':>37}  {verdict(ratio >= 3)}")  # fmt: skip
    ok = f"time {verdict(oecd_total <= 10)}, memory {verdict(oecd['peak'] <= 6 * GIB)}"
    print(_row(f"2. OECD size {OECD[0]}x{OECD[1]}: all measures, one Basis", n_oecd, oecd_total,
               "<= 10", oecd["peak"], "<= 6", lu_s[n_oecd], oecd["others"], ok))  # fmt: skip
    for label, seconds in oecd["parts"].items():
        print(_row(f"     {label}", "", seconds, "", None, "", lu_s[n_oecd]))
    ok = f"time {verdict(big_total <= 60)}, memory {verdict(big['peak'] <= 12 * GIB)}"
    quick = " (quick)" if args.quick else ""
    print(_row(f"3. EXIOBASE size {exio[0]}x{exio[1]}{quick}: TiVA + part.", n_exio, big_total,
               "<= 60", big["peak"], "<= 12", lu_s[n_exio], big["others"], ok))  # fmt: skip
    for label, seconds in big["parts"].items():
        print(_row(f"     {label}", "", seconds, "", None, "", lu_s[n_exio]))
    lu_busy = ", ".join(f"{r['others']:.0%}" for r in lu.values())
    print(
        f"4. LU reference: column LU s (others busy {lu_busy} during the LU runs at n ="
        f" {', '.join(map(str, lu))})"
    )
    print(
        f"\nsame outputs (step 1): VA multipliers (pymrio VA.M vs gvckit V B by source country,"
        f" {M_ours.shape[0]} x {M_ours.shape[1]}) max |diff| {m_diff:.1e};"
        f"\n  TiVA origin x destination (pymrio VA.D_cba_reg vs gvckit tiva) max |diff| "
        f"{t_diff:.1e} (relative to the largest flow {t_rel:.0e})"
    )
    runs = ", ".join(f"{x:.3f}" for x in ours["seconds"])
    peer_runs = ", ".join(f"{x:.3f}" for x in peer["seconds"])
    print(
        f"step 1: median of 3 runs each (gvckit {runs}; pymrio {peer_runs}) after one warm-up"
        " run each, from the table in memory;"
        "\n  gvckit: IcioModel (A, v, exports, LU of I - A) + measure tiva + measure vs;"
        "\n  pymrio: IOSystem(Z, Y, VA = value added by origin country) + calc_all()"
        " (x, A, L = inv(I - A), S, M, D_cba/pba/imp/exp, per region);"
        " its DataFrames are built before the timing"
    )
    print(
        "steps 2-3: one run each, from the table in memory (building the random table is not"
        " timed); step 3 calls measure() with the model,\nwhich gives participation a lazy"
        " Basis (value added by source from one solve, no explicit inverse);"
        "\npeak: ru_maxrss of the step's own process, reset once its input was in memory"
        " (input table + interpreter: "
        f"{ours['input'] / GIB:.2f}, {peer['input'] / GIB:.2f}, {oecd['input'] / GIB:.2f},"
        f" {big['input'] / GIB:.2f} GiB);"
        "\nLU s: one dense scipy.linalg.lu_factor of that size (all BLAS threads, median of 3) in"
        " a subprocess of the same run; x LU: seconds / LU s;"
        "\nothers: share of the CPUs used by other processes while the step ran"
    )
    print(
        f"load average (1, 5, 15 min) at start {load_start[0]:.2f} {load_start[1]:.2f}"
        f" {load_start[2]:.2f}, at end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}"
        f" ({cpus} CPUs); whole run {wall:.0f} s"
    )
    if load_start[0] > 1.5:
        print(
            f"WARNING: load average {load_start[0]:.2f} > 1.5 at the start: other processes"
            " were using the CPUs, so times are slower than on an idle machine"
        )


if __name__ == "__main__":
    main()
