"""The corpus of bad input-output tables (``tests/bad_inputs/make_icio.py``), through the CLI.

Every case of every reader must end in exit code 2 with one line on stderr, ``error: <file>…``,
naming the zip member where there is one, the row, column or label, and what was expected;
never a traceback, never an output file (not even a partial one).
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from gvckit.cli import main
from gvckit.icio.readers import FORMATS

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_icio import Case, write_corpus

#: The cases, listed without writing them (for the test ids).
CASES = {case.name: case for case in write_corpus(Path("corpus"), write=False)}
#: Cases every reader has (the others do not apply to some: see make_icio's table).
EVERY_READER = (
    "empty",
    "header_only",
    "member_damaged",
    "no_member",
    "duplicate_labels",
    "out_of_order",
    "non_numeric",
    "nan",
    "inf",
    "negative_output",
    "not_square",
    "fd_mismatch",
    "zip_bomb",
    "other_format",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """The corpus, written once for the module."""
    folder = tmp_path_factory.mktemp("icio_corpus")
    return {case.name: case for case in write_corpus(folder)}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gives_one_line_and_exit_code_2(
    corpus: dict[str, Case], tmp_path: Path, name: str
) -> None:
    case = corpus[name]
    output = tmp_path / "OUT.csv"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(case.argv(output))
    message = err.getvalue()
    assert code == 2, message
    assert "Traceback" not in message
    lines = message.splitlines()
    assert len(lines) == 1, message
    head = f"error: {case.path}"
    assert lines[0].startswith(head), (head, lines[0])
    rest = lines[0][len(head) :]  # what follows the path: a folder name cannot match
    assert ": expected " in rest, lines[0]  # every message says what was expected
    if case.member is not None:
        assert case.member in rest, (case.member, lines[0])
    for needle in case.expect:
        assert needle in rest, (needle, lines[0])
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []  # no partial output either
    assert out.getvalue() == ""


def test_every_reader_has_the_cases_that_apply_to_all() -> None:
    by_reader: dict[str, set[str]] = {}
    for name in CASES:
        reader, _, case = name.partition("-")
        by_reader.setdefault(reader, set()).add(case)
    assert set(by_reader) == set(FORMATS)
    for reader, cases in by_reader.items():
        assert set(EVERY_READER) <= cases, (reader, set(EVERY_READER) - cases)
        assert cases & {"truncated", "truncated_zip", "truncated_gzip", "truncated_xlsx"}, reader


def test_corpus_files_are_as_listed(corpus: dict[str, Case]) -> None:
    assert list(corpus) == list(CASES)
    for case in corpus.values():
        assert case.path.is_file(), case.path
