"""Example tables shipped with gvckit (see ``gvckit/data/README.md`` for their sources)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from gvckit.errors import OptionError
from gvckit.icio.readers.wide import read_wide
from gvckit.icio.table import IcioTable, TableMeta

__all__ = ["EXAMPLES", "example_path", "load_example"]

EXAMPLES: dict[str, tuple[str, TableMeta]] = {
    "wiod2013-2011": (
        "wiod2013_2011.csv.gz",
        TableMeta(
            source="WIOD 2013 release (Timmer et al. 2015)",
            edition="2013",
            year=2011,
            unit="millions of US$, current prices",
            price_basis="basic prices",
            file="wiod2013_2011.csv.gz",
            notes=(
                "rounded to whole millions by the R package 'wiod'; output rebuilt as row sums",
            ),
            inventories=("c42",),
        ),
    ),
    "leather": (
        "leather.csv",
        TableMeta(source="decompr example 'leather' (Quast & Kummritz 2015)", unit="none (toy)"),
    ),
}


def example_path(name: str) -> Path:
    """Path of the bundled example file ``name`` (a key of :data:`EXAMPLES`)."""
    if name not in EXAMPLES:
        raise OptionError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}")
    with as_file(files("gvckit") / "data" / EXAMPLES[name][0]) as p:
        return Path(p)


def load_example(name: str) -> IcioTable:
    """Read a bundled example table."""
    return read_wide(example_path(name), meta=EXAMPLES[name][1])
