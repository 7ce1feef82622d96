"""The corpus of hostile documents (``tests/bad_inputs/make_documents.py``), through the CLI.

Every case given to every document command (``chain check``, ``chain accounts``,
``constraints rank``, ``intervention check``, ``results``, ``audit``) must end in exit code 2
with one line on stderr, ``error: <file>…``, saying what the case expects; never a traceback,
never an output file, never anything on stdout. In-process for every case × command; in a
subprocess limited to 512 MiB of address space and 5 s for every case (the commands taken in
turn, so that each meets every kind of case). An object-building YAML tag never runs: the
file its payload would create never appears.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from gvckit.cli import main

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_documents import EXPECT, DocCase, write_corpus

#: The cases, listed without writing them (for the test ids).
CASES = {case.name: case for case in write_corpus(Path("corpus"), write=False)}
COMMANDS = {
    "chain-check": ("chain", "check"),
    "chain-accounts": ("chain", "accounts"),
    "constraints-rank": ("constraints", "rank"),
    "intervention-check": ("intervention", "check"),
    "results": ("results",),
    "audit": ("audit",),
}
#: Commands that write a result (given ``-o``), and those that read YAML or JSON only.
WRITERS = {"chain-accounts", "constraints-rank", "results", "audit"}
TEXT_ONLY = {"constraints-rank", "results"}
MEMORY = 512 * 1024**2
SECONDS = 5.0
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocCase]:
    """The corpus, written once for the module."""
    folder = tmp_path_factory.mktemp("documents_corpus")
    return {case.name: case for case in write_corpus(folder)}


def _argv(command: str, case: DocCase, output: Path) -> list[str]:
    args = [*COMMANDS[command], str(case.path)]
    return [*args, "-o", str(output)] if command in WRITERS else args


def _expected(command: str, case: DocCase) -> tuple[str, ...]:
    if case.workbook and command in TEXT_ONLY:
        # a workbook given where YAML or JSON is read; 'not_a_zip' is YAML text, checked as such
        return () if case.name == "not_a_zip" else ("a zip file or workbook",)
    return EXPECT[case.name]


def _check(case: DocCase, command: str, code: int, out: str, err: str, output: Path) -> None:
    assert code == 2, (code, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    head = f"error: {case.path}"
    assert lines[0].startswith(head), (head, lines[0])
    rest = lines[0][len(head) :]  # what follows the path: a folder name cannot match
    for needle in _expected(command, case):
        assert needle in rest, (needle, lines[0])
    assert out == ""
    assert not output.exists()
    assert not list(output.parent.iterdir())  # no partial output either
    assert not (case.path.parent / "MARKER").exists()  # an object-building tag never ran


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", list(CASES))
def test_every_case_every_command(
    corpus: dict[str, DocCase], tmp_path: Path, name: str, command: str
) -> None:
    case = corpus[name]
    output = tmp_path / "out" / "OUT.csv"
    output.parent.mkdir()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(_argv(command, case, output))
    _check(case, command, code, out.getvalue(), err.getvalue(), output)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.parametrize(
    ("name", "command"),
    [(name, list(COMMANDS)[k % len(COMMANDS)]) for k, name in enumerate(CASES)],
)
def test_bounded_in_a_subprocess(
    corpus: dict[str, DocCase], tmp_path: Path, name: str, command: str
) -> None:
    case = corpus[name]
    output = tmp_path / "out" / "OUT.csv"
    output.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("GVCKIT_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from gvckit.cli import main; sys.exit(main())",
         *_argv(command, case, output)],
        capture_output=True, text=True, timeout=SECONDS, env=env, preexec_fn=_limit_memory,
    )  # fmt: skip
    _check(case, command, done.returncode, done.stdout, done.stderr, output)


def test_every_command_meets_every_kind_of_case() -> None:
    """The subprocess run takes the commands in turn: each meets YAML, JSON and workbooks."""
    by_command: dict[str, set[str]] = {c: set() for c in COMMANDS}
    for k, case in enumerate(CASES.values()):
        by_command[list(COMMANDS)[k % len(COMMANDS)]].add(case.path.suffix)
    assert all(kinds == {".yaml", ".json", ".xlsx"} for kinds in by_command.values()), by_command


def test_the_tag_payload_would_create_the_marker(tmp_path: Path) -> None:
    """The payload is live: the unsafe loader (never used by gvckit) does create the marker, so
    its absence after the commands above means the tag was refused, not that it was harmless."""
    import yaml
    from make_documents import _marker_payload

    yaml.unsafe_load(_marker_payload(tmp_path))
    assert (tmp_path / "MARKER").exists()


def test_the_corpus_workbook_is_good_before_it_is_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workbook the workbook cases break reads as a chain and as an intervention."""
    from make_documents import _base_workbook

    book = tmp_path / "chain.xlsx"
    book.write_bytes(_base_workbook())
    assert main(["chain", "check", str(book)]) == 0
    assert main(["intervention", "check", str(book)]) == 0
    assert "valid intervention" in capsys.readouterr().out
