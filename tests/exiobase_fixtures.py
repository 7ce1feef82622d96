"""Small EXIOBASE 3 releases written in the published layout (src/gvckit/icio/readers/exiobase.py).

The files are written as pymrio writes them (pandas ``to_csv(sep="\\t")`` of frames indexed by
region and sector): ``Z.txt``/``A.txt`` with header lines ``region``, ``sector`` and a line of
index names, ``Y.txt`` with ``category``, ``x.txt`` (``indout``), ``unit.txt`` (``M.EUR``),
``file_parameters.json``, ``metadata.json`` and the factor inputs:

- ``v38``: release 3.8 style, in a folder ``IOT_2019_ixi/`` inside the zip: Z and A, x,
  ``factor_inputs/F.txt`` (the nine value-added rows) beside other extensions;
- ``v34``: release 3.4 style, files at the top of the zip: A only (with x), ``satellite/F.txt``
  whose first rows are the value-added rows, followed by other stressors, with no index-names line
  (as in pymrio's exio3 mock), and ``satellite/F_hh.txt``.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gvckit.icio.readers.exiobase import VALUE_ADDED
from mrio_tables import Known, known

REGIONS = ("AT", "DE", "WA")
SECTORS = {
    "ixi": (
        "Cultivation of paddy rice",
        "Manufacture of basic iron and steel and of ferro-alloys and first products thereof",
        "Real estate activities (70)",
    ),
    "pxp": (
        "Paddy rice",
        "Basic iron and steel and of ferro-alloys and first products thereof",
        "Real estate services (70)",
    ),
}
CATEGORIES = (
    "Final consumption expenditure by households",
    "Final consumption expenditure by non-profit organisations serving households (NPISH)",
    "Final consumption expenditure by government",
    "Gross fixed capital formation",
    "Changes in inventories",
    "Changes in valuables",
    "Exports: Total (fob)",
)
OTHER_STRESSORS = ("Employment: Low-skilled male", "CO2 - combustion - air")


@dataclass(frozen=True)
class Release:
    known: Known
    files: dict[str, bytes]


def _index(labels: list[tuple[str, str]], second: str) -> pd.MultiIndex:
    return pd.MultiIndex.from_tuples(labels, names=["region", second])


def _tsv(frame: pd.DataFrame, index_names: bool = True) -> bytes:
    if not index_names:
        frame = frame.copy()
        frame.index.name = None
    return frame.to_csv(sep="\t").encode()


def generate(style: str = "v38", system: str = "ixi", year: int = 2019) -> Release:
    k = known(REGIONS, SECTORS[system], CATEGORIES, VALUE_ADDED, negative_category=4)
    rows = _index(k.labels, "sector")
    cols = _index([(r, c) for r in REGIONS for c in CATEGORIES], "category")
    n = k.n
    Z = pd.DataFrame(k.Z, index=rows, columns=rows)
    A = pd.DataFrame(k.Z / k.x[None, :], index=rows, columns=rows)
    Y = pd.DataFrame(k.Y.reshape(n, -1), index=rows, columns=cols)
    x = pd.DataFrame({"indout": k.x}, index=rows)
    unit = pd.DataFrame({"unit": ["M.EUR"] * n}, index=rows)
    va = pd.DataFrame(k.parts, index=pd.Index(VALUE_ADDED, name="stressor"), columns=rows)
    other = pd.DataFrame(
        np.arange(2 * n, dtype=float).reshape(2, n) * 1.5,
        index=pd.Index(OTHER_STRESSORS, name="stressor"),
        columns=rows,
    )
    fy = pd.DataFrame(np.zeros((len(VALUE_ADDED), len(cols))), index=va.index, columns=cols)
    ext_unit = pd.DataFrame({"unit": ["M.EUR"] * len(VALUE_ADDED)}, index=va.index)
    version = {"v38": "v3.8.2", "v34": "v3.4"}[style]
    metadata = {
        "description": f"Metadata file for EXIOBASE {version[1:]} {system} {year}",
        "name": f"EXIO3_{year}_{system}",
        "system": system,
        "version": version,
        "history": [],
    }
    core = {
        "files": {
            "A": {"name": "A.txt", "nr_index_col": "2", "nr_header": "2"},
            "Y": {"name": "Y.txt", "nr_index_col": "2", "nr_header": "2"},
            "unit": {"name": "unit.txt", "nr_index_col": "2", "nr_header": "1"},
        },
        "systemtype": "IOSystem",
    }
    files: dict[str, bytes] = {
        "A.txt": _tsv(A),
        "Y.txt": _tsv(Y),
        "x.txt": _tsv(x),
        "unit.txt": _tsv(unit),
        "metadata.json": json.dumps(metadata, indent=4).encode(),
        "file_parameters.json": json.dumps(core, indent=4).encode(),
    }
    if style == "v38":
        files["Z.txt"] = _tsv(Z)
        files["factor_inputs/F.txt"] = _tsv(va)
        files["factor_inputs/F_Y.txt"] = _tsv(fy)
        files["factor_inputs/unit.txt"] = _tsv(ext_unit)
        files["air_emissions/F.txt"] = _tsv(other)
        files["air_emissions/unit.txt"] = b"stressor\tunit\n"
        files = {f"IOT_{year}_{system}/{name}": data for name, data in files.items()}
    else:
        satellite = pd.concat([va, other])
        files["satellite/F.txt"] = _tsv(satellite, index_names=False)
        files["satellite/F_hh.txt"] = _tsv(fy, index_names=False)
        files["satellite/unit.txt"] = b"stressor\tunit\n"
    return Release(k, files)


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def write_folder(path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path
