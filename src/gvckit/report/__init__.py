"""The report: one self-contained HTML page from macro position to intervention design.

:func:`build_report` gathers the sections for what is given (an ICIO table with a country and
sector, a chain, constraints, an intervention, a results chain, a portfolio database);
:func:`render_html`, :func:`write_html` and :func:`write_pdf` present it. The report computes
nothing of its own: every number is the API's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gvckit.chain.model import Chain
from gvckit.errors import OptionError
from gvckit.icio.table import IcioTable
from gvckit.interventions.constraints import ConstraintSet
from gvckit.interventions.results import ResultsChain
from gvckit.interventions.typology import Intervention
from gvckit.portfolio.store import PortfolioStore
from gvckit.report.model import Block, Chart, Figures, Html, Report, Section, Table
from gvckit.report.render import find_chromium, render_html, write_html, write_pdf

if TYPE_CHECKING:
    from gvckit.clusters.survey import Response

__all__ = [
    "Block",
    "Chart",
    "Figures",
    "Html",
    "Report",
    "Section",
    "Table",
    "build_report",
    "find_chromium",
    "render_html",
    "write_html",
    "write_pdf",
    "write_report",
]


def build_report(
    *,
    table: IcioTable | None = None,
    country: str | None = None,
    sector: str | None = None,
    peers: list[str] | None = None,
    panel: pd.DataFrame | None = None,
    chain: Chain | None = None,
    constraints: ConstraintSet | None = None,
    intervention: Intervention | None = None,
    audit_chain: Chain | None = None,
    results: ResultsChain | None = None,
    portfolio: PortfolioStore | None = None,
    portfolio_label: str = "the scanned portfolio",
    portfolio_tables: dict[str, Any] | None = None,
    title: str | None = None,
    cluster_stars: pd.DataFrame | None = None,
    survey: Sequence[Response] | None = None,
) -> Report:
    """Assemble the report's sections for the inputs given (at least one); ``cluster_stars``
    (the output of ``gvckit clusters stars``) and the cluster ``survey`` make the clusters
    part, between the chain and the constraints; ``audit_chain`` is the chain the
    intervention's design audit is against (default: ``chain``: a workbench audit kept with
    the intervention may be against another chain, or a report may have none);
    ``portfolio_tables`` (a workbench portfolio's
    :func:`gvckit.store.portfolio.review_tables`) makes the portfolio section instead of
    ``portfolio``."""
    from gvckit.report.chainpart import action_section, chain_section
    from gvckit.report.other import method_section, portfolio_section, review_tables_section
    from gvckit.report.position import position_section

    given = [table, chain, constraints, intervention, results, portfolio, cluster_stars, survey,
             portfolio_tables]  # fmt: skip
    if all(x is None for x in given):
        raise OptionError("the report needs at least one input: a table, a chain, "
                          "constraints, an intervention, results or a portfolio")  # fmt: skip
    if table is not None and country is None:
        raise OptionError("a report on a table needs --country (and optionally --sector)")
    parts = []
    if chain is not None:
        parts.append(chain.name)
    if table is not None:
        parts.append(f"{country}{f' {sector}' if sector else ''} in {table.meta.source} "
                     f"{table.meta.year}")  # fmt: skip
    report = Report(title or "Global value chain report", " · ".join(parts) or "gvckit report")
    if table is not None and country is not None:
        report.sections.append(position_section(table, country, sector, peers, panel))
    if chain is not None:
        report.sections.append(chain_section(chain))
    if cluster_stars is not None or survey:
        from gvckit.report.clusterpart import clusters_section

        report.sections.append(clusters_section(cluster_stars, survey))
    if any(x is not None for x in (constraints, intervention, results)):
        against = audit_chain if audit_chain is not None else chain
        report.sections.append(action_section(constraints, intervention, results, chain,
                                              against))  # fmt: skip
    if portfolio is not None:
        report.sections.append(portfolio_section(portfolio, portfolio_label))
    elif portfolio_tables is not None:
        report.sections.append(review_tables_section(portfolio_tables, portfolio_label))
    report.sections.append(method_section(table, chain))
    return report


def write_report(report: Report, html: str | Path, pdf: str | Path | None = None) -> Path:
    """Write the HTML (and the PDF if asked) and return the HTML path."""
    out = write_html(report, html)
    if pdf is not None:
        write_pdf(out, pdf)
    return out
