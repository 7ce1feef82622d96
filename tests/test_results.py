"""Results measurement (DCED Standard): the results chain, indicators, progress by hand, the
universal indicators and bad results files."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from gvckit.errors import InputError
from gvckit.interventions import monitoring as mon
from gvckit.interventions import results as rs

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "results_example.yaml"
PANEL_CSV = DATA / "results_panel.csv"
EFFECT = 5.0


@pytest.fixture
def example() -> rs.ResultsChain:
    return rs.read_results(EXAMPLE)


def _data() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text())
    assert isinstance(data, dict)
    return data


def _indicator(data: dict[str, Any], ind_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in data["indicators"] if i["id"] == ind_id)
    return found


def _row(frame: pd.DataFrame, **where: object) -> pd.Series:
    for key, value in where.items():
        frame = frame[frame[key] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


# -- the results chain -----------------------------------------------------------------------


def test_example_reads(example: rs.ResultsChain) -> None:
    from pydantic import ValidationError

    assert [b.id for b in example.boxes] == ["a1", "a2", "o1", "o2", "oc1", "oc2", "i1"]
    assert example.box("oc2").level is rs.BoxLevel.OUTCOME
    assert example.links[2].source == "o1" and example.links[2].target == "oc1"
    assert example.links[2].assumptions == ("trained technicians stay with their tannery",)
    assert len(example.indicators) == 6
    assert example.indicators[0].baseline.date == dt.date(2022, 1, 1)
    with pytest.raises(ValidationError):
        example.boxes[0].level = rs.BoxLevel.IMPACT  # type: ignore[misc]


def test_json_reads_the_same(example: rs.ResultsChain, tmp_path: Path) -> None:
    p = tmp_path / "results.json"
    p.write_text(json.dumps(_data(), default=str))
    assert rs.read_results(p) == example


def test_progress_by_hand(example: rs.ResultsChain) -> None:
    prog = mon.progress(example)
    assert list(prog["indicator"]) == [
        "trained",
        "contracts",
        "grade",
        "rejects",
        "scale",
        "income",
    ]
    # totals from the sex breakdown 30 + 42; half of the two years have passed
    trained = _row(prog, indicator="trained")
    assert trained["latest"] == pytest.approx(72)
    assert trained["latest_date"] == pd.Timestamp("2023-01-01")
    assert trained["progress"] == pytest.approx(72 / 120)
    assert trained["expected"] == pytest.approx(0.5)
    assert trained["status"] == "on track"
    assert trained["level"] == "output" and trained["box"] == "o1"
    contracts = _row(prog, indicator="contracts")  # the total 15 is given
    assert contracts["progress"] == pytest.approx((15 - 5) / (45 - 5))
    assert contracts["status"] == "behind"
    grade = _row(prog, indicator="grade")
    assert grade["progress"] == pytest.approx((56 - 20) / (50 - 20))
    assert grade["status"] == "achieved"
    rejects = _row(prog, indicator="rejects")  # a falling target: 30 % -> 10 %, now 18 %
    assert rejects["progress"] == pytest.approx((18 - 30) / (10 - 30))
    assert rejects["status"] == "on track"
    scale = _row(prog, indicator="scale")  # 36 women + 54 men on 2023-07-01
    assert scale["latest"] == pytest.approx(90)
    assert scale["progress"] == pytest.approx(90 / 200)
    days = (dt.date(2023, 7, 1) - dt.date(2022, 1, 1)).days
    span = (dt.date(2025, 1, 1) - dt.date(2022, 1, 1)).days
    assert (days, span) == (546, 1096)
    assert scale["expected"] == pytest.approx(days / span)
    assert scale["status"] == "behind"
    assert scale["universal"] == "scale"
    income = _row(prog, indicator="income")
    assert income["progress"] == pytest.approx(1_800_000 / 5_000_000)


def test_progress_without_target_or_actuals() -> None:
    data = _data()
    del _indicator(data, "grade")["target"]
    _indicator(data, "income")["actuals"] = []
    prog = mon.progress(rs.results_from_data(data))
    grade = _row(prog, indicator="grade")
    assert grade["status"] == "no target" and math.isnan(grade["progress"])
    assert grade["latest"] == 56
    income = _row(prog, indicator="income")
    assert income["status"] == "no data" and pd.isna(income["latest_date"])


def test_non_additive_breakdown_gives_no_total() -> None:
    data = _data()
    _indicator(data, "grade")["actuals"] = [
        {"date": "2023-01-01", "value": 50, "disaggregation": {"firm_size": "small"}},
        {"date": "2023-01-01", "value": 60, "disaggregation": {"firm_size": "large"}},
    ]
    grade = _row(mon.progress(rs.results_from_data(data)), indicator="grade")
    assert grade["status"] == "no data"


def test_disaggregated(example: rs.ResultsChain) -> None:
    frame = mon.disaggregated(example)
    assert list(frame.columns) == [
        "indicator", "name", "box", "level", "unit", "date", "sex", "firm_size", "value",
        "total", "share",
    ]  # fmt: skip
    assert len(frame) == sum(len(i.actuals) for i in example.indicators)
    women = _row(frame, indicator="trained", sex="female")
    assert women["value"] == 30 and women["total"] == 72
    assert women["share"] == pytest.approx(30 / 72)
    assert women["firm_size"] == rs.ALL
    micro = _row(frame, indicator="contracts", firm_size="micro")
    assert micro["share"] == pytest.approx(9 / 15)
    cell = _row(frame, indicator="scale", sex="male", firm_size="small")
    assert cell["share"] == pytest.approx(24 / 90)
    scale = frame[(frame.indicator == "scale") & (frame.date == pd.Timestamp("2023-07-01"))]
    by_sex = scale[scale.firm_size == rs.ALL].groupby("sex")["value"].sum()
    assert by_sex.to_dict() == {"female": 36, "male": 54}
    assert scale[scale.firm_size != rs.ALL]["value"].sum() == pytest.approx(90)


def test_other_dimensions_get_columns() -> None:
    data = _data()
    _indicator(data, "income")["actuals"] = [
        {"date": "2023-07-01", "value": 1_000_000, "disaggregation": {"Region": "north"}},
        {"date": "2023-07-01", "value": 800_000, "disaggregation": {"region": "south"}},
    ]
    frame = mon.disaggregated(rs.results_from_data(data))
    assert list(frame.columns)[6:9] == ["sex", "firm_size", "region"]
    north = _row(frame, region="north")
    assert north["total"] == pytest.approx(1_800_000)


def test_universal_indicators(example: rs.ResultsChain) -> None:
    uni = mon.universal(example)
    assert list(uni["universal"]) == ["scale", "net_additional_income", "net_additional_jobs"]
    scale = _row(uni, universal="scale")
    assert scale["indicator"] == "scale" and scale["latest"] == 90
    assert (scale["female"], scale["male"]) == (36, 54)
    assert scale["note"] == ""
    income = _row(uni, universal="net_additional_income")
    assert income["latest"] == 1_800_000 and math.isnan(income["female"])
    jobs = _row(uni, universal="net_additional_jobs")
    assert pd.isna(jobs["indicator"]) and math.isnan(jobs["latest"])
    assert "not measured" in jobs["note"] and "universal: net_additional_jobs" in jobs["note"]


def test_universal_jobs_notes() -> None:
    data = _data()
    data["indicators"].append(
        {
            "id": "jobs",
            "box": "i1",
            "name": "Net additional jobs",
            "unit": "jobs",
            "universal": "net_additional_jobs",
            "baseline": {"value": 0, "date": "2022-01-01"},
            "actuals": [{"date": "2023-07-01", "value": 35}],
        }
    )
    jobs = _row(mon.universal(rs.results_from_data(data)), universal="net_additional_jobs")
    assert jobs["latest"] == 35
    assert "not disaggregated by sex" in jobs["note"]
    assert "full-time equivalents" in jobs["note"]


def test_chain_levels(example: rs.ResultsChain) -> None:
    table, warnings = mon.chain_levels(example)
    assert list(table["box"]) == ["a1", "a2", "o1", "o2", "oc1", "oc2", "i1"]
    assert dict(zip(table["box"], table["indicators"], strict=True)) == {
        "a1": 0, "a2": 0, "o1": 1, "o2": 1, "oc1": 2, "oc2": 1, "i1": 1,
    }  # fmt: skip
    assert _row(table, box="oc1")["leads_to"] == "oc2, i1"
    assert "trained technicians stay" in _row(table, box="o1")["link_assumptions"]
    assert _row(table, box="a1")["assumptions"] == "tanneries release technicians for the training"
    assert warnings == []


def test_chain_levels_orders_causes_first_and_warns() -> None:
    data = _data()
    boxes = data["boxes"]
    boxes.reverse()  # impact first in the file; oc2 before oc1
    boxes.append({"id": "o3", "level": "output", "text": "Trade fair stand"})
    data["indicators"] = [i for i in data["indicators"] if i["box"] != "oc2"]
    table, warnings = mon.chain_levels(rs.results_from_data(data))
    order = list(table["box"])
    assert [table["level"][order.index(b)] for b in order] == sorted(
        table["level"], key=lambda lv: rs.BoxLevel(lv).rank
    )
    assert order.index("oc1") < order.index("oc2")  # oc1 -> oc2
    assert any("'oc2'" in w and "no indicator" in w for w in warnings)
    assert any("'o3'" in w and "no indicator" in w for w in warnings)
    assert any("'o3'" in w and "not linked" in w for w in warnings)
    assert not any("'a1'" in w for w in warnings)  # activities need no indicator


# -- bad results files -----------------------------------------------------------------------


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    p = tmp_path / "results.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _line_of(p: Path, needle: str) -> int:
    return next(k for k, line in enumerate(p.read_text().splitlines(), 1) if needle in line)


def test_cycle_is_refused_naming_the_boxes(tmp_path: Path) -> None:
    data = _data()
    data["boxes"].append({"id": "oc3", "level": "outcome", "text": "Buyers trust MSEs"})
    data["links"] += [{"from": "oc2", "to": "oc3"}, {"from": "oc3", "to": "oc1"}]
    p = _write(tmp_path, data)
    with pytest.raises(InputError) as info:
        rs.read_results(p)
    err = info.value
    assert "cycle" in str(err)
    assert "oc1 → oc2 → oc3 → oc1" in str(err)
    assert err.file == str(p)
    assert err.field == "links[8]"
    assert err.row == _line_of(p, "from: oc3")


def test_missing_baseline_names_the_indicator(tmp_path: Path) -> None:
    data = _data()
    del _indicator(data, "contracts")["baseline"]
    p = _write(tmp_path, data)
    with pytest.raises(InputError) as info:
        rs.read_results(p)
    err = info.value
    assert "indicator 'contracts' has no baseline" in str(err)
    assert err.file == str(p) and err.field == "indicators[1]"
    assert err.row == _line_of(p, "id: contracts")


def test_null_baseline_names_the_indicator() -> None:
    data = _data()
    _indicator(data, "income")["baseline"] = None
    with pytest.raises(InputError, match="indicator 'income' has no baseline"):
        rs.results_from_data(data)


def test_link_going_down_a_level_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["links"].append({"from": "oc1", "to": "o2"})
    p = _write(tmp_path, data)
    with pytest.raises(InputError) as info:
        rs.read_results(p)
    err = info.value
    assert "goes down a level" in str(err)
    assert "oc1 (outcome) → o2 (output)" in str(err)
    assert err.field == "links[7]"
    last_from_oc1 = max(
        k for k, line in enumerate(p.read_text().splitlines(), 1) if "from: oc1" in line
    )
    assert err.row == last_from_oc1


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = data
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


_DELETE = object()
_ACT = {"date": "2023-01-01", "value": 1}


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (_set("links.0.to", "o9"), "links[0].to", "'o9' is not a box id"),
        (_set("boxes.1.id", "a1"), "boxes[1]", "duplicate box id 'a1'"),
        (_set("boxes.2.level", "result"), "boxes[2].level", "Input should be"),
        (_set("boxes.2.colour", "red"), "boxes[2].colour", "Extra inputs"),
        (_set("links.0.to", "a1"), "links[0]", "loops"),
        (_set("links.1", {"from": "a1", "to": "o1"}), "links[1]", "given twice"),
        (_set("indicators.1.id", "trained"), "indicators[1]", "duplicate indicator id"),
        (_set("indicators.0.box", "x"), "indicators[0].box", "'x' is not a box id"),
        (_set("indicators.0.target.value", 0), "indicators[0].target.value", "equals the baseline"),
        (
            _set("indicators.0.target.date", "2021-01-01"),
            "indicators[0].target.date",
            "is not after",
        ),
        (_set("indicators.0.baseline.value", ".nan"), "indicators[0].baseline.value", "number"),
        (_set("indicators.0.universal", "jobs"), "indicators[0].universal", "Input should be"),
        (
            _set("indicators.0.actuals.1.disaggregation", {"sex": "f"}),
            "indicators[0].actuals[1].disaggregation",
            "'f' is not a sex category",
        ),
        (
            _set("indicators.1.actuals.1.disaggregation", {"firm_size": "tiny"}),
            "indicators[1].actuals[1].disaggregation",
            "not a firm_size category",
        ),
        (
            _set("indicators.1.actuals.1.disaggregation", {"sex": "all"}),
            "indicators[1].actuals[1].disaggregation",
            "reserved for totals",
        ),
        (
            _set("indicators.0.actuals.2.disaggregation", {"sex": "female"}),
            "indicators[0].actuals[2]",
            "sex=female at 2023-01-01 is given twice",
        ),
        (
            _set("indicators.4.actuals.6.value", 25),
            "indicators[4].actuals[1]",
            "add up to different totals",
        ),
        (_set("boxes", []), "boxes", "at least 1"),
        (_set("name", _DELETE), "name", "Field required"),
    ],
)
def test_bad_results_file(tmp_path: Path, change: Any, field: str, needle: str) -> None:
    data = _data()
    change(data)
    p = _write(tmp_path, data)
    text = p.read_text().replace("'.nan'", ".nan")
    p.write_text(text)
    with pytest.raises(InputError) as info:
        rs.read_results(p)
    err = info.value
    assert needle in str(err)
    assert err.field == field
    assert err.file == str(p)
    assert isinstance(err.row, int) and err.row >= 1


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "not a mapping"),
        ("name: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_results_document(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "results.yaml"
    p.write_text(text)
    with pytest.raises(InputError, match=needle):
        rs.read_results(p)
    with pytest.raises(InputError, match="no such file"):
        rs.read_results(tmp_path / "nothing.yaml")


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "results.json"
    p.write_text('{"name": "x",\n "boxes": [}\n')
    with pytest.raises(InputError) as info:
        rs.read_results(p)
    assert info.value.row == 2


def test_a_given_total_allows_a_partial_breakdown(tmp_path: Path) -> None:
    """With the total given, a breakdown may be partial ("of whom 4 women-led"): it is not
    required to add up to the other breakdowns (only without a total must it be complete)."""
    data = _data()
    contracts = data["indicators"][1]["actuals"]  # 2023-01-01: total 15; micro 9 + small 6
    contracts.append({"date": "2023-01-01", "value": 4, "disaggregation": {"sex": "female"}})
    r = rs.read_results(_write(tmp_path, data))
    assert _row(mon.progress(r), indicator="contracts")["latest"] == 15
    women = mon.disaggregated(r)
    women = women[(women.indicator == "contracts") & (women.sex == "female")].iloc[0]
    assert women["share"] == pytest.approx(4 / 15)


def test_a_breakdown_larger_than_its_total_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["indicators"][1]["actuals"][1]["value"] = 12  # micro 12 + small 6 = 18 > total 15
    with pytest.raises(InputError) as info:
        rs.read_results(_write(tmp_path, data))
    assert info.value.field == "indicators[1].actuals[1]"
    assert "by firm_size add up to 18, more than the total 15" in str(info.value)
