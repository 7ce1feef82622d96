"""One value chain: stages, actors, links, end markets, supporters — immutable, validated.

The model follows the value chain literature the gvckit seeds draw on: a chain map's functions
(stages) and operators (actors), vertical (buyer–supplier) and horizontal links with their flows
of products, money, knowledge and embedded services (Kaplinsky & Morris 2001, *A Handbook for
Value Chain Research*; GTZ/GIZ ValueLinks 2007), the determinants of governance of each link
(Gereffi, Humphrey & Sturgeon 2005), clusters and joint action (Schmitz 1995), end markets and
the supporting meso and macro levels (ValueLinks). A chain holds one or more snapshots (years) so
that upgrading can be measured between them.

Conventions. Monetary values are in the chain's currency unless an item names another currency,
which its snapshot must then convert (``exchange_rates``: chain currency per unit). Actor
accounts are totals for all operators of that type (``count`` of them). Shares are fractions in
[0, 1]. ``product_equivalent`` is the quantity of the chain's final product that one unit of an
actor's output becomes (e.g. 0.2 when 5 kg of coffee cherry make 1 kg of the final product), so
that prices can be compared along the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from gvckit.documents import Frozen as _Frozen
from gvckit.documents import LocatedError, Name
from gvckit.errors import ChainError

__all__ = [
    "Actor",
    "ActorKind",
    "Chain",
    "Channel",
    "Cluster",
    "Employment",
    "EndMarket",
    "GovernanceEvidence",
    "GovernanceType",
    "Level",
    "Link",
    "LinkKind",
    "Snapshot",
    "Source",
    "Stage",
    "Supporter",
    "ValueAddedSplit",
]

#: A finite number (``.inf``, ``.nan`` and ``1e400`` are refused: they would reach every
#: account, the map and the workbook, which has no cell for them).
Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, description="a fraction in [0, 1] (100 % = 1)")]


class ActorKind(StrEnum):
    """Operator types of a value chain (seed 000 §3; seed 004 on MSEs)."""

    SMALLHOLDER = "smallholder"
    MICRO_FIRM = "micro_firm"
    SMALL_FIRM = "small_firm"
    MEDIUM_FIRM = "medium_firm"
    LARGE_FIRM = "large_firm"
    COOPERATIVE = "cooperative"
    TRADER = "trader"
    PROCESSOR = "processor"
    EXPORTER = "exporter"
    LEAD_FIRM = "lead_firm"
    FIRST_TIER_SUPPLIER = "first_tier_supplier"
    RETAILER = "retailer"
    SERVICE_PROVIDER = "service_provider"
    SUPPORT_INSTITUTION = "support_institution"


#: Kinds counted as micro, small and medium enterprises (incl. smallholders and cooperatives).
SME_KINDS = frozenset(
    {
        ActorKind.SMALLHOLDER,
        ActorKind.MICRO_FIRM,
        ActorKind.SMALL_FIRM,
        ActorKind.MEDIUM_FIRM,
        ActorKind.COOPERATIVE,
    }
)


class Level(StrEnum):
    HIGH = "high"
    LOW = "low"


class GovernanceType(StrEnum):
    """Gereffi, Humphrey & Sturgeon (2005), *Review of International Political Economy* 12(1)."""

    MARKET = "market"
    MODULAR = "modular"
    RELATIONAL = "relational"
    CAPTIVE = "captive"
    HIERARCHY = "hierarchy"


class LinkKind(StrEnum):
    VERTICAL = "vertical"  # buyer–supplier
    HORIZONTAL = "horizontal"  # among firms at the same stage (cooperation, joint action)


class Channel(StrEnum):
    LOCAL = "local"
    NATIONAL = "national"
    REGIONAL = "regional"
    GLOBAL = "global"


class Source(_Frozen):
    """A citation for the figures: study, table, page."""

    citation: Name
    table: str | None = None
    page: str | None = None
    url: str | None = None


class Stage(_Frozen):
    """A function of the chain (input supply, production, processing, ...), in chain order."""

    name: Name
    description: str | None = None


class Employment(_Frozen):
    jobs: NonNeg
    share_women: Share | None = None
    share_informal: Share | None = None
    annual_wage: NonNeg | None = None


class ValueAddedSplit(_Frozen):
    """Distribution of an actor's value added (FAO VCA practice); the rest is net operating
    profit (which may be negative)."""

    wages: NonNeg = 0.0
    taxes: Finite = 0.0  # net of subsidies: may be negative
    financial_charges: NonNeg = 0.0
    depreciation: NonNeg = 0.0


class Actor(_Frozen):
    """An operator type at one stage; its accounts are totals over its ``count`` operators."""

    id: Name
    name: str | None = None
    kind: ActorKind
    stage: Name
    count: Annotated[int, Field(ge=0)] = 1
    size_class: str | None = None
    ownership: str | None = None
    location: str | None = None
    currency: str | None = None
    product: str | None = None
    product_equivalent: Positive = 1.0
    external_inputs: NonNeg = 0.0
    other_output: NonNeg = 0.0
    value_added_split: ValueAddedSplit | None = None
    employment: Employment | None = None
    cluster: str | None = None


class GovernanceEvidence(_Frozen):
    """The three determinants of a link's governance (GHS 2005), each high or low, with notes;
    and the type the analyst observed, if any."""

    complexity: Level | None = None
    codifiability: Level | None = None
    supplier_capability: Level | None = None
    observed: GovernanceType | None = None
    notes: str | None = None


class Link(_Frozen):
    """A relation between two actors, or from an actor to an end market (a final sale)."""

    source: Name
    target: Name
    kind: LinkKind = LinkKind.VERTICAL
    volume: NonNeg | None = None
    unit_price: NonNeg | None = None
    currency: str | None = None
    money: NonNeg | None = None
    knowledge: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    contract: str | None = None
    governance: GovernanceEvidence | None = None

    @property
    def has_value(self) -> bool:
        return self.money is not None or (self.volume is not None and self.unit_price is not None)


class EndMarket(_Frozen):
    id: Name
    destination: Name
    channel: Channel
    standards: tuple[str, ...] = ()


class Supporter(_Frozen):
    """Support institutions and the enabling environment (ValueLinks' meso and macro levels)."""

    name: Name
    level: Annotated[str, Field(pattern="^(meso|macro)$")]
    role: str | None = None
    supports: tuple[str, ...] = ()


class Cluster(_Frozen):
    """A cluster of actors and its joint actions (collective efficiency, Schmitz 1995)."""

    name: Name
    location: str | None = None
    joint_actions: tuple[str, ...] = ()


class Snapshot(_Frozen):
    year: int
    stages: Annotated[tuple[Stage, ...], Field(min_length=1)]
    actors: Annotated[tuple[Actor, ...], Field(min_length=1)]
    links: tuple[Link, ...] = ()
    end_markets: tuple[EndMarket, ...] = ()
    supporters: tuple[Supporter, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    exchange_rates: dict[str, Positive] = Field(default_factory=dict)
    #: market reference unit prices by stage (chain currency per unit of that stage's output),
    #: e.g. a world price, for product upgrading
    reference_prices: dict[str, Positive] = Field(default_factory=dict)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    @model_validator(mode="after")
    def _references(self) -> Self:
        stages = [s.name for s in self.stages]
        _unique(stages, "stages", "stage name")
        ids = [a.id for a in self.actors]
        _unique(ids, "actors", "actor id")
        markets = [m.id for m in self.end_markets]
        _unique(markets, "end_markets", "end market id")
        clash = set(ids) & set(markets)
        if clash:
            raise ValueError(f"ids used by both an actor and an end market: {sorted(clash)}")
        for name in self.reference_prices:
            if name not in stages:
                raise _located(f"reference_prices.{name}", f"{name!r} is not a stage")
        clusters = {c.name for c in self.clusters}
        for k, a in enumerate(self.actors):
            if a.stage not in stages:
                raise _located(
                    f"actors[{k}].stage", f"{a.stage!r} is not a stage ({', '.join(stages)})"
                )
            if a.cluster is not None and a.cluster not in clusters:
                raise _located(f"actors[{k}].cluster", f"{a.cluster!r} is not a defined cluster")
        known = set(ids)
        for k, link in enumerate(self.links):
            if link.source not in known:
                raise _located(f"links[{k}].source", f"{link.source!r} is not an actor id")
            if link.target not in known and link.target not in markets:
                raise _located(
                    f"links[{k}].target", f"{link.target!r} is not an actor or end market id"
                )
            if link.kind is LinkKind.HORIZONTAL and link.target in markets:
                raise _located(f"links[{k}].kind", "a horizontal link joins two actors")
        return self


class Chain(_Frozen):
    """A value chain with one or more snapshots."""

    name: Name
    product: Name
    country: Name
    currency: Name
    unit: Name = Field(description="unit of the final product, e.g. 'kg roasted coffee'")
    sources: tuple[Source, ...] = ()
    notes: str | None = None
    snapshots: Annotated[tuple[Snapshot, ...], Field(min_length=1)]

    def snapshot(self, year: int | None = None) -> Snapshot:
        """The snapshot of ``year`` (default: the latest)."""
        if year is None:
            return max(self.snapshots, key=lambda s: s.year)
        for s in self.snapshots:
            if s.year == year:
                return s
        years = ", ".join(str(s.year) for s in self.snapshots)
        raise ChainError(f"no snapshot for {year}", field="snapshots", expected=f"one of {years}")

    def to_yaml(self) -> str:
        """The chain as YAML that :func:`gvckit.chain.read_chain` reads back to an equal chain
        (fields left empty are omitted)."""
        import yaml

        data = self.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def to_json(self) -> str:
        """The chain as JSON that :func:`gvckit.chain.read_chain` reads back to an equal chain."""
        return self.model_dump_json(indent=2, exclude_none=True)

    def _repr_html_(self) -> str:
        """Key figures and the map of the latest snapshot, for notebooks."""
        from gvckit.notebook import chain_html

        return chain_html(self)

    @model_validator(mode="after")
    def _currencies(self) -> Self:
        _unique([s.year for s in self.snapshots], "snapshots", "year")
        for k, snap in enumerate(self.snapshots):
            items = [(f"actors[{j}]", a.currency) for j, a in enumerate(snap.actors)]
            items += [(f"links[{j}]", link.currency) for j, link in enumerate(snap.links)]
            for where, cur in items:
                if cur is not None and cur != self.currency and cur not in snap.exchange_rates:
                    raise _located(
                        f"snapshots[{k}].{where}.currency",
                        f"{cur} differs from the chain currency {self.currency} and the snapshot"
                        f" gives no exchange rate for it (exchange_rates: {{{cur}: ...}})",
                    )
        return self


def _unique(values: Sequence[object], where: str, what: str) -> None:
    seen: set[object] = set()
    for k, v in enumerate(values):
        if v in seen:
            raise _located(f"{where}[{k}]", f"duplicate {what} {v!r}")
        seen.add(v)


def _located(path: str, message: str) -> LocatedError:
    return LocatedError(path, message)
