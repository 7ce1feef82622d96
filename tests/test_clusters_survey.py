"""The cluster firm survey: collective efficiency, technological capabilities, and their link to
the chain (constraints derive, the five questions, the report's clusters part).

The survey answers below are test inputs made up for these tests, not published figures; the
expected scores are recomputed by plain loops over the same records.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gvckit.chain import read_chain
from gvckit.chain.questions import questions
from gvckit.cli import main
from gvckit.clusters.scores import (
    capability_distribution,
    capability_profiles,
    efficiency,
    efficiency_change,
)
from gvckit.clusters.survey import TABLE_COLUMNS, read_survey
from gvckit.errors import InputError
from gvckit.interventions.derive import constraints_from_chain

COCOA = Path(__file__).parents[1] / "examples" / "chains" / "cocoa_cameroon_2018.yaml"

JA = ("bilateral_horizontal", "bilateral_vertical", "multilateral_horizontal",
      "multilateral_vertical")  # fmt: skip
EE = ("labour_pool", "suppliers", "knowledge_spillovers")


def _firms(round_: int) -> list[dict[str, object]]:
    bump = 1 if round_ > 2015 else 0
    return [
        {"id": "F1", "stage": "intermediation",
         "joint_action": {"bilateral_horizontal": 1, "bilateral_vertical": 2 + bump,
                          "multilateral_horizontal": 0, "multilateral_vertical": 1},
         "external_economies": {"labour_pool": 3, "suppliers": 2, "knowledge_spillovers": 1},
         "institutions": ["chamber"],
         "capabilities": {"investment": "basic", "production": "basic", "linkages": "none"},
         "learning": ["doing"]},
        {"id": "F2", "stage": "intermediation",
         "joint_action": {"bilateral_horizontal": 2, "bilateral_vertical": 3,
                          "multilateral_horizontal": 1 + bump},
         "external_economies": {"labour_pool": 4, "suppliers": 3},
         "institutions": ["chamber", "training centre"],
         "capabilities": {"investment": "basic", "production": "intermediate",
                          "linkages": "basic"},
         "learning": ["doing", "training"]},
        {"id": "F3", "stage": "production",
         "joint_action": {"bilateral_vertical": 4, "multilateral_vertical": 2},
         "external_economies": {"knowledge_spillovers": 2},
         "capabilities": {"production": "basic"}},
        {"id": "F4", "stage": "production",
         "capabilities": {"investment": "none", "production": "basic", "linkages": "basic"},
         "learning": ["imitating"]},
    ]  # fmt: skip


def _write(tmp_path: Path, round_: int, cluster: str = "Coops") -> Path:
    p = tmp_path / f"survey_{round_}.yaml"
    p.write_text(yaml.safe_dump({"cluster": cluster, "round": round_, "firms": _firms(round_)}))
    return p


def _plain_scores(firms: list[dict[str, object]]) -> dict[str, float]:
    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else math.nan

    def item(f: dict[str, object], key: str) -> float | None:
        group = f.get("joint_action" if key in JA else "external_economies") or {}
        assert isinstance(group, dict)
        v = group.get(key)
        return None if v is None else float(v)

    out: dict[str, float] = {"firms": float(len(firms))}
    for key in (*JA, *EE):
        out[key] = mean([v for f in firms if (v := item(f, key)) is not None])
    groups = {"joint_action": JA, "bilateral": JA[:2], "multilateral": JA[2:],
              "horizontal": (JA[0], JA[2]), "vertical": (JA[1], JA[3]),
              "external_economies": EE}  # fmt: skip
    for name, keys in groups.items():
        per_firm = []
        for f in firms:
            xs = [v for k in keys if (v := item(f, k)) is not None]
            if xs:
                per_firm.append(mean(xs))
        out[name] = mean(per_firm)
    for inst in ("chamber", "training centre"):
        used = [f for f in firms if inst in (f.get("institutions") or [])]  # type: ignore[operator]
        out[f"institution:{inst}"] = len(used) / len(firms)
    return out


def test_efficiency_scores_and_change_second_reading(tmp_path: Path) -> None:
    responses = read_survey(_write(tmp_path, 2015)) + read_survey(_write(tmp_path, 2019))
    scores = efficiency(responses)
    for rnd in (2015, 2019):
        got = scores[scores["round"] == rnd].set_index("item")["value"].to_dict()
        want = _plain_scores(_firms(rnd))
        assert set(got) == set(want)
        for key, value in want.items():
            assert got[key] == pytest.approx(value, rel=1e-12), (rnd, key)
    change = efficiency_change(responses).set_index("item")
    assert change.loc["bilateral_vertical", "change"] == pytest.approx((3 + 3 + 4) / 3 - 3)
    assert change.loc["multilateral_horizontal", "change"] == pytest.approx(0.5)
    assert change.loc["labour_pool", "change"] == 0.0
    assert (change["from_round"] == 2015).all() and (change["to_round"] == 2019).all()


def test_capability_profiles_and_distribution(tmp_path: Path) -> None:
    responses = read_survey(_write(tmp_path, 2019))
    prof = capability_profiles(responses).set_index("firm")
    assert prof.loc["F1", "low"] and not prof.loc["F2", "low"] and prof.loc["F4", "low"]
    assert prof.loc["F2", "score"] == pytest.approx((1 + 2 + 1) / 9)
    assert prof.loc["F3", "score"] == pytest.approx(1 / 3)  # only production answered
    assert math.isnan(prof.loc["F3", "investment"])
    assert bool(prof.loc["F2", "learning_training"]) and not prof.loc["F1", "learning_training"]
    dist = capability_distribution(responses, "stage").set_index(["stage", "function", "level"])
    assert dist.loc[("intermediation", "production", "intermediate"), "firms"] == 1
    assert dist.loc[("production", "all", "low"), "share"] == 1.0
    assert dist.loc[("production", "investment", "none"), "share"] == 1.0  # F4 only answered


def test_excel_template_round_trip(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "survey.xlsx"
    assert main(["clusters", "survey-template", str(book)]) == 0
    wb = load_workbook(book)
    ws = wb["firms"]
    assert [c.value for c in ws[1]] == list(TABLE_COLUMNS)
    ws.delete_rows(2)
    for f in _firms(2019):
        row = {"cluster": "Coops", "round": 2019, "id": f["id"], "stage": f["stage"]}
        for prefix, key in (("ja_", "joint_action"), ("ee_", "external_economies"),
                            ("cap_", "capabilities")):  # fmt: skip
            row |= {prefix + k: v for k, v in (f.get(key) or {}).items()}  # type: ignore[attr-defined]
        row["institutions"] = ", ".join(f.get("institutions") or [])  # type: ignore[arg-type]
        row["learning"] = ", ".join(f.get("learning") or [])  # type: ignore[arg-type]
        ws.append([row.get(c) for c in TABLE_COLUMNS])
    wb.save(book)
    from_excel = read_survey(book)
    from_yaml = read_survey(_write(tmp_path, 2019))
    assert from_excel == from_yaml


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["firms"][0]["joint_action"].update(bilateral_vertical=5),
         "firms[0].joint_action.bilateral_vertical"),
        (lambda d: d["firms"][1].update(learning=["osmosis"]), "firms[1].learning[0]"),
        (lambda d: d["firms"][1].update(id="F1"), "firm 'F1' answers twice"),
        (lambda d: d["firms"][2]["capabilities"].update(production="expert"),
         "firms[2].capabilities.production"),
    ],
)  # fmt: skip
def test_bad_surveys_name_the_field(tmp_path: Path, edit: object, message: str) -> None:
    data = {"cluster": "Coops", "round": 2019, "firms": _firms(2019)}
    edit(data)  # type: ignore[operator]
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_survey(p)
    assert main(["clusters", "efficiency", str(p)]) == 2


def test_bad_excel_value_names_the_row(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("cluster,round,id,ja_bilateral_vertical\nC,2019,F1,2\nC,2019,F2,nine\n")
    with pytest.raises(InputError, match="row 3"):
        read_survey(p)


def _cocoa_with_cluster(tmp_path: Path) -> Path:
    data = yaml.safe_load(COCOA.read_text())
    snap = data["snapshots"][0]
    snap["clusters"] = [{"name": "Coops", "location": "Centre region"}]
    for actor in snap["actors"]:
        if actor["id"] in ("coops_standard", "coops_certified"):
            actor["cluster"] = "Coops"
    p = tmp_path / "cocoa.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def test_capabilities_feed_constraints_and_questions(tmp_path: Path) -> None:
    chain = read_chain(_cocoa_with_cluster(tmp_path))
    responses = read_survey(_write(tmp_path, 2019))
    plain = constraints_from_chain(chain)
    draft = constraints_from_chain(chain, survey=responses)
    added = draft.constraints[len(plain.constraints) :]
    by_type = {c.type: c for c in added}
    assert set(by_type) == {"msme_capacity", "vertical_relationships", "innovation"}
    cap = by_type["msme_capacity"]
    assert cap.evidence[0].figure == 0.75  # F1, F3, F4 of 4 firms have low capabilities
    assert cap.severity == 4  # 75 %: steps at 25, 40, 60 %
    assert cap.where.stages == ("intermediation",)
    snap = chain.snapshot(None)
    assert cap.reach.msmes == sum(a.count for a in snap.actors if a.cluster == "Coops")
    q = questions(chain, survey=responses)
    rows = q[(q["subject"] == "Coops") & q["finding"].str.contains("low technological")]
    assert len(rows) == 1 and rows["value"].iloc[0] == 0.75
    assert len(q) == len(questions(chain)) + 2
    # a survey where firms learn from buyers and search: no knowledge-flow or innovation sign
    data = {"cluster": "Coops", "round": 2019, "firms": _firms(2019)}
    for f in data["firms"]:
        f["learning"] = ["interacting_buyers", "searching"]  # type: ignore[index]
    p = tmp_path / "good.yaml"
    p.write_text(yaml.safe_dump(data))
    again = constraints_from_chain(chain, survey=read_survey(p)).constraints
    assert {c.type for c in again if c.id.startswith("s")} == {"msme_capacity"}


def test_cli_survey_commands_and_chain_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _cocoa_with_cluster(tmp_path)
    s1, s2 = _write(tmp_path, 2015), _write(tmp_path, 2019, cluster="Elsewhere")
    assert main(["clusters", "efficiency", str(s1), str(s2), "--chain", str(chain)]) == 0
    captured = capsys.readouterr()
    assert "surveyed cluster 'Elsewhere' is not a cluster of the chain" in captured.err
    out = pd.read_csv(io.StringIO(captured.out))
    assert set(out["cluster"]) == {"Coops", "Elsewhere"}
    assert main(["clusters", "capabilities", str(s1), "--by", "cluster"]) == 0
    dist = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"cluster", "round", "function", "level", "firms", "share"} == set(dist.columns)
    assert main(["clusters", "efficiency", str(s1), "--change"]) == 2
    assert "no cluster was surveyed in two rounds" in capsys.readouterr().err
    draft = tmp_path / "draft.yaml"
    assert main(["constraints", "derive", str(chain), "--survey", str(s1), "-o", str(draft)]) == 0
    assert "msme_capacity" in draft.read_text()
    assert main(["chain", "questions", str(chain), "--survey", str(s1)]) == 0
    assert "low technological capabilities" in capsys.readouterr().out


def test_a_firm_in_two_files_is_not_counted_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same survey given twice (or a firm entered in two files for the same cluster and
    round) doubled the firm counts and weights; it is refused as a firm twice in one file is."""
    chain = _cocoa_with_cluster(tmp_path)
    s1 = _write(tmp_path, 2015)
    copy = tmp_path / "copy.yaml"
    copy.write_text(s1.read_text())
    for command in (["clusters", "efficiency", str(s1), str(copy)],
                    ["clusters", "capabilities", str(s1), str(copy)],
                    ["chain", "questions", str(chain), "--survey", str(s1), "--survey", str(copy)],
                    ["constraints", "derive", str(chain), "--survey", str(s1), "--survey",
                     str(copy), "-o", str(tmp_path / "d.yaml")]):  # fmt: skip
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert "copy.yaml" in err and f"here and in {s1}" in err and err.count("\n") == 1
