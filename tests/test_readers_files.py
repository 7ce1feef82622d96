"""gvckit.files as the readers and writers use it: permissions of atomically written files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from gvckit.files import atomic_write
from gvckit.output import write_frame


@pytest.fixture
def umask() -> Iterator[int]:
    """A known umask for the test (restored afterwards)."""
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_new_output_file_gets_the_usual_mode(tmp_path: Path, umask: int, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    write_frame(pd.DataFrame({"a": [1.5]}), out)
    assert _mode(out) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_replaced_file_keeps_its_mode(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    out.chmod(0o604)
    write_frame(pd.DataFrame({"a": [1.5]}), out)
    assert _mode(out) == 0o604
    assert out.read_text() == "a\n1.5\n"


def test_atomic_text_write_is_utf8(tmp_path: Path) -> None:
    out = tmp_path / "t.txt"
    with atomic_write(out, "w") as fh:
        fh.write("Côte d'Ivoire")
    assert out.read_bytes() == "Côte d'Ivoire".encode()


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize(
    "command",
    [["table", "info"], ["measure", "tiva"], ["clusters", "indices", "--region", "r",
                                              "--industry", "i", "--value", "v"]],
)  # fmt: skip
def test_a_named_pipe_or_device_is_not_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: list[str]
) -> None:
    """A named pipe given as a table hung for ever with no writer ('measure') or ended in
    'a bug in gvckit' (it cannot seek) with one; a link to /dev/zero was read up to the
    header's limit. Both are refused by the bounded input stream, naming the file."""
    from gvckit.cli import main

    table = tmp_path / "table.csv"
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes")
        os.mkfifo(table)
    else:
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        table.symlink_to("/dev/zero")
    args = [*command[:2], str(table), *command[2:]]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == f"error: {table}: not a regular file: expected a file\n", err
