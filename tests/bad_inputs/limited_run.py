"""Run ``gvckit`` commands each in its own process under a memory and a time limit, without
paying Python's start-up for every run (``tests/test_bad_inputs_documents.py``).

A fork server: started once (``python limited_run.py MEMORY SECONDS [MODULE...]``), it
imports ``gvckit.cli`` and the modules named and then, for each line ``["chain", "check",
FILE]`` (JSON) read on stdin, forks a child that limits its address space to ``MEMORY`` bytes
(``RLIMIT_AS``), sends its stdout and stderr to files, runs ``gvckit.cli.main(argv)`` and
exits with its code. The child is killed after ``SECONDS`` of wall-clock time. The server
answers each line with ``{"code": ..., "stdout": ..., "stderr": ..., "seconds": ...}`` (code
``-9`` when killed, the negative signal number when it died of one).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path


def _child(argv: list[str], memory: int, out: Path, err: Path) -> None:
    """In the forked child: limit, redirect, run, exit (never returns)."""
    code = 1
    try:
        fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd_out, 1)
        os.dup2(fd_err, 2)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        from gvckit.cli import main

        code = main(argv)
    except BaseException as exc:  # reported as the child's stderr
        os.write(2, f"limited_run: {type(exc).__name__}: {exc}\n".encode())
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # exiting anyway
                stream.flush()
        os._exit(code)


def run(argv: list[str], memory: int, seconds: float, folder: Path) -> dict[str, object]:
    """Run one command in a forked, limited child; its exit code, output and duration."""
    out, err = folder / "stdout", folder / "stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(argv, memory, out, err)
    status = 0
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > seconds:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    elapsed = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    return {
        "code": code,
        "stdout": out.read_text(errors="replace"),
        "stderr": err.read_text(errors="replace"),
        "seconds": elapsed,
    }


def serve(memory: int, seconds: float, preload: list[str]) -> None:
    import importlib

    for module in ["gvckit.cli", *preload]:  # imported once, before the forks
        importlib.import_module(module)

    with tempfile.TemporaryDirectory() as tmp:
        for line in sys.stdin:
            if not line.strip():
                continue
            answer = run(json.loads(line), memory, seconds, Path(tmp))
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:])
