"""Specialisation and concentration indices (gvckit clusters indices).

Oracles: the values REAT (T. Wieland, version 3.0.3) prints in its manual pages' examples, and a
deliberately plain second reading (lists, dicts and loops, no numpy, no shared code) over the
whole real German data set (16 Länder × 17 WZ 2008 sections, 2015).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest

from conftest import shared_path
from gvckit.cli import main
from gvckit.clusters import RegionalData, indices, read_regional
from gvckit.errors import InputError, OptionError


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> pd.DataFrame:
    assert main(["clusters", "indices", *args]) == 0
    out = capsys.readouterr().out
    return pd.read_csv(io.StringIO(out), keep_default_na=False, dtype={"region": str})


def _value(frame: pd.DataFrame, indicator: str, region: str = "", industry: str = "") -> float:
    sel = frame[
        (frame["indicator"] == indicator)
        & (frame["region"].astype(str) == region)
        & (frame["industry"].astype(str) == industry)
    ]
    assert len(sel) == 1, (indicator, region, industry)
    return float(sel["value"].iloc[0])


def _two(region: list[float], ref: list[float]) -> RegionalData:
    """A region and its reference (the country), industries 1..n."""
    inds = tuple(str(k + 1) for k in range(len(region)))
    return RegionalData(("R", "N"), inds, __import__("numpy").array([region, ref], dtype=float))


# -- REAT's printed examples -------------------------------------------------------------------


def test_reat_locq_farhauer_kroell() -> None:
    # locq(1714, 79006, 879213, 15593224) = 0.3847623: industry 1714 of a region's 79006,
    # 879213 of the country's 15593224
    data = _two([1714, 79006 - 1714], [879213, 15593224 - 879213])
    out = indices(data, "N")
    assert _value(out, "lq", "R", "1") == pytest.approx(0.3847623, abs=5e-8)


def test_reat_gini_spec_farhauer_kroell() -> None:
    data = _two([700, 600, 500, 10000, 40000], [30000, 15000, 10000, 60000, 50000])
    out = indices(data, "N")
    assert _value(out, "gini_specialisation", "R") == pytest.approx(0.6222222, abs=5e-8)


def test_reat_krugman_spec_no_industry_in_common() -> None:
    data = _two([20, 10, 70, 0, 0], [0, 0, 0, 60, 40])
    out = indices(data, "N")
    assert _value(out, "krugman_specialisation", "R") == 2.0
    assert _value(out, "hoover_specialisation", "R") == 1.0


def test_reat_gini_conc_farhauer_kroell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # gini.conc(c(500,500,1000,7000,1000), c(20000,15000,20000,40000,5000)) = 0.4068966;
    # given as long data with the rest of each region's employment as a second industry
    industry = [500, 500, 1000, 7000, 1000]
    total = [20000, 15000, 20000, 40000, 5000]
    path = tmp_path / "fk.csv"
    lines = ["reg,ind,emp"]
    for k, (e, t) in enumerate(zip(industry, total, strict=True)):
        lines += [f"r{k},x,{e}", f"r{k},rest,{t - e}"]
    path.write_text("\n".join(lines) + "\n")
    out = _run(capsys, str(path), "--region", "reg", "--industry", "ind", "--value", "emp")
    assert _value(out, "gini_concentration", industry="x") == pytest.approx(0.4068966, abs=5e-8)


def test_reat_herf_doersam(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # herf(c(20,50,20,10)) = 0.34, standardised 0.12, equivalent number 2.94
    path = tmp_path / "sales.csv"
    path.write_text("who,cars\na,20\nb,50\nc,20\nd,10\n")
    out = _run(capsys, str(path), "--region", "who")  # wide: one column per industry
    assert _value(out, "herfindahl", industry="cars") == pytest.approx(0.34, abs=1e-12)
    assert _value(out, "herfindahl_normalised", industry="cars") == pytest.approx(0.12, abs=1e-12)
    assert _value(out, "herfindahl_equivalent", industry="cars") == pytest.approx(2.94, abs=5e-3)


def test_reat_herf_gdp_laender() -> None:
    gdp = [460.69, 549.19, 124.16, 65.29, 31.59, 109.27, 263.44, 39.87, 258.53, 645.59,
           131.95, 35.03, 112.66, 56.22, 85.61, 56.81]  # fmt: skip
    data = RegionalData(
        tuple(f"L{k}" for k in range(16)), ("gdp",), __import__("numpy").array([[g] for g in gdp])
    )
    assert _value(indices(data), "herfindahl", industry="gdp") == pytest.approx(0.125, abs=5e-4)


@pytest.mark.shared
def test_reat_goettingen_2017(capsys: pytest.CaptureFixture[str]) -> None:
    # gini.spec(...2017[2:16], BRD2017[2:16]) = 0.359852, krugman.spec(...) = 0.4508469
    path = shared_path("clusters", "Goettingen.csv")
    out = _run(capsys, str(path), "--industry", "WZ2008_Code", "--columns",
               "Goettingen2017,BRD2017", "--reference", "BRD2017",
               "--exclude-industry", "A-R")  # fmt: skip
    assert _value(out, "gini_specialisation", "Goettingen2017") == pytest.approx(0.359852, abs=5e-7)
    assert _value(out, "krugman_specialisation", "Goettingen2017") == pytest.approx(
        0.4508469, abs=5e-8
    )
    # REAT's locq example for Göttingen divides by the total row (A-R); ours by the sections
    lqs = out[out["indicator"] == "lq"]
    assert len(lqs) == 15
    assert not (out["region"] == "BRD2017").any()  # the reference is not a region of its own
    assert not (out["indicator"] == "herfindahl").any()  # one region: no concentration


@pytest.mark.shared
def test_reat_freiburg_2014(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path("clusters", "Freiburg.csv")
    out = _run(capsys, str(path), "--industry", "industry", "--columns",
               "e_Freiburg2014,e_Germany2014", "--reference", "e_Germany2014")  # fmt: skip
    assert _value(out, "gini_specialisation", "e_Freiburg2014") == pytest.approx(
        0.2089009, abs=5e-8
    )


# -- a plain second reading over the whole German data ----------------------------------------


def _plain_gini(q: list[float]) -> float:
    """Gini as the mean absolute difference over all ordered pairs / (2 · mean)."""
    n = len(q)
    mean = sum(q) / n
    total = 0.0
    for a in q:
        for b in q:
            total += abs(a - b)
    return total / (2 * n * n * mean)


def _plain_weighted_gini(q: list[float], w: list[float]) -> float:
    """Gini of q with weights w (shares): Σ Σ w_a w_b |q_a − q_b| / (2 · weighted mean)."""
    tw = sum(w)
    p = [x / tw for x in w]
    mean = sum(pa * qa for pa, qa in zip(p, q, strict=True))
    total = 0.0
    for pa, qa in zip(p, q, strict=True):
        for pb, qb in zip(p, q, strict=True):
            total += pa * pb * abs(qa - qb)
    return total / (2 * mean)


def _plain_expected(path: Path) -> dict[tuple[str, str, str], float]:
    emp: dict[tuple[str, str], float] = {}
    regions: list[str] = []
    industries: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            r, i = row["region_code"], row["ind_code"]
            emp[(r, i)] = float(row["emp_all"])
            if r not in regions:
                regions.append(r)
            if i not in industries:
                industries.append(i)
    e = sum(emp.values())
    e_r = {r: sum(emp[(r, i)] for i in industries) for r in regions}
    e_i = {i: sum(emp[(r, i)] for r in regions) for i in industries}
    out: dict[tuple[str, str, str], float] = {}
    for r in regions:
        lq = []
        k = 0.0
        for i in industries:
            q = (emp[(r, i)] / e_r[r]) / (e_i[i] / e)
            out[(r, i, "lq")] = q
            lq.append(q)
            k += abs(emp[(r, i)] / e_r[r] - e_i[i] / e)
        out[(r, "", "krugman_specialisation")] = k
        out[(r, "", "hoover_specialisation")] = k / 2
        out[(r, "", "gini_specialisation")] = _plain_gini(lq)
    for i in industries:
        shares = [emp[(r, i)] / e_i[i] for r in regions]
        sizes = [e_r[r] / e for r in regions]
        lq = [s / z for s, z in zip(shares, sizes, strict=True)]
        h = sum(s * s for s in shares)
        n = len(regions)
        out[("", i, "hoover_concentration")] = (
            sum(abs(s - z) for s, z in zip(shares, sizes, strict=True)) / 2
        )
        out[("", i, "gini_concentration")] = _plain_gini(lq)
        out[("", i, "gini_locational")] = _plain_weighted_gini(lq, sizes)
        out[("", i, "herfindahl")] = h
        out[("", i, "herfindahl_normalised")] = (h - 1 / n) / (1 - 1 / n)
        out[("", i, "herfindahl_equivalent")] = 1 / h
    return out


@pytest.mark.shared
def test_german_laender_all_indicators_second_reading(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path("clusters", "G.regions.industries.csv")
    out = _run(capsys, str(path), "--region", "region_code", "--industry", "ind_code",
               "--value", "emp_all")  # fmt: skip
    expected = _plain_expected(path)
    got = {(str(r), str(i), str(k)): float(v) for r, i, k, v in out.itertuples(index=False)}
    assert set(got) == set(expected)
    assert len(got) == 16 * 17 + 16 * 3 + 17 * 6
    for key, want in expected.items():
        assert got[key] == pytest.approx(want, rel=1e-10, abs=1e-13), key
    assert {k for _, _, k in got} == {
        "lq", "krugman_specialisation", "hoover_specialisation", "gini_specialisation",
        "gini_locational", "hoover_concentration", "gini_concentration", "herfindahl",
        "herfindahl_normalised", "herfindahl_equivalent",
    }  # fmt: skip


@pytest.mark.shared
def test_german_laender_wide_excel_parquet_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_path("clusters", "G.regions.industries.csv")
    long = pd.read_csv(path)
    wide = long.pivot(index="ind_code", columns="region_code", values="emp_all").reset_index()
    base = indices(read_regional(path, region="region_code", industry="ind_code",
                                 value="emp_all"))  # fmt: skip
    key = ["region", "industry", "indicator"]

    def same(other: pd.DataFrame) -> None:
        a = base.sort_values(key).reset_index(drop=True)
        b = other.sort_values(key).reset_index(drop=True)
        assert a[key].equals(b[key])
        assert (a["value"] - b["value"]).abs().max() < 1e-12

    wide.to_csv(tmp_path / "wide.csv", index=False)
    same(indices(read_regional(tmp_path / "wide.csv", industry="ind_code")))
    wide.to_excel(tmp_path / "wide.xlsx", index=False)
    same(indices(read_regional(tmp_path / "wide.xlsx", industry="ind_code")))
    long.to_parquet(tmp_path / "long.parquet")
    same(indices(read_regional(tmp_path / "long.parquet", region="region_code",
                               industry="ind_code", value="emp_all")))  # fmt: skip
    # industries as columns, written with -o in full precision
    tr = long.pivot(index="region_code", columns="ind_code", values="emp_all").reset_index()
    tr.to_csv(tmp_path / "tr.csv", index=False)
    assert main(["clusters", "indices", str(tmp_path / "tr.csv"), "--region", "region_code",
                 "-o", str(tmp_path / "out.parquet")]) == 0  # fmt: skip
    same(pd.read_parquet(tmp_path / "out.parquet").fillna({"region": "", "industry": ""}))


def test_identities_on_a_small_table() -> None:
    import numpy as np

    E = np.array([[10, 0, 5], [3, 7, 0], [1, 1, 1]], dtype=float)
    out = indices(RegionalData(("a", "b", "c"), ("x", "y", "z"), E))
    # employment-weighted mean of every industry's location quotients is 1
    for _j, ind in enumerate("xyz"):
        lq = [_value(out, "lq", r, ind) for r in "abc"]
        assert sum(q * E[k].sum() / E.sum() for k, q in enumerate(lq)) == pytest.approx(1.0)
        assert 0.0 <= _value(out, "gini_locational", industry=ind) <= 1.0
    # the same structure as the reference: no specialisation
    same = indices(RegionalData(("a", "b"), ("x", "y"), np.array([[2.0, 6.0], [1.0, 3.0]])))
    assert _value(same, "krugman_specialisation", "a") == pytest.approx(0.0, abs=1e-15)
    assert _value(same, "gini_specialisation", "a") == pytest.approx(0.0, abs=1e-15)
    assert _value(same, "gini_locational", industry="x") == pytest.approx(0.0, abs=1e-15)


# -- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("r,i,v\na,x,1\na,x,2\n", ["--region", "r", "--industry", "i", "--value", "v"],
         "row 3: region 'a' and industry 'x' appear twice"),
        ("r,i,v\na,x,-1\n", ["--region", "r", "--industry", "i", "--value", "v"],
         "row 2, column 'v': not a finite, non-negative number"),
        ("r,i,v\na,x,abc\n", ["--region", "r", "--industry", "i", "--value", "v"],
         "row 2, column 'v': not a number"),
        ("r,i,v\na,,1\n", ["--region", "r", "--industry", "i", "--value", "v"],
         "row 2, column 'i': empty label"),
        ("r,i,v\na,x,1\n", ["--region", "r", "--industry", "k", "--value", "v"],
         "row 1: no column 'k' (given as industry)"),
        ("r,i,v\na,x,1\n", ["--region", "r", "--industry", "i", "--value", "v",
                            "--reference", "zz"], "--reference must be 'total' or a region"),
        ("r,i,v\na,x,1\n", ["--region", "r", "--industry", "i"], "give --region, --industry"),
        ("r,i,v\n", ["--region", "r", "--industry", "i", "--value", "v"], "no rows"),
    ],
)  # fmt: skip
def test_bad_input_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, args: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out = tmp_path / "out.csv"
    assert main(["clusters", "indices", str(path), *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_api_errors() -> None:
    import numpy as np

    with pytest.raises(InputError):
        RegionalData(("a",), ("x",), np.array([[-1.0]]))
    data = RegionalData(("a", "b"), ("x", "y"), np.ones((2, 2)))
    with pytest.raises(OptionError):
        data.without_industries(["zz"])
    assert math.isnan(_value(indices(RegionalData(("a", "b"), ("x", "y"),
                                                  np.array([[0.0, 0.0], [1.0, 2.0]]))),
                             "lq", "a", "x"))  # fmt: skip


@pytest.mark.shared
def test_goettingen_total_row_as_region_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """REAT's locq example for Göttingen divides by the total row A-R (some sections are
    suppressed for the city): --total-industry A-R does the same; the Gini is scale-free."""
    path = shared_path("clusters", "Goettingen.csv")
    out = _run(capsys, str(path), "--industry", "WZ2008_Code", "--columns",
               "Goettingen2017,BRD2017", "--reference", "BRD2017",
               "--total-industry", "A-R")  # fmt: skip
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    total = next(r for r in rows if r["WZ2008_Code"] == "A-R")
    city_total, country_total = float(total["Goettingen2017"]), float(total["BRD2017"])
    sections = [r for r in rows if r["WZ2008_Code"] != "A-R"]
    assert len(sections) == 15
    for r in sections:
        want = (float(r["Goettingen2017"]) / city_total) / (float(r["BRD2017"]) / country_total)
        got = _value(out, "lq", "Goettingen2017", r["WZ2008_Code"])
        assert got == pytest.approx(want, rel=1e-12)
    assert _value(out, "gini_specialisation", "Goettingen2017") == pytest.approx(0.359852, abs=5e-7)
    assert _value(out, "krugman_specialisation", "Goettingen2017") == pytest.approx(
        0.4508469, abs=5e-8
    )


def test_total_industry_weights_concentration() -> None:
    """gini.conc with region totals given (REAT's example for the construction industry uses
    the 'Insgesamt' rows): the same as data whose unlisted rest is a further industry."""
    import numpy as np

    listed = np.array([[500.0, 300.0], [500.0, 100.0], [1000.0, 900.0], [7000.0, 50.0]])
    totals = np.array([20000.0, 15000.0, 20000.0, 40000.0])
    regions = ("a", "b", "c", "d")
    with_total = indices(RegionalData(regions, ("x", "y"), listed, totals))
    rest = np.column_stack([listed, totals - listed.sum(axis=1)])
    explicit = indices(RegionalData(regions, ("x", "y", "rest"), rest))
    for name in ("gini_concentration", "hoover_concentration", "gini_locational", "herfindahl"):
        for ind in ("x", "y"):
            assert _value(with_total, name, industry=ind) == pytest.approx(
                _value(explicit, name, industry=ind), rel=1e-12
            )
    for r in regions:
        for ind in ("x", "y"):
            assert _value(with_total, "lq", r, ind) == pytest.approx(
                _value(explicit, "lq", r, ind), rel=1e-12
            )


def test_semicolon_csv_with_decimal_commas_and_gzip(tmp_path: Path) -> None:
    import gzip

    semi = tmp_path / "semi.csv"
    semi.write_text("r;i;v\na;x;1,5\na;y;2\nb;x;1.000,25\nb;y;3\n")
    data = read_regional(semi, region="r", industry="i", value="v")
    assert data.values.tolist() == [[1.5, 2.0], [1000.25, 3.0]]
    gz = tmp_path / "long.csv.gz"
    gz.write_bytes(gzip.compress(b"r,i,v\na,x,1.5\na,y,2\nb,x,1000.25\nb,y,3\n"))
    assert read_regional(gz, region="r", industry="i", value="v").values.tolist() == [
        [1.5, 2.0], [1000.25, 3.0],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.xlsx", b"garbage", "cannot read the workbook"),
        ("bad.parquet", b"garbage", "not a valid Parquet file"),
        ("bad.csv", b"r,i,v\n\xff\xfe,x,1\n", "row 2, column 1: not UTF-8 text"),
    ],
)
def test_damaged_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, message: str
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    assert main(["clusters", "indices", str(p), "--region", "r", "--industry", "i",
                 "--value", "v"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.shared
def test_goettingen_total_row_recognised(capsys: pytest.CaptureFixture[str]) -> None:
    """Fed as published (with its A-R total row), the file gives REAT's Göttingen figures:
    the total row is recognised, used as the regions' totals and said on stderr."""
    path = shared_path("clusters", "Goettingen.csv")
    args = ["--industry", "WZ2008_Code", "--columns", "Goettingen2017,BRD2017"]
    assert main(["clusters", "indices", str(path), *args, "--reference", "BRD2017"]) == 0
    captured = capsys.readouterr()
    assert "'A-R' holds the regions' totals" in captured.err
    out = pd.read_csv(io.StringIO(captured.out), keep_default_na=False, dtype={"region": str})
    assert not (out["industry"] == "A-R").any()
    assert _value(out, "gini_specialisation", "Goettingen2017") == pytest.approx(0.359852, abs=5e-7)
    assert _value(out, "krugman_specialisation", "Goettingen2017") == pytest.approx(
        0.4508469, abs=5e-8
    )
    lq_c = _value(out, "lq", "Goettingen2017", "C")
    assert lq_c == pytest.approx((7874 / 69403) / (6797172 / 32164973), rel=1e-9)


def test_total_row_needs_a_total_name_and_size() -> None:
    array = __import__("numpy").array
    short = array([[10.0, 5.0, 3.0, 1.0], [8.0, 2.0, 2.0, 9.0]])
    assert RegionalData(("r1", "r2"), ("Total", "a", "b", "c"), short).total_industry() is None
    full = array([[10.0, 5.0, 3.0, 1.0], [14.0, 2.0, 2.0, 9.0]])  # ≥ the sum in each region
    assert RegionalData(("r1", "r2"), ("Total", "a", "b", "c"), full).total_industry() == "Total"
    assert RegionalData(("r1", "r2"), ("x", "a", "b", "c"), full).total_industry() is None


def test_a_range_coded_industry_is_not_taken_for_the_total() -> None:
    """Coarse data coded A, B-F, G-U: services (G-U) outweigh the rest in every region but are
    an industry, not the regions' totals; a range counts as a total only when it spans every
    other industry's section (A-R over A, BDE, C, ...), and 'all' only as the whole label."""
    import numpy as np

    values = np.array([[10.0, 200.0, 700.0], [40.0, 300.0, 500.0], [5.0, 100.0, 900.0]])
    regions = ("N", "S", "W")
    assert RegionalData(regions, ("A", "B-F", "G-U"), values).total_industry() is None
    assert RegionalData(regions, ("a", "b", "All other"), values).total_industry() is None
    spanning = np.column_stack([values.sum(axis=1), values])
    for codes in (("A-U", "A", "B-F", "G-U"), ("All", "A", "WZ08-B", "G")):
        assert RegionalData(regions, codes, spanning).total_industry() == codes[0]
    assert RegionalData(regions, ("B-U", "A", "B-F", "G-U"), spanning).total_industry() is None


def test_semicolon_csv_thousands_separators(tmp_path: Path) -> None:
    """In a semicolon file a column is read in one convention: with a decimal comma anywhere
    (or a dot grouping twice, 1.507.000) its dots group thousands (5.500 is 5500, as 1.234,5 is
    1234.5); a column whose only dots could be either (5.500 and 10.000 alone) is refused."""
    semi = tmp_path / "semi.csv"
    semi.write_text("r;i;v\na;x;5.500\na;y;1.234,5\nb;x;1.507.000\nb;y;3\n")
    data = read_regional(semi, region="r", industry="i", value="v")
    assert data.values.tolist() == [[5500.0, 1234.5], [1507000.0, 3.0]]
    points = tmp_path / "points.csv"
    points.write_text("r;i;v\na;x;5.5\na;y;2.000\nb;x;0.25\nb;y;3\n")
    data = read_regional(points, region="r", industry="i", value="v")
    assert data.values.tolist() == [[5.5, 2.0], [0.25, 3.0]]
    ambiguous = tmp_path / "ambiguous.csv"
    ambiguous.write_text("r;i;v\na;x;5.500\na;y;12\nb;x;10.000\nb;y;3\n")
    with pytest.raises(InputError, match=r"row 2, column 'v'.*'5\.500'"):
        read_regional(ambiguous, region="r", industry="i", value="v")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("r;i;v\na;x;5.5\na;y;1,5\nb;x;1\nb;y;3\n")
    with pytest.raises(InputError, match=r"row 2, column 'v'.*'5\.5'"):
        read_regional(mixed, region="r", industry="i", value="v")
    wide = tmp_path / "wide.csv"
    wide.write_text("i;name;a;b\nx;Handel, Verk.;5.500;1\ny;Oeff.Verw., usw.;10.000;2\n")
    with pytest.raises(InputError, match=r"row 2, column 'a'.*'5\.500'"):
        read_regional(wide, industry="i")


@pytest.mark.parametrize(
    "text", ["r,i,v\nX,A,5,7\nX,B,3\n", "r,i,v\nX,A,5,7\nY,B,3,8\n", "r;i;v\nX;A;5;7;1\nX;B;3\n"]
)
def test_a_first_row_longer_than_the_header(tmp_path: Path, text: str) -> None:
    """pandas would take the extra leading cells of such a row as an index and shift the
    columns (region 'A', value '7'); the row is refused, as any other row of the wrong width."""
    path = tmp_path / "ragged.csv"
    path.write_text(text)
    with pytest.raises(
        InputError, match=r"row 2: malformed CSV: expected 3 fields like the header"
    ):
        read_regional(path, region="r", industry="i", value="v")


def test_parquet_inflating_beyond_the_limit(tmp_path: Path) -> None:
    """A few kilobytes of Parquet can hold gigabytes of text (a 20 KB file of six 100 MiB
    strings took 77 s and 4.3 GB); the data are bounded as a CSV file's bytes are: by the
    footer's uncompressed size, and by the decoded batches (a dictionary declares little)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from gvckit.clusters.tables import _read_parquet

    long = "x" * 10_000
    rows = {"r": [long] * 1000, "i": [str(k) for k in range(1000)], "v": ["1"] * 1000}
    plain, coded = tmp_path / "plain.parquet", tmp_path / "coded.parquet"
    pq.write_table(pa.table(rows), plain, use_dictionary=False)
    pq.write_table(pa.table(rows), coded, use_dictionary=True)
    assert pq.ParquetFile(coded).metadata.row_group(0).total_byte_size < 1_000_000
    for path in (plain, coded):
        with pytest.raises(InputError, match="inflate to more than the limit"):
            _read_parquet(path, max_bytes=1_000_000)
        assert _read_parquet(path, max_bytes=50_000_000).body.shape == (1000, 3)
