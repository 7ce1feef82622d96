"""Sections 2 and 3 of the report: the chain (map, accounts, governance, upgrading, the five
questions) and the way from constraints to action (ranking, approaches, typology, audit,
results). Every number comes from the chain and interventions APIs."""

from __future__ import annotations

import pandas as pd

from gvckit.chain.accounts import accounts, distribution, link_values, price_buildup
from gvckit.chain.chainmap import chain_map_svg
from gvckit.chain.governance import governance
from gvckit.chain.model import Chain
from gvckit.chain.questions import questions
from gvckit.chain.upgrading import upgrading
from gvckit.interventions.audit import audit
from gvckit.interventions.constraints import ConstraintSet, prioritise, sensitivity
from gvckit.interventions.monitoring import chain_levels, progress, universal
from gvckit.interventions.recommend import recommend
from gvckit.interventions.results import ResultsChain
from gvckit.interventions.typology import Intervention
from gvckit.report import charts
from gvckit.report.model import Block, Chart, Html, Section, Table

__all__ = ["action_section", "chain_section"]


def chain_section(chain: Chain) -> Section:
    """The chain map, price build-up, value-added distribution, accounts, governance per link,
    upgrading between the first and last snapshots and the five questions of a map."""
    snap = chain.snapshot(None)
    year = snap.year
    section = Section("chain", f"The chain: {chain.name}",
                      f"{chain.product}; {chain.country}; {chain.currency} per {chain.unit}; "
                      f"snapshot {year}.")  # fmt: skip
    names = {a.id: a.name for a in snap.actors}
    names.update({m.id: f"{m.destination} ({m.channel})" for m in snap.end_markets})
    section.blocks.append(Html(
        "Chain map", _inline(chain_map_svg(chain, year)),
        f"Map of the chain in {year}: {len(snap.actors)} actor types, {len(snap.links)} links.",
        pd.DataFrame([{"id": a.id, "name": a.name, "stage": a.stage, "kind": a.kind}
                      for a in snap.actors]),
    ))  # fmt: skip
    build = price_buildup(chain, year)
    if not build.empty:
        wide = build.pivot_table(index="stage", columns="indicator", values="value", sort=False)
        wide = wide.reset_index()
        section.blocks.append(Chart(
            f"Price build-up: margin added at each stage ({chain.currency} per unit)",
            charts.bar(wide, "margin", "stage",
                                         f"Margin added at each stage ({chain.currency} per unit)",
                                         horizontal=True), wide,
            "Unit price reached at each stage, the margin it adds and its share of the final "
            "price."))  # fmt: skip
    dist = distribution(chain, year)
    stages = dist[dist["indicator"].str.startswith("share_stage:")]
    if not stages.empty:
        stages = stages.assign(stage=stages["indicator"].str.removeprefix("share_stage:"))
        section.blocks.append(Chart(
            "Who captures the value added: share of the chain's value added by stage",
            charts.bar(stages, "value", "stage", "Share of the chain's value added by stage",
                       value_format=".1%"), stages[["stage", "value"]],
            "Value added of each stage over the chain's value added (Kaplinsky & Morris "
            "2001)."))  # fmt: skip
    flows = [(names.get(s) or s, names.get(t) or t, v) for s, t, v in link_values(chain, snap)]
    if flows:
        section.blocks.append(Chart(
            f"Value flows between actors ({chain.currency})",
            charts.sankey(flows, "Value of product flows", unit=chain.currency),
            pd.DataFrame(flows, columns=["seller", "buyer", "value"])))  # fmt: skip
    section.blocks.append(Table("Distribution indicators", dist, collapsed=True))
    section.blocks.append(Table("Accounts by actor type", accounts(chain, year).pivot_table(
        index=["actor", "kind", "stage"], columns="indicator", values="value", sort=False
    ).reset_index(), "Output, intermediate consumption, value added and its split, per actor "
                     "type (FAO VCA practice).", collapsed=True))  # fmt: skip
    gov = governance(chain, year)
    if not gov.empty:
        section.blocks.append(Table("Governance of each link", gov,
                                    "Implied type from complexity, codifiability and supplier "
                                    "capability (Gereffi, Humphrey & Sturgeon 2005) against the "
                                    "observed one.", status="assessment"))  # fmt: skip
    if len(chain.snapshots) > 1:
        first, last = chain.snapshots[0].year, chain.snapshots[-1].year
        section.blocks.append(Table(f"Upgrading {first}–{last}", upgrading(chain, first, last),
                                    "Economic and social upgrading between snapshots (Barrientos, "
                                    "Gereffi & Rossi 2011)."))  # fmt: skip
    section.blocks.append(
        Table("The five questions of a value chain map", questions(chain, year), collapsed=True)
    )
    return section


def action_section(
    constraints: ConstraintSet | None,
    intervention: Intervention | None,
    results: ResultsChain | None,
    chain: Chain | None,
    audit_chain: Chain | None = None,
) -> Section:
    """Ranked constraints, recommended approaches, the intervention's typology and audit
    (against ``audit_chain``, default ``chain``), the results chain and its indicators — for
    what was given."""
    section = Section("action", "From constraints to action",
                      "Constraints ranked by a transparent score, the approaches that act on "
                      "them (Goldmark & Barber 2005, Annex 2), the intervention's design and "
                      "its audit, and how results are measured (DCED Standard).")  # fmt: skip
    blocks: list[Block] = section.blocks
    if constraints is not None:
        ranked = prioritise(constraints)
        contrib = [c for c in ranked.columns if c.startswith("contribution:")]
        labelled = ranked.assign(label=_titles(ranked))
        long = labelled.melt(id_vars=["label"], value_vars=contrib, var_name="criterion",
                             value_name="contribution")  # fmt: skip
        long["criterion"] = long["criterion"].str.removeprefix("contribution:")
        blocks.append(Chart("Constraints by priority",
                            charts.stacked(long, "contribution", "label", "criterion",
                                           "Priority score and the contribution of each criterion"),
                            ranked, "Weights: " + ", ".join(
                                f"{k} {v:g}" for k, v in constraints.weights.items())))  # fmt: skip
        blocks.append(
            Table(
                "Sensitivity of the ranking to ±20 % weights",
                sensitivity(constraints),
                collapsed=True,
            )
        )
        blocks.append(Table("Recommended approaches", recommend(constraints),
                            "Each approach with the matrix cells (constraint it acts on and "
                            "mechanism) that justify it."))  # fmt: skip
    if intervention is not None:
        data = intervention.model_dump(mode="json")
        rows = [{"field": k, "value": _text(v)} for k, v in data.items() if v not in (None, [], {})]
        blocks.append(Table("Intervention typology", pd.DataFrame(rows),
                            "Classified by the IDB typology (seed 000, Table 1)."))  # fmt: skip
        against = audit_chain if audit_chain is not None else chain
        blocks.append(Table("Design audit", audit(intervention, against),
                            "Each rule with its finding and the evidence that decided it.",
                            status="result"))  # fmt: skip
    if results is not None:
        levels = chain_levels(results)
        blocks.append(Table("Results chain", levels.table,
                            "; ".join(levels.warnings) if levels.warnings else ""))  # fmt: skip
        prog = progress(results)
        shown = prog.dropna(subset=["progress"])
        if not shown.empty:
            blocks.append(Chart("Progress against targets", charts.bar(
                shown.melt(id_vars=["indicator"], value_vars=["progress", "expected"],
                           var_name="measure"), "value", "indicator",
                "Progress to target (1 = reached) and where a straight line would be",
                color="measure", value_format=".0%"), prog))  # fmt: skip
        else:
            blocks.append(Table("Indicators", prog))
        blocks.append(Table("DCED universal indicators", universal(results)))
    return section


def _titles(ranked: pd.DataFrame) -> list[str]:
    """Bar labels of ranked constraints: each title wrapped (its id added when two titles
    read the same)."""
    wrapped = [charts.wrap_label(str(t), 44, 3) for t in ranked["title"]]
    return [
        f"{w} ({i})" if wrapped.count(w) > 1 else w
        for w, i in zip(wrapped, ranked["id"], strict=True)
    ]


def _text(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, []))
    return str(value)


def _inline(svg: str) -> str:
    """The SVG document without its XML declaration, for use inside HTML."""
    text = svg.lstrip()
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :].lstrip()
    return text
