"""Ranking the approaches for a chain's prioritised constraints, with the reasons.

Each approach scores Σ over the constraints it acts on of the constraint's priority score × the
cell's weight (1 where the approach relieves the constraint, ½ where it depends on how it is
done; 0 where it can worsen it, which is reported as a warning instead). Constraints of a type
of the user's own (``other:...``) match no cell. The explanation names every constraint behind
the score, the mechanism, and the critical success factor the approach serves (seed 004).
"""

from __future__ import annotations

import pandas as pd

from gvckit.interventions.approaches import approaches, constraint_types, critical_success_factors
from gvckit.interventions.constraints import ConstraintSet, prioritise

__all__ = ["CELL_WEIGHT", "recommend"]

CELL_WEIGHT = {"relieves": 1.0, "both": 0.5, "can_worsen": 0.0}


def recommend(cs: ConstraintSet) -> pd.DataFrame:
    """``rank, approach, factor, score, addresses, explanation, warnings``, best first."""
    ranked = prioritise(cs)
    score_of = dict(zip(ranked["id"], ranked["score"], strict=True))
    code_of = {t.key: t.code for t in constraint_types()}
    factors = critical_success_factors()
    rows = []
    for a in approaches():
        score, reasons, warnings, addressed = 0.0, [], [], []
        for c in cs.constraints:
            cell = a.cells.get(code_of.get(c.type, -1))
            if cell is None:
                continue
            if cell.direction == "can_worsen":
                warnings.append(f"may worsen '{c.title}': {cell.mechanism}")
                continue
            part = score_of[c.id] * CELL_WEIGHT[cell.direction]
            score += part
            addressed.append(c.id)
            qualifier = " (depends on design)" if cell.direction == "both" else ""
            reasons.append(
                f"'{c.title}' (priority {score_of[c.id]:.2f}){qualifier}: {cell.mechanism}"
            )
        serves = f"serves {a.factor.replace('_', ' ')} ({factors[a.factor]})"
        explanation = f"{serves}; " + "; ".join(reasons) if reasons else "addresses none"
        rows.append({
            "approach": a.name, "factor": a.factor, "score": score,
            "addresses": ", ".join(addressed), "explanation": explanation,
            "warnings": "; ".join(warnings),
        })  # fmt: skip
    frame = pd.DataFrame(rows).sort_values("score", ascending=False, kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)
