"""Cluster mapping: categories as data and the European Cluster Observatory stars."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from gvckit.cli import main
from gvckit.clusters import RegionalData
from gvckit.clusters.mapping import assign, read_map, shipped_map, stars


def _plain_stars(
    path: Path, groups: dict[str, str], size_top: float, lq_min: float, focus_top: float
) -> dict[tuple[str, str], tuple[float, int, int, int]]:
    """Employment and the three stars by loops; ``groups`` maps a section letter to a category."""
    emp: dict[tuple[str, str], float] = {}
    region_total: dict[str, float] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            r, section, e = row["region_code"], row["ind_code"][-1], float(row["emp_all"])
            region_total[r] = region_total.get(r, 0.0) + e
            cat = groups[section]
            emp[(r, cat)] = emp.get((r, cat), 0.0) + e
    regions = list(region_total)
    cats = sorted({c for _, c in emp})
    for r in regions:
        for c in cats:
            emp.setdefault((r, c), 0.0)
    total = sum(region_total.values())
    cat_total = {c: sum(emp[(r, c)] for r in regions) for c in cats}
    focus = {k: v / region_total[k[0]] for k, v in emp.items()}
    out = {}
    for r in regions:
        for c in cats:
            bigger = sum(1 for q in regions if emp[(q, c)] > emp[(r, c)])
            size = int(bigger < size_top * len(regions) and emp[(r, c)] > 0)
            lq = focus[(r, c)] / (cat_total[c] / total)
            spec = int(lq >= lq_min)
            bigger_f = sum(1 for v in focus.values() if v > focus[(r, c)])
            foc = int(bigger_f < focus_top * len(focus) and emp[(r, c)] > 0)
            out[(r, c)] = (emp[(r, c)], size, spec, foc)
    return out


A10 = {"A": "A", "B": "B-E", "C": "B-E", "D": "B-E", "E": "B-E", "F": "F", "G": "G-I", "H": "G-I",
       "I": "G-I", "J": "J", "K": "K", "L": "L", "M": "M-N", "N": "M-N", "O": "O-Q", "P": "O-Q",
       "Q": "O-Q", "R": "R-U", "S": "R-U"}  # fmt: skip


@pytest.mark.shared
@pytest.mark.parametrize(
    ("args", "size_top", "lq_min", "focus_top"),
    [([], 0.10, 2.0, 0.10), (["--size-top", "0.25", "--lq-min", "1.2", "--focus-top", "0.2"],
                             0.25, 1.2, 0.2)],
)  # fmt: skip
def test_german_laender_stars_second_reading(
    capsys: pytest.CaptureFixture[str], args: list[str], size_top: float, lq_min: float,
    focus_top: float,
) -> None:  # fmt: skip
    path = shared_path("clusters", "G.regions.industries.csv")
    assert main(["clusters", "stars", str(path), "--region", "region_code", "--industry",
                 "ind_code", "--value", "emp_all", *args]) == 0  # fmt: skip
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    want = _plain_stars(path, A10, size_top, lq_min, focus_top)
    assert len(out) == len(want) == 16 * 9  # the data have no sections A and O
    for row in out.itertuples(index=False):
        key = (row.region, str(row.category).split(" ")[0])
        emp, size, spec, foc = want[key]
        assert row.employment == pytest.approx(emp, rel=1e-12)
        assert (int(row.size_star), int(row.specialisation_star), int(row.focus_star)) == (
            size, spec, foc,
        ), key  # fmt: skip
        assert row.stars == size + spec + foc
    # with the defaults, the top 10 % of 16 regions are 2 per category
    if not args:
        assert out.groupby("category")["size_star"].sum().eq(2).all()


@pytest.mark.shared
def test_user_map_and_unmapped_industries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_path("clusters", "G.regions.industries.csv")
    cmap = tmp_path / "map.csv"
    cmap.write_text("code,category\nWZ08-C,Manufacturing\nWZ08-J,Digital\nM,Digital\n")
    assert main(["clusters", "stars", str(path), "--region", "region_code", "--industry",
                 "ind_code", "--value", "emp_all", "--categories", str(cmap)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "note: 14 industries in no category" in captured.err
    out = pd.read_csv(io.StringIO(captured.out))
    assert set(out["category"]) == {"Manufacturing", "Digital"}
    long = pd.read_csv(path)
    bw = long[long["region_code"] == "BW"].set_index("ind_code")["emp_all"]
    row = out[(out["region"] == "BW") & (out["category"] == "Digital")].iloc[0]
    assert row["employment"] == bw["WZ08-J"] + bw["WZ08-M"]
    assert row["focus"] == pytest.approx((bw["WZ08-J"] + bw["WZ08-M"]) / bw.sum(), rel=1e-12)


def test_section_matching_and_shipped_maps() -> None:
    cmap = shipped_map("nace-sections")
    assert len(cmap) == 21
    got = assign(("WZ08-C", "NACE C", "c", "C", "BDE", "A-R"), cmap)
    assert got["WZ08-C"] == got["NACE C"] == got["c"] == got["C"] == cmap["C"]
    assert got["BDE"] is None and got["A-R"] is None
    assert set(shipped_map("nace-a10")) == set(cmap)
    assert len(set(shipped_map("nace-a10").values())) == 10


def test_focus_within_category_and_bad_options() -> None:
    data = RegionalData(("a", "b", "c"), ("C", "J"), np.array([[9.0, 1.0], [1.0, 9.0],
                                                                [5.0, 5.0]]))  # fmt: skip
    frame, unmapped = stars(data, {"C": "M", "J": "D"}, focus_within="category", focus_top=0.3)
    assert unmapped == []
    top = frame[frame["focus_star"]].set_index("category")["region"].to_dict()
    assert top == {"M": "a", "D": "b"}
    from gvckit.errors import InputError, OptionError

    with pytest.raises(OptionError):
        stars(data, {"C": "M"}, size_top=0.0)
    with pytest.raises(InputError, match="no industry of the data"):
        stars(data, {"X": "M"})


def test_map_with_conflicting_codes(tmp_path: Path) -> None:
    from gvckit.errors import InputError

    p = tmp_path / "m.csv"
    p.write_text("code,category\nC,One\nC,Two\n")
    with pytest.raises(InputError, match="row 3, column 'category': code 'C' is mapped"):
        read_map(p)
