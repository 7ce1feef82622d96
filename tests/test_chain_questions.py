"""The five questions of a chain map, on the synthetic chain (figures computed by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gvckit import chain
from gvckit.chain.questions import QUESTIONS, questions
from gvckit.cli import main

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def test_every_question_is_answered() -> None:
    q = questions(chain.read_chain(SMALL))
    assert list(q.columns) == ["question", "subject", "finding", "value"]
    assert set(q.question) == set(QUESTIONS)


def test_findings_carry_their_figures() -> None:
    q = questions(chain.read_chain(SMALL)).set_index(["question", "subject"])
    bargain = q.loc[(QUESTIONS[0], "coop -> roaster")]
    assert bargain.value == pytest.approx(750)
    assert "5 cooperative sell coffee to 2 lead_firm; governance captive" in bargain.finding
    assert "unstable combination" in q.loc[(QUESTIONS[0], "traders -> roaster")].finding
    assert q.loc[(QUESTIONS[1], "processing")].value == pytest.approx(1155 / 2785)
    assert q.loc[(QUESTIONS[1], "farmers")].value == pytest.approx(760 / 1000)
    export = q.loc[(QUESTIONS[2], "export")]
    assert export.value == pytest.approx(484 / 3284) and "organic" in export.finding
    assert "block functional upgrading" in q.loc[(QUESTIONS[3], "coop -> roaster")].finding
    assert q.loc[(QUESTIONS[4], "shops")].value == pytest.approx(2800 / 3284)


def test_questions_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", "questions", str(SMALL)]) == 0
    assert capsys.readouterr().out.startswith("question,subject,finding,value")


def test_each_link_shows_its_own_value(tmp_path: Path) -> None:
    """Two links between the same seller and buyer (two products, two contracts) each carry
    their own value in question 1, not the first link's."""
    import yaml

    data = yaml.safe_load(SMALL.read_text())
    data["snapshots"][0]["links"].insert(
        1, {"source": "farmers", "target": "coop", "volume": 100, "unit_price": 0.5}
    )
    data["snapshots"][0]["links"].insert(2, {"source": "farmers", "target": "coop"})
    path = tmp_path / "two_links.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    q = questions(chain.read_chain(path))
    values = list(q[q.subject == "farmers -> coop"].value)
    assert values[:2] == pytest.approx([600, 50])
    assert values[2] != values[2]  # no value given: NaN


def test_a_chain_without_sales_says_so_instead_of_nan() -> None:
    """A chain being built (one stage, one actor, no link yet) has no value added or final
    sales: its findings say the share is unknown, never "nan%"."""
    one = chain.Chain.model_validate(
        {"name": "Beans", "product": "beans", "country": "Kenya", "currency": "KES",
         "unit": "kg", "snapshots": [{"year": 2022, "stages": [{"name": "farm"}],
         "actors": [{"id": "growers", "kind": "smallholder", "stage": "farm"}],
         "end_markets": [{"id": "town", "destination": "Nairobi", "channel": "national"}]}]}
    )  # fmt: skip
    q = questions(one)
    assert not q.finding.str.contains("nan", case=False).any(), list(q.finding)
    stage = q[(q.question == QUESTIONS[1]) & (q.subject == "farm")]
    assert "unknown" in stage.finding.iloc[0] and stage.value.isna().all()
    market = q[(q.question == QUESTIONS[2]) & (q.subject == "town")]
    assert "unknown" in market.finding.iloc[0]
    leverage = q[(q.question == QUESTIONS[4]) & (q.subject == "growers")]
    assert "unknown" in leverage.finding.iloc[0] and "reaches 1 operators" in \
        leverage.finding.iloc[0]  # fmt: skip
