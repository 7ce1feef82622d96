"""Macro level: inter-country input-output tables and the measures computed on them.

>>> import gvckit.icio as icio
>>> table = icio.read("wiot_2011.csv.gz")            # doctest: +SKIP
>>> icio.measure("tiva", table)                       # doctest: +SKIP
"""

from gvckit.icio import (
    gvc_measures,  # noqa: F401  (registers the decompositions)
    gvc_position,  # noqa: F401  (registers upstreamness, downstreamness ...)
)
from gvckit.icio.aggregate import aggregate
from gvckit.icio.concordances import Concordance, concordance, concordance_names, read_map
from gvckit.icio.decompose import Basis
from gvckit.icio.groups import Grouping, grouping, parse_groups
from gvckit.icio.measures import MEASURES, measure, measure_names
from gvckit.icio.model import IcioModel
from gvckit.icio.pymrio_bridge import from_pymrio, to_pymrio
from gvckit.icio.readers import FORMATS, detect_format, read
from gvckit.icio.table import BalanceReport, IcioTable, TableMeta
from gvckit.icio.writers import write_table

__all__ = [
    "FORMATS",
    "MEASURES",
    "BalanceReport",
    "Basis",
    "Concordance",
    "Grouping",
    "IcioModel",
    "IcioTable",
    "TableMeta",
    "aggregate",
    "concordance",
    "concordance_names",
    "detect_format",
    "from_pymrio",
    "grouping",
    "measure",
    "measure_names",
    "parse_groups",
    "read",
    "read_map",
    "to_pymrio",
    "write_table",
]
