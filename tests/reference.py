"""Naive reference implementations, written literally from the papers' equations.

Slow (explicit blocks, loops over countries, one inverse per exporter) and independent of
gvckit's algebra: the tests compare gvckit's fast closed forms against them on small tables.
Inputs are plain arrays: A (n×n), v (n), Y (n×G final demand by destination country),
G countries of N sectors each, country-major.
"""

from __future__ import annotations

import numpy as np


def blocks(G: int, N: int) -> list[slice]:
    return [slice(g * N, (g + 1) * N) for g in range(G)]


def wwz_naive(A: np.ndarray, v: np.ndarray, Y: np.ndarray, G: int, N: int) -> np.ndarray:
    """WWZ (2013) eq. 37, literally: array (16, G, N, G) of term × exporter × sector × importer."""
    n = G * N
    B = np.linalg.inv(np.eye(n) - A)
    S = blocks(G, N)
    L = [np.linalg.inv(np.eye(N) - A[S[s], S[s]]) for s in range(G)]
    X = B @ Y.sum(axis=1)
    Ys = [[Y[S[s], r] for r in range(G)] for s in range(G)]  # Y^sr
    E = [sum(A[S[r], S[t]] @ X[S[t]] + Ys[r][t] for t in range(G) if t != r) for r in range(G)]
    out = np.zeros((16, G, N, G))
    for s in range(G):
        vs = v[S[s]]
        vBss = vs @ B[S[s], S[s]]
        vLss = vs @ L[s]
        for r in range(G):
            if r == s:
                continue
            Asr = A[S[s], S[r]]
            others = [t for t in range(G) if t not in (s, r)]

            def blk(i: int, j: int) -> np.ndarray:
                return B[S[i], S[j]]

            terms = [
                vBss * Ys[s][r],
                vLss * (Asr @ blk(r, r) @ Ys[r][r]),
                vLss * (Asr @ sum((blk(r, t) @ Ys[t][t] for t in others), np.zeros(N))),
                vLss * (Asr @ blk(r, r) @ sum((Ys[r][t] for t in others), np.zeros(N))),
                vLss
                * (
                    Asr
                    @ sum(
                        (
                            blk(r, t) @ sum(Ys[t][u] for u in range(G) if u not in (s, t))
                            for t in others
                        ),
                        np.zeros(N),
                    )
                ),
                vLss * (Asr @ blk(r, s) @ Ys[s][s]),  # RDV_INT
                vLss * (Asr @ blk(r, r) @ Ys[r][s]),  # RDV_FIN
                vLss * (Asr @ sum((blk(r, t) @ Ys[t][s] for t in others), np.zeros(N))),  # FIN2
                vLss * (Asr @ blk(r, s) @ sum(Ys[s][t] for t in range(G) if t != s)),
                (vBss - vLss) * (Asr @ X[S[r]]),
            ]
            vr_Brs = v[S[r]] @ blk(r, s)
            vt_Bts = sum((v[S[t]] @ blk(t, s) for t in others), np.zeros(N))
            fin = Ys[s][r]
            inter = Asr @ L[r] @ Ys[r][r]
            dc = Asr @ L[r] @ E[r]
            terms += [
                vr_Brs * fin,
                vt_Bts * fin,
                vr_Brs * inter,
                vt_Bts * inter,
                vr_Brs * dc,
                vt_Bts * dc,
            ]
            for k, term in enumerate(terms):
                out[k, s, :, r] = term
    return out


def kww_naive(A: np.ndarray, v: np.ndarray, Y: np.ndarray, G: int, N: int) -> np.ndarray:
    """KWW (2014) eq. 36 at country level, literally: array (9, G)."""
    n = G * N
    B = np.linalg.inv(np.eye(n) - A)
    S = blocks(G, N)
    X = B @ Y.sum(axis=1)
    out = np.zeros((9, G))
    for s in range(G):
        o = [r for r in range(G) if r != s]
        vs = v[S[s]]
        Lss = np.linalg.inv(np.eye(N) - A[S[s], S[s]])
        Es = sum(A[S[s], S[r]] @ X[S[r]] + Y[S[s], r] for r in o)
        Bss = B[S[s], S[s]]
        out[0, s] = vs @ Bss @ sum(Y[S[s], r] for r in o)
        out[1, s] = sum(vs @ B[S[s], S[r]] @ Y[S[r], r] for r in o)
        out[2, s] = sum(vs @ B[S[s], S[r]] @ Y[S[r], t] for r in o for t in o if t != r)
        out[3, s] = sum(vs @ B[S[s], S[r]] @ Y[S[r], s] for r in o)
        out[4, s] = sum(vs @ B[S[s], S[r]] @ A[S[r], S[s]] @ Lss @ Y[S[s], s] for r in o)
        out[5, s] = sum(vs @ B[S[s], S[r]] @ A[S[r], S[s]] @ Lss @ Es for r in o)
        fva = sum(v[S[t]] @ B[S[t], S[s]] for t in o)
        out[6, s] = fva @ sum(Y[S[s], r] for r in o)
        out[7, s] = fva @ sum(
            A[S[s], S[r]] @ np.linalg.inv(np.eye(N) - A[S[r], S[r]]) @ Y[S[r], r] for r in o
        )
        out[8, s] = fva @ sum(
            A[S[s], S[r]]
            @ np.linalg.inv(np.eye(N) - A[S[r], S[r]])
            @ sum(A[S[r], S[t]] @ X[S[t]] + Y[S[r], t] for t in range(G) if t != r)
            for r in o
        )
    return out


def bm_fva_naive(A: np.ndarray, v: np.ndarray, E: np.ndarray, G: int, N: int) -> np.ndarray:
    """Borin & Mancini (2019) source-based FVA by exporting row: one inverse per exporter,
    B^(s) = (I − A^(s))⁻¹ with s's intermediate-export rows removed."""
    n = G * N
    S = blocks(G, N)
    out = np.zeros(n)
    for s in range(G):
        As = A.copy()
        rows = np.arange(n)[S[s]]
        others = np.setdiff1d(np.arange(n), rows)
        As[np.ix_(rows, others)] = 0.0
        Bs = np.linalg.inv(np.eye(n) - As)
        out[rows] = (v[others] @ Bs[np.ix_(others, rows)]) * E[rows]
    return out


def extraction_naive(
    A: np.ndarray, v: np.ndarray, own: np.ndarray, flow_rows: np.ndarray, cut: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Borin & Mancini's hypothetical extraction, literally: B^x = (I − A^x)⁻¹ with the entries
    A[flow_rows, cut] set to 0; returns (V_own B^x[own, j], V_foreign B^x[foreign, j]) for the
    columns j in ``flow_rows`` (the value-added coefficients counted once)."""
    n = len(v)
    Ax = A.copy()
    Ax[np.ix_(flow_rows, cut)] = 0.0
    Bx = np.linalg.inv(np.eye(n) - Ax)
    foreign = np.setdiff1d(np.arange(n), own)
    return v[own] @ Bx[np.ix_(own, flow_rows)], v[foreign] @ Bx[np.ix_(foreign, flow_rows)]


def bm_sink_phi_naive(A: np.ndarray, E: np.ndarray, G: int, N: int, s: int) -> np.ndarray:
    """Sink-based exports of s counted once, Φ_sr = E_sr − A_sr B^(s)_rs E_s: (N, G)."""
    n = G * N
    S = blocks(G, N)
    rows = np.arange(n)[S[s]]
    others = np.setdiff1d(np.arange(n), rows)
    As = A.copy()
    As[np.ix_(rows, others)] = 0.0
    Bs = np.linalg.inv(np.eye(n) - As)
    BsE = Bs[:, rows] @ E[rows]
    out = np.zeros((N, G))
    for r in range(G):
        if r != s:
            out[:, r] = -(A[S[s], S[r]] @ BsE[S[r]])
    return out
