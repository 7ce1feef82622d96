"""Run the gvckit CLI in-process for a test: exit code, standard output and standard error."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from gvckit.cli import main


def run_cli(*args: str) -> tuple[int, str, str]:
    """``gvckit ARGS...`` in this process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
