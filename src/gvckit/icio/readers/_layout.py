"""Labels of multi-region tables: rows and columns must run entity-major, with the same sectors
(in the same order) for every entity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gvckit.errors import InputError

__all__ = ["entity_major"]

Where = Callable[[int], dict[str, Any]]
"""Given a position along the axis, the ``row``/``column`` keywords of an InputError."""


def entity_major(
    pairs: Sequence[tuple[str, str]], shown: str, where: Where, what: str = "labels"
) -> tuple[list[str], list[str]]:
    """The entities and sectors of ``pairs`` (entity, sector), which must be the full product
    ``entities × sectors`` in entity-major order; the first deviation is an InputError."""
    if not pairs:
        raise InputError(f"no {what}", file=shown, expected="one per entity and sector")
    seen: dict[tuple[str, str], int] = {}
    for k, pair in enumerate(pairs):
        if pair in seen:
            raise InputError(
                f"duplicate entity-sector among the {what}"
                f" (positions {seen[pair] + 1} and {k + 1})",
                file=shown,
                **where(k),
                expected="each entity and sector once",
                found=" ".join(pair),
            )
        seen[pair] = k
    entities = list(dict.fromkeys(e for e, _ in pairs))
    first = entities[0]
    sectors: list[str] = []
    for e, s in pairs:
        if e != first:
            break
        sectors.append(s)
    expected = [(e, s) for e in entities for s in sectors]
    if list(pairs) == expected:
        return entities, sectors
    k = next(
        (k for k, (a, b) in enumerate(zip(pairs, expected, strict=False)) if a != b),
        min(len(pairs), len(expected)),
    )
    if k >= len(pairs):
        raise InputError(
            f"{what} end early: entity {expected[k][0]!r} lacks sector {expected[k][1]!r}",
            file=shown,
            **where(len(pairs) - 1),
            expected=f"the sectors of {first!r} for every entity",
        )
    if k >= len(expected):
        found_pair = pairs[k]
        raise InputError(
            f"{what} hold more entity-sectors than the product of entities and sectors",
            file=shown,
            **where(k),
            expected=f"{len(expected)} {what}",
            found=" ".join(found_pair),
        )
    raise InputError(
        f"{what} are not entity-major with the same sectors for every entity",
        file=shown,
        **where(k),
        expected=" ".join(expected[k]),
        found=" ".join(pairs[k]),
    )
