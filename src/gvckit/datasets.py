"""Data shipped with gvckit: example tables (``gvckit/data``, sources in its README.md) and the
worked example chains, interventions and cluster data (``gvckit/examples``, each file or folder
README citing its sources).

The files are package data, so they are found the same way in a source checkout and in an
installed wheel::

    >>> from gvckit import datasets
    >>> sorted(datasets.example_chains())[:1]
    ['apple_ipad_2010']
    >>> datasets.example_file("chains/apple_ipad_2010.yaml").name
    'apple_ipad_2010.yaml'
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from gvckit.errors import OptionError
from gvckit.icio.readers.wide import read_wide
from gvckit.icio.table import IcioTable, TableMeta

__all__ = [
    "EXAMPLES",
    "INTERVENTION_KINDS",
    "example_chains",
    "example_file",
    "example_interventions",
    "example_path",
    "examples_folder",
    "list_examples",
    "load_example",
]

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

#: The files that go with an example chain, ``interventions/<chain>_<kind>.yaml``.
INTERVENTION_KINDS = ("constraints", "intervention", "results")


def example_path(name: str) -> Path:
    """Path of the bundled example table ``name`` (a key of :data:`EXAMPLES`)."""
    if name not in EXAMPLES:
        raise OptionError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}")
    with as_file(files("gvckit") / "data" / EXAMPLES[name][0]) as p:
        return Path(p)


def load_example(name: str) -> IcioTable:
    """Read a bundled example table."""
    return read_wide(example_path(name), meta=EXAMPLES[name][1])


def examples_folder() -> Path:
    """The folder of the example chains (``chains/``) and interventions (``interventions/``)."""
    folder = Path(str(files("gvckit") / "examples"))
    if not (folder / "chains").is_dir():  # pragma: no cover - a broken installation
        raise OptionError(f"the examples are missing from this installation ({folder})")
    return folder


def list_examples() -> pd.DataFrame:
    """Every example file: columns ``name`` (a table's key, ``chains/…``, ``interventions/…``
    or ``clusters/…``), ``kind`` (table, chain, constraints, intervention, results, clusters)
    and ``path``."""
    rows = [(key, "table", str(example_path(key))) for key in EXAMPLES]
    root = examples_folder()
    for path in sorted(root.glob("*/*.yaml")):
        folder = path.parent.name
        kind = "chain" if folder == "chains" else path.stem.rsplit("_", 1)[-1]
        rows.append((f"{folder}/{path.name}", kind, str(path)))
    for path in sorted((root / "clusters").glob("*.csv")):  # data of the cluster commands
        rows.append((f"clusters/{path.name}", "clusters", str(path)))
    return pd.DataFrame(rows, columns=["name", "kind", "path"])


def example_file(name: str) -> Path:
    """Path of one example file, named as in :func:`list_examples` (``chains/x.yaml``)."""
    if name in EXAMPLES:
        return example_path(name)
    path = examples_folder() / name
    if ".." in Path(name).parts or not path.is_file():
        known = ", ".join(list_examples()["name"])
        raise OptionError(f"no example file {name!r}; examples: {known}")
    return path


def example_chains() -> dict[str, Path]:
    """The example chains by name (the file's stem, e.g. ``apple_ipad_2010``)."""
    return {p.stem: p for p in sorted((examples_folder() / "chains").glob("*.yaml"))}


def example_interventions(chain: str) -> dict[str, Path]:
    """The constraints, intervention and results files of an example chain (those that exist),
    keyed by kind."""
    folder = examples_folder() / "interventions"
    found = {k: folder / f"{chain}_{k}.yaml" for k in INTERVENTION_KINDS}
    return {k: p for k, p in found.items() if p.is_file()}
