"""Tables to and from pymrio (Stadler 2021, "Pymrio – A Python based multi-regional input-output
analysis toolbox", Journal of Open Research Software 9(1)), the ``pymrio`` extra.

:func:`to_pymrio` gives an ``IOSystem`` with ``Z`` and ``Y`` indexed by (region, sector) and
(region, category), output ``x`` (column ``indout``: the output gvckit uses), ``unit``, the
metadata (name, year, price, version) and, when the table carries primary inputs, an extension
``factor_inputs`` whose ``F`` rows are those inputs. :func:`from_pymrio` reads such a system back
(``Z`` from ``A``·diag(x) when only coefficients are present; ``factor_inputs`` or ``VA`` as
primary inputs). Round trip: ``from_pymrio(to_pymrio(t))`` has the same labels, Z, Y, x, value
added, primary inputs and metadata as ``t`` (pymrio has no notion of a country's parts, so
``entity_country`` is given again to ``from_pymrio`` if needed).

pymrio is imported only when one of these functions is called; without it they raise a
:class:`~gvckit.errors.GvcError` saying how to install it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gvckit.errors import GvcError, TableError
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories

__all__ = ["from_pymrio", "to_pymrio"]

#: Extension names read as primary inputs, in order of preference.
FACTOR_EXTENSIONS = ("factor_inputs", "VA")


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError:
        raise GvcError(
            "pymrio is not installed; install it with: pip install 'gvckit[pymrio]'"
        ) from None
    return pymrio


def to_pymrio(table: IcioTable) -> Any:
    """The table as a ``pymrio.IOSystem`` (see the module docstring for what it holds)."""
    pymrio = _pymrio()
    rows = pd.MultiIndex.from_product(
        [list(table.entities), list(table.sectors)], names=["region", "sector"]
    )
    fd = pd.MultiIndex.from_product(
        [list(table.destinations), list(table.categories)], names=["region", "category"]
    )
    meta = table.meta
    extensions: dict[str, Any] = {}
    if table.primary_inputs:
        names = pd.Index(list(table.primary_inputs), name="inputtype")
        extensions["factor_inputs"] = {
            "name": "factor_inputs",
            "F": pd.DataFrame(np.array(list(table.primary_inputs.values())), names, rows),
            "unit": pd.DataFrame({"unit": [meta.unit] * len(names)}, index=names),
        }
    io = pymrio.IOSystem(
        Z=pd.DataFrame(np.array(table.Z), index=rows, columns=rows),
        Y=pd.DataFrame(np.array(table.Y).reshape(table.n, -1), index=rows, columns=fd),
        x=pd.DataFrame({"indout": np.array(table.x)}, index=rows),
        unit=pd.DataFrame({"unit": [meta.unit] * table.n}, index=rows),
        name=meta.source,
        version=meta.edition,
        description=f"gvckit table: {meta.source}",
        **extensions,
    )
    io.meta.change_meta("year", meta.year, log=False)  # IOSystem() drops year and price
    io.meta.change_meta("price", meta.price_basis, log=False)
    return io


def _frame(io: Any, name: str) -> pd.DataFrame | None:
    value = getattr(io, name, None)
    return value if isinstance(value, pd.DataFrame) else None


def from_pymrio(
    io: Any,
    *,
    entity_country: Mapping[str, str] | None = None,
    output_basis: OutputBasis = "rows",
) -> IcioTable:
    """A table from a ``pymrio.IOSystem`` holding Z (or A and x) and Y.

    pymrio's ``x`` (if any) becomes the table's published output (used with
    ``output_basis="given"``); primary inputs come from the ``factor_inputs`` (or ``VA``)
    extension."""
    _pymrio()
    Y = _frame(io, "Y")
    Z = _frame(io, "Z")
    x = _frame(io, "x")
    if Y is None:
        raise GvcError("the pymrio system has no final demand Y")
    if Z is None:
        A = _frame(io, "A")
        if A is None or x is None:
            raise GvcError("the pymrio system has neither Z nor both A and x")
        Z = A * x.to_numpy()[:, 0][None, :]
    rows = Z.index
    if not isinstance(rows, pd.MultiIndex) or rows.nlevels != 2:
        raise GvcError("pymrio's Z must be indexed by (region, sector)")
    entities = list(dict.fromkeys(rows.get_level_values(0)))
    sectors = list(dict.fromkeys(rows.get_level_values(1)))
    order = pd.MultiIndex.from_product([entities, sectors])
    if not rows.equals(order):
        Z = Z.reindex(index=order, columns=order)
    dests = list(dict.fromkeys(Y.columns.get_level_values(0)))
    cats = list(dict.fromkeys(Y.columns.get_level_values(-1)))
    fd = pd.MultiIndex.from_product([dests, cats])
    Yfull = Y.reindex(index=order).T.reindex(fd, fill_value=0.0).T
    primaries: dict[str, np.ndarray] = {}
    for ext_name in FACTOR_EXTENSIONS:
        ext = getattr(io, ext_name, None)
        F = _frame(ext, "F") if ext is not None else None
        if F is not None:
            F = F.reindex(columns=order)
            primaries = {str(k): F.loc[k].to_numpy(dtype=np.float64) for k in F.index}
            break
    unit = _frame(io, "unit")
    meta = getattr(getattr(io, "meta", None), "metadata", None)
    meta = meta if isinstance(meta, dict) else {}
    try:
        return IcioTable(
            entities=[str(e) for e in entities],
            sectors=[str(s) for s in sectors],
            Z=Z.to_numpy(dtype=np.float64),
            Y=Yfull.to_numpy(dtype=np.float64).reshape(len(order), len(dests), len(cats)),
            destinations=[str(d) for d in dests],
            categories=[str(c) for c in cats],
            output=None if x is None else x.reindex(order).to_numpy(dtype=np.float64)[:, 0],
            primary_inputs=primaries,
            entity_country=entity_country,
            output_basis=output_basis,
            meta=TableMeta(
                source=str(meta.get("name") or "pymrio IOSystem"),
                edition=_text(meta.get("version")),
                year=_year(meta.get("year")),
                unit=str(unit["unit"].iloc[0]) if unit is not None and len(unit) else "unspecified",
                price_basis=_text(meta.get("price")),
                value_added="derived: output minus intermediate inputs"
                + ("; factor inputs kept" if primaries else ""),
                notes=("converted from a pymrio IOSystem",),
                inventories=inventory_categories([str(c) for c in cats]),
            ),
        )
    except TableError as err:
        raise GvcError(f"the pymrio system is not a valid table: {err}") from None


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _year(value: object) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.strip().isdigit() else None
