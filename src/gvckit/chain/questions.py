"""The five questions a value chain map answers (Knorringa & Meyer-Stamer, in the gvckit seed
001, after Kaplinsky & Morris 2001), answered from the chain's own figures:

1. who bargains with whom for what;
2. where in the chain value added is concentrated;
3. what the opportunities and constraints for growth within the existing chain are;
4. what the chances and limits for upgrading are;
5. where an intervention gets most leverage (the actors and links most value passes through
   and the bottlenecks that affect many producers).

Each answer is a row ``question, subject, finding, value``: a sentence with the figure behind
it, so that an analyst can check and quote it. The rules are deliberately simple and stated in
the findings; they point at what to look at, they do not replace judgement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from gvckit.chain.accounts import actor_accounts, link_value, link_values
from gvckit.chain.governance import buyer_power, implied_type
from gvckit.chain.model import (
    SME_KINDS,
    Chain,
    GovernanceEvidence,
    GovernanceType,
    Level,
    LinkKind,
)

if TYPE_CHECKING:
    from gvckit.clusters.survey import Response

__all__ = ["QUESTIONS", "questions"]

QUESTIONS = (
    "1 who bargains with whom for what",
    "2 where value added is concentrated",
    "3 opportunities and constraints for growth",
    "4 chances and limits for upgrading",
    "5 where an intervention gets most leverage",
)
QUASI_HIERARCHY = {GovernanceType.CAPTIVE, GovernanceType.HIERARCHY}

Row = tuple[str, str, str, float]


def _share(share: float) -> str:
    """A share for a finding: ``12.3%``, or "an unknown share" when there is no total yet."""
    return f"{share:.1%}" if not math.isnan(share) else "an unknown share (no final sales yet)"


def questions(
    chain: Chain, year: int | None = None, survey: Sequence[Response] | None = None
) -> pd.DataFrame:
    """The five questions answered for a snapshot (default: the latest); with the ``survey`` of
    the chain's clusters, question 4 also reports their capabilities and joint action."""
    snap = chain.snapshot(year)
    accs = {a.actor.id: a for a in actor_accounts(chain, snap.year)}
    actors = {a.id: a for a in snap.actors}
    markets = {m.id: m for m in snap.end_markets}
    power = buyer_power(chain, snap.year)
    sel = power[power.indicator == "buyer_hhi"]
    hhi = dict(zip(sel["actor"].astype(str), sel["value"].astype(float), strict=True))
    values = link_values(chain, snap)
    final = sum(v for _, b, v in values if b in markets)
    va_total = sum(a.value_added for a in accs.values())
    rows: list[Row] = []
    q1, q2, q3, q4, q5 = QUESTIONS

    def gtype(ev: GovernanceEvidence | None) -> GovernanceType | None:
        """The implied type, else the observed one."""
        if ev is None:
            return None
        return implied_type(ev.complexity, ev.codifiability, ev.supplier_capability) or ev.observed

    def glabel(ev: GovernanceEvidence | None) -> str:
        g = gtype(ev)
        if g is not None:
            return g.value
        return "not assessed" if ev is None else "an unstable combination of determinants"

    # 1. who bargains with whom for what
    for link in snap.links:
        if link.kind is not LinkKind.VERTICAL or link.target in markets:
            continue
        seller, buyer = actors[link.source], actors[link.target]
        value = link_value(chain, snap, link)
        what = seller.product or chain.product
        rows.append(
            (
                q1,
                f"{seller.id} -> {buyer.id}",
                f"{seller.count} {seller.kind.value} sell {what} to {buyer.count}"
                f" {buyer.kind.value}; governance {glabel(link.governance)};"
                f" buyer concentration HHI {hhi.get(seller.id, math.nan):.2f}",
                value,
            )
        )

    # 2. where value added is concentrated
    by_stage: dict[str, float] = {}
    for acc in accs.values():
        by_stage[acc.actor.stage] = by_stage.get(acc.actor.stage, 0.0) + acc.value_added
    for stage, va in sorted(by_stage.items(), key=lambda kv: -kv[1]):
        share = va / va_total if va_total else math.nan
        found = f"{share:.1%} of the chain's value added" if not math.isnan(share) else \
            "an unknown share of the chain's value added (the chain has none yet)"  # fmt: skip
        rows.append((q2, stage, found, share))
    per_operator = sorted(accs.values(), key=lambda a: -(a.value_added / max(a.actor.count, 1)))
    for acc in per_operator:
        rows.append(
            (
                q2,
                acc.actor.id,
                f"value added per operator ({acc.actor.count} {acc.actor.kind.value})",
                acc.value_added / max(acc.actor.count, 1),
            )
        )

    # 3. opportunities and constraints for growth
    for m in snap.end_markets:
        sales = sum(v for _, b, v in values if b == m.id)
        share = sales / final if final else math.nan
        standards = f"; standards: {', '.join(m.standards)}" if m.standards else ""
        rows.append(
            (
                q3,
                m.id,
                f"end market {m.destination} ({m.channel.value}) takes"
                f" {_share(share)} of final sales{standards}",
                share,
            )
        )
    for acc in accs.values():
        if not math.isnan(acc.net_operating_profit) and acc.net_operating_profit < 0:
            rows.append(
                (
                    q3,
                    acc.actor.id,
                    "loss-making: negative net operating profit",
                    acc.net_operating_profit,
                )
            )
    horizontal = {(lk.source, lk.target) for lk in snap.links if lk.kind is LinkKind.HORIZONTAL}
    joined = {a for pair in horizontal for a in pair} | {a.id for a in snap.actors if a.cluster}
    for a in snap.actors:
        if a.kind in SME_KINDS and a.count > 1 and a.id not in joined:
            rows.append(
                (
                    q3,
                    a.id,
                    f"{a.count} {a.kind.value} with no horizontal link or cluster:"
                    " no joint action recorded",
                    float(a.count),
                )
            )

    # 4. chances and limits for upgrading
    for link in snap.links:
        if link.kind is not LinkKind.VERTICAL or link.target in markets:
            continue
        g = gtype(link.governance)
        seller = actors[link.source]
        if g is not None and g in QUASI_HIERARCHY:
            rows.append(
                (
                    q4,
                    f"{link.source} -> {link.target}",
                    f"{g.value} governance: buyers may support process and product upgrading"
                    " but tend to block functional upgrading",
                    1.0,
                )
            )
        ev = link.governance
        if ev is not None and ev.supplier_capability is Level.LOW:
            rows.append(
                (
                    q4,
                    seller.id,
                    "low supplier capability: a constraint to upgrading",
                    float(seller.count),
                )
            )
        if link.knowledge or link.services:
            flows = ", ".join((*link.knowledge, *link.services))
            rows.append(
                (
                    q4,
                    f"{link.source} -> {link.target}",
                    f"knowledge and services flow along the link: {flows}",
                    float(len(link.knowledge) + len(link.services)),
                )
            )
    for cluster in snap.clusters:
        members = [a.id for a in snap.actors if a.cluster == cluster.name]
        actions = ", ".join(cluster.joint_actions) or "none recorded"
        rows.append(
            (
                q4,
                cluster.name,
                f"cluster of {', '.join(members)}; joint actions: {actions}",
                float(len(cluster.joint_actions)),
            )
        )

    if survey:
        from gvckit.clusters.link import survey_findings

        rows += [(q4, subject, finding, value) for subject, finding, value in
                 survey_findings(survey)]  # fmt: skip

    # 5. leverage: value passing through each actor, and reach (operators affected)
    through = sorted(accs.values(), key=lambda a: -a.sales)
    for acc in through:
        share = acc.sales / final if final else math.nan
        rows.append(
            (
                q5,
                acc.actor.id,
                f"sales equal to {_share(share)} of the chain's final value;"
                f" reaches {acc.actor.count} operators",
                share,
            )
        )
    return pd.DataFrame(rows, columns=["question", "subject", "finding", "value"])
