"""Constraints drafted from a chain's evidence, and `gvckit approaches recommend CHAIN`."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from clirun import run_cli as _run
from gvckit.chain import read_chain
from gvckit.chain.governance import buyer_power
from gvckit.errors import ChainError
from gvckit.interventions.constraints import read_constraints
from gvckit.interventions.derive import constraints_from_chain

EXAMPLES = Path(__file__).parents[1] / "examples" / "chains"
COCOA = EXAMPLES / "cocoa_cameroon_2018.yaml"


def test_cocoa_draft_reads_the_chain_figures() -> None:
    chain = read_chain(COCOA)
    draft = constraints_from_chain(chain)
    by_type = {c.type: c for c in draft.constraints}
    assert set(by_type) == {"power_asymmetry", "scale", "vertical_relationships",
                            "commitment_risk", "transaction_cost"}  # fmt: skip
    power = buyer_power(chain)
    hhi = power[(power["indicator"] == "buyer_hhi")].set_index("actor")["value"]
    evidence = {e.text.split(":")[0]: e.figure for e in by_type["power_asymmetry"].evidence}
    assert evidence["buyer concentration of coops_certified"] == round(
        float(hhi["coops_certified"]), 4
    )
    assert by_type["power_asymmetry"].severity == 5  # HHI 0.98
    snap = chain.snapshot(None)
    kinds = {a.id: a.kind.value for a in snap.actors}
    counts = {a.id: a.count for a in snap.actors}
    via_traders = {k.source for k in snap.links if kinds.get(k.target) == "trader"}
    assert by_type["transaction_cost"].reach.msmes == sum(counts[i] for i in via_traders)
    assert all(c.feasibility == 3 and c.leverage == 3 for c in draft.constraints)


def test_a_sign_appears_when_the_chain_shows_it(tmp_path: Path) -> None:
    data = yaml.safe_load(COCOA.read_text())
    snap = data["snapshots"][0]
    for link in snap["links"]:
        link["contract"] = "annual purchase agreement"
        link["knowledge"] = ["quality grading"]
    p = tmp_path / "cocoa.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    types = {c.type for c in constraints_from_chain(read_chain(p)).constraints}
    assert "commitment_risk" not in types and "vertical_relationships" not in types


def test_no_mse_is_a_clear_error() -> None:
    with pytest.raises(ChainError, match="no micro or small operators"):
        constraints_from_chain(read_chain(EXAMPLES / "apple_ipad_2010.yaml"), file="x.yaml")


def test_cli_derive_then_rank_and_recommend_from_a_chain(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    assert _run("constraints", "derive", str(COCOA), "-o", str(out))[0] == 0
    draft = read_constraints(out)
    assert draft.chain == read_chain(COCOA).name and len(draft.constraints) == 5
    code, csv_text, _ = _run("approaches", "recommend", str(COCOA), "-f", "csv")
    assert code == 0
    via_chain = pd.read_csv(io.StringIO(csv_text))
    code, csv_text, _ = _run("approaches", "recommend", str(out), "-f", "csv")
    assert code == 0
    pd.testing.assert_frame_equal(via_chain, pd.read_csv(io.StringIO(csv_text)))
    code, _, err = _run("approaches", "recommend", str(EXAMPLES / "apple_ipad_2010.yaml"))
    assert code == 2 and "apple_ipad_2010.yaml" in err and "Traceback" not in err
