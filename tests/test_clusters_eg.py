"""Ellison–Glaeser agglomeration and coagglomeration (gvckit clusters eg).

Oracles: REAT's printed example for ``ellison.a`` (Farhauer & Kröll 2014), a plain second
reading (loops over the firm list, no numpy) of the textbook firm data FK2014_EGC with and
without the regions' external totals, and a dartboard simulation for the mean and variance of
G under the null of no agglomeration (the variance behind the z-score).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from gvckit.cli import main
from gvckit.clusters import Firms, coagglomeration, ellison_glaeser
from gvckit.clusters.agglomeration import industry_eg


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[tuple[str, str], float]:
    assert main(["clusters", "eg", *args]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame.columns) == ["industry", "indicator", "value"]
    return {(i, k): float(v) for i, k, v in frame.itertuples(index=False)}


def test_reat_ellison_a_example() -> None:
    # ellison.a(c(200,650,12000,100,50,16000,13000,1500,1500,25000),
    #           c(500000,400000,100000), regions Wien×5, Linz×4, Graz) = 0.05990628
    regions = ["Wien"] * 5 + ["Linz"] * 4 + ["Graz"]
    sizes = [200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000]
    firms = Firms(
        ("x",) * 10, tuple(regions), np.array(sizes, dtype=float),
        {"Wien": 500000.0, "Linz": 400000.0, "Graz": 100000.0},
    )  # fmt: skip
    out = ellison_glaeser(firms)
    gamma = out[(out["industry"] == "x") & (out["indicator"] == "gamma")]["value"].iloc[0]
    assert gamma == pytest.approx(0.05990628, abs=5e-9)


def _plain_eg(rows: list[dict[str, str]], external: bool) -> dict[tuple[str, str], float]:
    """EG 1997 by loops: gamma, G, H, z, firms per industry; coagglomeration of every pair."""
    regions: list[str] = []
    industries: list[str] = []
    for r in rows:
        if r["region"] not in regions:
            regions.append(r["region"])
        if r["industry"] not in industries:
            industries.append(r["industry"])
    size: dict[str, float] = {}
    for reg in regions:
        if external:
            size[reg] = next(float(r["emp_region"]) for r in rows if r["region"] == reg)
        else:
            size[reg] = sum(float(r["emp_firm"]) for r in rows if r["region"] == reg)
    total = sum(size.values())
    x = {reg: size[reg] / total for reg in regions}
    sx2 = sum(v**2 for v in x.values())
    sx3 = sum(v**3 for v in x.values())
    out: dict[tuple[str, str], float] = {}
    emp: dict[str, float] = {}
    share: dict[str, dict[str, float]] = {}
    for ind in industries:
        firms = [r for r in rows if r["industry"] == ind]
        e = sum(float(f["emp_firm"]) for f in firms)
        emp[ind] = e
        s = {reg: sum(float(f["emp_firm"]) for f in firms if f["region"] == reg) / e
             for reg in regions}  # fmt: skip
        share[ind] = s
        G = sum((s[reg] - x[reg]) ** 2 for reg in regions)
        H = sum((float(f["emp_firm"]) / e) ** 2 for f in firms)
        z4 = sum((float(f["emp_firm"]) / e) ** 4 for f in firms)
        gamma = (G / (1 - sx2) - H) / (1 - H)
        var = 2 * (H**2 * (sx2 - 2 * sx3 + sx2**2) - z4 * (sx2 - 4 * sx3 + 3 * sx2**2))
        out[(ind, "gamma")] = gamma
        out[(ind, "G")] = G
        out[(ind, "H")] = H
        out[(ind, "z")] = (G - (1 - sx2) * H) / math.sqrt(var)
        out[(ind, "firms")] = float(len(firms))
    for k, a in enumerate(industries):
        for b in industries[k + 1 :]:
            ea, eb = emp[a], emp[b]
            wa, wb = ea / (ea + eb), eb / (ea + eb)
            pooled = {reg: wa * share[a][reg] + wb * share[b][reg] for reg in regions}
            Gc = sum((pooled[reg] - x[reg]) ** 2 for reg in regions)
            Hc = wa**2 * out[(a, "H")] + wb**2 * out[(b, "H")]
            num = (Gc / (1 - sx2) - Hc - out[(a, "gamma")] * wa**2 * (1 - out[(a, "H")])
                   - out[(b, "gamma")] * wb**2 * (1 - out[(b, "H")]))  # fmt: skip
            out[(f"{a} + {b}", "gamma_c")] = num / (1 - wa**2 - wb**2)
            out[(f"{a} + {b}", "G_c")] = Gc
            out[(f"{a} + {b}", "H_c")] = Hc
    return out


@pytest.mark.shared
@pytest.mark.parametrize("external", [False, True])
def test_fk2014_textbook_firms_second_reading(
    capsys: pytest.CaptureFixture[str], external: bool
) -> None:
    path = shared_path("clusters", "FK2014_EGC.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    args = [str(path), "--industry", "industry", "--region", "region", "--size", "emp_firm",
            "--pairs"]  # fmt: skip
    if external:
        args += ["--region-total", "emp_region"]
    got = _run(capsys, *args)
    want = _plain_eg(rows, external)
    assert set(got) == set(want)
    assert len(got) == 4 * 5 + 6 * 3
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-10, abs=1e-14), key
    # the external totals change the region shares, hence gamma, not the plant Herfindahl
    other = _plain_eg(rows, not external)
    assert got[("Forestry", "H")] == pytest.approx(other[("Forestry", "H")], rel=1e-14)
    assert abs(got[("Forestry", "gamma")] - other[("Forestry", "gamma")]) > 1e-3


def test_coagglomeration_api_matches_pairs() -> None:
    firms = Firms(
        ("a", "a", "a", "b", "b", "c", "c", "c"),
        ("r1", "r1", "r2", "r1", "r3", "r2", "r3", "r3"),
        np.array([5, 3, 2, 4, 4, 1, 6, 2], dtype=float),
    )
    g, g_c, h_c = coagglomeration(firms, ["a", "c"])
    rows = [
        {"region": r, "industry": i, "emp_firm": str(s), "emp_region": "0"}
        for i, r, s in zip(firms.industry, firms.region, firms.size, strict=True)
    ]
    want = _plain_eg(rows, external=False)
    assert g == pytest.approx(want[("a + c", "gamma_c")], rel=1e-12)
    assert g_c == pytest.approx(want[("a + c", "G_c")], rel=1e-12)
    assert h_c == pytest.approx(want[("a + c", "H_c")], rel=1e-12)


def test_dartboard_null_mean_and_variance_of_g() -> None:
    """Firms thrown at regions with probabilities x: E[G] = (1 − Σx²)H, Var[G] as EG (1997),
    so gamma averages 0 and z has variance 1."""
    rng = np.random.default_rng(7)
    x = np.array([0.5, 0.3, 0.15, 0.05])
    sizes = np.array([40.0, 25.0, 10.0, 10.0, 8.0, 4.0, 3.0])
    draws = 40_000
    where = rng.choice(len(x), size=(draws, sizes.size), p=x)
    s = np.zeros((draws, len(x)))
    for k, size in enumerate(sizes):
        s[np.arange(draws), where[:, k]] += size
    G = ((s / sizes.sum() - x) ** 2).sum(axis=1)
    one = industry_eg(sizes, list(where[0]), x)
    H, x2 = one.H, float(np.sum(x**2))
    mean = (1 - x2) * H
    assert G.mean() == pytest.approx(mean, rel=0.01)
    z = np.array([industry_eg(sizes, list(w), x).z for w in where[:4000]])
    assert z.mean() == pytest.approx(0.0, abs=0.05)
    assert z.var() == pytest.approx(1.0, abs=0.08)
    gammas = (G - mean) / ((1 - x2) * (1 - H))
    assert gammas.mean() == pytest.approx(0.0, abs=0.01)


def test_single_firm_industry_has_no_gamma() -> None:
    firms = Firms(("a", "b", "b"), ("r1", "r1", "r2"), np.array([3.0, 1.0, 1.0]))
    out = ellison_glaeser(firms).set_index(["industry", "indicator"])["value"]
    assert math.isnan(out[("a", "gamma")])
    assert out[("a", "H")] == 1.0
    assert out[("b", "firms")] == 2.0


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("i,r,s,t\nx,1,10,100\nx,1,5,90\n", ["--region-total", "t"],
         "row 3, column 't': region '1' has total 100 on row 2 and 90 here"),
        ("i,r,s,t\nx,1,10,5\n", ["--region-total", "t"],
         "region '1': its firms employ 10, more than its total 5"),
        ("i,r,s\nx,1,ten\n", [], "row 2, column 's': not a number"),
        ("i,r,s\nx,,1\n", [], "row 2, column 'r': empty label"),
        ("i,r,s\nx,1,1\n", ["--region-total", "t"], "no column 't'"),
    ],
)  # fmt: skip
def test_bad_firm_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, extra: list[str], message: str
) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(text)
    out = tmp_path / "out.csv"
    args = ["clusters", "eg", str(path), "--industry", "i", "--region", "r", "--size", "s"]
    assert main([*args, *extra, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()
