"""The corpus of hostile documents (``tests/bad_inputs/make_documents.py``), through the CLI.

Every case given to every document command (``chain check``, ``chain accounts``,
``constraints rank``, ``intervention check``, ``results``, ``audit``) must end in exit code 2
with one line on stderr, ``error: <file>…``, saying what the case expects; never a traceback,
never an output file, never anything on stdout; each run in its own process limited to 512 MiB
of address space and 5 s (forked from a server that imported gvckit once, so that the 348 runs
take seconds, not minutes), and the heaviest cases also from a cold start of the console entry
point. An object-building YAML tag never runs: the file its payload would create never appears.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gvckit.cli import main

HERE = Path(__file__).parent / "bad_inputs"
sys.path.insert(0, str(HERE))
from make_documents import EXPECT, DocCase, write_corpus  # noqa: E402

#: The cases, listed without writing them (for the test ids).
CASES = {case.name: case for case in write_corpus(Path("corpus"), write=False)}
COMMANDS = {
    "chain-check": ("chain", "check"),
    "chain-accounts": ("chain", "accounts"),
    "constraints-rank": ("constraints", "rank"),
    "intervention-check": ("intervention", "check"),
    "results": ("results",),
    "audit": ("audit",),
    "clusters-efficiency": ("clusters", "efficiency"),
}
#: Commands that write a result (given ``-o``), and those that read YAML or JSON only.
WRITERS = {"chain-accounts", "constraints-rank", "results", "audit", "clusters-efficiency"}
TEXT_ONLY = {"constraints-rank", "results"}
MEMORY = 512 * 1024**2
SECONDS = 5.0
SRC = Path(__file__).resolve().parents[1] / "src"
#: What the document commands import when they run: imported by the fork server beforehand.
PRELOAD = (
    "gvckit.chain",
    "gvckit.chain.workbook",
    "gvckit.clusters.survey",
    "gvckit.interventions.audit",
    "gvckit.interventions.constraints",
    "gvckit.interventions.monitoring",
    "gvckit.interventions.results",
    "gvckit.interventions.workbook",
    "gvckit.output",
    "openpyxl",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocCase]:
    """The corpus, written once for the module."""
    folder = tmp_path_factory.mktemp("documents_corpus")
    return {case.name: case for case in write_corpus(folder)}


def _argv(command: str, case: DocCase, output: Path) -> list[str]:
    args = [*COMMANDS[command], str(case.path)]
    return [*args, "-o", str(output)] if command in WRITERS else args


def _expected(command: str, case: DocCase) -> tuple[str, ...]:
    if case.workbook and command == "clusters-efficiency":
        # a survey workbook is a table of its own columns, read within the table workbook
        # limits: refused (exit 2, one line naming the file), in words other than a chain's
        return ()
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


@pytest.fixture(scope="module")
def limited() -> Iterator[Callable[[list[str]], dict[str, Any]]]:
    """Runs a command in its own process limited to 512 MiB and 5 s (a fork server started
    once: ``bad_inputs/limited_run.py``)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("GVCKIT_DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, str(HERE / "limited_run.py"), str(MEMORY), str(SECONDS), *PRELOAD],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None

    def run(argv: list[str]) -> dict[str, Any]:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps(argv) + "\n")
        server.stdin.flush()
        answer: dict[str, Any] = json.loads(server.stdout.readline())
        return answer

    yield run
    server.stdin.close()
    server.wait(timeout=30)
    server.stdout.close()


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", list(CASES))
def test_every_case_every_command(
    corpus: dict[str, DocCase],
    limited: Callable[[list[str]], dict[str, Any]],
    tmp_path: Path,
    name: str,
    command: str,
) -> None:
    case = corpus[name]
    output = tmp_path / "out" / "OUT.csv"
    output.parent.mkdir()
    done = limited(_argv(command, case, output))
    assert done["code"] != -9, f"killed after {done['seconds']:.1f} s"
    assert done["seconds"] < SECONDS
    _check(case, command, done["code"], done["stdout"], done["stderr"], output)


def _limit_cold() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (int(SECONDS), int(SECONDS)))


#: The heaviest cases, one per command, also run from a cold start (``python -c``).
COLD = ("alias_9x9", "deep_json_lists", "huge_string_yaml", "deep_yaml_flow",
        "zip_bomb_headers", "python_object_apply", "alias_9x9")  # fmt: skip


@pytest.mark.parametrize(("command", "name"), list(zip(COMMANDS, COLD, strict=True)))
def test_from_a_cold_start(
    corpus: dict[str, DocCase], tmp_path: Path, command: str, name: str
) -> None:
    """The console entry point itself, in a fresh interpreter: 512 MiB, 5 s of CPU (the wall
    clock also counts the interpreter's start on a busy machine)."""
    case = corpus[name]
    output = tmp_path / "out" / "OUT.csv"
    output.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("GVCKIT_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from gvckit.cli import main; sys.exit(main())",
         *_argv(command, case, output)],
        capture_output=True, text=True, timeout=60, env=env, preexec_fn=_limit_cold,
    )  # fmt: skip
    _check(case, command, done.returncode, done.stdout, done.stderr, output)


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
