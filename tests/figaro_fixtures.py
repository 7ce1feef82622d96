"""Small FIGARO matrices written in Eurostat's published layout (src/gvckit/icio/readers/figaro.py).

``matrix_eu-ic-io_ind-by-ind_24ed_2021.csv``: header ``rowLabels`` then ``<area>_<code>`` labels,
areas in Eurostat's order (``FIGW1``, the rest of the world, after FI), industries area-major,
then five final-demand columns per area (P3_S13, P3_S14, P3_S15, P51G, P5M); rows: industries,
then ``W2_D21X31``, ``W2_OP_RES``, ``W2_OP_NRES``, ``W2_D1``, ``W2_D29X39``, ``W2_B2A3G``; no
totals. Taxes less subsidies on products and the purchases adjustments have entries in the
final-demand columns too (households); the other W2 rows are zero there.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from mrio_tables import Known, cell, known

AREAS = ("DE", "FIGW1", "FR")
INDUSTRIES = {
    "ind-by-ind": ("A01", "C20", "M72"),
    "prod-by-prod": ("CPA_A01", "CPA_C20", "CPA_M72"),
}
CATEGORIES = ("P3_S13", "P3_S14", "P3_S15", "P51G", "P5M")
VALUE_ADDED = ("D21X31", "OP_RES", "OP_NRES", "D1", "D29X39", "B2A3G")


@dataclass(frozen=True)
class Matrix:
    known: Known
    final_w2: dict[str, float]  # W2 rows' totals in final-demand columns
    text: str

    @property
    def lines(self) -> list[list[str]]:
        return [line.split(",") for line in self.text.splitlines()]


def generate(table: str = "ind-by-ind", seed: int = 5) -> Matrix:
    k = known(AREAS, INDUSTRIES[table], CATEGORIES, VALUE_ADDED, seed=seed, negative_category=4)
    n, G, F = k.n, len(AREAS), len(CATEGORIES)
    parts = k.parts.copy()
    # OP_RES and OP_NRES are zero for industries; move their share into operating surplus
    parts[-1] += parts[1] + parts[2]
    parts[1:3] = 0.0
    final = np.zeros((len(VALUE_ADDED), G * F))
    final[0] = 0.75  # taxes less subsidies on final products
    final[1, 1::F] = 2.5  # direct purchases abroad by residents (households)
    final[2, 1::F] = -2.5  # purchases by non-residents
    labels = [f"{a}_{s}" for a, s in k.labels]
    fd = [f"{a}_{c}" for a in AREAS for c in CATEGORIES]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["rowLabels", *labels, *fd])
    flat = k.Y.reshape(n, G * F)
    for i, lab in enumerate(labels):
        writer.writerow([lab, *map(cell, k.Z[i]), *map(cell, flat[i])])
    for j, name in enumerate(VALUE_ADDED):
        writer.writerow([f"W2_{name}", *map(cell, parts[j]), *map(cell, final[j])])
    known_table = Known(
        k.countries, k.sectors, k.categories, k.primaries, k.Z, k.Y, k.x, parts,
        k.extra_inputs, k.extra_sales,
    )  # fmt: skip
    totals = {name: float(final[j].sum()) for j, name in enumerate(VALUE_ADDED)}
    return Matrix(known_table, totals, buf.getvalue())


def filename(table: str = "ind-by-ind", edition: str | None = "24ed", year: int = 2021) -> str:
    return f"matrix_eu-ic-io_{table}{'_' + edition if edition else ''}_{year}.csv"
