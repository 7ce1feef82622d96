"""Portfolio summaries in the manner of the IDB review (seed 000, §6b, Tables 3 and 4).

:func:`summary` counts activities and sums their finances by one dimension — funding type
(the review's Table 3), intervention pattern, field of action or upgrading objective (Table 4),
country or start year — for any filter. Amounts stay in their currency (one row per currency),
or with ``usd=True`` are summed in US dollars: the ``value_usd`` stored by a scan with ``--usd``
or ``--rates``, else converted now from the stored value, currency and value date
(:func:`gvckit.portfolio.rates.to_usd`); amounts that cannot be converted are counted in a
``not_converted`` column, never summed as zero unsaid, and listed by :func:`unconverted`.

Multi-valued dimensions are split without double counting: an activity in two countries is
counted once in each, with its amounts shared by the recipient-country percentages (equal
shares where none are given), so that the amounts of a summary add up to the portfolio's total.
Where an activity's country and region percentages add up to 100 together (the IATI rule), the
regions' share goes to a ``(regions)`` row rather than to the countries.
An activity with two patterns counts in both rows (it is not split): such rows do not add up,
and the ``activities`` column says so by counting the activity in each.

:func:`review` answers the review's questions for the value chain activities: how many analyse
chain governance, lead firms and value added, and which upgrading types they target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import and_, or_

from gvckit.errors import OptionError
from gvckit.portfolio.rates import Rates, shipped_rates, to_usd
from gvckit.portfolio.schema import ACTIVITIES
from gvckit.portfolio.store import PortfolioStore

__all__ = [
    "DIMENSIONS",
    "KINDS_SHOWN",
    "NO_AMOUNTS",
    "QUESTIONS",
    "REGIONS",
    "activities_by",
    "problems_by_kind",
    "review",
    "select",
    "summary",
    "unconverted",
]

#: Dimension name → activities column.
DIMENSIONS = {
    "finance_type": "finance_group",
    "pattern": "pattern",
    "field": "fields_of_action",
    "upgrading": "upgrading",
    "country": "countries",
    "year": "year",
    "publisher": "reporting_org_ref",
    "value_chain": "value_chain",
}
KINDS_SHOWN = ("commitment", "disbursement", "expenditure", "budget")
#: The currency shown for activities that report no transaction or budget at all.
NO_AMOUNTS = "(no amounts)"
_SPLIT = {"countries"}
_MULTI = {"pattern", "fields_of_action", "upgrading"}


def _listed(column: Any, code: str) -> Any:
    """``code`` is one of the entries of a 'A:60;B:40' column."""
    return or_(column == code, column.like(f"{code}:%"), column.like(f"%;{code}:%"),
               column.like(f"%;{code}"), column.like(f"{code};%"),
               column.like(f"%;{code};%"))  # fmt: skip


def _filters(
    publisher: str | None,
    country: str | None,
    sector: str | None,
    years: tuple[int, int] | None,
    value_chain: Sequence[str],
    region: str | None = None,
) -> Any:
    conds: list[Any] = [ACTIVITIES.c.value_chain.in_(list(value_chain))]
    if publisher:
        conds.append(ACTIVITIES.c.reporting_org_ref == publisher)
    if country:
        conds.append(_listed(ACTIVITIES.c.countries, country.upper()))
    if region:
        conds.append(_listed(ACTIVITIES.c.regions, region))
    if sector:
        conds.append(or_(ACTIVITIES.c.sectors.like(f"{sector}%"),
                         ACTIVITIES.c.sectors.like(f"%;{sector}%")))  # fmt: skip
    if years:
        conds.append(ACTIVITIES.c.year.between(years[0], years[1]))
    return and_(*conds)


def select(
    store: PortfolioStore,
    *,
    publisher: str | None = None,
    country: str | None = None,
    region: str | None = None,
    sector: str | None = None,
    years: tuple[int, int] | None = None,
    value_chain: Sequence[str] = ("yes", "possible"),
) -> pd.DataFrame:
    """The activities that pass the filters (one row each)."""
    return store.activities(_filters(publisher, country, sector, years, value_chain, region))


#: The row of a by-country summary that takes the recipient regions' share.
REGIONS = "(regions)"


def _percentages(cell: str) -> tuple[list[str], list[float | None]]:
    codes: list[str] = []
    pcts: list[float | None] = []
    for p in (p for p in (cell or "").split(";") if p):
        code, _, pct = p.partition(":")
        codes.append(code)
        try:
            pcts.append(float(pct) if pct else None)
        except ValueError:
            pcts.append(None)
    return codes, pcts


def _shares(cell: str, regions: str = "") -> list[tuple[str, float]]:
    """'BF:60;ML:40' → [('BF', 0.6), ('ML', 0.4)]; equal shares where percentages are missing
    or do not add up to a positive total. With ``regions`` ('298:30'): when the countries'
    and regions' percentages are all given and add up to 100 together (the IATI rule), each
    country gets its percentage and :data:`REGIONS` the regions' (countries 'KE:70' and regions
    '298:30' → [('KE', 0.7), ('(regions)', 0.3)])."""
    codes, pcts = _percentages(cell)
    if not codes:
        return [("(none)", 1.0)]
    known = [x for x in pcts if x is not None]
    if len(known) == len(pcts) and sum(known) > 0:
        total = sum(known)
        _, region_pcts = _percentages(regions)
        regional = [x for x in region_pcts if x is not None]
        complete = bool(region_pcts) and len(regional) == len(region_pcts) and sum(regional) > 0
        if complete and abs(total + sum(regional) - 100.0) <= 0.5:  # rounded by publishers
            total += sum(regional)
            return [*((c, x / total) for c, x in zip(codes, known, strict=True)),
                    (REGIONS, sum(regional) / total)]  # fmt: skip
        return [(c, x / total) for c, x in zip(codes, known, strict=True)]
    return [(c, 1.0 / len(codes)) for c in codes]


def _groups(
    store: PortfolioStore,
    by: str,
    *,
    publisher: str | None,
    country: str | None,
    region: str | None,
    sector: str | None,
    years: tuple[int, int] | None,
    value_chain: Sequence[str],
) -> pd.DataFrame:
    """The filtered activities' values of ``by``: one row per activity and value, with the
    activity's weight in it (its recipient-country percentage, else 1)."""
    if by not in DIMENSIONS:
        raise OptionError(f"--by must be one of {', '.join(DIMENSIONS)}, not {by!r}")
    bad = [v for v in value_chain if v not in ("yes", "possible", "no")]
    if bad:
        raise OptionError(f"value chain verdicts are yes, possible, no; not {', '.join(bad)}")
    column = DIMENSIONS[by]
    acts = select(
        store,
        publisher=publisher,
        country=country,
        region=region,
        sector=sector,
        years=years,
        value_chain=value_chain,
    )
    rows: list[tuple[str, str, float]] = []  # (identifier, key, weight)
    regions = acts["regions"] if "regions" in acts else [""] * len(acts)
    for ident, cell, region in zip(acts["iati_identifier"], acts[column], regions, strict=True):
        if column in _SPLIT:
            rows.extend((ident, k, w) for k, w in _shares(str(cell or ""), str(region or "")))
        elif column in _MULTI:
            keys = [k for k in str(cell or "").split(";") if k] or ["(none)"]
            rows.extend((ident, k, 1.0) for k in keys)
        else:
            key = "(none)" if cell is None or (isinstance(cell, float) and cell != cell) else cell
            rows.append((ident, str(int(key)) if isinstance(key, float) else str(key), 1.0))
    return pd.DataFrame(rows, columns=["iati_identifier", by, "weight"])


def summary(
    store: PortfolioStore,
    by: str = "finance_type",
    *,
    publisher: str | None = None,
    country: str | None = None,
    region: str | None = None,
    sector: str | None = None,
    years: tuple[int, int] | None = None,
    value_chain: Sequence[str] = ("yes", "possible"),
    usd: bool = False,
    rates: Rates | None = None,
) -> pd.DataFrame:
    """Activities and amounts by ``by`` (one of :data:`DIMENSIONS`), for the filtered activities.

    One row per value of ``by`` and currency (``USD`` with ``usd``; :data:`NO_AMOUNTS` for
    activities without finances, empty for amounts without currency): the number of activities
    with amounts in that currency, then one column per kind in :data:`KINDS_SHOWN` (sums;
    budgets per the revised-replaces-original rule). With ``usd`` (``rates`` default
    :func:`~gvckit.portfolio.rates.shipped_rates`), a last column ``not_converted`` counts the
    amounts left out for want of a rate, currency or date."""
    groups = _groups(store, by, publisher=publisher, country=country, region=region,
                     sector=sector, years=years, value_chain=value_chain)  # fmt: skip
    acts = groups.drop_duplicates("iati_identifier")
    fin = store.finances(acts["iati_identifier"]) if len(acts) else store.finances([])
    fin = fin[fin["kind"].isin(KINDS_SHOWN)]
    if usd:
        fin = to_usd(fin, rates or shipped_rates())
        fin = fin.assign(value=fin["usd"].fillna(0.0), currency="USD",
                         missed=(fin["not_converted"] != "").astype(int))  # fmt: skip
    merged = groups.merge(fin, on="iati_identifier", how="left")
    merged["currency"] = merged["currency"].fillna(NO_AMOUNTS)
    merged["kind"] = merged["kind"].fillna("none")
    merged["amount"] = (merged["value"] * merged["weight"]).fillna(0.0)
    amounts = merged.pivot_table(index=[by, "currency"], columns="kind", values="amount",
                                 aggfunc="sum", fill_value=0.0)  # fmt: skip
    counts = merged.groupby([by, "currency"])["iati_identifier"].nunique().rename("activities")
    out = amounts.join(counts).reset_index()
    for kind in KINDS_SHOWN:
        if kind not in out:
            out[kind] = 0.0
    columns = [by, "currency", "activities", *KINDS_SHOWN]
    if usd:
        missed = merged.groupby([by, "currency"])["missed"].sum().rename("not_converted")
        out = out.join(missed, on=[by, "currency"])
        out["not_converted"] = out["not_converted"].fillna(0).astype(int)
        columns.append("not_converted")
    out = out[columns]
    out = out.sort_values(["activities", by, "currency"], ascending=[False, True, True])
    return out.reset_index(drop=True)


def activities_by(
    store: PortfolioStore,
    by: str = "finance_type",
    *,
    publisher: str | None = None,
    country: str | None = None,
    region: str | None = None,
    sector: str | None = None,
    years: tuple[int, int] | None = None,
    value_chain: Sequence[str] = ("yes", "possible"),
) -> pd.DataFrame:
    """The number of filtered activities per value of ``by`` (columns ``by``, activities),
    each activity once per value whatever the currencies of its amounts (:func:`summary`
    counts per currency); an activity with several values counts under each."""
    groups = _groups(store, by, publisher=publisher, country=country, region=region,
                     sector=sector, years=years, value_chain=value_chain)  # fmt: skip
    counts = groups.groupby(by)["iati_identifier"].nunique().rename("activities").reset_index()
    counts = counts.sort_values(["activities", by], ascending=[False, True])
    return counts.reset_index(drop=True)


#: The review's questions (seed 000): which analyses, upgrading types and patterns an activity
#: names; each the classifier's column of that name.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "analyses": ("governance", "lead_firms", "value_added"),
    "upgrading": ("process", "product", "functional", "channel", "supply_chain_linkages",
                  "entry"),
    "pattern": ("lead_firm_driven", "value_chain_linkages", "public_private_partnership"),
}  # fmt: skip


def review(
    store: PortfolioStore,
    *,
    publisher: str | None = None,
    country: str | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The review's questions over the value chain activities (yes and possible): how many
    analyse governance, lead firms, value added; how many target each upgrading type."""
    acts = store.activities(_filters(publisher, country, None, years, ("yes", "possible")))
    n = len(acts)
    out: list[dict[str, Any]] = []
    for question, values in QUESTIONS.items():
        cells = acts[question].fillna("").str.split(";")
        for v in values:
            k = int(cells.apply(lambda items, v=v: v in items).sum())
            out.append({"question": question, "answer": v, "activities": k,
                        "share": k / n if n else 0.0})  # fmt: skip
    return pd.DataFrame(out, columns=["question", "answer", "activities", "share"])


def unconverted(
    store: PortfolioStore,
    *,
    value_chain: Sequence[str] = ("yes", "possible", "no"),
    rates: Rates | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """The amounts (of :data:`KINDS_SHOWN`) that cannot be converted to US dollars, counted by
    reason, currency, year, file and activity (``filters`` as for :func:`select`)."""
    acts = select(store, value_chain=value_chain, **filters)
    columns = ["reason", "currency", "year", "file", "iati_identifier", "count"]
    if acts.empty:
        return pd.DataFrame(columns=columns)
    fin = store.finances(acts["iati_identifier"])
    fin = to_usd(fin[fin["kind"].isin(KINDS_SHOWN)], rates or shipped_rates())
    fin = fin[fin["not_converted"] != ""].merge(acts[["iati_identifier", "file"]],
                                                 on="iati_identifier")  # fmt: skip
    fin = fin.assign(reason=fin["not_converted"], year=fin["value_date"].fillna("").str[:4])
    keys = ["reason", "currency", "year", "file", "iati_identifier"]
    out = fin.groupby(keys).size().rename("count").reset_index()
    return out.sort_values(keys).reset_index(drop=True)[columns]


def problems_by_kind(store: PortfolioStore) -> pd.DataFrame:
    """Problems found in the scanned files by kind: ``count`` (Σ of
    :meth:`PortfolioStore.problems` over files and activities, as
    :meth:`PortfolioStore.problem_counts` and the scan's last line count them) and ``files``
    (how many files have that kind), most frequent first, then by kind."""
    found = store.problems()
    counts = (found.groupby("kind").agg(count=("count", "sum"), files=("file", "nunique"))
              .reset_index().sort_values(["count", "kind"], ascending=[False, True]))  # fmt: skip
    return counts.reset_index(drop=True)
