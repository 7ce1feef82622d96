"""Benchmark: the workbench's portfolio review on the full shared IATI corpus (27,237
activities). Scans the corpus as a job (a folder under a configured root) and times it against
``gvckit portfolio scan --usd`` of the same folder into a fresh database, then requests
filtered and searched list pages (one client, sequential) and prints p50/p95 latency (goal:
p95 at most 300 ms) with the same database for the server and the CLI.

    python benchmarks/portfolio_web.py [--db URL] [--repeat 3] [--requests 200] [--data DIR]

``--db``: sqlite (fresh files, the default) or a PostgreSQL server's URL (fresh databases are
made on it and dropped at the end). ``--repeat``: rounds of CLI scan then job scan (each into
fresh databases), reported one by one with the load average (the machine may be shared), then
their median; the list requests are timed after the last round.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

SHARED = Path(os.environ.get("GVCKIT_SHARED") or Path(__file__).resolve().parents[2] / "shared")
DEFAULT = SHARED / "data" / "iati" / "activities"
RUN = [sys.executable, "-c", "from gvckit.cli import run; run()"]
#: The list requests: searches in several languages, filters, sorts, later pages.
LISTS = [
    {"q": "value chain"}, {"q": "développement"}, {"q": "cooperación desarrollo"},
    {"q": "agri", "value_chain": "yes"}, {"value_chain": "possible", "sort": "-usd"},
    {"country": "KE"}, {"publisher": "XM-DAC-41114"}, {"sector": "31120"},
    {"year": "2015", "sort": "title"}, {"q": "water", "page": "3"},
    {"verdict": "unreviewed", "value_chain": "yes"}, {"queue": "unreviewed"},
    {"q": "dairy farmers"}, {"status": "2", "sort": "-year"}, {"pattern": "", "page": "20"},
    {"q": "health", "country": "NP"}, {"queue": "sample-no"}, {"q": "s"},
]  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gvckit(*args: str, stdin: str = "", check: bool = True) -> str:
    return subprocess.run([*RUN, *args], input=stdin, capture_output=True, text=True,
                          check=check).stdout  # fmt: skip


def _fresh_pg(url: str) -> tuple[str, str]:
    """(URL, name) of a new empty database on the server ``url`` names."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"gvckit_bench_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_pg(url: str, names: list[str]) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _round(args: argparse.Namespace, tmp: Path, dbs: list[str], lists: bool) -> dict[str, Any]:
    """One repetition: the CLI's scan and the job's scan, each into a fresh database; then,
    when ``lists``, the list requests."""
    if args.db == "sqlite":
        web_db, cli_db = f"sqlite:///{tmp / 'web.db'}", f"sqlite:///{tmp / 'cli.db'}"
    else:
        (web_db, web_name), (cli_db, cli_name) = _fresh_pg(args.db), _fresh_pg(args.db)
        dbs += [web_name, cli_name]
    out: dict[str, Any] = {"load_before": _load()}
    t0 = time.perf_counter()
    _gvckit("portfolio", "scan", str(args.data), "--db", cli_db, "--usd", check=False)
    out["cli"] = time.perf_counter() - t0
    db = ["--db", web_db, "--data-dir", str(tmp / "data")]
    _gvckit("users", "add", "bench", "--role", "analyst", *db, stdin="bench-password\n")
    token = _gvckit("users", "token", "bench", *db).strip().splitlines()[-1]
    port = _port()
    env = {"GVCKIT_PORTFOLIO_ROOTS": str(args.data.resolve())}
    server = subprocess.Popen([*RUN, "serve", *db, "--port", str(port), "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **env})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=600) as c:  # fmt: skip
            for _ in range(300):
                try:
                    if c.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            ws = c.post("/api/workspaces", json={"name": "bench"}).json()["id"]
            t0 = time.perf_counter()
            job = c.post(f"/api/workspaces/{ws}/portfolio/scans", json={"path": "."}).json()["job"]
            while True:
                state = c.get(f"/api/jobs/{job}").json()
                if state["status"] not in ("queued", "running"):
                    break
                time.sleep(0.2)
            out["job"] = time.perf_counter() - t0
            out["status"] = state["status"]
            out["load_after"] = _load()
            out["total"] = c.get(f"/api/workspaces/{ws}/portfolio/activities").json()["total"]
            if lists:
                times = []
                for params in itertools.islice(itertools.cycle(LISTS), args.requests):
                    t = time.perf_counter()
                    r = c.get(f"/api/workspaces/{ws}/portfolio/activities",
                              params={**params, "per_page": "50"})  # fmt: skip
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text
                pages = []
                for params in LISTS[:6]:
                    t = time.perf_counter()
                    c.get(f"/workspaces/{ws}/portfolio", params=params)
                    pages.append(time.perf_counter() - t)
                out["times"], out["pages"] = times, pages
    finally:
        server.terminate()
        server.wait(30)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DEFAULT)
    args = ap.parse_args()
    dbs: list[str] = []
    rounds = []
    try:
        for k in range(args.repeat):
            tmp = Path(tempfile.mkdtemp(prefix="gvckit-pf-bench-"))
            try:
                rounds.append(_round(args, tmp, dbs, lists=k == args.repeat - 1))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if dbs:
            _drop_pg(args.db, dbs)
    print(f"database: {'SQLite' if args.db == 'sqlite' else 'PostgreSQL'}")
    for k, r in enumerate(rounds, start=1):
        print(f"round {k}: scan job {r['status']}, {r['total']:,} activities, {r['job']:.1f} s; "
              f"gvckit portfolio scan --usd {r['cli']:.1f} s; job/CLI {r['job'] / r['cli']:.2f}; "
              f"load average {r['load_before']} before, {r['load_after']} after")  # fmt: skip
    job = statistics.median(r["job"] for r in rounds)
    cli = statistics.median(r["cli"] for r in rounds)
    ratio = statistics.median(r["job"] / r["cli"] for r in rounds)
    print(f"median: scan job {job:.1f} s, CLI {cli:.1f} s, job/CLI {ratio:.2f}")
    times, pages = rounds[-1]["times"], rounds[-1]["pages"]
    q = statistics.quantiles(times, n=100)
    print(f"list requests: {len(times)}, p50 {1000 * q[49]:.0f} ms, p95 {1000 * q[94]:.0f} ms, "
          f"max {1000 * max(times):.0f} ms")  # fmt: skip
    print(f"list page (HTML, first request each): max {1000 * max(pages):.0f} ms")


if __name__ == "__main__":
    main()
