"""Meso level: one value chain — its map (stages, actors, links, end markets, supporters),
accounts, governance and, across snapshots, upgrading.

>>> from gvckit import chain
>>> c = chain.read_chain("examples/chains/cocoa_cameroon_2018.yaml")   # doctest: +SKIP
>>> chain.accounts(c)                                      # doctest: +SKIP
"""

from gvckit.chain.accounts import accounts, actor_accounts, distribution, price_buildup
from gvckit.chain.governance import buyer_power, governance, implied_type
from gvckit.chain.model import (
    Actor,
    ActorKind,
    Chain,
    GovernanceType,
    Level,
    Link,
    Snapshot,
    Stage,
)
from gvckit.chain.readers import chain_from_data, read_chain

__all__ = [
    "Actor",
    "ActorKind",
    "Chain",
    "GovernanceType",
    "Level",
    "Link",
    "Snapshot",
    "Stage",
    "accounts",
    "actor_accounts",
    "buyer_power",
    "chain_from_data",
    "distribution",
    "governance",
    "implied_type",
    "price_buildup",
    "read_chain",
]
