"""Summaries the report shows of a star table (counts, strongest clusters) and of a scanned
portfolio's problems, each against a plain second computation on real data."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from conftest import shared_path
from gvckit.clusters import read_regional
from gvckit.clusters.mapping import shipped_map, star_counts, stars, strongest


@pytest.mark.shared
def test_star_counts_and_strongest_on_the_german_regions() -> None:
    data = read_regional(shared_path("clusters", "G.regions.industries.csv"),
                         region="region_code", industry="ind_code", value="emp_all")  # fmt: skip
    frame, _ = stars(data, shipped_map("nace-a10"))
    rows = frame.to_dict("records")
    assert star_counts(frame) == {
        "regions": len({r["region"] for r in rows}),
        "categories": len({r["category"] for r in rows}),
        "three_star": sum(1 for r in rows if r["stars"] == 3),
        "two_or_more": sum(1 for r in rows if r["stars"] in (2, 3)),
    }
    top = strongest(frame, 20)
    by_hand = sorted(rows, key=lambda r: (-r["stars"], -r["lq"]))[:20]
    assert [(r["region"], r["category"]) for r in by_hand] == list(
        zip(top["region"], top["category"], strict=True)
    )
    assert len(strongest(frame, 5)) == 5


def test_problems_by_kind_counts_problems_and_files(tmp_path: Path) -> None:
    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import problems_by_kind

    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    from make_iati import GOOD, HEAD, TAIL, activity

    one, two = tmp_path / "one.xml", tmp_path / "two.xml"
    one.write_text(HEAD + "".join(activity(i) for i in GOOD)
                   + activity("XX-TEST-NAN", value="one million") + TAIL)  # fmt: skip
    two.write_text(HEAD + activity("XX-TEST-NAN2", value="lots")
                   + activity("XX-TEST-NAN3", value="many") + TAIL)  # fmt: skip
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([one, two])
        got = problems_by_kind(store)
        found = store.problems().to_dict("records")
        counts: Counter[str] = Counter()
        files: dict[str, set[str]] = {}
        for r in found:
            counts[r["kind"]] += r["count"]
            files.setdefault(r["kind"], set()).add(r["file"])
        expected = sorted(((k, n, len(files[k])) for k, n in counts.items()),
                          key=lambda t: (-t[1], t[0]))  # fmt: skip
        assert list(got.itertuples(index=False, name=None)) == expected
        assert list(got.columns) == ["kind", "count", "files"]
        assert dict(zip(got["kind"], got["count"], strict=True)) == store.problem_counts()
        assert got["count"].sum() == 3
        assert isinstance(got.index, pd.RangeIndex)
