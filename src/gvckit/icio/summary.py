"""A JSON-friendly description of a table: labels, metadata, totals and balance."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from gvckit.icio.table import IcioTable

__all__ = ["table_summary"]


def table_summary(table: IcioTable) -> dict[str, Any]:
    """Countries, entities, sectors, categories, metadata, totals and the balance report."""
    meta = asdict(table.meta)
    meta["notes"] = list(table.meta.notes)
    return {
        "meta": meta,
        "countries": list(table.countries),
        "entities": list(table.entities),
        "entity_country": dict(zip(table.entities, table.entity_country, strict=True)),
        "sectors": list(table.sectors),
        "destinations": list(table.destinations),
        "categories": list(table.categories),
        "rows": table.n,
        "output_basis": table.output_basis,
        "primary_inputs": list(table.primary_inputs),
        "totals": table.totals(),
        "balance": table.balance.as_dict(),
    }
