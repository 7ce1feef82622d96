"""Objects in notebooks: the HTML a table, a chain and a results chain show (numbers are the
API's, rounded; text escaped), and a chain written as YAML or JSON reads back equal."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
import yaml

from gvckit import datasets
from gvckit.chain import chain_from_data, distribution, read_chain
from gvckit.interventions.monitoring import progress
from gvckit.interventions.results import read_results
from gvckit.output import readable

DATA = Path(__file__).parent / "data"
CHAINS = [*datasets.example_chains().values(), DATA / "chain_small.yaml"]


@pytest.mark.parametrize("path", CHAINS, ids=lambda p: p.stem)
def test_chain_yaml_and_json_round_trip(path: Path, tmp_path: Path) -> None:
    chain = read_chain(path)
    for suffix, text in ((".yaml", chain.to_yaml()), (".json", chain.to_json())):
        written = tmp_path / f"copy{suffix}"
        written.write_text(text, encoding="utf-8")
        assert read_chain(written) == chain
    assert chain_from_data(yaml.safe_load(chain.to_yaml())) == chain
    assert json.loads(chain.to_json())["name"] == chain.name


def test_table_html_shows_summary_and_balance() -> None:
    table = datasets.load_example("wiod2013-2011")
    html = table._repr_html_()
    assert "WIOD 2013 release" in html and "41 × 35" in html
    assert readable(table.totals()["output"]) in html
    bal = table.balance
    assert f"{bal.rows_out_of_balance} rows and {bal.columns_out_of_balance} columns" in html
    assert "LUX_c5" in html  # the largest gap of the balance report


def test_chain_html_shows_map_and_key_figures() -> None:
    chain = read_chain(datasets.example_chains()["cocoa_cameroon_2018"])
    html = chain._repr_html_()
    assert "<svg" in html and "<?xml" not in html
    figures = distribution(chain).set_index("indicator")["value"]
    assert readable(figures["chain_value_added"]) in html
    assert readable(figures["share_smallholders"], share=True) in html


def test_text_is_escaped() -> None:
    data = yaml.safe_load(read_chain(DATA / "chain_small.yaml").to_yaml())
    data["name"] = "<script>alert(1)</script>"
    html = chain_from_data(data)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_results_html_shows_progress() -> None:
    results = read_results(datasets.example_interventions("apple_ipad_2010")["results"])
    html = results._repr_html_()
    assert escape(results.name) in html
    for indicator in progress(results)["indicator"]:
        assert f"<td>{indicator}</td>" in html
