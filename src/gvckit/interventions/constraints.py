"""Value chain constraints: where they bite, the evidence, and a transparent prioritisation.

Goldmark & Barber (2005, USAID AMAP, §3.3 — gvckit seed 004): analyse the chain's constraints,
prioritise those that are feasible to address and would unlock benefits for many MSEs, and
target interventions at them. A constraint has a type (one of the nine of Annex 2, or
``other:<name>``), where it bites (stages, actor kinds, links), its evidence, root cause,
severity (1–5), reach (MSEs and workers affected), feasibility (1–5) and leverage (1–5: how far
easing it unlocks other benefits).

Prioritisation is a weighted sum the user can see and set: each criterion is scaled to [0, 1]
(1–5 scales as (v − 1)/4; reach as the share of the largest reach), multiplied by its weight
(weights sum to 1), and the contributions are reported with the score. The sensitivity check
moves each weight by ±20 % (renormalising) and reports whether the top constraint changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self

import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from gvckit.documents import Frozen as _Frozen
from gvckit.documents import read_document, validate
from gvckit.errors import InputError, OptionError
from gvckit.interventions.approaches import constraint_types

__all__ = ["CRITERIA", "Constraint", "ConstraintSet", "prioritise", "read_constraints",
           "sensitivity", "with_weights"]  # fmt: skip

CRITERIA = ("severity", "reach", "feasibility", "leverage")
DEFAULT_WEIGHTS = {"severity": 0.3, "reach": 0.3, "feasibility": 0.2, "leverage": 0.2}
Scale = Annotated[int, Field(ge=1, le=5)]


class Where(_Frozen):
    stages: tuple[str, ...] = ()
    actor_kinds: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # "source -> target"


class Evidence(_Frozen):
    text: str
    figure: Annotated[float, Field(allow_inf_nan=False)] | None = None
    source: str | None = None


class Reach(_Frozen):
    msmes: Annotated[int, Field(ge=0)] = 0
    workers: Annotated[int, Field(ge=0)] = 0

    @property
    def total(self) -> int:
        return self.msmes + self.workers


class Constraint(_Frozen):
    id: str
    type: str
    title: str
    where: Where = Where()
    evidence: tuple[Evidence, ...] = ()
    root_cause: str | None = None
    severity: Scale = 3
    reach: Reach = Reach()
    feasibility: Scale = 3
    leverage: Scale = 3

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        keys = {t.key for t in constraint_types()}
        if value in keys or (value.startswith("other:") and len(value) > len("other:")):
            return value
        raise ValueError(
            f"unknown constraint type {value!r}; valid: {', '.join(sorted(keys))}"
            " (or other:<name> for a constraint of your own)"
        )


class ConstraintSet(_Frozen):
    """Constraints of one chain and the weights used to rank them."""

    chain: str | None = None
    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS)
    )
    constraints: Annotated[tuple[Constraint, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _check(self) -> Self:
        unknown = set(self.weights) - set(CRITERIA)
        if unknown:
            raise ValueError(f"unknown weight {sorted(unknown)}; criteria: {', '.join(CRITERIA)}")
        if sum(self.weights.get(c, 0.0) for c in CRITERIA) <= 0:
            raise ValueError("the weights add up to 0")
        ids = [c.id for c in self.constraints]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"duplicate constraint ids: {sorted({i for i in ids if ids.count(i) > 1})}"
            )
        return self


def read_constraints(path: str | Path) -> ConstraintSet:
    """Read a constraints file (YAML or JSON); errors name the file, line and field."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=p)
    data, lines = read_document(p, what="constraints")
    found: ConstraintSet = validate(
        ConstraintSet,
        data,
        file=p,
        lines=lines,
        expected="keys weights (optional) and constraints",
    )
    return found


def with_weights(cs: ConstraintSet, weights: dict[str, float]) -> ConstraintSet:
    """``cs`` ranked with other ``weights``; an :class:`OptionError` if they are invalid."""
    try:
        return ConstraintSet.model_validate({**cs.model_dump(), "weights": weights})
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise OptionError(f"--weights: {message}") from None


def _weights(cs: ConstraintSet, weights: dict[str, float] | None = None) -> dict[str, float]:
    w = {c: (weights or cs.weights).get(c, 0.0) for c in CRITERIA}
    total = sum(w.values())
    return {c: v / total for c, v in w.items()}


def _scaled(cs: ConstraintSet) -> dict[str, dict[str, float]]:
    top_reach = max((c.reach.total for c in cs.constraints), default=0)
    return {
        c.id: {
            "severity": (c.severity - 1) / 4,
            "reach": c.reach.total / top_reach if top_reach else 0.0,
            "feasibility": (c.feasibility - 1) / 4,
            "leverage": (c.leverage - 1) / 4,
        }
        for c in cs.constraints
    }


def prioritise(cs: ConstraintSet, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Ranking: ``rank, id, type, title, score`` and one ``contribution:<criterion>`` column per
    criterion (weight × scaled value; they add up to the score), best first."""
    w = _weights(cs, weights)
    scaled = _scaled(cs)
    rows = []
    for c in cs.constraints:
        contrib = {k: w[k] * scaled[c.id][k] for k in CRITERIA}
        rows.append(
            {
                "id": c.id,
                "type": c.type,
                "title": c.title,
                "score": sum(contrib.values()),
                **{f"contribution:{k}": v for k, v in contrib.items()},
            }
        )
    frame = pd.DataFrame(rows).sort_values("score", ascending=False, kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def sensitivity(cs: ConstraintSet, change: float = 0.2) -> pd.DataFrame:
    """The top constraint when each weight moves by ±``change`` (relative, then renormalised):
    ``criterion, factor, weights, top, changed``."""
    base = _weights(cs)
    top = str(prioritise(cs).iloc[0]["id"])
    rows = []
    for k in CRITERIA:
        for factor in (1 - change, 1 + change):
            w = dict(base)
            w[k] *= factor
            new_top = str(prioritise(cs, w).iloc[0]["id"])
            shown = ", ".join(f"{c}={v / sum(w.values()):.3f}" for c, v in w.items())
            rows.append(
                {
                    "criterion": k,
                    "factor": factor,
                    "weights": shown,
                    "top": new_top,
                    "changed": new_top != top,
                }
            )
    return pd.DataFrame(rows)
