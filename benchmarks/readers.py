"""Reader benchmark: time and peak memory to read database releases at their published size.

Run with ``python benchmarks/readers.py`` (EXIOBASE 3 ixi: 49 regions × 163 industries,
n = 7,987) or ``--formats all`` (also Eora26: 189 countries × 26 sectors + ROW, n = 4,915, and
FIGARO: 46 areas × 64 industries, n = 2,944); ``--regions/--sectors`` shrink EXIOBASE for a
quick run.

Each release is written in its published layout into a temporary folder (a zip, deflated) with
synthetic numbers written as the databases write theirs (about 10 significant digits, 40 %
zeros). To write fast, rows repeat a few dozen precomputed patterns; reading cost is that of real
files of the same size. Each read runs in a fresh Python process, which reports the wall time of
``gvckit.icio.read`` (format auto-detected) and its peak resident memory (``ru_maxrss``), with
the resident memory after imports for reference. Target: < 4 GiB peak at EXIOBASE size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

GIB = 1024**3
PATTERNS = 48
CHILD = """
import json, resource, sys, time
import gvckit.icio as icio
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
fmt = icio.detect_format(sys.argv[1])
table = icio.read(sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"format": fmt, "seconds": seconds, "peak": peak, "base": base,
                  "n": table.n, "z_bytes": table.Z.nbytes, "balanced": table.balance.balanced}))
"""


def _patterns(width: int, seed: int, scale: float = 1.0) -> tuple[list[str], np.ndarray]:
    """Rows of ``width`` numbers as text (tab-separated) and their sums."""
    rng = np.random.default_rng(seed)
    texts, sums = [], []
    for _ in range(PATTERNS):
        v = rng.random(width) * rng.random(width) ** 4 * 1000 * scale
        v[rng.random(width) < 0.4] = 0.0
        values = [float(f"{x:.10g}") for x in v.tolist()]
        texts.append("\t".join("0.0" if x == 0 else repr(x) for x in values))
        sums.append(sum(values))
    return texts, np.array(sums)


def _write_lines(zf: zipfile.ZipFile, name: str, lines: Iterable[str]) -> int:
    """Stream lines into a zip member; its size in bytes."""
    size = 0
    with zf.open(name, "w", force_zip64=True) as fh:
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= 256:
                size += fh.write("".join(buf).encode())
                buf.clear()
        size += fh.write("".join(buf).encode())
    return size


def _rows(labels: list[str], patterns: list[str], sep: str = "\t") -> Iterator[str]:
    """``label<sep>pattern`` lines, the patterns taken in turn."""
    for i, label in enumerate(labels):
        yield f"{label}{sep}{patterns[i % PATTERNS]}\n"


def write_exiobase(folder: Path, regions: int, sectors: int) -> tuple[Path, int]:
    """A synthetic ``IOT_2019_ixi.zip`` (3.8 layout): Z, Y, x, unit, metadata, factor inputs."""
    regs = [f"R{k:02d}" for k in range(regions)]
    secs = [f"Industry number {k} of the classification" for k in range(sectors)]
    pairs = [(r, s) for r in regs for s in secs]
    labels = [f"{r}\t{s}" for r, s in pairs]
    n = len(pairs)
    cats = ["Households", "NPISH", "Government", "GFCF", "Inventories", "Valuables", "Exports"]
    z_rows, z_sums = _patterns(n, 1)
    y_rows, y_sums = _patterns(regions * len(cats), 2, scale=50.0)
    x = [float(z_sums[i % PATTERNS] + y_sums[i % PATTERNS]) for i in range(n)]
    names = "region\tsector" + "\t" * n + "\n"
    z_head = "\t".join(["region", "", *(r for r, _ in pairs)]) + "\n"
    z_head += "\t".join(["sector", "", *(s for _, s in pairs)]) + "\n" + names
    y_head = "\t".join(["region", "", *(r for r in regs for _ in cats)]) + "\n"
    y_head += "\t".join(["category", "", *(c for _ in regs for c in cats)]) + "\n"
    y_head += "region\tsector" + "\t" * (regions * len(cats)) + "\n"
    f_head = "\t".join(["region", *(r for r, _ in pairs)]) + "\n"
    f_head += "\t".join(["sector", *(s for _, s in pairs)]) + "\n" + "stressor" + "\t" * n + "\n"
    va = "\t".join(repr(v / 9) for v in x)
    path = folder / "IOT_2019_ixi.zip"
    root = "IOT_2019_ixi/"
    size = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        size += _write_lines(zf, root + "Z.txt", itertools.chain([z_head], _rows(labels, z_rows)))
        size += _write_lines(zf, root + "Y.txt", itertools.chain([y_head], _rows(labels, y_rows)))
        x_lines = (f"{lab}\t{v!r}\n" for lab, v in zip(labels, x, strict=True))
        head = "region\tsector\tindout\n"
        size += _write_lines(zf, root + "x.txt", itertools.chain([head], x_lines))
        units = "".join(f"{lab}\tM.EUR\n" for lab in labels)
        zf.writestr(root + "unit.txt", "region\tsector\tunit\n" + units)
        zf.writestr(root + "metadata.json", json.dumps({"version": "v3.8.2", "system": "ixi"}))
        f_lines = [f_head, *(f"Value added part {k}\t{va}\n" for k in range(9))]
        size += _write_lines(zf, root + "factor_inputs/F.txt", f_lines)
    return path, size


def write_eora(folder: Path) -> tuple[Path, int]:
    """A synthetic ``Eora26_2015_bp.zip``: 189 countries × 26 sectors + ROW, 6 FD, 6 VA."""
    codes = [f"C{k:03d}" for k in range(189)]
    n = 189 * 26 + 1
    t_rows, _ = _patterns(n, 3)
    fd_rows, _ = _patterns(190 * 6, 4, scale=50.0)
    va_rows, _ = _patterns(n, 5)
    labels_t = [f"Country {c}\t{c}\tIndustries\tSector {s}" for c in codes for s in range(26)]
    labels_t.append("ROW\tROW\tIndustries\tTOTAL")
    labels_fd = [
        f"Country {c}\t{c}\tFinal Demand\tCategory {f}" for c in [*codes, "ROW"] for f in range(6)
    ]
    labels_va = [f"Primary Inputs\tInput {k}" for k in range(6)]
    path = folder / "Eora26_2015_bp.zip"
    size = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for kind, patterns, rows in (("T", t_rows, n), ("FD", fd_rows, n), ("VA", va_rows, 6)):
            lines = (patterns[i % PATTERNS] + "\n" for i in range(rows))
            size += _write_lines(zf, f"Eora26_2015_bp_{kind}.txt", lines)
        for name, lines in (("T", labels_t), ("FD", labels_fd), ("VA", labels_va)):
            zf.writestr(f"labels_{name}.txt", "\n".join(lines) + "\n")
    return path, size


def write_figaro(folder: Path) -> tuple[Path, int]:
    """A synthetic ``matrix_eu-ic-io_ind-by-ind_24ed_2021.csv``: 46 areas × 64 industries."""
    areas = [f"A{k:02d}" for k in range(45)] + ["FIGW1"]
    labels = [f"{a}_I{k:02d}" for a in areas for k in range(64)]
    fd = [f"{a}_{c}" for a in areas for c in ("P3_S13", "P3_S14", "P3_S15", "P51G", "P5M")]
    patterns = [r.replace("\t", ",") for r in _patterns(len(labels) + len(fd), 6)[0]]
    va = ["D21X31", "OP_RES", "OP_NRES", "D1", "D29X39", "B2A3G"]
    path = folder / "matrix_eu-ic-io_ind-by-ind_24ed_2021.csv"
    with path.open("w") as fh:
        fh.write(",".join(["rowLabels", *labels, *fd]) + "\n")
        fh.writelines(_rows([*labels, *(f"W2_{v}" for v in va)], patterns, sep=","))
    return path, path.stat().st_size


WRITERS: dict[str, Callable[[Path, argparse.Namespace], tuple[Path, int]]] = {
    "exiobase": lambda d, a: write_exiobase(d, a.regions, a.sectors),
    "eora26": lambda d, _: write_eora(d),
    "figaro": lambda d, _: write_figaro(d),
}


def run(fmt: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    path, size = WRITERS[fmt](folder, args)
    written = time.perf_counter() - start
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"reading {path.name} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(file=path.name, disk=path.stat().st_size, text=size, write_seconds=written)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--formats", default="exiobase", help="exiobase, eora26, figaro or all")
    parser.add_argument("--regions", type=int, default=49, help="EXIOBASE regions (49)")
    parser.add_argument("--sectors", type=int, default=163, help="EXIOBASE industries (163)")
    args = parser.parse_args(argv)
    formats = list(WRITERS) if args.formats == "all" else args.formats.split(",")
    columns = ("n", "text MB", "zip MB", "write s", "read s", "peak GiB", "imports GiB", "Z GiB")
    print(f"{'release':<42}" + "".join(f"{c:>12}" for c in columns))
    worst = 0.0
    for fmt in formats:
        with tempfile.TemporaryDirectory(prefix="gvckit-bench-") as tmp:
            r = run(fmt, Path(tmp), args)
        peak = float(r["peak"]) / GIB
        worst = max(worst, peak)
        cells = (
            f"{r['n']:,}",
            f"{float(r['text']) / 1e6:,.0f}",
            f"{float(r['disk']) / 1e6:,.0f}",
            f"{float(r['write_seconds']):.1f}",
            f"{float(r['seconds']):.1f}",
            f"{peak:.2f}",
            f"{float(r['base']) / GIB:.2f}",
            f"{float(r['z_bytes']) / GIB:.2f}",
        )
        print(f"{r['file']!s:<42}" + "".join(f"{c:>12}" for c in cells), flush=True)
    print(f"target: peak < 4 GiB: {'met' if worst < 4 else 'NOT met'} (largest {worst:.2f} GiB)")
    return 0 if worst < 4 else 1


if __name__ == "__main__":
    raise SystemExit(main())
