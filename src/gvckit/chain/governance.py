"""Governance of each link: the Gereffi–Humphrey–Sturgeon type and the buyers' power.

Gereffi, Humphrey & Sturgeon (2005, *Review of International Political Economy* 12(1), Table 1):
three determinants — complexity of transactions, ability to codify them, capabilities of the
supplier base — each high or low, imply five types:

=============  ==========  =============  ==================
type           complexity  codifiability  supplier capability
=============  ==========  =============  ==================
market         low         high           high
modular        high        high           high
relational     high        low            high
captive        high        high           low
hierarchy      high        low            low
=============  ==========  =============  ==================

The other three combinations are not expected to be stable (GHS 2005: low complexity with low
codifiability is unlikely to arise; low complexity, high codifiability and low capability means
exclusion from the chain). They are reported as such, without a type.

Power asymmetry, per selling actor: the concentration of its buyers, HHI = Σ_b s_b² over
individual buyers, where a buyer type with ``count`` operators and a share s of the sales is
taken as ``count`` equal buyers (HHI term s² / count); and the share of its sales that go to lead
firms. HHI = 1 means a single buyer (monopsony).
"""

from __future__ import annotations

import pandas as pd

from gvckit.chain.accounts import link_values
from gvckit.chain.model import ActorKind, Chain, GovernanceType, Level, LinkKind

__all__ = ["IMPLIED", "buyer_power", "governance", "implied_type"]

H, L = Level.HIGH, Level.LOW

#: (complexity, codifiability, supplier capability) → governance type (GHS 2005, Table 1).
IMPLIED: dict[tuple[Level, Level, Level], GovernanceType] = {
    (L, H, H): GovernanceType.MARKET,
    (H, H, H): GovernanceType.MODULAR,
    (H, L, H): GovernanceType.RELATIONAL,
    (H, H, L): GovernanceType.CAPTIVE,
    (H, L, L): GovernanceType.HIERARCHY,
}


def implied_type(
    complexity: Level | None, codifiability: Level | None, capability: Level | None
) -> GovernanceType | None:
    """The type implied by the three determinants; None if one is missing or the combination
    is not a stable one."""
    if complexity is None or codifiability is None or capability is None:
        return None
    return IMPLIED.get((complexity, codifiability, capability))


def governance(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """One row per vertical link: ``year, source, target, complexity, codifiability,
    supplier_capability, implied, observed, assessment`` where assessment is ``consistent``,
    ``differs`` (observed ≠ implied), ``unstable combination``, ``incomplete evidence`` or
    ``no evidence``."""
    snap = chain.snapshot(year)
    rows: list[tuple[object, ...]] = []
    for link in snap.links:
        if link.kind is not LinkKind.VERTICAL:
            continue
        ev = link.governance
        if ev is None:
            rows.append(
                (snap.year, link.source, link.target, None, None, None, None, None, "no evidence")
            )
            continue
        implied = implied_type(ev.complexity, ev.codifiability, ev.supplier_capability)
        complete = None not in (ev.complexity, ev.codifiability, ev.supplier_capability)
        if not complete:
            assessment = "incomplete evidence"
        elif implied is None:
            assessment = "unstable combination"
        elif ev.observed is None or ev.observed is implied:
            assessment = "consistent"
        else:
            assessment = "differs"
        rows.append((
            snap.year, link.source, link.target,
            _v(ev.complexity), _v(ev.codifiability), _v(ev.supplier_capability),
            _v(implied), _v(ev.observed), assessment,
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=[
        "year", "source", "target", "complexity", "codifiability", "supplier_capability",
        "implied", "observed", "assessment",
    ])  # fmt: skip


def buyer_power(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """Per selling actor: ``year, actor, indicator, value`` with ``buyers`` (operators buying
    from it), ``buyer_hhi`` and ``lead_firm_share`` of its sales (module docstring)."""
    snap = chain.snapshot(year)
    actors = {a.id: a for a in snap.actors}
    sold: dict[str, dict[str, float]] = {}
    for seller, buyer, value in link_values(chain, snap):
        if buyer in actors:
            sold.setdefault(seller, {})
            sold[seller][buyer] = sold[seller].get(buyer, 0.0) + value
    rows = []
    for seller, by_buyer in sold.items():
        total = sum(by_buyer.values())
        if total <= 0:
            continue
        count = {b: max(actors[b].count, 1) for b in by_buyer}
        hhi = sum((v / total) ** 2 / count[b] for b, v in by_buyer.items())
        lead = sum(v for b, v in by_buyer.items() if actors[b].kind is ActorKind.LEAD_FIRM)
        rows += [
            (snap.year, seller, "buyers", float(sum(count.values()))),
            (snap.year, seller, "buyer_hhi", hhi),
            (snap.year, seller, "lead_firm_share", lead / total),
        ]
    return pd.DataFrame(rows, columns=["year", "actor", "indicator", "value"])


def _v(level: Level | GovernanceType | None) -> str | None:
    return None if level is None else level.value
