"""Constraints, their prioritisation, the approaches matrix (seed 004 Annex 2) and
recommendations."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gvckit.cli import main
from gvckit.interventions import constraints as cons
from gvckit.interventions.approaches import approaches, constraint_types, matrix
from gvckit.interventions.recommend import recommend

DATA = Path(__file__).parent / "data"
SMALL = DATA / "constraints_small.yaml"

# Which cells of Annex 2 are filled (rows: approaches 1-11; columns: constraints 1-9), read
# off the seed's table (../shared/seeds/004_*.txt, Annex 2).
ANNEX2 = {
    1: "XXXX.XXXX", 2: "XX.XXX.X.", 3: "XXXXX.XXX", 4: "XXXX.X.XX", 5: "XXXXXXXXX",
    6: ".X.XXX.X.", 7: "XX.XXXXX.", 8: "XX..XXXXX", 9: "XXXXX..X.", 10: "XXXXX..X.",
    11: "XXXXX.X..",
}  # fmt: skip


def test_matrix_matches_annex2() -> None:
    assert len(constraint_types()) == 9 and len(approaches()) == 11
    for a in approaches():
        assert "".join("X" if k in a.cells else "." for k in range(1, 10)) == ANNEX2[a.code]
        for cell in a.cells.values():
            assert cell.direction in ("relieves", "both", "can_worsen") and cell.mechanism


def test_matrix_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["approaches", "matrix", "--format", "csv"]) == 0
    frame = pd.read_csv(StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(frame.columns) == ["approach", *(t.name for t in constraint_types())]
    assert len(frame) == 11
    assert set(frame.iloc[:, 1:].to_numpy().ravel()) == {"X", ""}
    assert (frame.iloc[:, 1:] == "X").sum().sum() == sum(v.count("X") for v in ANNEX2.values())
    assert main(["approaches", "matrix", "--format", "json"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("[")
    detail = matrix(detail=True)
    assert detail.iloc[7, 2].startswith("[can_worsen]")  # standards raise transaction costs


def test_prioritisation_by_hand() -> None:
    cs = cons.read_constraints(SMALL)
    ranked = cons.prioritise(cs).set_index("id")
    # c2: severity (3-1)/4·0.3 + reach 2500/2500·0.3 + feasibility 3/4·0.2 + leverage 2/4·0.2
    assert ranked.loc["c2", "score"] == pytest.approx(0.15 + 0.3 + 0.15 + 0.1)
    assert ranked.loc["c1", "contribution:reach"] == pytest.approx(0.3 * 65 / 2500)
    contributions = ranked.filter(like="contribution:").sum(axis=1)
    pd.testing.assert_series_equal(contributions, ranked["score"], check_names=False)
    assert list(ranked["rank"]) == [1, 2, 3]


def test_sensitivity_reports_a_change_of_top(tmp_path: Path) -> None:
    cs = cons.read_constraints(SMALL)
    assert not cons.sensitivity(cs)["changed"].any()  # c2 is robust here
    close = cs.model_copy(
        update={"weights": {"severity": 0.5, "reach": 0.19, "feasibility": 0.01, "leverage": 0.3}}
    )
    top = cons.prioritise(close).iloc[0]["id"]
    sens = cons.sensitivity(close)
    assert sens["changed"].any() and set(sens["top"]) > {top}


def test_recommend_explains_and_warns(tmp_path: Path) -> None:
    data = yaml.safe_load(SMALL.read_text())
    data["constraints"].append(
        {"id": "c4", "type": "transaction_cost", "title": "Certification costs", "severity": 2}
    )
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(data))
    rec = recommend(cons.read_constraints(p)).set_index("approach")
    top = rec.iloc[0]
    assert top["score"] > 0 and "priority" in top["explanation"]
    standards = rec.loc["International agreements and market standards"]
    assert "may worsen 'Certification costs'" in standards["warnings"]
    assert rec.loc["Horizontal relationships", "addresses"] == "c1, c2, c4"


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        ({"type": "bad_roads"}, "unknown constraint type 'bad_roads'; valid: commitment_risk"),
        ({"severity": 7}, "less than or equal to 5"),
        ({"reach": {"msmes": -1}}, "greater than or equal to 0"),
    ],
)
def test_bad_constraints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: dict[str, object], needle: str
) -> None:
    data = yaml.safe_load(SMALL.read_text())
    data["constraints"][1].update(edit)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["constraints", "rank", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith(f"error: {p}, row ")
    assert "field constraints[1]" in err and needle in err


def test_bad_weights(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["constraints", "rank", str(SMALL), "--weights", "severity=x"]) == 2
    assert main(["constraints", "rank", str(SMALL), "--weights", "speed=1"]) == 2
    assert "unknown weight" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("severity: 0.3,", "severity: .inf,", "weights.severity"),
        ("figure: 0.5,", "figure: .nan,", "constraints[0].evidence[0].figure"),
    ],
)
def test_infinite_weights_and_figures_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    """An infinite weight made every score NaN and the ranking arbitrary (exit 0)."""
    p = tmp_path / "constraints.yaml"
    p.write_text(SMALL.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert main(["constraints", "rank", str(p)]) == 2
    captured = capsys.readouterr()
    assert f"field {field}: Input should be a finite number" in captured.err, captured.err
    assert captured.out == ""
