"""`gvckit results`: progress, universal indicators, the results chain, and the DiD impact
estimate from a panel file, through the command line; bad input exits 2 naming what is wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import yaml

from clirun import run_cli as _run

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "results_example.yaml"
PANEL = DATA / "results_panel.csv"
PANEL_COLS = ["--outcome", "sales", "--unit", "firm", "--time", "period"]


def test_progress_csv() -> None:
    code, out, _ = _run("results", str(EXAMPLE), "-f", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    row = frame.set_index("indicator").loc["trained"]
    assert (row["latest"], row["progress"], row["status"]) == (72.0, 0.6, "on track")
    assert frame.set_index("indicator").loc["contracts", "status"] == "behind"


def test_universal_json_lists_all_three() -> None:
    code, out, _ = _run("results", str(EXAMPLE), "--view", "universal", "-f", "json")
    assert code == 0
    records = {r["universal"]: r for r in json.loads(out)}
    assert set(records) == {"scale", "net_additional_income", "net_additional_jobs"}
    assert records["scale"]["latest"] == 90.0
    assert records["scale"]["female"] + records["scale"]["male"] == 90.0
    assert "not measured" in records["net_additional_jobs"]["note"]


def test_chain_view_warns_on_stderr(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["boxes"].append({"id": "o9", "level": "output", "text": "Buyers visit MSEs"})
    p = tmp_path / "results.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, err = _run("results", str(p), "--view", "chain", "-f", "csv")
    assert code == 0
    assert list(pd.read_csv(io.StringIO(out))["box"])[:2] == ["a1", "a2"]
    assert "warning:" in err and "'o9'" in err and "no indicator" in err


def test_impact_recovers_the_simulated_effect() -> None:
    code, out, err = _run("results", str(EXAMPLE), "--impact", str(PANEL), *PANEL_COLS, "-f", "csv")
    assert code == 0, err
    effect = pd.read_csv(io.StringIO(out)).set_index("term").loc["treated:post"]
    assert effect["ci_low"] < 5.0 < effect["ci_high"]
    assert effect["n_clusters"] == 40
    assert err.startswith("parallel trends: pass")


def test_pretrends_view() -> None:
    code, out, _ = _run(
        "results", str(EXAMPLE), "--impact", str(PANEL), *PANEL_COLS,
        "--view", "pretrends", "-f", "json",
    )  # fmt: skip
    assert code == 0
    (check,) = json.loads(out)
    assert check["verdict"] == "pass" and check["n_pre_periods"] == 2


def test_panel_columns_are_guessed_from_common_names() -> None:
    code, out, err = _run("results", str(EXAMPLE), "--impact", str(PANEL), "-f", "csv")
    assert code == 0, err
    assert "panel columns: unit=firm, time=period, outcome=sales" in err
    guessed = pd.read_csv(io.StringIO(out)).set_index("term")
    code, out, _ = _run("results", str(EXAMPLE), "--impact", str(PANEL), *PANEL_COLS, "-f", "csv")
    pd.testing.assert_frame_equal(guessed, pd.read_csv(io.StringIO(out)).set_index("term"))


def test_panel_without_the_named_columns_exits_2(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(PANEL.read_text().replace("firm,period", "who,when", 1))
    code, out, err = _run("results", str(EXAMPLE), "--impact", str(odd))
    assert code == 2 and out == ""
    assert "odd.csv, row 1: missing columns 'unit', 'time'" in err


def test_cycle_exits_2_naming_the_boxes(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["links"].append({"from": "oc2", "to": "oc1"})
    p = tmp_path / "cyclic.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = _run("results", str(p))
    assert code == 2
    assert "cycle" in err and "oc1 → oc2 → oc1" in err and "Traceback" not in err


def test_missing_baseline_exits_2_naming_the_indicator(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    del data["indicators"][0]["baseline"]
    p = tmp_path / "nobaseline.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = _run("results", str(p))
    assert code == 2 and "indicator 'trained' has no baseline" in err


def test_bad_view_and_impact_view_without_panel() -> None:
    assert _run("results", str(EXAMPLE), "--view", "nope")[0] == 2
    code, _, err = _run("results", str(EXAMPLE), "--view", "impact")
    assert code == 2 and "needs --impact" in err
