"""A small known balanced table for the fixtures of the Eora26, EXIOBASE and FIGARO readers.

Every number is a multiple of 1/4, so that it is written exactly in decimal, read back exactly,
and sums are exact: the readers' Z, Y, x and value added can be compared with ``==``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Known:
    """Z (n×n), Y (n×G×F), output x and value added split into ``parts`` (k×n)."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    categories: tuple[str, ...]
    primaries: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    x: np.ndarray
    parts: np.ndarray  # primary inputs, rows in the order of ``primaries``
    extra_inputs: np.ndarray  # inputs from outside the table (columns), e.g. Eora's ROW row
    extra_sales: np.ndarray  # sales outside the table (rows), e.g. to Eora's ROW

    @property
    def n(self) -> int:
        return len(self.countries) * len(self.sectors)

    @property
    def labels(self) -> list[tuple[str, str]]:
        return [(c, s) for c in self.countries for s in self.sectors]


def quarters(rng: np.random.Generator, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """Random multiples of 0.25 in [0, high/4)."""
    return rng.integers(0, high, shape).astype(float) * 0.25


def known(
    countries: tuple[str, ...],
    sectors: tuple[str, ...],
    categories: tuple[str, ...],
    primaries: tuple[str, ...],
    *,
    seed: int = 3,
    negative_category: int | None = None,
    outside: bool = False,
) -> Known:
    """A balanced table: rows Z·1 + Y·1 (+ sales outside) = x = columns 1'Z + parts (+ inputs
    from outside); ``negative_category`` holds small negative entries (inventory changes)."""
    rng = np.random.default_rng(seed)
    G, n, F = len(countries), len(countries) * len(sectors), len(categories)
    Z = quarters(rng, 60, (n, n))
    Y = quarters(rng, 200, (n, G, F)) + 40.0
    if negative_category is not None:
        Y[:, :, negative_category] = quarters(rng, 20, (n, G)) - 2.5
    extra_sales = quarters(rng, 12, (n,)) if outside else np.zeros(n)
    extra_inputs = quarters(rng, 12, (n,)) if outside else np.zeros(n)
    x = Z.sum(axis=1) + Y.sum(axis=(1, 2)) + extra_sales
    va = x - Z.sum(axis=0) - extra_inputs
    assert (va > 0).all()
    k = len(primaries)
    shares = rng.dirichlet(np.ones(k), n).T  # k × n
    parts = np.floor(shares * va / 0.25) * 0.25
    parts[-1] = va - parts[:-1].sum(axis=0)
    if k > 2:  # a subsidy-like negative part
        parts[1] -= 1.0
        parts[-1] += 1.0
    return Known(
        countries, sectors, categories, primaries, Z, Y, x, parts, extra_inputs, extra_sales
    )


def cell(v: float) -> str:
    """A number as published files write it (shortest exact repr)."""
    return repr(float(v))
