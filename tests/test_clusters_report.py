"""The report's clusters part: a heat map of stars between the chain and the constraints."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import shared_path
from gvckit.chain import read_chain
from gvckit.cli import main
from gvckit.clusters import read_regional
from gvckit.clusters.mapping import shipped_map, stars
from gvckit.clusters.survey import read_survey
from gvckit.interventions.derive import constraints_from_chain
from gvckit.report import Chart, build_report, render_html

COCOA = Path(__file__).parents[1] / "examples" / "chains" / "cocoa_cameroon_2018.yaml"


@pytest.mark.shared
def test_clusters_part_between_chain_and_constraints(tmp_path: Path) -> None:
    data = read_regional(shared_path("clusters", "G.regions.industries.csv"),
                         region="region_code", industry="ind_code", value="emp_all")  # fmt: skip
    frame, _ = stars(data, shipped_map("nace-a10"))
    survey = tmp_path / "s.yaml"
    survey.write_text(yaml.safe_dump({"cluster": "Coops", "round": 2019, "firms": [
        {"id": "F1", "joint_action": {"bilateral_vertical": 3},
         "capabilities": {"production": "basic"}}]}))  # fmt: skip
    chain = read_chain(COCOA)
    report = build_report(chain=chain, constraints=constraints_from_chain(chain),
                          cluster_stars=frame, survey=read_survey(survey))  # fmt: skip
    ids = [s.id for s in report.sections]
    assert ids.index("chain") < ids.index("clusters") < ids.index("action")
    heat = report.block("Cluster stars by region and category")
    assert isinstance(heat, Chart)
    trace = heat.figure["data"][0]
    assert trace["type"] == "heatmap"
    z = pd.DataFrame(trace["z"], index=trace["y"], columns=trace["x"])
    for row in frame.itertuples(index=False):
        assert z.loc[row.region, row.category] == row.stars
    html = render_html(report)
    assert "Collective efficiency" in html and "Technological capabilities" in html


@pytest.mark.shared
def test_cli_report_with_star_file(tmp_path: Path) -> None:
    src = shared_path("clusters", "G.regions.industries.csv")
    out = tmp_path / "stars.csv"
    assert main(["clusters", "stars", str(src), "--region", "region_code", "--industry",
                 "ind_code", "--value", "emp_all", "-o", str(out)]) == 0  # fmt: skip
    html = tmp_path / "r.html"
    assert main(["report", "-o", str(html), "--cluster-stars", str(out)]) == 0
    assert "Cluster stars by region and category" in html.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("region,category\nBW,x\n")
    assert main(["report", "-o", str(tmp_path / "x.html"), "--cluster-stars", str(bad)]) == 2
    assert not (tmp_path / "x.html").exists()
