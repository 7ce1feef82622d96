"""Aggregating a table: countries into groups, sectors into broader sectors (or splitting them).

Maps (see :mod:`gvckit.icio.concordances`) become concordance matrices: ``E`` (entities ×
country groups), ``S`` (sectors × sector groups) and ``Dm`` (final-demand destinations ×
country groups), each row summing to 1. With ``C = E ⊗ S`` (rows are entity-major):

- ``Z_agg = Cᵀ Z C``;
- ``Y_agg[:, d', f] = Σ_d (Cᵀ Y[:, d, f]) Dm[d, d']`` (final-demand categories are kept);
- ``x_agg = Cᵀ x``, published output ``Cᵀ x_given``, primary-input rows ``p_agg = Cᵀ p``;
- hence ``x_agg = Z_agg·1 + Y_agg·1`` and the totals of Z, Y, x and value added are unchanged
  (``1ᵀ Cᵀ = 1ᵀ`` because every row of C sums to 1).

Splitting (a weighted one-to-many map) assumes a proportional split: a code's row and its
column are split with the same weights (``Z[i, i]`` goes to the targets' cells in proportion to
``w_g · w_h``), and a country's final-demand column with the same weights as its rows.

Countries. A country map merges every entity of a country (OECD's ``CN1``/``CN2`` parts of China)
into its group: each group becomes one entity that is its own country. With ``keep_others``,
countries absent from the map stay as they are (one entity each). Without a country map the
entities, and the countries they belong to, are kept.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from gvckit.errors import OptionError
from gvckit.icio.concordances import MapLike, read_map
from gvckit.icio.table import IcioTable

__all__ = ["aggregate"]

FloatArray = NDArray[np.float64]


def aggregate(
    table: IcioTable,
    countries: MapLike | None = None,
    sectors: MapLike | None = None,
    *,
    keep_others: bool = False,
) -> IcioTable:
    """The table with its countries and/or sectors aggregated (or split) by the given maps.

    ``countries`` and ``sectors`` are maps ``from, to[, weight]``: a CSV path, a DataFrame, a
    ``{from: to}`` dict or a shipped map's name (:func:`gvckit.icio.concordance_names`).
    ``keep_others`` keeps countries absent from the country map as they are.

    Formulas (``C = E ⊗ S``, rows of E, S and Dm summing to 1): ``Z_agg = Cᵀ Z C``,
    ``Y_agg = Cᵀ Y`` by rows and ``Y·Dm`` by destination, ``x_agg = Cᵀ x``; totals of Z, Y,
    value added and output are preserved, and ``x_agg = Z_agg·1 + Y_agg·1``.
    """
    if countries is None and sectors is None:
        raise OptionError("nothing to aggregate: give a countries map, a sectors map or both")
    if keep_others and countries is None:
        raise OptionError("keep_others applies to a countries map, and none was given")
    cmap = None if countries is None else read_map(countries, "countries map")
    smap = None if sectors is None else read_map(sectors, "sectors map")

    if cmap is not None:
        Wc, groups = cmap.matrix(table.countries, "countries", keep_others)
        row_of = {c: i for i, c in enumerate(table.countries)}
        E = Wc[[row_of[c] for c in table.entity_country]]
        Dm = Wc[[row_of[d] for d in table.destinations]]
        dest_keep = np.flatnonzero(np.any(Dm != 0, axis=0))
        Dm = Dm[:, dest_keep]
        entities, destinations = groups, tuple(groups[k] for k in dest_keep)
        entity_country: dict[str, str] | None = None
    else:
        E = np.eye(len(table.entities))
        Dm = None
        entities, destinations = table.entities, table.destinations
        entity_country = {
            e: c for e, c in zip(table.entities, table.entity_country, strict=True) if e != c
        }
    if smap is not None:
        S, new_sectors = smap.matrix(table.sectors, "sectors")
    else:
        S, new_sectors = np.eye(len(table.sectors)), table.sectors

    C = sparse.kron(sparse.csr_matrix(E), sparse.csr_matrix(S), format="csr")
    Z = _sandwich(C, table.Z)
    n, D, F = table.Y.shape
    Y = np.asarray(C.T @ table.Y.reshape(n, D * F)).reshape(-1, D, F)
    if Dm is not None:
        Y = np.einsum("idf,de->ief", Y, Dm)
    given = None if table.given_output is None else np.asarray(C.T @ table.given_output)
    primaries = {k: np.asarray(C.T @ v) for k, v in table.primary_inputs.items()}

    how = [f"{k} by {m.origin}" for k, m in (("countries", cmap), ("sectors", smap)) if m]
    meta = replace(table.meta, notes=(*table.meta.notes, "aggregated: " + "; ".join(how)))
    return IcioTable(
        entities=entities,
        sectors=new_sectors,
        Z=Z,
        Y=Y,
        destinations=destinations,
        categories=table.categories,
        output=given,
        primary_inputs=primaries,
        entity_country=entity_country or None,
        output_basis=table.output_basis,
        meta=meta,
        balance_tolerance=table.balance.tolerance,
        copy=False,
    )


def _sandwich(C: sparse.csr_matrix, Z: FloatArray) -> FloatArray:
    """``Cᵀ Z C`` with C sparse and Z dense."""
    ZC = np.asarray((C.T @ Z.T).T)  # Z·C, computed as (Cᵀ·Zᵀ)ᵀ
    return np.asarray(C.T @ ZC)
