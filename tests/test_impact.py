"""Difference in differences on a simulated panel with a known effect, its clustered standard
errors checked against the sandwich formula, the parallel-trends check, and bad panel files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gvckit.errors import InputError, OptionError
from gvckit.interventions import impact

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "results_example.yaml"
PANEL_CSV = DATA / "results_panel.csv"
EFFECT = 5.0


def _row(frame: pd.DataFrame, **where: object) -> pd.Series:
    for key, value in where.items():
        frame = frame[frame[key] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


# -- difference in differences ---------------------------------------------------------------


def simulate(
    seed: int = 20240601, firms: int = 200, pre_trend: float = 0.0, effect: float = EFFECT
) -> pd.DataFrame:
    """A panel of ``firms`` over 4 periods (2 before, 2 after); the first half is treated.

    sales = 10 + 2·treated + 1.5·t + u_i + effect·treated·post + pre_trend·treated·min(t, 2) + e,
    u_i ~ N(0, 3²) a firm random effect, e ~ N(0, 1). With ``pre_trend`` the treated firms grow
    faster between periods 1 and 2 (before the intervention) only.
    """
    rng = np.random.default_rng(seed)
    periods = 4
    firm = np.repeat(np.arange(firms), periods)
    t = np.tile(np.arange(1, periods + 1), firms)
    treated = (firm < firms // 2).astype(np.int64)
    post = (t >= 3).astype(np.int64)
    u = rng.normal(0.0, 3.0, firms)[firm]
    e = rng.normal(0.0, 1.0, firm.size)
    sales = (
        10 + 2 * treated + 1.5 * t + u + effect * treated * post
        + pre_trend * treated * np.minimum(t, 2) + e
    )  # fmt: skip
    return pd.DataFrame(
        {
            "firm": [f"f{k:03d}" for k in firm],
            "period": t,
            "treated": treated,
            "post": post,
            "sales": sales,
        }
    )


COLS = {"outcome": "sales", "unit": "firm", "time": "period", "treated": "treated", "post": "post"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate()


def _effect(frame: pd.DataFrame) -> pd.Series:
    return _row(frame, term=impact.EFFECT)


def test_did_recovers_the_effect(panel: pd.DataFrame) -> None:
    res = impact.did(panel, **COLS)
    assert list(res.columns) == [
        "term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "n_obs", "n_clusters",
    ]  # fmt: skip
    assert list(res["term"]) == ["const", "treated", "post", "treated:post"]
    d = _effect(res)
    assert abs(d["estimate"] - EFFECT) < 3 * d["std_error"]
    assert d["ci_low"] < EFFECT < d["ci_high"]
    assert d["p_value"] < 1e-10
    assert (d["n_obs"], d["n_clusters"]) == (800, 200)
    post = _row(res, term="post")  # common change: 1.5 per period × 2 periods
    assert abs(post["estimate"] - 3.0) < 3 * post["std_error"]


def test_did_is_the_double_difference_of_means(panel: pd.DataFrame) -> None:
    means = panel.groupby(["treated", "post"])["sales"].mean()
    by_hand = (means[1, 1] - means[1, 0]) - (means[0, 1] - means[0, 0])
    assert _effect(impact.did(panel, **COLS))["estimate"] == pytest.approx(by_hand)
    fe = impact.did(panel, **COLS, unit_effects=True)
    assert list(fe["term"]) == ["post", "treated:post"]
    assert _effect(fe)["estimate"] == pytest.approx(by_hand)  # balanced panel


def test_clustered_standard_errors_by_hand(panel: pd.DataFrame) -> None:
    """V = c·(X'X)⁻¹ Σ_g X_g'e_g e_g'X_g (X'X)⁻¹, c = G/(G−1)·(N−1)/(N−K); t with G−1 df."""
    res = impact.did(panel, **COLS)
    X = np.column_stack(
        [
            np.ones(len(panel)),
            panel["treated"],
            panel["post"],
            panel["treated"] * panel["post"],
        ]
    ).astype(float)
    y = panel["sales"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    e = y - X @ beta
    codes = pd.factorize(panel["firm"])[0]
    scores = np.zeros((codes.max() + 1, X.shape[1]))
    np.add.at(scores, codes, X * e[:, None])
    n, k, g = X.shape[0], X.shape[1], scores.shape[0]
    cov = bread @ (scores.T @ scores) @ bread * (g / (g - 1)) * ((n - 1) / (n - k))
    se = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(res["estimate"], beta, rtol=1e-10)
    np.testing.assert_allclose(res["std_error"], se, rtol=1e-10)
    half = stats.t.ppf(0.975, g - 1) * se
    np.testing.assert_allclose(res["ci_low"], beta - half, rtol=1e-10)
    np.testing.assert_allclose(res["ci_high"], beta + half, rtol=1e-10)
    p = 2 * stats.t.sf(np.abs(beta / se), g - 1)
    np.testing.assert_allclose(res["p_value"], p, rtol=1e-8, atol=1e-300)


def test_clustered_differ_from_ols_standard_errors(panel: pd.DataFrame) -> None:
    """With firm effects, OLS understates the SE of the between-firm term (treated) and
    overstates that of the within-firm DiD term (Bertrand, Duflo & Mullainathan 2004)."""
    cl = impact.did(panel, **COLS).set_index("term")
    ols = impact.did(panel, **COLS, se="ols").set_index("term")
    pd.testing.assert_series_equal(cl["estimate"], ols["estimate"])
    assert cl.loc["treated", "std_error"] > 1.2 * ols.loc["treated", "std_error"]
    assert cl.loc[impact.EFFECT, "std_error"] < 0.5 * ols.loc[impact.EFFECT, "std_error"]
    assert ols["n_clusters"].isna().all()


def test_unit_effects_ols_counts_the_absorbed_means(panel: pd.DataFrame) -> None:
    fe = impact.did(panel, **COLS, unit_effects=True, se="ols")
    dummies = pd.get_dummies(panel["firm"], dtype=float).to_numpy()
    X = np.column_stack([panel["post"], panel["treated"] * panel["post"], dummies])
    y = panel["sales"].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ beta
    s2 = e @ e / (X.shape[0] - X.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
    np.testing.assert_allclose(fe["estimate"], beta[:2], rtol=1e-9)
    np.testing.assert_allclose(fe["std_error"], se[:2], rtol=1e-9)


def test_did_drops_missing_outcomes_and_clusters_by_column(panel: pd.DataFrame) -> None:
    p = panel.copy()
    p.loc[[0, 5, 9], "sales"] = np.nan
    p["village"] = (pd.factorize(p["firm"])[0] // 10).astype(str)
    res = impact.did(p, **COLS, cluster="village")
    assert (res["n_obs"] == 797).all() and (res["n_clusters"] == 20).all()
    assert abs(_effect(res)["estimate"] - EFFECT) < 3 * _effect(res)["std_error"]


def test_did_with_dates_and_booleans(panel: pd.DataFrame) -> None:
    p = panel.copy()
    p["period"] = pd.to_datetime(p["period"].map({1: "2021-06-30", 2: "2022-06-30",
                                                  3: "2023-06-30", 4: "2024-06-30"}))  # fmt: skip
    p["treated"] = p["treated"].astype(bool)
    assert _effect(impact.did(p, **COLS))["estimate"] == pytest.approx(
        _effect(impact.did(panel, **COLS))["estimate"]
    )
    pt = impact.parallel_trends(p, **COLS)
    ref = impact.parallel_trends(panel, **COLS)
    assert pt["p_value"][0] == pytest.approx(ref["p_value"][0], rel=1e-6)


def test_parallel_trends_pass_on_parallel_data(panel: pd.DataFrame) -> None:
    pt = impact.parallel_trends(panel, **COLS)
    assert len(pt) == 1
    r = pt.iloc[0]
    assert r["verdict"] == "pass", r["note"]
    assert r["p_value"] >= 0.05
    assert (r["n_pre_periods"], r["n_obs"], r["n_clusters"]) == (2, 400, 200)
    assert abs(r["estimate"]) < 3 * r["std_error"]
    assert "not proof" in r["note"]
    leads = impact.parallel_trends(panel, **COLS, method="leads").iloc[0]
    assert leads["verdict"] == "pass"
    # with two pre-periods the single lead's F is the trend's t squared
    assert leads["statistic"] == pytest.approx(r["statistic"] ** 2)
    assert leads["p_value"] == pytest.approx(r["p_value"])


def test_parallel_trends_warn_on_a_pre_trend() -> None:
    data = simulate(pre_trend=2.0)
    for method in ("trend", "leads"):
        r = impact.parallel_trends(data, **COLS, method=method).iloc[0]  # type: ignore[arg-type]
        assert r["verdict"] == "warn", r["note"]
        assert r["p_value"] < 1e-6
        assert "may be biased" in r["note"]
    trend = impact.parallel_trends(data, **COLS).iloc[0]
    assert abs(trend["estimate"] - 2.0) < 3 * trend["std_error"]
    fe = impact.parallel_trends(data, **COLS, unit_effects=True).iloc[0]
    assert fe["verdict"] == "warn"
    # the DiD estimate is then biased by the pre-trend: 5 + 2·(mean of min(t,2) after − before)
    biased = _effect(impact.did(data, **COLS))["estimate"]
    assert abs(biased - (EFFECT + 2.0 * 0.5)) < 0.5


def test_parallel_trends_needs_two_pre_periods(panel: pd.DataFrame) -> None:
    r = impact.parallel_trends(panel[panel["period"] > 1], **COLS).iloc[0]
    assert r["verdict"] == "warn" and math.isnan(r["statistic"])
    assert "cannot be checked" in r["note"]


def test_more_pre_periods_leads() -> None:
    rng = np.random.default_rng(7)
    firms, periods = 120, 6
    firm = np.repeat(np.arange(firms), periods)
    t = np.tile(np.arange(2015, 2015 + periods), firms)
    treated = (firm % 2 == 0).astype(int)
    post = (t >= 2019).astype(int)
    y = 3 * treated + 0.5 * (t - 2015) + 2 * treated * post + rng.normal(0, 1, firms)[firm]
    y = y + rng.normal(0, 1, firm.size)
    frame = pd.DataFrame({"firm": firm, "period": t, "treated": treated, "post": post, "sales": y})
    r = impact.parallel_trends(frame, **COLS, method="leads").iloc[0]
    assert (r["n_pre_periods"], r["df_num"], r["df_denom"]) == (4, 3, firms - 1)
    assert r["verdict"] == "pass"
    assert "period=2015" in r["note"] and "relative to period 2018" in r["note"]


# -- panel files and bad panels --------------------------------------------------------------


def test_read_panel_roundtrip(panel: pd.DataFrame, tmp_path: Path) -> None:
    p = tmp_path / "panel.csv"
    panel.assign(region="north").to_csv(p, index=False)
    read = impact.read_panel(p, **COLS)
    assert read["period"].dtype == np.int64 and read["treated"].dtype == np.int64
    assert read["region"].iloc[0] == "north"
    pd.testing.assert_frame_equal(
        impact.did(read, **COLS), impact.did(panel, **COLS), check_exact=False, rtol=1e-12
    )


def test_panel_fixture_file() -> None:
    """tests/data/results_panel.csv: 40 firms, 4 years, effect 5 (for the command line)."""
    read = impact.read_panel(PANEL_CSV, **COLS)
    assert len(read) == 160
    d = _effect(impact.did(read, **COLS))
    assert d["ci_low"] < EFFECT < d["ci_high"]


def _csv(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "panel.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


GOOD = ["firm,period,treated,post,sales", "a,1,1,0,3.5", "a,2,1,1,7", "b,1,0,0,2", "b,2,0,1,3"]


@pytest.mark.parametrize(
    ("edit", "row", "column", "needle"),
    [
        ((0, "firm,period,treated,after,sales"), 1, None, "missing column 'post'"),
        ((0, "firm;period;treated;post;sales"), 1, None, "comma-separated"),
        ((2, "a,2,yes,1,7"), 3, "treated", "not a treated flag"),
        ((2, "a,2,1,2,7"), 3, "post", "not a post flag"),
        ((2, "a,2,1,1,seven"), 3, "sales", "not a number"),
        ((2, "a,2,1,1,inf"), 3, "sales", "not a finite number"),
        ((2, ",2,1,1,7"), 3, "firm", "missing unit id"),
        ((2, "a,two,1,1,7"), 3, "period", "not a number"),
        ((2, "a,2,1,1"), 3, None, "4 fields"),
        ((2, "a,1,1,1,7"), 3, "period", "appears twice in period 1 (also row 2)"),
        ((2, "a,2,0,1,7"), 3, "treated", "treated changes within unit 'a'"),
        ((4, "b,2,0,0,3"), 5, "post", "post changes within period '2'"),
    ],
)
def test_bad_panel_file(
    tmp_path: Path, edit: tuple[int, str], row: int, column: str | None, needle: str
) -> None:
    lines = list(GOOD)
    lines[edit[0]] = edit[1]
    p = _csv(tmp_path, lines)
    with pytest.raises(InputError) as info:
        impact.read_panel(p, **COLS)
    err = info.value
    assert needle in str(err)
    assert err.file == str(p) and err.row == row
    if column is not None:
        assert err.column == column


def test_bad_panel_documents(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        impact.read_panel(tmp_path / "none.csv")
    with pytest.raises(InputError, match="empty"):
        impact.read_panel(_csv(tmp_path, [""]))
    with pytest.raises(InputError, match="no data rows"):
        impact.read_panel(_csv(tmp_path, GOOD[:1]), **COLS)
    dates = ["firm,period,treated,post,sales", "a,2021-01-01,1,0,1", "a,2022-01-01,1,1,2"]
    read = impact.read_panel(_csv(tmp_path, dates), **COLS)
    assert str(read["period"].dtype).startswith("datetime64")
    bad = [*dates, "b,2022-13-01,0,1,2"]
    with pytest.raises(InputError, match="not a date") as info:
        impact.read_panel(_csv(tmp_path, bad), **COLS)
    assert info.value.row == 4


def test_missing_outcome_cells_are_missing(tmp_path: Path) -> None:
    lines = [*GOOD, "c,1,0,0,NA", "c,2,0,1,"]
    read = impact.read_panel(_csv(tmp_path, lines), **COLS)
    assert read["sales"].isna().sum() == 2


def test_bad_panel_frames(panel: pd.DataFrame) -> None:
    with pytest.raises(OptionError, match="no column 'revenue'"):
        impact.did(panel, **{**COLS, "outcome": "revenue"})
    with pytest.raises(InputError, match="no comparison units"):
        impact.did(panel[panel["treated"] == 1], **COLS)
    with pytest.raises(InputError, match="no treated units observed after"):
        impact.did(panel[(panel["treated"] == 0) | (panel["post"] == 0)], **COLS)
    p = panel.copy()
    p.loc[3, "post"] = 2
    with pytest.raises(InputError, match="not a post flag") as info:
        impact.did(p, **COLS)
    assert info.value.row == 3 and info.value.column == "post"
    p = panel.copy()
    p["period"] = p["period"].astype(str)
    with pytest.raises(InputError, match="neither numbers nor dates"):
        impact.did(p, **COLS)
    with pytest.raises(OptionError, match="unknown standard errors"):
        impact.did(panel, **COLS, se="hc1")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="unknown method"):
        impact.parallel_trends(panel, **COLS, method="event")  # type: ignore[arg-type]


def test_guess_columns() -> None:
    header = ["Household_ID", "Year", "Treatment", "After", "Income", "district"]
    given: dict[str, str | None] = dict.fromkeys(impact.SYNONYMS)
    assert impact.guess_columns(header, given) == {
        "unit": "Household_ID", "time": "Year", "treated": "Treatment", "post": "After",
        "outcome": "Income",
    }  # fmt: skip
    given["outcome"] = "district"
    assert impact.guess_columns(header, given)["outcome"] == "district"
    assert impact.guess_columns(["a", "b"], dict.fromkeys(impact.SYNONYMS))["unit"] == "unit"


@pytest.mark.parametrize("kind", ["device", "fifo", "too_big"])
def test_impact_panel_that_never_ends_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:  # fmt: skip
    """``results --impact`` read the panel's header with no bound: a link to /dev/zero ran out
    of memory ('a bug in gvckit'), a named pipe hung for ever; a file of any size was read."""
    import os

    from gvckit.cli import main
    from gvckit.interventions import panel_data

    panel = tmp_path / "panel.csv"
    if kind == "device":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        panel.symlink_to("/dev/zero")
        needle = "not a regular file"
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes")
        os.mkfifo(panel)
        needle = "not a regular file"
    else:
        panel.write_text("\n".join(GOOD) + "\n")
        monkeypatch.setattr(panel_data, "MAX_BYTES", 40)
        needle = "the file is larger than 40 bytes"
    assert main(["results", str(EXAMPLE), "--impact", str(panel)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {panel}: {needle}") and len(err.splitlines()) == 1, err


def test_a_panel_with_no_residual_degrees_of_freedom_is_refused() -> None:
    # two units in two periods: four observations for the four DiD coefficients (the cluster
    # correction divided by N - K = 0); the pre-trend check on two units in two pre-periods too
    frame = pd.DataFrame(
        {
            "firm": ["a", "a", "b", "b"],
            "period": [1, 2, 1, 2],
            "treated": [1, 1, 0, 0],
            "post": [0, 1, 0, 1],
            "sales": [1.0, 2.0, 1.0, 3.0],
        }
    )
    for se in ("cluster", "ols"):
        with pytest.raises(InputError, match="too few observations: 4 for 4 coefficients"):
            impact.did(frame, **COLS, se=se)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="too few observations"):
        impact.did(frame, **COLS, unit_effects=True)
    with pytest.raises(InputError, match="too few observations"):
        impact.parallel_trends(frame.assign(post=0), **COLS)
