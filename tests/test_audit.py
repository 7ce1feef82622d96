"""The intervention typology and the design audit: every rule is data, and each has an example
that makes it pass and one that makes it fail (run here against a well-designed intervention)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gvckit import chain
from gvckit.cli import main
from gvckit.interventions.audit import audit, evaluate, rules
from gvckit.interventions.typology import Intervention, read_intervention

DATA = Path(__file__).parent / "data"
GOOD = DATA / "intervention_good.yaml"


def _patched(changes: dict[str, Any]) -> Intervention:
    data = yaml.safe_load(GOOD.read_text())
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = copy.deepcopy(value)
    return Intervention.model_validate(data)


def test_good_design_passes_every_rule() -> None:
    report = audit(read_intervention(GOOD))
    assert set(report.result) == {"pass"}, report[report.result != "pass"]
    assert len(report) == len(rules()) >= 20


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.id)
def test_each_rule_passes_and_fails_on_its_examples(rule: Any) -> None:
    assert set(rule.examples) == {"pass", "fail"}, rule.id
    passed, _ = evaluate(rule, _patched(rule.examples["pass"]))
    assert passed == "pass", rule.id
    failed, evidence = evaluate(rule, _patched(rule.examples["fail"]))
    assert failed == rule.severity and failed in ("warn", "fail"), rule.id
    assert evidence


def test_rule_not_applicable() -> None:
    rule = next(r for r in rules() if r.id == "KI3-lead-firm-interests")
    assert evaluate(rule, _patched({"patterns": ["ppp"]}))[0] == "n/a"


def test_chain_evidence_counts() -> None:
    iv = _patched({"design.analysis.governance_analysis": None})
    c = chain.read_chain(DATA / "chain_small.yaml")
    rule = next(r for r in rules() if r.id == "KI1-governance")
    assert evaluate(rule, iv)[0] == "fail"
    result, evidence = evaluate(rule, iv, c)
    assert result == "pass" and "5 links with governance evidence" in evidence


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"patterns": ["top_down"]}, "lead_firm"),
        ({"upgrading": ["speed"]}, "supply_chain_linkages"),
        ({"approaches": ["magic"]}, "unknown approach 'magic'; valid: horizontal_relationships"),
        ({"delivery": "subsidy"}, "facilitation"),
        ({"subfields": ["standards"]}, "belongs to the field 'business_environment'"),
    ],
)
def test_unknown_codes_list_the_valid_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], needle: str
) -> None:
    data = yaml.safe_load(GOOD.read_text())
    data.update(change)
    p = tmp_path / "iv.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["intervention", "check", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith(f"error: {p}") and needle in err


def test_audit_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(GOOD), "--chain", str(DATA / "chain_small.yaml"), "-f", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "rule,result,question,evidence,source"
    assert main(["intervention", "check", str(GOOD)]) == 0
    assert "valid intervention 'iv-1'" in capsys.readouterr().out


def test_intervention_sheet_round_trip(tmp_path: Path) -> None:
    from gvckit.chain.workbook import write_template
    from gvckit.interventions.workbook import add_intervention_sheet

    iv = read_intervention(GOOD)
    xlsx = tmp_path / "chain.xlsx"
    write_template(
        xlsx,
        chain.read_chain(DATA / "chain_small.yaml"),
        extra=[lambda wb: add_intervention_sheet(wb, iv)],
    )
    assert read_intervention(xlsx) == iv
    assert chain.read_chain(xlsx) == chain.read_chain(DATA / "chain_small.yaml")
    # a wrong code in the sheet is located to its row
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    ws = wb["intervention"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "patterns")
    ws.cell(row, 2, "top_down; ppp")
    wb.save(xlsx)
    from gvckit.errors import InputError

    with pytest.raises(InputError, match=rf"\[intervention\], row {row}, column 'value'"):
        read_intervention(xlsx)
