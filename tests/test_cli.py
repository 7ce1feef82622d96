"""The command line: help everywhere, the measure contract, output formats, atomic writes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gvckit
import gvckit.icio as icio
from gvckit.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gvckit {gvckit.__version__}"


@pytest.mark.parametrize("command", [[], ["table"], ["table", "info"], ["measure"], ["demo"]])
def test_help_on_every_command(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert "Usage:" in capsys.readouterr().out


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure"]) == 2
    assert "Missing argument" in capsys.readouterr().err


def test_measure_csv_to_stdout_matches_api(
    capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    assert main(["measure", "leontief", str(leather_path)]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first == "source_country,source_sector,using_country,using_sector,value"
    from io import StringIO

    frame = pd.read_csv(StringIO(out))
    api = icio.measure("leontief", icio.read(leather_path))
    pd.testing.assert_frame_equal(frame, api, check_dtype=False, rtol=0, atol=0)


@pytest.mark.parametrize(
    ("measure", "columns"),
    [
        ("tiva", ["origin_country", "destination_country", "value"]),
        ("exports", ["exporter", "exporter_sector", "importer", "kind", "value"]),
        ("vs", ["country", "sector", "value"]),
        ("vs1", ["country", "sector", "value"]),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_measure_outputs(
    tmp_path: Path, leather_path: Path, measure: str, columns: list[str], suffix: str
) -> None:
    out = tmp_path / f"result{suffix}"
    assert main(["measure", measure, str(leather_path), "-o", str(out)]) == 0
    frame = {
        ".csv": pd.read_csv,
        ".parquet": pd.read_parquet,
        ".json": lambda p: pd.DataFrame(json.loads(Path(p).read_text())),
    }[suffix](out)
    assert list(frame.columns) == columns
    api = icio.measure(measure, icio.read(leather_path))
    np.testing.assert_allclose(frame["value"].to_numpy(), api["value"].to_numpy(), rtol=1e-15)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_exports_kinds(leather_path: Path) -> None:
    frame = icio.measure("exports", icio.read(leather_path))
    assert set(frame.kind) == {"intermediate", "final"}
    arg = frame[frame.exporter == "Argentina"]
    # Argentina.Agriculture → Turkey: intermediate 3.2+4.3+0.4, final 6.1 (ORACLES.md §1)
    row = arg[(arg.exporter_sector == "Agriculture") & (arg.importer == "Turkey")]
    assert row.set_index("kind")["value"].to_dict() == pytest.approx(
        {"intermediate": 7.9, "final": 6.1}
    )


def test_group_option(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    assert main(["measure", "tiva", str(leather_path), "--group", "EUTR=Germany,Turkey"]) == 0
    from io import StringIO

    frame = pd.read_csv(StringIO(capsys.readouterr().out))
    assert set(frame.origin_country) == {"Argentina", "EUTR"}


def test_failed_run_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("country,industry,A_x,A\nA,x,1,abc\n")
    out = tmp_path / "out.csv"
    assert main(["measure", "vs", str(bad), "-o", str(out)]) == 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_interrupted_write_keeps_old_file(tmp_path: Path) -> None:
    from gvckit.files import atomic_write

    target = tmp_path / "keep.txt"
    target.write_text("old")

    def write_then_fail() -> None:
        with atomic_write(target, "w") as fh:
            fh.write("new, half written")  # type: ignore[arg-type]
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_bad_output_extension(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    assert main(["measure", "vs", str(leather_path), "-o", "out.xyz"]) == 2
    assert "extension" in capsys.readouterr().err


def test_output_folder_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    assert main(["measure", "vs", str(leather_path), "-o", str(tmp_path / "no" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_unexpected_error_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], leather_path: Path
) -> None:
    """A bug (here: a measure that raises ZeroDivisionError) exits 1 with a --debug hint."""
    from gvckit.icio import measures

    def broken(model: object) -> pd.DataFrame:
        raise ZeroDivisionError("boom")

    spec = measures.MEASURES["vs"]
    monkeypatch.setitem(
        measures.MEASURES, "vs", measures.Measure("vs", broken, spec.columns, spec.summary)
    )
    assert main(["measure", "vs", str(leather_path)]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError: boom" in err and "--debug" in err
    assert "Traceback" not in err
    assert main(["--debug", "measure", "vs", str(leather_path)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_table_info_json(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    assert main(["table", "info", str(leather_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["countries"] == ["Argentina", "Turkey", "Germany"]
    assert info["sectors"] == ["Agriculture", "Textile_and_Leather", "Transport_Equipment"]
    assert info["balance"]["balanced"] is True
    assert info["totals"]["value_added"] == pytest.approx(461.5)


def test_table_info_text(capsys: pytest.CaptureFixture[str], leather_path: Path) -> None:
    assert main(["table", "info", str(leather_path)]) == 0
    out = capsys.readouterr().out
    assert "countries (3): Argentina Turkey Germany" in out and "balanced" in out


def test_installed_console_script(leather_path: Path) -> None:
    """The real entry point, in a subprocess: exit code and stderr."""
    exe = Path(sys.executable).with_name("gvckit")
    if not exe.exists():
        pytest.skip("gvckit console script not installed in this environment")
    ok = subprocess.run([exe, "measure", "vs", str(leather_path)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("country,sector,value")
    bad = subprocess.run([exe, "measure", "vs", "/nonexistent.csv"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "tiva.csv"
    report = tmp_path / "demo" / "report.html"
    assert main(["demo", "-o", str(out), "--report", str(report)]) == 0
    text = capsys.readouterr().out
    assert "WIOD 2013 release" in text and "CHN" in text and str(report.resolve()) in text
    assert report.stat().st_size > 1_000_000
    matrix = pd.read_csv(out, index_col=0)
    assert matrix.shape == (41, 41)
    # the matrix is value added by origin, so it sums to world value added (US$ bn)
    table = icio.read(gvckit.datasets.example_path("wiod2013-2011"))
    assert matrix.to_numpy().sum() == pytest.approx(table.va.sum() / 1e3, rel=1e-3)


def test_excel_wide_table_reads_like_csv(tmp_path: Path, leather_path: Path) -> None:
    """The same wide layout in an .xlsx sheet (what analysts keep in Excel)."""
    frame = pd.read_csv(leather_path)
    xlsx = tmp_path / "leather.xlsx"
    frame.to_excel(xlsx, index=False, sheet_name="table")
    from_excel = icio.read(xlsx)
    from_csv = icio.read(leather_path)
    np.testing.assert_array_equal(from_excel.Z, from_csv.Z)
    np.testing.assert_array_equal(from_excel.Y, from_csv.Y)
    assert from_excel.countries == from_csv.countries


def test_excel_bad_cell_names_sheet_row(tmp_path: Path, leather_path: Path) -> None:
    from gvckit.errors import InputError

    frame = pd.read_csv(leather_path).astype(object)
    frame.iloc[4, 5] = "n/a"  # sheet row 6, column Turkey.Agriculture
    xlsx = tmp_path / "bad.xlsx"
    frame.to_excel(xlsx, index=False)
    with pytest.raises(InputError, match=r"bad.xlsx, row 6, column 'Turkey.Agriculture'"):
        icio.read(xlsx)


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["kww"], ["exporter", "term", "value"]),
        (["kww", "--by", "sector"], ["exporter", "exporter_sector", "term", "value"]),
        (["wwz"], ["exporter", "exporter_sector", "importer", "term", "value"]),
        (
            ["bm", "--approach", "sink", "--perspective", "bilateral"],
            ["exporter", "importer", "term", "value"],
        ),
        (["my", "--perspective", "world"], ["exporter", "term", "value"]),
        (
            ["participation", "--method", "wwyz", "--by", "sector"],
            ["exporter", "exporter_sector", "indicator", "value"],
        ),
        (["participation", "--method", "bm"], ["exporter", "indicator", "value"]),
        (["position", "--by", "sector"], ["country", "sector", "value"]),
        (["upstreamness"], ["country", "sector", "value"]),
        (["downstreamness"], ["country", "sector", "value"]),
        (["nrca"], ["country", "sector", "value"]),
    ],
)
def test_decomposition_commands(
    capsys: pytest.CaptureFixture[str], leather_path: Path, args: list[str], columns: list[str]
) -> None:
    from io import StringIO

    assert main(["measure", args[0], str(leather_path), *args[1:]]) == 0
    frame = pd.read_csv(StringIO(capsys.readouterr().out))
    assert list(frame.columns) == columns
    assert np.isfinite(frame["value"]).all()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["measure", "kwx"], ["unknown measure 'kwx'", "kww", "wwz", "bm"]),
        (["measure", "bm", "--approach", "middle"], ["approach='middle'", "source, sink"]),
        (
            ["measure", "bm", "--perspective", "x"],
            ["perspective='x'", "exporter, sector, bilateral, world"],
        ),
        (["measure", "participation", "--method", "x"], ["oecd, bm, wwyz"]),
        (["measure", "upstreamness", "--approach", "sink"], ["has no option 'approach'"]),
        (["measure", "upstreamness", "--inventories", "net"], ["use --inventories none"]),
        (["measure", "kww", "--group", "EU=Germany,France"], ["'France' is not a country"]),
        (["measure", "kww", "--group", "ALL=Germany,Turkey,Argentina"], ["covers every country"]),
        (["measure", "bm", "--perspective", "sector", "--by", "country"], ["not additive"]),
    ],
)
def test_decomposition_bad_options(
    capsys: pytest.CaptureFixture[str], leather_path: Path, args: list[str], needles: list[str]
) -> None:
    cmd = [args[0], args[1], str(leather_path), *args[2:]]
    assert main(cmd) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ")
    for needle in needles:
        assert needle in err


def test_options_checked_before_reading(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A wrong option is reported even when the table file is missing (no load wasted)."""
    assert main(["measure", "bm", str(tmp_path / "absent.csv"), "--approach", "x"]) == 2
    assert "approach='x'" in capsys.readouterr().err


def test_measures_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measures"]) == 0  # piped: CSV, one row per measure
    listing = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(listing["name"]) == list(icio.measure_names())
    assert "--approach source|sink" in listing.set_index("name").loc["bm", "options"]
