"""The report's "Clusters" part, between the chain and the constraints: the star rating of
regions × cluster categories as a heat map (European Cluster Observatory), and from the cluster
firm survey, collective efficiency and technological capabilities. Every number is the
:mod:`gvckit.clusters` API's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from gvckit.clusters.mapping import STAR_COLUMNS, star_counts, strongest
from gvckit.clusters.survey import Response
from gvckit.errors import InputError
from gvckit.report.charts import PALETTE
from gvckit.report.model import Chart, Figures, Section, Table

__all__ = ["clusters_section", "star_heatmap"]


def star_heatmap(stars: pd.DataFrame) -> dict[str, Any]:
    """A plotly heat map of stars (0–3), regions as rows and categories as columns; the hover
    shows the location quotient and the region's share of the category."""
    import plotly.graph_objects as go

    regions = list(dict.fromkeys(stars["region"].astype(str)))
    cats = list(dict.fromkeys(stars["category"].astype(str)))
    grid = stars.assign(region=stars["region"].astype(str), category=stars["category"].astype(str))
    z = grid.pivot(index="region", columns="category", values="stars").reindex(
        index=regions, columns=cats)  # fmt: skip
    lq = grid.pivot(index="region", columns="category", values="lq").reindex(
        index=regions, columns=cats)  # fmt: skip
    trace = {
        "type": "heatmap", "z": z.to_numpy().tolist(), "x": cats, "y": regions,
        "zmin": 0, "zmax": 3, "customdata": lq.round(2).to_numpy().tolist(),
        "colorscale": [[0.0, "#f4f4f4"], [1 / 3, "#c6dbef"], [2 / 3, "#6baed6"],
                       [1.0, PALETTE[0]]],
        "colorbar": {"title": {"text": "stars"}, "tickvals": [0, 1, 2, 3]},
        "hovertemplate": "%{y} · %{x}: %{z} stars (LQ %{customdata})<extra></extra>",
    }  # fmt: skip
    layout = {
        "meta": {"title": "Cluster stars"},
        "height": max(300, 24 * len(regions) + 160),
        "margin": {"l": 10, "r": 20, "t": 20, "b": 40},
        "xaxis": {"automargin": True, "tickangle": -30},
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "paper_bgcolor": "white",
    }
    return go.Figure({"data": [trace], "layout": layout}).to_plotly_json()  # type: ignore[no-any-return]


def clusters_section(
    stars: pd.DataFrame | None = None, survey: Sequence[Response] | None = None
) -> Section:
    """The clusters part for what is given: a star table (the output of ``gvckit clusters
    stars``) and/or the responses of a cluster firm survey."""
    from gvckit.clusters.scores import capability_distribution, efficiency

    section = Section(
        "clusters", "Clusters",
        "Where industries cluster and what firms gain from it: external economies and joint "
        "action (collective efficiency, Schmitz 1995) and their own technological capabilities "
        "(Lall 1992; Morrison, Pietrobelli & Rabellotti 2008).",
    )  # fmt: skip
    if stars is not None:
        missing = [c for c in STAR_COLUMNS if c not in stars.columns]
        if missing:
            raise InputError(f"the star table has no column {missing[0]!r}",
                             expected="the output of gvckit clusters stars")  # fmt: skip
        n = star_counts(stars)
        section.blocks.append(Figures("Cluster stars", [
            ("regions", f"{n['regions']}", "rated"),
            ("categories", f"{n['categories']}", "of clusters"),
            ("three-star clusters", f"{n['three_star']}", "size, specialisation and focus"),
            ("two or more stars", f"{n['two_or_more']}", "region × category"),
        ]))  # fmt: skip
        section.blocks.append(Chart(
            "Cluster stars by region and category", star_heatmap(stars),
            stars[["region", "category", "stars", "lq", "focus", "category_share"]],
            "One star each for size (top 10 % of regions in the category), specialisation "
            "(location quotient at least 2) and focus (top 10 % share of the region's "
            "employment), as the European Cluster Observatory rates clusters (thresholds as "
            "the stars were computed).",
        ))  # fmt: skip
        section.blocks.append(Table("Strongest clusters", strongest(stars, 20), collapsed=True))
    if survey:
        eff = efficiency(survey)
        wide = eff.pivot_table(index="item", columns=["cluster", "round"], values="value",
                               sort=False)  # fmt: skip
        wide.columns = pd.Index([f"{col[0]} ({col[1]})" for col in wide.columns.tolist()])
        section.blocks.append(Table(
            "Collective efficiency", wide.reset_index(),
            "Mean scores 0–4 (0 none, 4 very strong) of joint action, bilateral or "
            "multilateral, horizontal or vertical (Schmitz 1995; Nadvi 1999), and of external "
            "economies; institution rows are the shares of firms using them.",
        ))  # fmt: skip
        dist = capability_distribution(survey, "cluster")
        shares = dist[dist["function"] != "all"]
        if shares["firms"].sum() > 0:
            section.blocks.append(Table(
                "Technological capabilities", dist,
                "Firms at each level of investment, production and linkage capabilities "
                "(Lall 1992); 'low': no function at the intermediate level.",
            ))  # fmt: skip
    return section
