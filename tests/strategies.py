"""Hypothesis strategies: random balanced, productive ICIO tables."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from gvckit.icio.table import IcioTable


@st.composite
def balanced_tables(
    draw: st.DrawFn, zero_sector: bool = False, min_countries: int = 2
) -> IcioTable:
    """A table built as A (column sums < 0.9), Y >= 0, x = (I − A)⁻¹·Y·1, Z = A·diag(x).

    With ``zero_sector`` one country-sector has no output, no inputs and no sales.
    """
    G = draw(st.integers(min_countries, 4))
    N = draw(st.integers(1, 3))
    F = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = G * N
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.8)
    A *= rng.uniform(0.1, 0.9, n) / np.maximum(A.sum(axis=0), 1e-12)
    Y = rng.random((n, G, F)) * 100 + 0.01
    dead = -1
    if zero_sector:
        dead = int(rng.integers(n))
        A[dead, :] = 0.0
        A[:, dead] = 0.0
        Y[dead] = 0.0
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=(1, 2)))
    Z = A * x[None, :]
    if zero_sector:
        x[dead] = 0.0
    return IcioTable(
        entities=[f"C{g}" for g in range(G)],
        sectors=[f"s{k}" for k in range(N)],
        Z=Z,
        Y=Y,
        categories=[f"f{k}" for k in range(F)],
        output=x,
    )
