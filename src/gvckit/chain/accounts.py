"""Value chain accounts: value added, its distribution, margins and the price build-up.

Following the operating accounts of value chain analysis (Kaplinsky & Morris 2001, *A Handbook
for Value Chain Research*, §3; FAO 2005 VCA methodology; VCA4D), for each actor (operator type)
of a snapshot, in the chain's currency:

- output value Y = sales along vertical links + other output (by-products);
- intermediate consumption IC = purchases along vertical links + inputs bought outside the chain;
- value added VA = Y − IC = wages + taxes + financial charges + depreciation + net operating
  profit (the last is the residual);
- total costs = IC + wages + taxes + financial charges + depreciation; return on costs = net
  operating profit / total costs; marketing margin = sales − purchases of the chain product.

Because every sale along a link is the buyer's purchase, the chain's consolidated value added
Σ VA equals final sales (to end markets) + other output − inputs from outside the chain; the
tests check this identity. A sale's value is ``money`` where given, else volume × unit price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from gvckit.chain.model import SME_KINDS, Actor, ActorKind, Chain, Link, LinkKind, Snapshot

__all__ = [
    "ActorAccount",
    "accounts",
    "actor_accounts",
    "distribution",
    "link_value",
    "link_values",
    "price_buildup",
]

NAN = float("nan")


@dataclass(frozen=True)
class ActorAccount:
    """The operating account of one actor (all its operators together)."""

    actor: Actor
    sales: float
    purchases: float
    final_sales: float
    output_value: float
    intermediate_consumption: float
    value_added: float
    wages: float
    taxes: float
    financial_charges: float
    depreciation: float
    net_operating_profit: float
    total_costs: float
    return_on_costs: float
    marketing_margin: float
    jobs: float
    wages_to_women: float


def _rate(chain: Chain, snap: Snapshot, currency: str | None) -> float:
    if currency is None or currency == chain.currency:
        return 1.0
    return snap.exchange_rates[currency]


def link_value(chain: Chain, snap: Snapshot, link: Link) -> float:
    """The value of one link in chain currency: ``money`` where given, else volume × unit
    price; NaN where the link carries no value."""
    if not link.has_value:
        return NAN
    if link.money is not None:
        value = link.money
    else:
        assert link.volume is not None and link.unit_price is not None
        value = link.volume * link.unit_price
    return value * _rate(chain, snap, link.currency)


def link_values(chain: Chain, snap: Snapshot) -> list[tuple[str, str, float]]:
    """(seller, buyer, value in chain currency) of every vertical link that carries a value."""
    return [
        (link.source, link.target, link_value(chain, snap, link))
        for link in snap.links
        if link.kind is LinkKind.VERTICAL and link.has_value
    ]


def actor_accounts(chain: Chain, year: int | None = None) -> list[ActorAccount]:
    """The account of every actor of a snapshot (default: the latest)."""
    snap = chain.snapshot(year)
    markets = {m.id for m in snap.end_markets}
    sales: dict[str, float] = {a.id: 0.0 for a in snap.actors}
    purchases: dict[str, float] = {a.id: 0.0 for a in snap.actors}
    final: dict[str, float] = {a.id: 0.0 for a in snap.actors}
    for seller, buyer, value in link_values(chain, snap):
        sales[seller] += value
        if buyer in markets:
            final[seller] += value
        else:
            purchases[buyer] += value
    out = []
    for a in snap.actors:
        r = _rate(chain, snap, a.currency)
        output = sales[a.id] + a.other_output * r
        ic = purchases[a.id] + a.external_inputs * r
        va = output - ic
        split = a.value_added_split
        if split is not None:
            parts = [
                split.wages * r,
                split.taxes * r,
                split.financial_charges * r,
                split.depreciation * r,
            ]
            nop = va - sum(parts)
            costs = ic + sum(parts)
            roc = nop / costs if costs else NAN
        else:
            parts, nop, costs, roc = [NAN] * 4, NAN, NAN, NAN
        emp = a.employment
        jobs = emp.jobs if emp is not None else NAN
        women = (
            parts[0] * emp.share_women
            if emp is not None and emp.share_women is not None and split is not None
            else NAN
        )
        out.append(ActorAccount(
            actor=a, sales=sales[a.id], purchases=purchases[a.id], final_sales=final[a.id],
            output_value=output, intermediate_consumption=ic, value_added=va,
            wages=parts[0], taxes=parts[1], financial_charges=parts[2], depreciation=parts[3],
            net_operating_profit=nop, total_costs=costs, return_on_costs=roc,
            marketing_margin=sales[a.id] - purchases[a.id], jobs=jobs, wages_to_women=women,
        ))  # fmt: skip
    return out


ACCOUNT_INDICATORS = (
    "output_value", "intermediate_consumption", "value_added", "wages", "taxes",
    "financial_charges", "depreciation", "net_operating_profit", "total_costs",
    "return_on_costs", "marketing_margin", "jobs", "value_added_per_job",
    "share_of_chain_value_added",
)  # fmt: skip


def accounts(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """Tidy accounts: ``year, actor, kind, stage, indicator, value`` (see ACCOUNT_INDICATORS;
    NaN where the chain does not give the figure, e.g. no value-added split)."""
    snap = chain.snapshot(year)
    accs = actor_accounts(chain, snap.year)
    total_va = sum(acc.value_added for acc in accs)
    rows = []
    for acc in accs:
        per_job = acc.value_added / acc.jobs if acc.jobs and not math.isnan(acc.jobs) else NAN
        values = {
            name: getattr(acc, name)
            for name in ACCOUNT_INDICATORS
            if name not in ("value_added_per_job", "share_of_chain_value_added")
        }
        values["value_added_per_job"] = per_job
        values["share_of_chain_value_added"] = acc.value_added / total_va if total_va else NAN
        for name in ACCOUNT_INDICATORS:
            rows.append(
                (
                    snap.year,
                    acc.actor.id,
                    acc.actor.kind.value,
                    acc.actor.stage,
                    name,
                    float(values[name]),
                )
            )
    return pd.DataFrame(rows, columns=["year", "actor", "kind", "stage", "indicator", "value"])


def distribution(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """Who captures the chain's value added: ``year, indicator, value``.

    ``chain_value_added`` (Σ VA), ``final_sales``, ``other_output``, ``external_inputs`` (the
    identity chain_value_added = final_sales + other_output − external_inputs holds), and the
    shares of chain value added going to SMEs (smallholders, micro, small and medium firms,
    cooperatives), to smallholders, to each stage (``share_stage:<name>``), to wages and to
    women's wages; jobs and value added per job (both over the actors that give their
    employment: the value added of an actor without jobs is not spread over others' jobs).
    """
    snap = chain.snapshot(year)
    accs = actor_accounts(chain, snap.year)
    va = sum(a.value_added for a in accs)

    def share(values: list[float]) -> float:
        return sum(values) / va if va else NAN

    final = sum(a.final_sales for a in accs)
    rates = {a.actor.id: _rate(chain, snap, a.actor.currency) for a in accs}
    other = sum(a.actor.other_output * rates[a.actor.id] for a in accs)
    external = sum(a.actor.external_inputs * rates[a.actor.id] for a in accs)
    staffed = [a for a in accs if not math.isnan(a.jobs)]
    jobs = [a.jobs for a in staffed]
    va_staffed = sum(a.value_added for a in staffed)
    items: list[tuple[str, float]] = [
        ("chain_value_added", va),
        ("final_sales", final),
        ("other_output", other),
        ("external_inputs", external),
        ("share_smes", share([a.value_added for a in accs if a.actor.kind in SME_KINDS])),
        ("share_smallholders",
         share([a.value_added for a in accs if a.actor.kind is ActorKind.SMALLHOLDER])),
        ("share_wages", share([a.wages for a in accs]) if all(
            not math.isnan(a.wages) for a in accs) else NAN),
        ("share_wages_women", share([a.wages_to_women for a in accs]) if all(
            not math.isnan(a.wages_to_women) for a in accs) else NAN),
        ("jobs", sum(jobs) if jobs else NAN),
        ("value_added_per_job", va_staffed / sum(jobs) if jobs and sum(jobs) else NAN),
    ]  # fmt: skip
    for stage in snap.stages:
        items.append(
            (
                f"share_stage:{stage.name}",
                share([a.value_added for a in accs if a.actor.stage == stage.name]),
            )
        )
    return pd.DataFrame(
        [(snap.year, name, float(value)) for name, value in items],
        columns=["year", "indicator", "value"],
    )


def price_buildup(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """The price build-up along the stages: ``year, stage, indicator, value``.

    For each stage that sells with volumes and prices: ``unit_price`` = value of its sales to
    other stages and end markets / their volume in units of the final product (volume × the
    seller's ``product_equivalent``; sales between actors of one stage are left out: they are
    not the price at which the stage passes the product on);
    ``margin`` = unit price − the previous selling stage's unit price; ``share_of_final_price``
    = margin / the last stage's unit price (the shares add up to 1).
    """
    snap = chain.snapshot(year)
    stage_of = {a.id: a.stage for a in snap.actors}
    equiv = {a.id: a.product_equivalent for a in snap.actors}
    value: dict[str, float] = {}
    volume: dict[str, float] = {}
    for link in snap.links:
        if link.kind is not LinkKind.VERTICAL or link.volume is None or link.unit_price is None:
            continue
        st = stage_of[link.source]
        if stage_of.get(link.target) == st:
            continue
        rate = _rate(chain, snap, link.currency)
        value[st] = value.get(st, 0.0) + link.volume * link.unit_price * rate
        volume[st] = volume.get(st, 0.0) + link.volume * equiv[link.source]
    prices = [(s.name, value[s.name] / volume[s.name]) for s in snap.stages
              if volume.get(s.name)]  # fmt: skip
    if not prices:
        return pd.DataFrame(columns=["year", "stage", "indicator", "value"])
    final = prices[-1][1]
    rows = []
    previous = 0.0
    for stage, price in prices:
        margin = price - previous
        rows += [
            (snap.year, stage, "unit_price", price),
            (snap.year, stage, "margin", margin),
            (snap.year, stage, "share_of_final_price", margin / final if final else NAN),
        ]
        previous = price
    return pd.DataFrame(rows, columns=["year", "stage", "indicator", "value"])
