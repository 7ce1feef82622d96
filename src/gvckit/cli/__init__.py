"""The ``gvckit`` command line: a thin layer over the Python API.

Exit codes: 0 success; 2 bad input or usage (one message on stderr, no traceback); 1 an
unexpected failure (short message; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback

import typer

from gvckit.cli import (  # noqa: F401  (register the commands)
    actions,
    chain,
    clusters,
    icio,
    panel,
    portfolio,
    report,
    web,
)
from gvckit.cli._app import _stderr, app
from gvckit.errors import GvcError

__all__ = ["app", "main", "run"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("GVCKIT_DEBUG") == "1"
    args = [a for a in args if a != "--debug"]
    command = typer.main.get_command(app)
    try:
        # standalone mode: typer reports usage errors itself (exit code 2) and exits
        command.main(args=args, prog_name="gvckit", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except GvcError as exc:
        if debug:
            traceback.print_exc()
        _stderr(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _stderr("interrupted")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _stderr(
            f"unexpected error: {type(exc).__name__}: {exc}\n"
            "This is a bug in gvckit: rerun with --debug to see the traceback, and report it."
        )
        return 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
