"""Scores from the cluster firm survey (:mod:`gvckit.clusters.survey`).

Collective efficiency per cluster and round (:func:`efficiency`): the mean of each 0–4 item over
the firms that answered it; the mean of the four joint-action items, of the two bilateral and the
two multilateral ones, of the two horizontal and the two vertical ones (each firm's items
averaged first, then the firms); the mean of the three external economies; for every support
institution the share of firms that used it. :func:`efficiency_change` subtracts the first
round's score from the last round's for every cluster surveyed in two or more rounds (as Nadvi
1999 compares cooperation before and after a crisis).

Technological capabilities (:func:`capability_profiles`): levels none 0, basic 1, intermediate 2,
advanced 3 for investment, production and linkages (Lall 1992); ``score`` is the mean level over
the functions answered divided by 3 (0–1); a firm has *low* capabilities when no function
reaches the intermediate level. :func:`capability_distribution` counts the firms at each level
per function and the share with low capabilities, by cluster or by chain stage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from gvckit.clusters.survey import (
    EXTERNAL_ECONOMIES,
    FUNCTIONS,
    JOINT_ACTIONS,
    LEARNING,
    CapabilityLevel,
    Response,
)
from gvckit.errors import OptionError

__all__ = [
    "capability_distribution",
    "capability_profiles",
    "efficiency",
    "efficiency_change",
]

GROUPS = {
    "joint_action": JOINT_ACTIONS,
    "bilateral": ("bilateral_horizontal", "bilateral_vertical"),
    "multilateral": ("multilateral_horizontal", "multilateral_vertical"),
    "horizontal": ("bilateral_horizontal", "multilateral_horizontal"),
    "vertical": ("bilateral_vertical", "multilateral_vertical"),
}


def _mean(values: Iterable[float]) -> float:
    xs = [v for v in values if not math.isnan(v)]
    return sum(xs) / len(xs) if xs else math.nan


def _item(r: Response, name: str) -> float:
    source = r.firm.joint_action if name in JOINT_ACTIONS else r.firm.external_economies
    v = getattr(source, name)
    return math.nan if v is None else float(v)


def efficiency(responses: Sequence[Response]) -> pd.DataFrame:
    """Collective-efficiency scores: ``cluster, round, item, value`` (items as in the module
    documentation; ``institution:<name>`` shares; ``firms`` the number of firms)."""
    rows: list[tuple[str, int, str, float]] = []
    keys = list(dict.fromkeys((r.cluster, r.round) for r in responses))
    for cluster, rnd in sorted(keys, key=lambda k: (k[0], k[1])):
        group = [r for r in responses if r.cluster == cluster and r.round == rnd]
        rows.append((cluster, rnd, "firms", float(len(group))))
        for name in (*JOINT_ACTIONS, *EXTERNAL_ECONOMIES):
            rows.append((cluster, rnd, name, _mean(_item(r, name) for r in group)))
        for name, items in GROUPS.items():
            per_firm = [_mean(_item(r, i) for i in items) for r in group]
            rows.append((cluster, rnd, name, _mean(per_firm)))
        per_firm = [_mean(_item(r, i) for i in EXTERNAL_ECONOMIES) for r in group]
        rows.append((cluster, rnd, "external_economies", _mean(per_firm)))
        names = sorted({i for r in group for i in r.firm.institutions})
        for inst in names:
            used = sum(inst in r.firm.institutions for r in group)
            rows.append((cluster, rnd, f"institution:{inst}", used / len(group)))
    return pd.DataFrame(rows, columns=["cluster", "round", "item", "value"])


def efficiency_change(responses: Sequence[Response]) -> pd.DataFrame:
    """For clusters surveyed in at least two rounds: ``cluster, item, from_round, to_round,
    before, after, change`` (last round minus first)."""
    scores = efficiency(responses)
    rows = []
    for cluster, frame in scores.groupby("cluster", sort=True):
        rounds = sorted(frame["round"].unique())
        if len(rounds) < 2:
            continue
        first, last = rounds[0], rounds[-1]
        a = frame[frame["round"] == first].set_index("item")["value"]
        b = frame[frame["round"] == last].set_index("item")["value"]
        for item in list(dict.fromkeys([*a.index, *b.index])):
            before = float(a.get(item, 0.0 if item.startswith("institution:") else math.nan))
            after = float(b.get(item, 0.0 if item.startswith("institution:") else math.nan))
            rows.append((cluster, item, int(first), int(last), before, after, after - before))
    if not rows:
        raise OptionError("no cluster was surveyed in two rounds: nothing to compare")
    return pd.DataFrame(
        rows, columns=["cluster", "item", "from_round", "to_round", "before", "after", "change"]
    )


def capability_profiles(responses: Sequence[Response]) -> pd.DataFrame:
    """One row per firm and round: ``cluster, round, firm, stage``, the level (0–3, NaN if not
    answered) of each function, ``score`` (0–1), ``low`` and the learning mechanisms."""
    rows = []
    for r in responses:
        levels: dict[str, float] = {}
        for f in FUNCTIONS:
            lv: CapabilityLevel | None = getattr(r.firm.capabilities, f)
            levels[f] = math.nan if lv is None else float(lv.rank)
        answered = [v for v in levels.values() if not math.isnan(v)]
        score = sum(answered) / (3 * len(answered)) if answered else math.nan
        low = bool(answered) and max(answered) < CapabilityLevel.INTERMEDIATE.rank
        learning = {m: m in r.firm.learning for m in LEARNING}
        rows.append({"cluster": r.cluster, "round": r.round, "firm": r.firm.id,
                     "stage": r.firm.stage or "", **levels, "score": score, "low": low,
                     **{f"learning_{k}": v for k, v in learning.items()}})  # fmt: skip
    return pd.DataFrame(rows)


def capability_distribution(responses: Sequence[Response], by: str = "cluster") -> pd.DataFrame:
    """``group, round, function, level, firms, share`` — firms at each level of each function —
    and, as function ``all``, level ``low``: the firms with low capabilities. ``by`` is
    ``cluster`` or ``stage``."""
    if by not in ("cluster", "stage"):
        raise OptionError(f"--by must be cluster or stage, not {by!r}")
    prof = capability_profiles(responses)
    rows = []
    for (group, _), frame in prof.groupby([by, "round"], sort=True):
        rnd = int(frame["round"].iloc[0])
        for f in FUNCTIONS:
            answered = frame[f].dropna()
            for level in CapabilityLevel:
                n = int((answered == level.rank).sum())
                share = n / len(answered) if len(answered) else math.nan
                rows.append((str(group), int(rnd), f, level.value, n, share))
        n_low = int(frame["low"].sum())
        rows.append((str(group), int(rnd), "all", "low", n_low, n_low / len(frame)))
    return pd.DataFrame(rows, columns=[by, "round", "function", "level", "firms", "share"])
