"""Turning arrays over rows, units and terms into tidy (long) DataFrames with labels.

Rows of a table are entity-sectors; results leave at unit-sector level (parts of a country and
members of a group summed, see :mod:`gvckit.icio.groups`), in table order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gvckit.icio.model import IcioModel

__all__ = [
    "by_unit",
    "by_unit_sector",
    "partner_terms_frame",
    "terms_frame",
    "unit_sector_labels",
]

FloatArray = NDArray[np.float64]
ObjArray = NDArray[np.object_]


def unit_sector_labels(model: IcioModel) -> tuple[ObjArray, ObjArray]:
    """Unit and sector label of every unit-sector row (unit-major)."""
    g = model.grouping
    units = np.repeat(np.array(g.units, dtype=object), len(g.sectors))
    sectors = np.tile(np.array(g.sectors, dtype=object), g.n_units)
    return units, sectors


def by_unit(model: IcioModel, values: FloatArray) -> FloatArray:
    """Sum the first axis (rows) of ``values`` to units."""
    g = model.grouping
    out = np.zeros((g.n_units, *values.shape[1:]))
    np.add.at(out, g.row_unit, values)
    return out


def by_unit_sector(model: IcioModel, values: FloatArray, first: str, second: str) -> pd.DataFrame:
    """``first, second, value`` from one value per row, summed to unit-sectors."""
    units, sectors = unit_sector_labels(model)
    return pd.DataFrame(
        {first: units, second: sectors, "value": model.grouping.aggregate_rows(values)}
    )


def terms_frame(
    model: IcioModel,
    values: FloatArray,
    names: Sequence[str],
    by: str,
    unit_col: str = "exporter",
    sector_col: str = "exporter_sector",
    name_col: str = "term",
) -> pd.DataFrame:
    """Long frame from ``values`` (k terms × n rows): per unit (``by="country"``) or per
    unit-sector (``by="sector"``), terms innermost in the order of ``names``."""
    k = len(names)
    if by == "sector":
        agg = model.grouping.aggregate_rows(values.T)  # (U·N) × k
        units, sectors = unit_sector_labels(model)
        return pd.DataFrame(
            {
                unit_col: np.repeat(units, k),
                sector_col: np.repeat(sectors, k),
                name_col: np.tile(np.array(names, dtype=object), len(units)),
                "value": agg.ravel(),
            }
        )
    per_unit = by_unit(model, values.T)  # U × k
    labels = np.array(model.grouping.units, dtype=object)
    return pd.DataFrame(
        {
            unit_col: np.repeat(labels, k),
            name_col: np.tile(np.array(names, dtype=object), len(labels)),
            "value": per_unit.ravel(),
        }
    )


def partner_terms_frame(
    model: IcioModel, values: FloatArray, names: Sequence[str], by: str
) -> pd.DataFrame:
    """Long frame from ``values`` (k terms × n rows × U partners): ``exporter[,
    exporter_sector], importer, term, value``, without the exporter's own unit as importer."""
    g = model.grouping
    k, U = len(names), g.n_units
    if by == "sector":
        flat = g.aggregate_rows(values.transpose(1, 2, 0).reshape(values.shape[1], U * k))
        units, sectors = unit_sector_labels(model)
        own = np.repeat(np.arange(U), len(g.sectors))
    else:
        flat = by_unit(model, values.transpose(1, 2, 0).reshape(values.shape[1], U * k))
        units = np.array(g.units, dtype=object)
        sectors = None
        own = np.arange(U)
    rows = np.repeat(np.arange(len(units)), U)
    imp = np.tile(np.arange(U), len(units))
    keep = imp != own[rows]
    rows, imp = rows[keep], imp[keep]
    cols: dict[str, object] = {"exporter": np.repeat(units[rows], k)}
    if sectors is not None:
        cols["exporter_sector"] = np.repeat(sectors[rows], k)
    cols["importer"] = np.repeat(np.array(g.units, dtype=object)[imp], k)
    cols["term"] = np.tile(np.array(names, dtype=object), len(rows))
    cols["value"] = flat.reshape(len(units), U, k)[rows, imp].ravel()
    return pd.DataFrame(cols)
