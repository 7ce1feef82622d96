"""The design audit: an intervention checked against the field's known failings.

The rules are data (``gvckit/data/audit_rules.yaml``): the eight key issues of the IDB note (seed
000 §7a), the critical success factors, lessons and guidelines of Goldmark & Barber (2005, seed
004) and the weaknesses the IDB portfolio review found (seed 000 §6b). Each finding gives the
rule, its result (``pass``, ``warn`` or ``fail``; ``n/a`` where the rule does not apply), the
evidence that decided it, and the source. A rule is a list of conditions on the intervention's
fields (and on the chain where one is given); the vocabulary is in the rules file's header.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

from gvckit.chain.model import ActorKind, Chain, LinkKind
from gvckit.documents import load_document
from gvckit.errors import OptionError
from gvckit.interventions.typology import Intervention
from gvckit.limits import DOCUMENT

__all__ = ["Rule", "audit", "evaluate", "rules"]


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    question: str
    severity: str
    check: tuple[dict[str, Any], ...]
    when: dict[str, Any] | None
    examples: dict[str, dict[str, Any]]


@cache
def rules() -> tuple[Rule, ...]:
    """The audit rules, in file order."""
    raw = (files("gvckit") / "data" / "audit_rules.yaml").read_bytes()
    out = []
    for r in load_document(raw, name="audit_rules.yaml", limits=DOCUMENT).data["rules"]:
        out.append(
            Rule(
                r["id"],
                r["source"],
                r["question"],
                r["severity"],
                tuple(r["check"]),
                r.get("when"),
                r.get("examples", {}),
            )
        )
    return tuple(out)


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _chain_shows(chain: Chain | None, what: str) -> tuple[bool | None, str]:
    if chain is None:
        return None, f"no chain given to show {what}"
    snap = chain.snapshot()
    if what == "governance_evidence":
        n = sum(link.governance is not None for link in snap.links)
        return n > 0, f"{n} links with governance evidence in the chain"
    if what == "value_added":
        n = sum(a.value_added_split is not None for a in snap.actors)
        valued = sum(link.has_value for link in snap.links)
        return valued > 0, f"{valued} valued links, {n} actors with a value-added split"
    if what == "lead_firm":
        n = sum(a.kind is ActorKind.LEAD_FIRM for a in snap.actors)
        return n > 0, f"{n} lead firm actor types in the chain"
    if what == "end_markets":
        return bool(snap.end_markets), f"{len(snap.end_markets)} end markets in the chain"
    if what == "horizontal_links":
        n = sum(link.kind is LinkKind.HORIZONTAL for link in snap.links)
        return n > 0, f"{n} horizontal links in the chain"
    raise OptionError(f"audit rule asks the chain for unknown {what!r}")


def _condition(cond: dict[str, Any], data: dict[str, Any], iv: Intervention,
               chain: Chain | None) -> tuple[bool, str]:  # fmt: skip
    """Whether one condition holds, and the evidence."""
    if "or" in cond:
        results = [_condition(c, data, iv, chain) for c in cond["or"]]
        ok = any(r[0] for r in results)
        return ok, " or ".join(r[1] for r in results)
    if "present" in cond:
        value = _get(data, cond["present"])
        ok = value not in (None, "", [], ())
        shown = value if not isinstance(value, str) or len(value) < 60 else value[:57] + "..."
        return ok, f"{cond['present']} = {shown!r}" if ok else f"{cond['present']} is empty"
    if "any" in cond:
        value = list(_get(data, cond["any"]) or [])
        ok = any(v in cond["of"] for v in value)
        return ok, f"{cond['any']} = {value} ({'includes' if ok else 'lacks'} {cond['of']})"
    if "beyond" in cond:
        value = list(_get(data, cond["beyond"]) or [])
        ok = any(v not in cond["of"] for v in value)
        return ok, f"{cond['beyond']} = {value}"
    if "equals" in cond:
        value = _get(data, cond["equals"])
        return value == cond["value"], f"{cond['equals']} = {value!r}"
    if "factors" in cond:
        have = iv.approach_factors
        ok = all(f in have for f in cond["factors"])
        return ok, f"approaches serve {sorted(have) or 'no factor'}"
    if "chain" in cond:
        shown, evidence = _chain_shows(chain, cond["chain"])
        return bool(shown), evidence
    raise OptionError(f"unknown audit condition {sorted(cond)}")


def evaluate(rule: Rule, iv: Intervention, chain: Chain | None = None) -> tuple[str, str]:
    """(result, evidence) of one rule: pass, warn, fail or n/a."""
    data = iv.model_dump(mode="json")
    if rule.when is not None:
        applies, why = _condition(rule.when, data, iv, chain)
        if not applies:
            return "n/a", f"does not apply: {why}"
    outcomes = [_condition(c, data, iv, chain) for c in rule.check]
    ok = all(o[0] for o in outcomes)
    return ("pass" if ok else rule.severity), "; ".join(o[1] for o in outcomes)


def audit(iv: Intervention, chain: Chain | None = None) -> pd.DataFrame:
    """One row per rule: ``rule, result, question, evidence, source``."""
    rows = []
    for rule in rules():
        result, evidence = evaluate(rule, iv, chain)
        rows.append((rule.id, result, rule.question, evidence, rule.source))
    return pd.DataFrame(rows, columns=["rule", "result", "question", "evidence", "source"])
