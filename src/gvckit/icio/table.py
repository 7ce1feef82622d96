"""The inter-country input-output (ICIO) table: an immutable, validated object.

Notation (Miller & Blair 2009, ch. 2; Koopman, Wang & Wei 2014): ``n = G·N`` rows, one per
entity-sector (entity-major); ``Z`` (n×n) intermediate flows from row i to using column j;
``Y`` (n×D×F) final demand of destination country d, category f; ``x`` (n) gross output;
``va`` (n) value added. Every array is read-only once the table exists.

Entities and countries. A row block belongs to an *entity*. Most entities are countries; some
belong to a country without being it (OECD ICIO extended: ``CN1``/``CN2`` are parts of China,
``MX1``/``MX2`` parts of Mexico). ``entity_country`` maps each entity to its country, so that flows
between China's parts are domestic, without aggregating the table.

Accounting output. With ``output_basis="rows"`` (the default), ``x = Z·1 + Y·1`` so that the
Leontief identity ``x = B·Y·1`` holds exactly whatever rounding the published table has; with
``"given"``, the published output column is used for the coefficients. Value added used by every
measure is ``va = x − Z'·1`` (it then includes net taxes on products and any residual); value-added
rows published with the table are kept in :attr:`IcioTable.primary_inputs` for reference and for
the balance report.

Reused work. A table keeps the solved model (LU factorisation of I − A, lazy Basis) of the last
groupings measured on it in a private, bounded, lock-guarded cache, so that several
:func:`gvckit.icio.measure` calls on one table factorise it once (:mod:`gvckit.icio.workcache`).
The cache is not part of the table's value: pickling leaves it behind, ``clear_cache()`` frees it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gvckit.errors import TableError
from gvckit.icio.workcache import WorkCache

__all__ = ["BalanceReport", "IcioTable", "TableMeta", "inventory_categories"]

FloatArray = NDArray[np.float64]
OutputBasis = Literal["rows", "given"]
T = TypeVar("T")


@dataclass(frozen=True)
class TableMeta:
    """Where a table comes from and what its numbers mean."""

    source: str = "user table"
    edition: str | None = None
    year: int | None = None
    unit: str = "unspecified"
    price_basis: str | None = None
    value_added: str = "derived: output minus intermediate inputs"
    file: str | None = None
    notes: tuple[str, ...] = ()
    #: Final-demand categories holding changes in inventories (and valuables), marked by the
    #: readers; the net-inventory correction of the position measures needs one
    #: (:mod:`gvckit.icio.gvc_position`). Empty when the table has none or it is not known.
    inventories: tuple[str, ...] = ()


@dataclass(frozen=True)
class BalanceReport:
    """How far the published totals are from the table's own sums.

    ``row_gap[i] = given output − (Σ_j Z_ij + Σ Y_i·)`` and
    ``column_gap[j] = given output − (Σ_i Z_ij + Σ primary inputs_j)``; ``None`` where the table
    gives no output (or no primary inputs) to compare with. A gap counts as an imbalance when
    ``|gap| > tolerance · max(1, |output|)``.
    """

    tolerance: float
    row_labels: tuple[str, ...]
    output: FloatArray | None = None
    row_gap: FloatArray | None = None
    column_gap: FloatArray | None = None
    zero_output: tuple[str, ...] = ()
    negative_value_added: tuple[str, ...] = ()
    dropped_inputs: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def _relative(self, gap: FloatArray | None) -> FloatArray:
        if gap is None or self.output is None:
            return np.zeros(0)
        return np.abs(gap) / np.maximum(1.0, np.abs(self.output))

    @property
    def rows_out_of_balance(self) -> int:
        """Rows whose sales differ from the given output by more than the tolerance."""
        return int(np.count_nonzero(self._relative(self.row_gap) > self.tolerance))

    @property
    def columns_out_of_balance(self) -> int:
        """Columns whose inputs + primary inputs differ from the given output."""
        return int(np.count_nonzero(self._relative(self.column_gap) > self.tolerance))

    @property
    def balanced(self) -> bool:
        """True when no row or column gap exceeds the tolerance."""
        return self.rows_out_of_balance == 0 and self.columns_out_of_balance == 0

    def worst(self, k: int = 5) -> list[dict[str, object]]:
        """The ``k`` largest gaps (rows and columns), largest relative gap first."""
        found: list[tuple[float, dict[str, object]]] = []
        for kind, gap in (("row", self.row_gap), ("column", self.column_gap)):
            if gap is None:
                continue
            rel = self._relative(gap)
            for i in np.argsort(-rel, kind="stable")[:k]:
                if gap[i] != 0:
                    item = {
                        "kind": kind,
                        "label": self.row_labels[i],
                        "gap": float(gap[i]),
                        "relative": float(rel[i]),
                    }
                    found.append((float(rel[i]), item))
        found.sort(key=lambda t: -t[0])
        return [item for _, item in found[:k]]

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary."""

        def stats(gap: FloatArray | None) -> dict[str, float] | None:
            if gap is None or gap.size == 0:
                return None
            return {"max_abs": float(np.max(np.abs(gap))), "mean": float(np.mean(gap))}

        return {
            "tolerance": self.tolerance,
            "balanced": self.balanced,
            "rows_out_of_balance": self.rows_out_of_balance,
            "columns_out_of_balance": self.columns_out_of_balance,
            "row_gap": stats(self.row_gap),
            "column_gap": stats(self.column_gap),
            "worst": self.worst(),
            "zero_output": list(self.zero_output),
            "negative_value_added": list(self.negative_value_added),
            "dropped_inputs": self.dropped_inputs,
            "notes": list(self.notes),
        }


def _labels(name: str, values: Sequence[str]) -> tuple[str, ...]:
    """Validated labels of one axis; ``name`` is the singular noun (``"sector"``)."""
    out = tuple(str(v) for v in values)
    if not out:
        raise TableError(f"no {name} labels", expected=f"at least one {name} label")
    seen: dict[str, int] = {}
    for k, v in enumerate(out):
        if not v.strip():
            raise TableError(f"{name} label {k + 1} is blank", expected="a non-empty label")
        if v in seen:
            raise TableError(
                f"duplicate {name} label {v!r} (positions {seen[v] + 1} and {k + 1})",
                expected="unique labels",
            )
        seen[v] = k
    return out


def _readonly(a: ArrayLike, copy: bool) -> FloatArray:
    arr = np.array(a, dtype=np.float64, copy=True) if copy else np.asarray(a, dtype=np.float64)
    arr.flags.writeable = False
    return arr


class IcioTable:
    """An inter-country input-output table (immutable; validated on construction).

    Parameters
    ----------
    entities, sectors:
        Row-block labels (entity-major rows: entity 1 sectors 1..N, entity 2 ...).
    Z:
        Intermediate flows, n×n with n = len(entities)·len(sectors).
    Y:
        Final demand, n×D×F (destination country × category) or n×D (one category).
    destinations, categories:
        Labels of Y's axes; destinations must be countries of the table.
    output:
        Published gross output (optional); see ``output_basis``.
    primary_inputs:
        Published rows below Z (value added, taxes less subsidies ...), name → n-vector.
    entity_country:
        Country of each entity (default: each entity is a country).
    """

    __slots__ = (
        "Y",
        "Z",
        "_balance",
        "_work",
        "categories",
        "destinations",
        "entities",
        "entity_country",
        "given_output",
        "meta",
        "output_basis",
        "primary_inputs",
        "sectors",
        "va",
        "x",
    )

    entities: tuple[str, ...]
    sectors: tuple[str, ...]
    destinations: tuple[str, ...]
    categories: tuple[str, ...]
    entity_country: tuple[str, ...]
    Z: FloatArray
    Y: FloatArray
    x: FloatArray
    va: FloatArray
    given_output: FloatArray | None
    primary_inputs: Mapping[str, FloatArray]
    output_basis: OutputBasis
    meta: TableMeta
    _balance: BalanceReport
    _work: WorkCache

    def __init__(
        self,
        *,
        entities: Sequence[str],
        sectors: Sequence[str],
        Z: ArrayLike,
        Y: ArrayLike,
        destinations: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        output: ArrayLike | None = None,
        primary_inputs: Mapping[str, ArrayLike] | None = None,
        entity_country: Mapping[str, str] | None = None,
        output_basis: OutputBasis = "rows",
        meta: TableMeta | None = None,
        balance_tolerance: float = 1e-6,
        copy: bool = True,
    ) -> None:
        set_ = object.__setattr__
        ents = _labels("entity", entities)
        secs = _labels("sector", sectors)
        dests = _labels("destination", destinations if destinations is not None else ents)
        n = len(ents) * len(secs)
        row_labels = tuple(f"{e}_{s}" for e in ents for s in secs)

        Zarr = _readonly(Z, copy)
        if Zarr.shape != (n, n):
            raise TableError(
                f"Z has shape {Zarr.shape}",
                expected=f"({n}, {n}) = {len(ents)} entities × {len(secs)} sectors, squared",
            )
        Yarr = np.asarray(Y, dtype=np.float64)
        if Yarr.ndim == 2:
            Yarr = Yarr[:, :, None]
        cats = _labels("category", categories if categories is not None else ("FD",))
        if Yarr.shape != (n, len(dests), len(cats)):
            raise TableError(
                f"final demand has shape {Yarr.shape}",
                expected=f"({n}, {len(dests)}, {len(cats)}) = rows × destinations × categories",
            )
        Yarr = _readonly(Yarr, copy)

        country_of = dict(entity_country or {})
        unknown = set(country_of) - set(ents)
        if unknown:
            raise TableError(
                f"entity_country names unknown entities {sorted(unknown)}",
                expected=f"entities of the table: {', '.join(ents)}",
            )
        meta = meta or TableMeta()
        missing = [c for c in meta.inventories if c not in cats]
        if missing:
            raise TableError(
                f"the metadata names inventory categories the table lacks: {', '.join(missing)}",
                expected=f"final-demand categories of the table ({', '.join(cats)})",
            )
        ecountry = tuple(country_of.get(e, e) for e in ents)
        countries = set(ecountry)
        for d in dests:
            if d not in countries:
                raise TableError(
                    f"final-demand destination {d!r} is not a country of the table",
                    column=d,
                    expected=f"one of {', '.join(sorted(countries))}",
                )

        _check_finite(Zarr, "Z", row_labels, row_labels)
        ycols = tuple(f"{d}_{c}" for d in dests for c in cats)
        _check_finite(Yarr.reshape(n, -1), "final demand", row_labels, ycols)

        given = None if output is None else _readonly(output, copy)
        if given is not None:
            if given.shape != (n,):
                raise TableError(f"output has shape {given.shape}", expected=f"({n},)")
            _check_finite(given[:, None], "output", row_labels, ("output",))
        primaries: dict[str, FloatArray] = {}
        for name, arr in (primary_inputs or {}).items():
            p = _readonly(arr, copy)
            if p.shape != (n,):
                raise TableError(
                    f"primary input row {name!r} has shape {p.shape}", expected=f"({n},)"
                )
            _check_finite(p[None, :], "primary inputs", (name,), row_labels)
            primaries[name] = p

        rows_total = Zarr.sum(axis=1) + Yarr.sum(axis=(1, 2))
        if given is not None:
            _check_nonnegative(given, row_labels, "published gross output")
        if output_basis == "given":
            if given is None:
                raise TableError(
                    "output_basis='given' but the table has no output column",
                    expected="an output column, or output_basis='rows'",
                )
            xarr = np.array(given)
        elif output_basis == "rows":
            xarr = rows_total
            if given is None:
                _check_nonnegative(xarr, row_labels, "gross output (row sum of Z and Y)")
        else:
            raise TableError(f"unknown output basis {output_basis!r}", expected="'rows' or 'given'")
        scale = float(np.max(np.abs(xarr))) if xarr.size else 0.0
        xarr[np.abs(xarr) <= 1e-12 * scale] = 0.0
        xarr.flags.writeable = False
        negative = np.flatnonzero(xarr < 0)

        zero = np.flatnonzero(xarr == 0.0)
        inputs = Zarr.sum(axis=0)
        dropped = float(np.abs(Zarr[:, zero]).sum()) if zero.size else 0.0
        va = xarr - inputs
        va[zero] = 0.0
        va.flags.writeable = False
        negva = np.flatnonzero(va < -1e-9 * max(scale, 1.0))

        notes: list[str] = []
        negative_z = int(np.count_nonzero(Zarr < 0))
        if negative_z:
            notes.append(
                f"{negative_z} negative intermediate flows (smallest {float(Zarr.min()):g});"
                " the productivity check is skipped for such tables"
            )
        if negative.size:
            notes.append(
                "row sums of Z and Y are negative (negative inventory changes) where the published"
                " output is not; kept so that x = B·Y·1 holds: "
                + ", ".join(row_labels[i] for i in negative[:10])
                + (" ..." if negative.size > 10 else "")
            )
        sales = np.abs(Zarr[zero]).sum(axis=1) + np.abs(Yarr[zero]).sum(axis=(1, 2))
        if np.any(sales > 0):
            notes.append(
                "zero-output sectors with sales (their sales carry no value added): "
                + ", ".join(row_labels[i] for i in zero[sales > 0][:10])
            )
        if dropped:
            notes.append(
                f"zero-output sectors buy {dropped:g} of inputs; their coefficients are 0 and"
                " the model books these purchases as final use of the purchasing country"
            )
        row_gap = None if given is None else given - rows_total
        col_gap = None
        if given is not None and primaries:
            col_gap = given - inputs - np.sum(list(primaries.values()), axis=0)
        bal = BalanceReport(
            tolerance=balance_tolerance,
            row_labels=row_labels,
            output=given,
            row_gap=row_gap,
            column_gap=col_gap,
            zero_output=tuple(row_labels[i] for i in zero),
            negative_value_added=tuple(row_labels[i] for i in negva),
            dropped_inputs=dropped,
            notes=tuple(notes),
        )

        set_(self, "entities", ents)
        set_(self, "sectors", secs)
        set_(self, "destinations", dests)
        set_(self, "categories", cats)
        set_(self, "entity_country", ecountry)
        set_(self, "Z", Zarr)
        set_(self, "Y", Yarr)
        set_(self, "x", xarr)
        set_(self, "va", va)
        set_(self, "given_output", given)
        set_(self, "primary_inputs", primaries)
        set_(self, "output_basis", output_basis)
        set_(self, "meta", meta)
        set_(self, "_balance", bal)
        set_(self, "_work", WorkCache())

    def __getstate__(self) -> dict[str, object]:
        """Every field but the work cache (a pickled table never carries derived work)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "_work"}

    def __setstate__(self, state: Mapping[str, object]) -> None:
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            elif name == "primary_inputs" and isinstance(value, Mapping):
                for arr in value.values():
                    arr.flags.writeable = False
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_work", WorkCache())

    def reuse(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()`` once per ``key``, kept in this table's bounded, thread-safe work cache
        (see :mod:`gvckit.icio.workcache`): :func:`gvckit.icio.measure` keeps the solved model
        and Basis of each grouping there."""
        return self._work.get(key, build)

    def clear_cache(self) -> None:
        """Free the work kept for this table (factorisations, Leontief inverse, Basis blocks);
        the next measure computes it again."""
        self._work.clear()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"IcioTable is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        year = f", {self.meta.year}" if self.meta.year is not None else ""
        return (
            f"<IcioTable {self.meta.source}{year}: {len(self.countries)} countries"
            f" ({len(self.entities)} entities) × {len(self.sectors)} sectors,"
            f" {len(self.categories)} final-demand categories>"
        )

    def _repr_html_(self) -> str:
        """Summary and balance report, for notebooks (:func:`gvckit.notebook.table_html`)."""
        from gvckit.notebook import table_html

        return table_html(self)

    @property
    def n(self) -> int:
        """Number of rows (entity-sectors)."""
        return len(self.entities) * len(self.sectors)

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries in order of first appearance among the entities."""
        return tuple(dict.fromkeys(self.entity_country))

    @property
    def row_labels(self) -> tuple[str, ...]:
        """``<entity>_<sector>`` for every row."""
        return self._balance.row_labels

    @property
    def row_entity(self) -> NDArray[np.intp]:
        """Entity index of every row."""
        return np.repeat(np.arange(len(self.entities)), len(self.sectors))

    @property
    def row_sector(self) -> NDArray[np.intp]:
        """Sector index of every row."""
        return np.tile(np.arange(len(self.sectors)), len(self.entities))

    @property
    def final_demand(self) -> FloatArray:
        """Final demand summed over categories: n×D (a new array).

        Up to seven categories are added one after the other, a whole n×D slice at a time:
        the same order, and so the same numbers, as ``Y.sum(axis=2)``, which adds a short last
        axis in order but one short loop per (row, destination), about 5x slower at WIOD size.
        """
        Y = self.Y
        if Y.shape[2] == 0 or Y.shape[2] > 7:
            return np.asarray(Y.sum(axis=2), dtype=np.float64)
        out = np.array(Y[:, :, 0])
        for k in range(1, Y.shape[2]):
            out += Y[:, :, k]
        return out

    @property
    def balance(self) -> BalanceReport:
        """Balance diagnostics computed on construction."""
        return self._balance

    def totals(self) -> dict[str, float]:
        """World totals: output, intermediate use, final demand, value added."""
        return {
            "output": float(self.x.sum()),
            "intermediate": float(self.Z.sum()),
            "final_demand": float(self.Y.sum()),
            "value_added": float(self.va.sum()),
        }


#: Final-demand labels (or codes) of inventory changes in published tables: OECD ICIO (``INVNT``,
#: 2016 edition ``INV``), FIGARO (``P5M``, ``P52``, ``P53``), SNA codes as Eora writes them
#: (``P.52``, ``P.53``); labels mentioning inventories or valuables are recognised too (EXIOBASE
#: "Changes in inventories", "Changes in valuables"; Eora "Inventory changes P.52").
INVENTORY_CODES = frozenset({"invnt", "inv", "p5m", "p52", "p53", "p.52", "p.53"})


def inventory_categories(categories: Sequence[str], codes: Sequence[str] = ()) -> tuple[str, ...]:
    """The categories holding changes in inventories (and valuables): those among ``codes``
    (a format's own codes, e.g. WIOD ``c42``), else those whose label is a known code or
    mentions inventories or valuables."""
    if codes:
        return tuple(c for c in categories if c in codes)
    found = []
    for c in categories:
        low = c.strip().lower()
        words = set(low.replace("_", " ").split())
        if (
            low in INVENTORY_CODES
            or words & INVENTORY_CODES
            or "inventor" in low
            or "valuables" in low
        ):
            found.append(c)
    return tuple(found)


def _check_nonnegative(x: FloatArray, rows: Sequence[str], what: str) -> None:
    tiny = 1e-12 * (float(np.max(np.abs(x))) if x.size else 0.0)
    neg = np.flatnonzero(x < -tiny)
    if neg.size:
        i = int(neg[0])
        err = TableError(f"negative {what}", row=rows[i], expected="output >= 0", found=float(x[i]))
        err.position = ("output", i, 0)
        raise err


def _check_finite(a: FloatArray, block: str, rows: Sequence[str], cols: Sequence[str]) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        err = TableError(
            f"{block} value is not a finite number",
            row=rows[i],
            column=cols[j],
            expected="a finite number",
            found=float(a[i, j]),
        )
        err.position = (block, i, j)
        raise err
