"""Clusters of a chain and their surveys: the chain's ``actor.cluster`` names link to the survey's
``cluster``; low technological capabilities become evidence for the chain's constraints and
findings for its five questions.

Rules (stated so that the draft is transparent; the thresholds are gvckit's conventions):

- ``msme_capacity``: a cluster where at least a quarter of the surveyed firms have low
  capabilities (no function at the intermediate level, Lall 1992); severity 1 + one step at
  each of 25 %, 40 %, 60 %, 80 % of firms;
- ``vertical_relationships`` (knowledge flows): at least a quarter of the firms with basic or no
  linkage capabilities and none learning by interacting with buyers or suppliers (Morrison,
  Pietrobelli & Rabellotti 2008); same steps;
- ``innovation``: no surveyed firm of the cluster learns by searching (own R&D, design) and
  none reaches the advanced level in any function; severity 3.

Only the latest round of each cluster is used.
"""

from __future__ import annotations

from collections.abc import Sequence

from gvckit.chain.model import Chain
from gvckit.clusters.scores import capability_profiles, efficiency
from gvckit.clusters.survey import Response
from gvckit.interventions.constraints import Constraint, Evidence, Reach, Where

__all__ = ["chain_clusters", "survey_constraints", "survey_findings"]

LOW_SHARE = 0.25


def chain_clusters(chain: Chain, responses: Sequence[Response]) -> list[str]:
    """Notes on how the survey matches the chain (latest snapshot): clusters of the chain not
    surveyed, surveyed clusters the chain does not name, firm stages that are no chain stage."""
    snap = chain.snapshot(None)
    named = {c.name for c in snap.clusters} | {a.cluster for a in snap.actors if a.cluster}
    surveyed = {r.cluster for r in responses}
    stages = {s.name for s in snap.stages}
    notes = [f"cluster {c!r} of the chain was not surveyed" for c in sorted(named - surveyed)]
    notes += [f"surveyed cluster {c!r} is not a cluster of the chain"
              for c in sorted(surveyed - named)]  # fmt: skip
    odd = sorted({r.firm.stage for r in responses if r.firm.stage and r.firm.stage not in stages})
    notes += [f"stage {s!r} of the survey is not a stage of the chain" for s in odd]
    return notes


def _latest(responses: Sequence[Response]) -> list[Response]:
    last: dict[str, int] = {}
    for r in responses:
        last[r.cluster] = max(last.get(r.cluster, r.round), r.round)
    return [r for r in responses if r.round == last[r.cluster]]


def _severity(share: float) -> int:
    return min(5, 1 + sum(share >= s for s in (0.25, 0.4, 0.6, 0.8)))


def survey_constraints(
    chain: Chain, responses: Sequence[Response], first_id: int = 1
) -> list[Constraint]:
    """Draft constraints from the survey of the chain's clusters (rules in the module docs);
    ``where`` names the stages of the cluster's actors in the chain's latest snapshot."""
    snap = chain.snapshot(None)
    latest = _latest(responses)
    prof = capability_profiles(latest)
    out: list[Constraint] = []
    for cluster in sorted({r.cluster for r in latest}):
        members = [a for a in snap.actors if a.cluster == cluster]
        where = Where(stages=tuple(dict.fromkeys(a.stage for a in members)),
                      actor_kinds=tuple(dict.fromkeys(a.kind.value for a in members)))  # fmt: skip
        reach = Reach(msmes=sum(a.count for a in members))
        firms = prof[prof["cluster"] == cluster]
        rnd = int(firms["round"].iloc[0])
        src = f"cluster survey of {cluster!r}, round {rnd}"
        n = len(firms)

        found: list[tuple[str, str, str, float, int]] = []
        low = float(firms["low"].mean())
        if low >= LOW_SHARE:
            found.append(("msme_capacity", f"Low technological capabilities in {cluster}",
                          f"{int(firms['low'].sum())} of {n} surveyed firms reach no "
                          "intermediate capability (Lall 1992)", low, _severity(low)))  # fmt: skip
        weak = float((firms["linkages"].fillna(0) <= 1).mean())
        interacting = bool((firms["learning_interacting_buyers"]
                            | firms["learning_interacting_suppliers"]).any())  # fmt: skip
        if weak >= LOW_SHARE and not interacting:
            found.append(("vertical_relationships",
                          f"Little knowledge flows to firms in {cluster}",
                          f"{weak:.0%} of {n} surveyed firms have basic or no linkage "
                          "capabilities and none learns from buyers or suppliers", weak,
                          _severity(weak)))  # fmt: skip
        levels = firms[["investment", "production", "linkages"]].max(axis=1).fillna(0)
        if not firms["learning_searching"].any() and not (levels >= 3).any():
            found.append(("innovation", f"No innovative capability in {cluster}",
                          f"none of {n} surveyed firms does own R&D or design, or reaches an "
                          "advanced capability", 0.0, 3))  # fmt: skip
        for kind, title, text, figure, severity in found:
            out.append(Constraint(
                id=f"s{first_id + len(out)}", type=kind, title=title, where=where,
                evidence=(Evidence(text=text, figure=round(figure, 4), source=src),),
                severity=severity, reach=reach,
            ))  # fmt: skip
    return out


def survey_findings(responses: Sequence[Response]) -> list[tuple[str, str, float]]:
    """Findings for question 4 (chances and limits for upgrading): per cluster (latest round)
    the share of firms with low capabilities and the joint-action score (0–4)."""
    latest = _latest(responses)
    prof = capability_profiles(latest)
    eff = efficiency(latest).set_index(["cluster", "item"])["value"]
    rows: list[tuple[str, str, float]] = []
    for cluster in sorted({r.cluster for r in latest}):
        firms = prof[prof["cluster"] == cluster]
        rnd = int(firms["round"].iloc[0])
        if firms[["investment", "production", "linkages"]].notna().any().any():
            low = float(firms["low"].mean())
            rows.append((cluster, f"{low:.0%} of {len(firms)} surveyed firms ({rnd}) have low"
                         " technological capabilities (none at intermediate level)",
                         low))  # fmt: skip
        ja = float(eff.get((cluster, "joint_action"), float("nan")))
        if ja == ja:
            rows.append((cluster, f"joint action scores {ja:.1f} of 4 in the {rnd} survey "
                         f"(bilateral {eff[(cluster, 'bilateral')]:.1f}, multilateral "
                         f"{eff[(cluster, 'multilateral')]:.1f})", ja))  # fmt: skip
    return rows
