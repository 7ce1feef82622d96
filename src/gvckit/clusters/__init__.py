"""Clusters: where industries concentrate, how regions specialise, and agglomeration of firms.

- :mod:`.indices` — location quotients, Krugman, Hoover and Gini specialisation, Gini, Hoover
  and Herfindahl concentration from region × industry data (as the R toolbox REAT computes them);
- :mod:`.agglomeration` — the Ellison–Glaeser (1997) index and coagglomeration from firm data;
- :mod:`.readers` — reading region × industry data (long or wide) and firm lists.
"""

from __future__ import annotations

from gvckit.clusters.agglomeration import coagglomeration, ellison_glaeser, pairs
from gvckit.clusters.indices import INDICATORS, RegionalData, indices
from gvckit.clusters.readers import Firms, read_firms, read_regional

__all__ = [
    "INDICATORS",
    "Firms",
    "RegionalData",
    "coagglomeration",
    "ellison_glaeser",
    "indices",
    "pairs",
    "read_firms",
    "read_regional",
]
