"""Load on the workbench: N concurrent clients for S seconds on loopback, mixing page reads,
uploads and jobs; prints requests, errors and p50/p95 latency (goal: no errors, p95 of page
reads under 500 ms). Not a timed test: run it by hand or from `make bench`.

    python benchmarks/web.py [--clients 20] [--seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parents[1] / "src" / "gvckit" / "data"
PAGES = ["/", "/workspaces/{ws}", "/tables/{table}", "/jobs/{job}", "/api/tables/{table}",
         "/api/jobs/{job}", "/api/workspaces", "/jobs/{job}/rows?page_no=2"]  # fmt: skip
MEASURES = [("vs", {}), ("vax", {}), ("iir", {}), ("bm", {"approach": "sink"}),
            ("tiva", {"by": "sector"}), ("exports", {}), ("position", {})]  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gvckit(*args: str, stdin: str = "") -> str:
    run = [sys.executable, "-c", "from gvckit.cli import run; run()", *args]
    return subprocess.run(run, input=stdin, capture_output=True, text=True, check=True).stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gvckit-load-"))
    db = ["--db", f"sqlite:///{tmp / 'gvckit.db'}", "--data-dir", str(tmp / "data")]
    _gvckit("users", "add", "load", "--role", "analyst", *db, stdin="load-password\n")
    token = _gvckit("users", "token", "load", *db).strip().splitlines()[-1]
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from gvckit.cli import run; run()", "serve", *db, "--port",
         str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            ws = c.post("/api/workspaces", json={"name": "load"}).json()["id"]
            with open(DATA / "wiod2013_2011.csv.gz", "rb") as fh:
                table = c.post(f"/api/workspaces/{ws}/tables", files={"file": ("w.csv.gz", fh)}
                               ).json()["id"]  # fmt: skip
            job = c.post(f"/api/tables/{table}/measures/vs", json={}).json()["job"]
            while c.get(f"/api/jobs/{job}").json()["status"] != "done":
                time.sleep(0.2)
        ids = {"ws": ws, "table": table, "job": job}
        leather = (DATA / "leather.csv").read_bytes()
        lock = threading.Lock()
        times: dict[str, list[float]] = {"page": [], "upload": [], "job": []}
        errors: list[str] = []
        stop = time.monotonic() + args.seconds

        def client(k: int) -> None:
            rng = random.Random(k)
            with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
                while time.monotonic() < stop:
                    roll = rng.random()
                    start = time.perf_counter()
                    if roll < 0.8:
                        kind, r = "page", c.get(rng.choice(PAGES).format(**ids))
                        ok = r.status_code == 200
                    elif roll < 0.9:
                        kind = "upload"
                        r = c.post(f"/api/workspaces/{ws}/tables",
                                   files={"file": (f"t{k}.csv", leather)})  # fmt: skip
                        ok = r.status_code == 201
                    else:
                        kind = "job"
                        name, opts = rng.choice(MEASURES)
                        r = c.post(f"/api/tables/{table}/measures/{name}", json=opts)
                        ok = r.status_code == 202
                    took = time.perf_counter() - start
                    with lock:
                        times[kind].append(took)
                        if not ok:
                            errors.append(f"{kind} {r.status_code}")

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            states = [c.get(f"/api/jobs/{j}").json().get("status") for j in range(1, 9)]
    finally:
        server.terminate()
        server.wait(30)
    print(f"{args.clients} clients x {args.seconds:.0f} s on loopback, {args.workers} job "
          f"workers, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'kind':<8}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in times.items():
        if values:
            q = statistics.quantiles(values, n=20)
            print(f"{kind:<8}{len(values):>10}{1000 * statistics.median(values):>10.0f}"
                  f"{1000 * q[18]:>10.0f}")  # fmt: skip
    print(f"errors: {len(errors)} {sorted(set(errors))[:5]}")
    print(f"job states: {[s for s in states if s]}")
    page_p95 = statistics.quantiles(times["page"], n=20)[18] if times["page"] else float("nan")
    print(f"page p95 {1000 * page_p95:.0f} ms (goal < 500 ms): "
          f"{'met' if page_p95 < 0.5 and not errors else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
