"""Sections 4 and 5 of the report: the portfolio review (IDB review style) and the method and
sources (every measure with its paper, the data sources and the table's balance)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from gvckit.chain.model import Chain
from gvckit.icio.measures import MEASURES
from gvckit.icio.table import IcioTable
from gvckit.portfolio.store import PortfolioStore
from gvckit.portfolio.summary import activities_by, problems_by_kind, review, summary
from gvckit.report import charts
from gvckit.report.model import Chart, Section, Table

__all__ = [
    "PAPERS",
    "method_section",
    "portfolio_section",
    "problems_table",
    "review_tables_section",
]

#: The paper behind each measure the report shows.
PAPERS = {
    "tiva": "Johnson, R. C. & Noguera, G. (2012). Accounting for intermediates: production "
    "sharing and trade in value added. Journal of International Economics 86(2).",
    "exports": "Gross exports by partner, final and intermediate (the table itself).",
    "leontief": "Leontief, W. (1936). Quantitative input and output relations in the economic "
    "system of the United States. Review of Economics and Statistics 18(3).",
    "kww": "Koopman, R., Wang, Z. & Wei, S.-J. (2014). Tracing value-added and double counting "
    "in gross exports. American Economic Review 104(2).",
    "bm": "Borin, A. & Mancini, M. (2019). Measuring what matters in global value chains and "
    "value-added trade. World Bank Policy Research Working Paper 8804.",
    "participation": "Koopman et al. (2010, 2014); OECD TiVA; Borin & Mancini (2019); Wang, "
    "Wei, Yu & Zhu (2017), Measures of participation in global value chains and global "
    "business cycles, NBER Working Paper 23222.",
    "position": "Koopman, R., Powers, W., Wang, Z. & Wei, S.-J. (2010). Give credit where credit "
    "is due: tracing value added in global production chains. NBER Working Paper 16426.",
    "upstreamness": "Antràs, P., Chor, D., Fally, T. & Hillberry, R. (2012). Measuring the "
    "upstreamness of production and trade flows. American Economic Review 102(3).",
    "downstreamness": "Antràs, P. & Chor, D. (2018). On the measurement of upstreamness and "
    "downstreamness in global value chains. In Ing & Yu (eds.), World Trade Evolution, "
    "Routledge; NBER Working Paper 24185 (with its net-inventory correction).",
    "output_shares": "Antràs, P. & Chor, D. (2018), as for downstreamness.",
    "nrca": "Koopman, R., Wang, Z. & Wei, S.-J. (2014), section on revealed comparative "
    "advantage in value-added terms.",
}


def portfolio_section(store: PortfolioStore, label: str) -> Section:
    """Activities and amounts by funding type, pattern and year, and the review's questions,
    for the value chain activities (yes and possible) of the scanned portfolio."""
    section = Section("portfolio", "Portfolio review",
                      f"Value chain activities (classified yes or possible) in {label}, "
                      "summarised like the IDB review (seed 000, Tables 3 and 4).")  # fmt: skip
    section.blocks.append(problems_table(store))
    by_type = summary(store, "finance_type")
    if by_type.empty:
        section.intro += " No value chain activity was found."
        return section
    counts = activities_by(store, "finance_type")
    section.blocks.append(Chart("Activities by funding type", charts.bar(
        counts, "activities", "finance_type", "Value chain activities by funding type",
        value_format=",d"), by_type, "Amounts are summed in each currency."))  # fmt: skip
    pattern = summary(store, "pattern")
    counts = activities_by(store, "pattern")
    section.blocks.append(Chart("Activities by pattern of engagement", charts.bar(
        counts, "activities", "pattern", "Pattern of engagement (seed 000, Table 1)",
        value_format=",d"), pattern))  # fmt: skip
    years = summary(store, "year")
    per_year = activities_by(store, "year")
    per_year = per_year[per_year["year"] != "(none)"].assign(series="activities")
    if not per_year.empty:
        per_year["year"] = per_year["year"].astype(int)
        per_year = per_year.sort_values("year")
        section.blocks.append(Chart("Activities by start year", charts.lines(
            per_year, "year", "activities", "series", "Value chain activities by start year"),
            years))  # fmt: skip
    section.blocks.append(Table("The review's questions", review(store),
                                "How many analyse governance, lead firms and value added; which "
                                "upgrading types and patterns they name."))  # fmt: skip
    return section


#: At most this many values are drawn in a review table's chart (its table has them all).
TOP = 15
#: The review tables' dimensions (as the workbench names them) and their headings.
REVIEW_HEADINGS = {
    "pattern": "pattern of engagement",
    "fields_of_action": "field of action",
    "upgrading": "upgrading objective",
    "year": "start year",
    "publisher": "publisher",
    "country": "recipient country",
}


def review_tables_section(tables: dict[str, Any], label: str) -> Section:
    """The IDB review's tables of a workbench portfolio's value chain activities (the result of
    :func:`gvckit.store.portfolio.review_tables` over the activities classified yes or
    possible) as charts with their data: activities and commitments in US dollars by pattern,
    field of action, upgrading objective, year, publisher and country; then the review's
    questions (governance, lead firms, value added; upgrading types; patterns)."""
    n = int(tables.get("activities", 0))
    section = Section("portfolio", "Portfolio review",
                      f"The {n:,} value chain activities (classified yes or possible) of "
                      f"{label}, counted and summed in US dollars like the IDB review (seed "
                      "000, Tables 3 and 4). An activity with several values counts under "
                      "each.")  # fmt: skip
    if not n:
        section.intro += " No value chain activity was found."
        return section
    note = ("US dollars are summed over activities with a convertible commitment; the chart "
            f"shows the {TOP} values with the most activities, the table all of them.")  # fmt: skip
    for dim, heading in REVIEW_HEADINGS.items():
        rows = tables.get("tables", {}).get(dim, [])
        columns = ["value", "name"] if dim in ("publisher", "country") else ["value"]
        frame = pd.DataFrame(rows, columns=[*columns, "activities", "usd", "with_usd", "label"])
        labels = frame.pop("label").fillna(frame["value"])
        frame = frame.rename(columns={"value": heading, "usd": "usd_commitments",
                                      "with_usd": "activities_with_usd"})  # fmt: skip
        title = f"Activities and US dollars by {heading}"
        if dim == "year":
            known = frame[frame[heading] != "none"].astype({heading: int}).sort_values(heading)
            figure = charts.lines(known.assign(series="activities"), heading, "activities",
                                  "series", f"Value chain activities by {heading}")  # fmt: skip
            section.blocks.append(Chart(title, figure, frame, note.split(";")[0] + "."))
            continue
        shown = frame.head(TOP)
        shown = shown.assign(label=labels.head(TOP).astype(str).map(charts.wrap_label))
        figure = charts.bar(shown, "activities", "label",
                            f"Value chain activities by {heading}", value_format=",d")  # fmt: skip
        section.blocks.append(Chart(title, figure, frame, note))
    questions = pd.DataFrame(tables.get("questions", []),
                             columns=["question", "answer", "activities", "share"])  # fmt: skip
    figure = charts.bar(questions.assign(label=questions["question"] + ": " + questions["answer"]),
                        "share", "label", "Share of the value chain activities naming each",
                        value_format=".0%")  # fmt: skip
    section.blocks.append(Chart("The review's questions", figure, questions,
                                "How many analyse governance, lead firms and value added; which "
                                "upgrading types and patterns they name (the classifier's "
                                "reading)."))  # fmt: skip
    return section


def problems_table(store: PortfolioStore) -> Table:
    """Problems found in the scanned files by kind (the counts of the scan's last line and of
    ``gvckit portfolio problems``), with the number of files where each occurs."""
    counts = problems_by_kind(store)
    note = ("Transactions with an unknown type, without a value or whose value is not a number, "
            "and budgets whose value is not a number, are left out of the amounts; "
            "`gvckit portfolio problems` lists them by file and activity.")  # fmt: skip
    if counts.empty:
        note = "No problem was found in the scanned files."
    return Table("Problems found in the files", counts, note)


def method_section(table: IcioTable | None, chain: Chain | None) -> Section:
    """The measures and their papers, the data sources, and the table's balance diagnostics."""
    section = Section("method", "Method and sources",
                      "What each measure means and where it comes from, the data used, and "
                      "how well the table balances. gvckit computes; this report only "
                      "presents.")  # fmt: skip
    rows = [{"measure": name, "what": MEASURES[name].summary, "source": paper}
            for name, paper in PAPERS.items() if name in MEASURES]  # fmt: skip
    section.blocks.append(Table("Measures", pd.DataFrame(rows)))
    sources = []
    if table is not None:
        meta = table.meta
        sources.append({"data": "input-output table", "source": meta.source,
                        "edition": getattr(meta, "edition", "") or "", "year": meta.year,
                        "unit": meta.unit})  # fmt: skip
    if chain is not None:
        for src in chain.sources:
            sources.append(
                {
                    "data": "value chain",
                    "source": src.citation,
                    "edition": src.table or "",
                    "year": "",
                    "unit": chain.currency,
                }
            )
    if sources:
        section.blocks.append(Table("Data sources", pd.DataFrame(sources)))
    if table is not None:
        bal = table.balance
        info = bal.as_dict()
        gaps = {k: info[k] for k in ("row_gap", "column_gap")}
        summary_rows = [
            {"check": "relative tolerance", "value": info["tolerance"]},
            {"check": "rows out of balance", "value": bal.rows_out_of_balance},
            {"check": "columns out of balance", "value": bal.columns_out_of_balance},
            *({"check": f"largest {k.replace('_', ' ')} (absolute)", "value": v["max_abs"]}
              for k, v in gaps.items() if isinstance(v, dict)),
            {"check": "sectors with zero output", "value": len(bal.zero_output)},
            {"check": "negative value added", "value": len(bal.negative_value_added)},
        ]  # fmt: skip
        notes = "; ".join(str(n) for n in bal.notes)
        section.blocks.append(Table("Balance of the table", pd.DataFrame(summary_rows),
                                    "Rows: gross output against the row sums of Z and Y; "
                                    "columns: against the column sums of Z plus value added. "
                                    + notes))  # fmt: skip
        worst = pd.DataFrame(bal.worst())
        if not worst.empty:
            section.blocks.append(Table("Largest imbalances", worst, collapsed=True))
    return section
