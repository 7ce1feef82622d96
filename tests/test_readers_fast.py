"""The fast text reader (pyarrow) reads what the pandas reader reads, value for value, on every
real table and on the fixtures; where it cannot, the pandas reader (and its errors) take over."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from conftest import WIOD_YEARS, wiod_path
from gvckit.errors import InputError
from gvckit.icio.readers import _csv


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[icio.IcioTable, icio.IcioTable]:
    fast = icio.read(path)
    with monkeypatch.context() as m:
        m.setattr(_csv, "_read_fast", lambda *_args: None)
        slow = icio.read(path)
    return fast, slow


def _same(a: icio.IcioTable, b: icio.IcioTable) -> None:
    assert (a.entities, a.sectors, a.destinations, a.categories) == (
        b.entities, b.sectors, b.destinations, b.categories,
    )  # fmt: skip
    for name in ("Z", "Y", "x", "va"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.primary_inputs.keys() == b.primary_inputs.keys()
    for key, arr in a.primary_inputs.items():
        np.testing.assert_array_equal(arr, b.primary_inputs[key])
    assert a.meta == b.meta


@pytest.mark.shared
@pytest.mark.parametrize("year", WIOD_YEARS)
def test_every_wiod_year_reads_the_same(year: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(*_both(wiod_path(year), monkeypatch))


@pytest.mark.shared
def test_blocks_and_threads_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body above ONE_BLOCK is parsed in 16 MiB blocks on pyarrow's threads: the same
    table as one block (a WIOD year in 64 KiB blocks here, so that there are many)."""
    path = wiod_path(2011)
    one = icio.read(path)
    with monkeypatch.context() as m:
        m.setattr(_csv, "ONE_BLOCK", 1 << 16)
        real = _csv._read_fast

        def small_blocks(data: bytes, *args: object) -> object:
            import pyarrow.csv as pacsv

            options = pacsv.ReadOptions
            m.setattr(pacsv, "ReadOptions", lambda **kw: options(**{**kw, "block_size": 1 << 16}))
            try:
                frame = real(data, *args)  # type: ignore[arg-type]
                assert frame is not None  # pyarrow read it, in many blocks
                return frame
            finally:
                m.setattr(pacsv, "ReadOptions", options)

        m.setattr(_csv, "_read_fast", small_blocks)
        many = icio.read(path)
    _same(one, many)


def test_fast_path_is_taken_and_matches_on_decimals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decimals written with up to 17 significant digits: both readers give the same doubles."""
    rng = np.random.default_rng(5)
    G, N = 3, 2
    n = G * N
    Z = rng.random((n, n)) * 10.0 ** rng.integers(-3, 6, (n, n))
    Y = rng.random((n, G)) * 1e4
    table = icio.IcioTable(entities=["AAA", "BBB", "CCC"], sectors=["s1", "s2"], Z=Z, Y=Y)
    path = tmp_path / "wide.csv"
    icio.write_table(table, path)
    calls: list[object] = []
    real = _csv._read_fast
    monkeypatch.setattr(_csv, "_read_fast", lambda *a: calls.append(real(*a)) or calls[-1])
    fast = icio.read(path)
    monkeypatch.undo()
    assert calls and calls[0] is not None  # pyarrow read it
    _same(*_both(path, monkeypatch))
    np.testing.assert_array_equal(fast.Z, icio.read(path).Z)


@pytest.mark.shared
def test_fallback_keeps_the_errors(tmp_path: Path) -> None:
    """A cell pyarrow cannot take (text in a number column) goes to pandas: same one-line error."""
    lines = gzip.decompress(wiod_path(1995).read_bytes()).decode().split("\n")
    cells = lines[3].split(",")
    cells[5] = "12x"
    lines[3] = ",".join(cells)
    path = tmp_path / "wiot_1995.csv"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"row 4, column .*not a number.*found '12x'"):
        icio.read(path)


# ---------------------------------------------------------------- workbooks: calamine vs before


def _workbooks(tmp_path: Path) -> list[Path]:
    """The workbook fixtures: WIOD 2013 (.xlsx), WIOD 2016 (.xlsb), ADB (.xlsx)."""
    import adb_fixtures as af
    import wiod_fixtures as wf

    t13, t16 = wf.generate(wf.R2013, 3), wf.generate(wf.R2016, 4)
    return [
        wf.write_xlsx(t13, tmp_path / "WIOT09_ROW_Sep12.xlsx"),
        wf.write_xlsb_table(t16, tmp_path / "WIOT2014_Nov16_ROW.xlsb"),
        af.write(af.generate(af.VARIANTS["62"]), tmp_path),
    ]


def test_calamine_reads_the_workbooks_as_openpyxl_and_pyxlsb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("python_calamine")
    from gvckit.icio.readers import _sheets

    engines: list[str] = []
    real = _sheets.Book.__init__

    def spy(self: _sheets.Book, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        engines.append(self.engine)

    for path in _workbooks(tmp_path):
        engines.clear()
        with monkeypatch.context() as m:
            m.setattr(_sheets.Book, "__init__", spy)
            new = icio.read(path)
        assert engines and set(engines) == {"calamine"}, path
        with monkeypatch.context() as m:
            m.setattr(_sheets, "_calamine", lambda: None)
            old = icio.read(path)
        _same(new, old)


def test_xlsx_error_cells_are_read_by_openpyxl(tmp_path: Path) -> None:
    """calamine reads #N/A as an empty cell: such a workbook is read as before, the cell named."""
    from openpyxl import load_workbook

    path = _workbooks(tmp_path)[0]
    wb = load_workbook(path)
    wb.active["G9"] = "#N/A"  # openpyxl writes it as an error cell
    wb.save(path)
    with pytest.raises(InputError, match=r"row 9, column 'G': not a number.*#N/A"):
        icio.read(path)
