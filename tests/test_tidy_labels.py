"""Label columns expanded in Arrow from the names once: the frames, and the CSV, Parquet and
JSON files `gvckit measure` writes from them, are the same as from per-row Python strings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from gvckit.cli import main
from gvckit.datasets import example_path
from gvckit.icio import tidy

CASES = [
    ("wwz", []),
    ("kww", ["--by", "sector"]),
    ("kww", []),
    ("bm", ["--perspective", "bilateral", "--by", "sector"]),
    ("bm", ["--perspective", "bilateral", "--group", "EU3=DEU,FRA,ITA"]),
    ("bm", ["--approach", "sink"]),
    ("my", ["--perspective", "sector"]),
    ("vs", []),
]


def _python_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build label columns the old way: a NumPy array of Python strings per column."""
    monkeypatch.setattr(tidy, "_text_dtype", lambda: np.dtype(object))


def test_label_column_matches_python_strings() -> None:
    names = ("AUS", "DEU", "ÖST", "x y")
    index = np.array([3, 0, 0, 2, 1, 3])
    got = pd.DataFrame({"c": tidy.label_column(names, index)})
    want = pd.DataFrame({"c": np.array(names, dtype=object)[index]})
    pd.testing.assert_frame_equal(got, want)
    assert list(got["c"]) == ["x y", "AUS", "AUS", "ÖST", "DEU", "x y"]


@pytest.mark.parametrize(("name", "extra"), CASES)
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_written_files_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, extra: list[str], suffix: str
) -> None:
    table = str(example_path("wiod2013-2011"))
    new, old = tmp_path / f"new{suffix}", tmp_path / f"old{suffix}"
    assert main(["measure", name, table, *extra, "-o", str(new)]) == 0
    with monkeypatch.context() as m:
        _python_strings(m)
        assert main(["measure", name, table, *extra, "-o", str(old)]) == 0
    assert new.read_bytes() == old.read_bytes()


def test_frames_equal_with_dtypes() -> None:
    table = icio.read(example_path("wiod2013-2011"))
    new = icio.measure("wwz", table)
    with pytest.MonkeyPatch.context() as m:
        _python_strings(m)
        table.clear_cache()
        old = icio.measure("wwz", table)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
