"""Constraints read off a chain's own evidence, as a first draft for the analyst.

Each rule looks for a sign the chain analysis can show and names the constraint of seed 004's
Annex 2 it points to, with the figures as evidence, where it bites, and a severity from 1 to 5
scaled by how strong the sign is. Reach is the number of MSE operators (smallholders, micro,
small and medium firms, cooperatives) affected. Feasibility and leverage are left at 3: they
are the analyst's judgement, as are the final severities.

| sign in the chain | constraint |
|---|---|
| buyers of MSEs concentrated (HHI ≥ 0.25) or one lead firm buying most | power_asymmetry |
| observed governance differs from the one the determinants imply | governance_structure |
| MSEs with no horizontal link and no cluster | scale |
| MSE sales links without knowledge or embedded services | vertical_relationships |
| end markets that require standards while no MSE link carries knowledge | market_knowledge |
| MSEs' share of chain value added below their share of its operators' sales | msme_capacity |
| MSE sales links without a contract | commitment_risk |
| MSEs selling through traders in large numbers (≥ 100 operators) | transaction_cost |
| cluster survey: weak capabilities | msme_capacity, vertical_relationships, innovation |

(The survey rules are in :mod:`gvckit.clusters.link`.)

The thresholds are conventions stated here so that the draft is transparent: HHI 0.25 is the
usual line for a highly concentrated market (US DOJ/FTC 2010 merger guidelines: 2,500).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gvckit.chain.accounts import actor_accounts
from gvckit.chain.governance import buyer_power, governance
from gvckit.chain.model import SME_KINDS, ActorKind, Chain, LinkKind
from gvckit.errors import ChainError
from gvckit.interventions.constraints import Constraint, ConstraintSet, Evidence, Reach, Where

if TYPE_CHECKING:
    from gvckit.clusters.survey import Response

__all__ = ["MSE_KINDS", "constraints_from_chain"]

#: Operators counted as MSEs: micro, small and medium enterprises, smallholders, cooperatives.
MSE_KINDS = SME_KINDS
HHI_CONCENTRATED = 0.25


def _severity(value: float, steps: Iterable[float]) -> int:
    """1 + the number of ``steps`` that ``value`` reaches (capped at 5)."""
    return min(5, 1 + sum(value >= s for s in steps))


def constraints_from_chain(
    chain: Chain,
    year: int | None = None,
    file: str | Path | None = None,
    survey: Sequence[Response] | None = None,
) -> ConstraintSet:
    """A draft :class:`ConstraintSet` from the snapshot of ``year`` (default: the latest);
    ``file`` (the chain's) is named in the errors. With the ``survey`` of the chain's clusters,
    low technological capabilities add evidence (:mod:`gvckit.clusters.link`)."""
    snap = chain.snapshot(year)
    src = f"gvckit chain analysis of {chain.name!r}, {snap.year}"
    actors = {a.id: a for a in snap.actors}
    mses = [a for a in snap.actors if a.kind in MSE_KINDS]
    if not mses:
        raise ChainError(
            "no micro or small operators in the chain: nothing to derive constraints for",
            file=file,
            expected="actors of kind smallholder, micro/small/medium firm or cooperative",
        )
    mse_ids = {a.id for a in mses}
    out: list[Constraint] = []

    def add(kind: str, title: str, ids: list[str], evidence: list[Evidence], severity: int,
            links: tuple[str, ...] = ()) -> None:  # fmt: skip
        chosen = [actors[i] for i in ids]
        out.append(Constraint(
            id=f"d{len(out) + 1}", type=kind, title=title,
            where=Where(stages=tuple(dict.fromkeys(a.stage for a in chosen)),
                        actor_kinds=tuple(dict.fromkeys(a.kind.value for a in chosen)),
                        links=links),
            evidence=tuple(evidence), severity=severity,
            reach=Reach(msmes=sum(a.count for a in chosen if a.kind in MSE_KINDS)),
        ))  # fmt: skip

    power = buyer_power(chain, snap.year)
    hhi = power[power["indicator"] == "buyer_hhi"].set_index("actor")["value"]
    lead = power[power["indicator"] == "lead_firm_share"].set_index("actor")["value"]
    hit = [i for i in mse_ids if hhi.get(i, 0.0) >= HHI_CONCENTRATED or lead.get(i, 0.0) >= 0.5]
    if hit:
        worst = max(max(hhi.get(i, 0.0), lead.get(i, 0.0)) for i in hit)
        add("power_asymmetry", "MSEs sell to few buyers", sorted(hit), [
            Evidence(text=f"buyer concentration of {i}: HHI {hhi.get(i, 0.0):.2f}, lead firm "
                     f"share {lead.get(i, 0.0):.0%}", figure=round(float(hhi.get(i, 0.0)), 4),
                     source=src) for i in sorted(hit)
        ], _severity(worst, (0.25, 0.35, 0.5, 0.75)))  # fmt: skip

    gov = governance(chain, snap.year)
    differs = gov[gov["assessment"] == "differs"]
    if not differs.empty:
        pairs = [f"{s} -> {t}" for s, t in zip(differs["source"], differs["target"], strict=True)]
        involved = sorted({i for p in pairs for i in p.split(" -> ") if i in actors})
        add("governance_structure", "Governance does not fit the transactions", involved, [
            Evidence(text=f"{s} -> {t}: observed {o}, the determinants imply {m}", source=src)
            for s, t, o, m in zip(differs["source"], differs["target"], differs["observed"],
                                  differs["implied"], strict=True)
        ], _severity(len(pairs) / max(1, len(gov)), (0.1, 0.25, 0.5, 0.75)),
            tuple(pairs))  # fmt: skip

    clustered = {a.id for a in snap.actors if a.cluster}
    horizontal = {e for link in snap.links if link.kind is not LinkKind.VERTICAL
                  for e in (link.source, link.target)}  # fmt: skip
    alone = sorted(i for i in mse_ids if i not in clustered and i not in horizontal)
    if alone:
        n_alone = sum(actors[i].count for i in alone)
        share = n_alone / max(1, sum(a.count for a in mses))
        text = f"{n_alone:,} MSE operators ({share:.0%}) with no horizontal link or cluster"
        add("scale", "MSEs act alone", alone,
            [Evidence(text=text, figure=round(share, 4), source=src)],
            _severity(share, (0.2, 0.4, 0.6, 0.8)))  # fmt: skip

    sales = [link for link in snap.links
             if link.kind is LinkKind.VERTICAL and link.source in mse_ids]  # fmt: skip
    bare = [link for link in sales if not link.knowledge and not link.services]
    if sales and bare:
        share = len(bare) / len(sales)
        add("vertical_relationships", "Buyers pass on no knowledge or services",
            sorted({link.source for link in bare}), [Evidence(
                text=f"{len(bare)} of {len(sales)} MSE sales links carry no knowledge or "
                "embedded services", figure=round(share, 4), source=src)],
            _severity(share, (0.25, 0.5, 0.75, 1.0)),
            tuple(f"{link.source} -> {link.target}" for link in bare))  # fmt: skip
    standards = sorted({s for m in snap.end_markets for s in m.standards})
    if standards and not any(link.knowledge for link in sales):
        add("market_knowledge", "MSEs do not learn what end markets require", sorted(mse_ids),
            [Evidence(text="end markets require " + ", ".join(standards) + "; no MSE link "
                      "carries knowledge", source=src)], 4)  # fmt: skip
    accounts = actor_accounts(chain, snap.year)
    va = {a.actor.id: a.value_added for a in accounts}
    output = {a.actor.id: a.output_value for a in accounts}
    total_va, total_out = sum(va.values()), sum(output.values())
    if total_va > 0 and total_out > 0:
        va_share = sum(va.get(i, 0.0) for i in mse_ids) / total_va
        out_share = sum(output.get(i, 0.0) for i in mse_ids) / total_out
        if va_share < out_share or va_share < 0.2:
            gap = max(0.0, 1 - va_share / max(out_share, 1e-12))
            add("msme_capacity", "MSEs capture little of the value added", sorted(mse_ids), [
                Evidence(text=f"MSEs capture {va_share:.0%} of chain value added for "
                         f"{out_share:.0%} of its sales", figure=round(va_share, 4),
                         source=src)], _severity(gap, (0.1, 0.25, 0.5, 0.75)))  # fmt: skip
    loose = [link for link in sales if not link.contract]
    if sales and loose:
        share = len(loose) / len(sales)
        add("commitment_risk", "Sales without contracts", sorted({k.source for k in loose}),
            [Evidence(text=f"{len(loose)} of {len(sales)} MSE sales links have no contract",
                      figure=round(share, 4), source=src)],
            _severity(share, (0.25, 0.5, 0.75, 1.0)),
            tuple(f"{k.source} -> {k.target}" for k in loose))  # fmt: skip
    via_traders = sorted({link.source for link in sales
                          if actors.get(link.target) is not None
                          and actors[link.target].kind is ActorKind.TRADER})  # fmt: skip
    many = sum(actors[i].count for i in via_traders)
    if many >= 100:
        add("transaction_cost", "Many small sellers reach buyers through traders", via_traders,
            [Evidence(text=f"{many:,} MSE operators sell through traders", figure=float(many),
                      source=src)],
            _severity(many, (1_000, 10_000, 100_000, 1_000_000)))  # fmt: skip
    if survey:
        from gvckit.clusters.link import survey_constraints

        out += survey_constraints(chain, survey, first_id=len(out) + 1)
    if not out:
        raise ChainError(
            "the chain shows none of the signs gvckit reads constraints from",
            file=file,
            expected="buyer concentration, governance evidence, links, end-market standards or"
            " accounts; write a constraints file instead",
        )
    return ConstraintSet(chain=chain.name, constraints=tuple(out))
