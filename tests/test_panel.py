"""Panels over years on Dask: same numbers as single-year measures, failures, reruns, changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from conftest import shared_path, wiod_path
from gvckit import panel
from gvckit.cli import main
from gvckit.errors import GvcError, InputError, OptionError

YEARS = (1995, 2003, 2011)
GROUP = "EU3=DEU,FRA,ITA"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real LocalCluster: 2 worker processes, one BLAS thread each (Dask's default)."""
    pytest.importorskip("distributed")
    with panel.connect(workers=2) as c:
        yield c


def _in_worker(client: Any, name: str, year: int, **options: Any) -> pd.DataFrame:
    """``icio.measure`` on one year, run directly in a worker (same BLAS threads as the tasks)."""
    path = str(wiod_path(year))
    job = client.submit(lambda: icio.measure(name, icio.read(path), **options), pure=False)
    return job.result()


@pytest.fixture(scope="module")
def bm_panel(client: Any) -> pd.DataFrame:
    """bm, sink-based, exporter perspective, with a group, on three WIOD years."""
    paths = [wiod_path(y) for y in YEARS]
    return panel.run(
        "bm", paths, client=client, compute=True, groups=[GROUP], approach="sink",
        perspective="exporter",
    )  # fmt: skip


def _copies(folder: Path, years: tuple[int, ...], corrupt: int | None = None) -> Path:
    """WIOD tables of ``years`` copied into ``folder``, plus a truncated one for ``corrupt``."""
    folder.mkdir(exist_ok=True)
    for y in years:
        shutil.copy(wiod_path(y), folder / f"wiot_{y}.csv.gz")
    if corrupt is not None:
        data = wiod_path(YEARS[0]).read_bytes()
        (folder / f"wiot_{corrupt}.csv.gz").write_bytes(data[: len(data) // 3])
    return folder


def _mtimes(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("year=*/part-0.parquet")}


# ------------------------------------------------------------------------- finding the tables


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2011", (2011,)),
        ("1995-1997", (1995, 1996, 1997)),
        (" 2000, 2005-2006 ", (2000, 2005, 2006)),
    ],
)
def test_parse_years(text: str, years: tuple[int, ...]) -> None:
    assert panel.parse_years(text) == years
    assert panel.parse_years([2001, 1999, 2001]) == (1999, 2001)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2011-1995", "the range 2011-1995 runs backwards"),
        ("95-11", "'95-11' is not a year or a range of years"),
        ("1995-", "'1995-' is not a year"),
        ("", "'' is not a year"),
    ],
)
def test_bad_years(text: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        panel.parse_years(text)


def test_discover(tmp_path: Path) -> None:
    for name in ("wiot_2001.csv.gz", "wiot_2000.csv.gz", "ICIO2021_2002.csv", "README.md"):
        (tmp_path / name).write_text("")
    (tmp_path / "industries.csv").write_text("")  # no year: not a table of the panel
    tasks = panel.discover([tmp_path])
    assert [(t.year, t.name) for t in tasks] == [
        (2000, "wiot_2000.csv.gz"), (2001, "wiot_2001.csv.gz"), (2002, "ICIO2021_2002.csv"),
    ]  # fmt: skip
    assert all(Path(t.path).is_absolute() for t in tasks)
    assert [t.year for t in panel.discover([tmp_path / "wiot_*.csv.gz"], "2001-2005")] == [2001]
    with pytest.raises(OptionError, match=r"no table for the years asked \(1990\);"):
        panel.discover([tmp_path], "1990")
    with pytest.raises(InputError, match="no file matches this pattern"):
        panel.discover([tmp_path / "nope_*.csv"])
    with pytest.raises(InputError, match="no such file or folder"):
        panel.discover([tmp_path / "missing.csv"])


def test_two_tables_for_one_year() -> None:
    folder = shared_path("wiod2013")  # national and regional tables for 1995 and 2011
    with pytest.raises(OptionError, match=r"several tables for 1995: wiot_1995\.csv\.gz,"):
        panel.discover([folder])
    assert len(panel.discover([folder / "wiot_[0-9]*.csv.gz"])) == 17


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--years", "2011-1995"],
            "error: --years '2011-1995': the range 2011-1995 runs backwards",
        ),
        (["--years", "abc"], "error: --years 'abc': 'abc' is not a year or a range of years"),
        (["--years", "1980-1981"], "error: no table for the years asked (1980, 1981)"),
        (["--approach", "up"], "error: measure 'bm': approach='up' is not one of source, sink"),
        (["--group", "EU"], "error: group 'EU' is not of the form NAME=MEMBER,MEMBER"),
        (["--format", "xls"], "error: unknown format 'xls'; choose auto or one of: wide, oecd"),
        (["--memory-limit", "lots"], "error: --memory-limit 'lots' is not a size like 4GB"),
        (
            ["--memory-limit", "2GB", "--scheduler", "tcp://127.0.0.1:1"],
            "error: --workers and --memory-limit size a local cluster",
        ),
    ],
)
def test_bad_input_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    (tmp_path / "wiot_2000.csv.gz").write_text("")
    out = tmp_path / "out"
    assert main(["panel", "bm", str(tmp_path), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["panel", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--years" in out and "--scheduler" in out and "--force" in out


def test_without_dask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wiot_2000.csv.gz").write_text("")
    for module in ("dask", "dask.dataframe", "distributed"):
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(GvcError, match=r"install gvckit\[scale\]"):
        panel.run("vs", [tmp_path])
    assert main(["panel", "vs", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "Dask, which is not installed: install gvckit[scale]" in capsys.readouterr().err


def test_dask_is_imported_lazily() -> None:
    code = "import sys, gvckit.panel, gvckit.cli; print(sorted(m for m in sys.modules if 'dask' in m or m == 'distributed'))"  # noqa: E501
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------------------- correctness


@pytest.mark.shared
def test_api_equals_single_year_measure_exactly(client: Any, bm_panel: pd.DataFrame) -> None:
    assert list(bm_panel.columns) == ["exporter", "term", "value", "year", "source"]
    assert sorted(set(bm_panel["year"])) == list(YEARS)
    for year in YEARS:
        options = {"approach": "sink", "perspective": "exporter"}
        one = _in_worker(client, "bm", year, groups=[GROUP], **options)
        got = bm_panel[bm_panel["year"] == year]
        assert set(got["source"]) == {f"wiot_{year}.csv.gz"}
        got = got.drop(columns=["year", "source"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, one, check_exact=True)


@pytest.mark.shared
def test_lazy_frame(client: Any) -> None:
    lazy = panel.run("vs", [wiod_path(y) for y in YEARS[:2]], by=None)
    assert lazy.npartitions == 2
    assert list(lazy.columns) == ["country", "sector", "value", "year", "source"]
    computed = client.compute(lazy).result().reset_index(drop=True)
    assert list(computed.dtypes.astype(str)) == ["str", "str", "float64", "int64", "str"]
    one = _in_worker(client, "vs", YEARS[1])
    got = computed[computed["year"] == YEARS[1]].drop(columns=["year", "source"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), one, check_exact=True)


@pytest.mark.shared
def test_cli_failed_year_and_values_equal_gvckit_measure(
    tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """On real worker processes: a corrupt table among good ones; the others equal, bit for bit,
    `gvckit measure` run in the same kind of process (one BLAS thread)."""
    folder = _copies(tmp_path / "tables", YEARS, corrupt=2000)
    out = tmp_path / "out"
    args = ["participation", str(folder), "-o", str(out), "--by", "sector"]
    assert main(["panel", *args, "--scheduler", client.scheduler.address]) == 1
    err = capsys.readouterr().err
    assert "panel participation: 3 written, 0 skipped, 1 failed" in err
    assert "failed: 2000 wiot_2000.csv.gz: " in err
    assert "cannot read the gzip file" in err and "Traceback" not in err
    assert sorted(_mtimes(out)) == [f"year={y}" for y in YEARS]
    assert not (out / "year=2000").exists()
    assert not list(out.rglob("*.part"))

    def measure_cli(table: str, ref: str) -> int:
        from gvckit.cli import main as cli

        return cli(["measure", "participation", table, "--by", "sector", "-o", ref])

    refs = [str(tmp_path / f"ref_{y}.parquet") for y in YEARS]
    tables = [str(wiod_path(y)) for y in YEARS]
    assert client.gather(client.map(measure_cli, tables, refs, pure=False)) == [0, 0, 0]
    written = panel.read(out)
    for year, ref in zip(YEARS, refs, strict=True):
        got = written[written["year"] == year].drop(columns=["year", "source"])
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), pd.read_parquet(ref), check_exact=True
        )


@pytest.mark.shared
def test_rerun_skips_done_years_and_force_redoes(
    tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copies(tmp_path / "tables", (1996, 1997), corrupt=1998)
    out = tmp_path / "out"
    args = ["panel", "vs", str(folder / "wiot_*.csv.gz"), "-o", str(out)]
    args += ["--scheduler", client.scheduler.address]  # the module's cluster: no start-up
    assert main(args) == 1
    first = _mtimes(out)
    assert sorted(first) == ["year=1996", "year=1997"]
    capsys.readouterr()
    assert main(args) == 1  # done years skipped, the failed one tried again
    err = capsys.readouterr().err
    assert "0 written, 2 skipped, 1 failed" in err and "--force recomputes them" in err
    assert _mtimes(out) == first
    shutil.copy(wiod_path(1998), folder / "wiot_1998.csv.gz")  # repaired
    assert main(args) == 0
    assert "1 written, 2 skipped, 0 failed" in capsys.readouterr().err
    second = _mtimes(out)
    assert {k: second[k] for k in first} == first and "year=1998" in second
    assert main([*args, "--force"]) == 0
    assert "3 written, 0 skipped, 0 failed" in capsys.readouterr().err
    assert all(_mtimes(out)[k] != second[k] for k in second)
    frame = panel.read(out)
    assert sorted(set(frame["year"])) == [1996, 1997, 1998]
    assert list(frame.columns) == ["country", "sector", "value", "year", "source"]
    hive = pd.read_parquet(out)  # any Parquet reader sees the year partitions
    assert len(hive) == len(frame) and set(hive["year"].astype(int)) == {1996, 1997, 1998}


# ------------------------------------------------------------------- several measures, one pass

MULTI = "bm:approach=source,bm:approach=sink,participation"


@pytest.mark.shared
def test_rerun_with_other_options_is_refused_not_skipped(
    tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder holding another measure's years (or the same measure with other options,
    groups or output basis) is refused before any work: skipping its years as "already
    written" would hand back the other panel's numbers as this one's."""
    folder = _copies(tmp_path / "tables", YEARS[:1])
    out = tmp_path / "out"
    report = panel.write("bm", [folder], out, client=client, approach="source")
    assert [r.status for r in report.results] == ["done"]
    first = _mtimes(out)
    asked: list[tuple[str, dict[str, Any]]] = [
        ("bm", {"approach": "sink"}),
        ("participation", {}),
        ("bm", {"approach": "source", "groups": [GROUP]}),
        ("bm", {"approach": "source", "output_basis": "given"}),
    ]
    for name, options in asked:
        for force in (False, True):
            with pytest.raises(OptionError, match="holds another panel"):
                panel.write(name, [folder], out, client=client, force=force, **options)
    assert _mtimes(out) == first
    # the same panel, its defaults spelt out: skipped as before
    same = panel.write("bm", [folder], out, client=client, approach="source", output_basis="rows")
    assert [r.status for r in same.results] == ["skipped"]
    args = ["panel", "bm", str(folder), "-o", str(out), "--approach", "sink"]
    assert main([*args, "--scheduler", client.scheduler.address]) == 2
    err = capsys.readouterr().err
    assert "holds another panel" in err and "Traceback" not in err
    assert _mtimes(out) == first
    # several measures: each dataset folder is checked
    multi = tmp_path / "multi"
    panel.write("bm,participation", [folder], multi, client=client, approach="sink")
    with pytest.raises(OptionError, match="holds another panel"):
        panel.write("bm,participation", [folder], multi, client=client, approach="source")


@pytest.mark.parametrize(
    ("measures", "extra", "message"),
    [
        ("bm:approach", [], "error: measure 'bm:approach': 'approach' is not OPTION=VALUE"),
        ("bm,bm", [], "error: measure 'bm' is asked for twice with the same options"),
        ("vs,iir", ["--by", "sector"], "error: no measure of this panel (vs, iir) has the option"),
        ("bm:approach=up,vs", [], "error: measure 'bm': approach='up' is not one of"),
        ("vs,nosuch", [], "error: unknown measure 'nosuch'"),
    ],
)
def test_bad_measure_lists_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], measures: str, extra: list[str],
    message: str,
) -> None:  # fmt: skip
    (tmp_path / "wiot_2000.csv.gz").write_text("")
    out = tmp_path / "out"
    assert main(["panel", measures, str(tmp_path), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.shared
def test_several_measures_in_one_pass_equal_single_runs(
    tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """One task per year writes every measure's dataset; each equals, bit for bit, the panel
    of that measure alone (the single-measure layout, unchanged)."""
    folder = _copies(tmp_path / "tables", YEARS[:2])
    out = tmp_path / "multi"
    args = ["panel", MULTI, str(folder), "-o", str(out), "--group", GROUP, "--by", "sector"]
    assert main([*args, "--scheduler", client.scheduler.address]) == 0
    err = capsys.readouterr().err
    assert f"2 written, 0 skipped, 0 failed ({out})" in err
    assert sorted(p.name for p in out.iterdir()) == ["bm-sink", "bm-source", "participation"]
    singles = [
        ("bm-source", "bm", {"approach": "source"}),
        ("bm-sink", "bm", {"approach": "sink"}),
        ("participation", "participation", {}),
    ]
    for dataset, name, options in singles:
        alone = tmp_path / f"alone-{dataset}"
        report = panel.write(
            name, [folder], alone, client=client, groups=[GROUP], by="sector", **options
        )
        assert not report.with_status("failed")
        assert sorted(p.name for p in alone.iterdir()) == [f"year={y}" for y in YEARS[:2]]
        pd.testing.assert_frame_equal(
            panel.read(out / dataset), panel.read(alone), check_exact=True
        )
    # a year missing from one dataset only: that measure alone is computed again
    before = {d: _mtimes(out / d) for d, _, _ in singles}
    shutil.rmtree(out / "participation" / f"year={YEARS[0]}")
    report = panel.write(MULTI, [folder], out, client=client, groups=[GROUP], by="sector")
    assert [r.status for r in report.results] == ["done", "skipped"]
    assert _mtimes(out / "bm-sink") == before["bm-sink"]
    assert _mtimes(out / "participation").keys() == before["participation"].keys()


@pytest.mark.shared
def test_run_several_measures(client: Any) -> None:
    paths = [wiod_path(y) for y in YEARS[:2]]
    both = panel.run(["vs", ("bm", {"approach": "sink"})], paths, client=client, compute=True)
    assert list(both) == ["vs", "bm"]
    alone_vs = panel.run("vs", paths, client=client, compute=True)
    alone_bm = panel.run("bm", paths, client=client, compute=True, approach="sink")
    pd.testing.assert_frame_equal(both["vs"], alone_vs, check_exact=True)
    pd.testing.assert_frame_equal(both["bm"], alone_bm, check_exact=True)
    lazy = panel.run("vs,position", paths)
    assert set(lazy) == {"vs", "position"} and lazy["position"].npartitions == 2


# ------------------------------------------------------------------------------ time series


def test_changes_between_years() -> None:
    frame = pd.DataFrame(
        {
            "country": ["A", "A", "A", "B", "B"],
            "indicator": ["GVC_SH"] * 5,
            "value": [0.2, 0.3, 0.6, 0.0, 0.5],
            "year": [2000, 2001, 2003, 2000, 2003],
            "source": ["x"] * 5,
        }
    )
    prev = panel.changes(frame)
    assert list(prev.columns) == [
        "country", "indicator", "year", "value", "base_year", "base_value", "change",
        "relative_change",
    ]  # fmt: skip
    assert prev["base_year"].tolist() == [pd.NA, 2000, 2001, pd.NA, 2000]
    np.testing.assert_allclose(prev["change"], [np.nan, 0.1, 0.3, np.nan, 0.5])
    np.testing.assert_allclose(prev["relative_change"], [np.nan, 0.5, 1.0, np.nan, np.nan])
    first = panel.changes(frame, base="first")
    np.testing.assert_allclose(first["change"], [0.0, 0.1, 0.4, 0.0, 0.5])
    fixed = panel.changes(frame, base=2001)
    assert fixed["base_year"].tolist() == [2001, 2001, 2001, pd.NA, pd.NA]
    np.testing.assert_allclose(fixed["change"], [-0.1, 0.0, 0.3, np.nan, np.nan])
    with pytest.raises(
        OptionError, match=r"base year 2002 is not in the panel \(2000, 2001, 2003\)"
    ):
        panel.changes(frame, base=2002)
    with pytest.raises(OptionError, match="several rows for one series and year"):
        panel.changes(pd.concat([frame, frame]))


@pytest.mark.shared
def test_dva_share_changes_on_real_panel(bm_panel: pd.DataFrame) -> None:
    shares = panel.share(bm_panel)  # DVA / EXGR
    assert set(shares["term"]) == {"DVA_SH"}
    assert len(shares) == 39 * len(YEARS)  # 41 countries, 3 of them grouped as EU3
    row = shares[(shares["exporter"] == "EU3") & (shares["year"] == 2011)]["value"].item()
    terms = bm_panel[(bm_panel["exporter"] == "EU3") & (bm_panel["year"] == 2011)]
    by_term = terms.set_index("term")["value"]
    assert row == by_term["DVA"] / by_term["EXGR"]
    ch = panel.changes(shares, base="first")
    eu = ch[ch["exporter"] == "EU3"]
    assert eu["year"].tolist() == list(YEARS)
    assert eu["change"].iloc[-1] == eu["value"].iloc[-1] - eu["value"].iloc[0]
    with pytest.raises(OptionError, match="no term 'GVC' in the frame"):
        panel.share(bm_panel, "GVC")


def test_memory_limit_reaches_the_workers() -> None:
    with panel.connect("local", 1, processes=False, memory_limit="1GiB") as client:
        limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
    assert limits == [2**30]


def test_cli_changes_of_a_written_panel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bm"
    for year, dva in ((2000, 80.0), (2001, 75.0), (2002, 60.0)):
        part = out / f"year={year}"
        part.mkdir(parents=True)
        pd.DataFrame({"exporter": ["CHN", "CHN"], "term": ["DVA", "EXGR"],
                      "value": [dva, 100.0], "source": "t.csv"}).to_parquet(
            part / "part-0.parquet")  # fmt: skip
    target = tmp_path / "changes.csv"
    assert main(["changes", str(out), "--share", "DVA/EXGR", "--base", "first",
                 "-o", str(target)]) == 0  # fmt: skip
    got = pd.read_csv(target)
    assert list(got["value"]) == pytest.approx([0.8, 0.75, 0.6])
    assert list(got["change"]) == pytest.approx([0.0, -0.05, -0.2])
    expected = panel.changes(panel.share(panel.read(out), "DVA", "EXGR"), base="first")
    assert list(got["relative_change"]) == pytest.approx(list(expected["relative_change"]))
    assert main(["changes", str(out), "--share", "DVA"]) == 2
    assert "--share must be TERM/TERM" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("part", "needle"),
    [
        (b"not parquet at all\n", "cannot read the panel's part"),
        (None, "no column 'source'"),
    ],
)
def test_changes_of_a_damaged_panel_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: bytes | None, needle: str
) -> None:
    """A part that is not Parquet, or a Parquet file not written by ``gvckit panel``, ended in
    'This is a bug in gvckit' (ArrowInvalid, KeyError)."""
    path = tmp_path / "out" / "year=2000" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    if part is None:
        pd.DataFrame({"exporter": ["AUS"], "value": [1.0]}).to_parquet(path)
    else:
        path.write_bytes(part)
    assert main(["changes", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: {needle}") and len(err.splitlines()) == 1, err


def test_a_gzip_bomb_given_as_the_report_panel_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report --panel X.csv.gz`` inflated the file whole (MemoryError: 'a bug in gvckit')."""
    import gzip

    from gvckit.clusters import tables

    monkeypatch.setattr(tables, "MAX_BYTES", 1024**2)
    bomb = tmp_path / "panel.csv.gz"
    row = b"2000,AUS,DVA,1.0\n"
    bomb.write_bytes(gzip.compress(b"year,exporter,indicator,value\n" + row * 100_000))
    table = Path(icio.__file__).parents[1] / "data" / "leather.csv"
    args = ["report", "-o", str(tmp_path / "r.html"), "--table", str(table)]
    assert main([*args, "--country", "Argentina", "--sector", "Agriculture",
                 "--panel", str(bomb)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert f"error: {bomb}: the file inflates to more than 1,048,576 bytes" in err, err
    assert not (tmp_path / "r.html").exists()
