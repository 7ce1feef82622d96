"""The portfolio scan over the whole shared IATI corpus, checked against a second reading.

The second reading below is deliberately simple and shares no code with the scanner
(``gvckit.portfolio.iati``): each file is read whole with lxml ``iterparse``, and an activity's
totals per (kind, currency) follow the README's rules as written there —

- commitments are transactions of type ``2`` (IATI 1.0x ``C``), disbursements ``3`` (``D``),
  expenditure ``4`` (``E``); a transaction without a number as value is left out;
- budgets per period (period-start, period-end): the revised budgets (type ``2``/``Revised``)
  of a period replace its original ones (type ``1``/``Original``, the default), several of one
  type are summed; a budget without a number as value is left out;
- the currency is the value's ``currency``, else the activity's ``default-currency``.

A value is a number when, once spaces are removed, it is a plain decimal (optionally signed, with
an exponent). No deliberate difference in rules: every activity kept by the scan must agree.
Activities are matched by identifier and by the file the scan kept them from (an identifier in
two files is stored once, see ``portfolio_duplicates``).
"""

from __future__ import annotations

import gzip
import io
import math
import re
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from conftest import shared_path
from gvckit.portfolio.iati import find_files
from gvckit.portfolio.store import PortfolioStore

pytestmark = pytest.mark.shared

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRANSACTION_KINDS = {"2": "commitment", "C": "commitment", "3": "disbursement",
                      "D": "disbursement", "4": "expenditure", "E": "expenditure"}  # fmt: skip
_BUDGET_TYPES = {"original": "1", "revised": "2"}

Totals = dict[tuple[str, str], float]  # (kind, currency) -> sum


def _amount(text: str | None) -> float | None:
    cleaned = (text or "").strip().replace(" ", "")
    return float(cleaned) if _NUMBER.fullmatch(cleaned) else None


def _date(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return (node.get("iso-date") or node.text or "").strip()[:10]


def _activity_totals(act: etree._Element) -> Totals:
    default = (act.get("default-currency") or "").strip().upper()
    sums: Totals = defaultdict(float)
    for tx in act.findall("transaction"):
        ttype = tx.find("transaction-type")
        code = (ttype.get("code") or "").strip().upper() if ttype is not None else ""
        value = tx.find("value")
        number = _amount(value.text) if value is not None else None
        if code in _TRANSACTION_KINDS and value is not None and number is not None:
            currency = (value.get("currency") or "").strip().upper() or default
            sums[(_TRANSACTION_KINDS[code], currency)] += number
    periods: dict[tuple[str, str], dict[str, list[tuple[str, float]]]] = {}
    for budget in act.findall("budget"):
        btype = (budget.get("type") or "1").strip()
        btype = _BUDGET_TYPES.get(btype.lower(), btype)
        period = (_date(budget.find("period-start")), _date(budget.find("period-end")))
        value = budget.find("value")
        number = _amount(value.text) if value is not None else None
        if value is None or number is None:
            continue
        currency = (value.get("currency") or "").strip().upper() or default
        periods.setdefault(period, {}).setdefault(btype, []).append((currency, number))
    for by_type in periods.values():
        for currency, number in by_type.get("2") or by_type.get("1") or []:
            sums[("budget", currency)] += number
    return dict(sums)


def second_reading(folder: Path) -> dict[tuple[str, str], Totals]:
    """(file, identifier) -> totals, for every activity with an identifier in ``folder``."""
    out: dict[tuple[str, str], Totals] = {}
    for path in sorted(folder.rglob("*")):
        if not path.name.endswith((".xml", ".xml.gz")):
            continue
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        try:
            for _, act in etree.iterparse(io.BytesIO(raw), tag="iati-activity",
                                          resolve_entities=False, no_network=True):  # fmt: skip
                ident = (act.findtext("iati-identifier") or "").strip()
                if ident:
                    out[(str(path), ident)] = _activity_totals(act)
                act.clear()
        except etree.XMLSyntaxError:
            continue  # activities read before the fault stay
    return out


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The whole shared corpus scanned into a fresh SQLite database (its URL)."""
    folder = shared_path("iati", "activities")
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.db'}"
    with PortfolioStore(url) as store:
        store.scan(find_files([folder]))
    return url


def test_every_activity_agrees_with_the_second_reading(corpus_db: str) -> None:
    folder = shared_path("iati", "activities")
    expected = second_reading(folder)
    with PortfolioStore(corpus_db) as store:
        acts = store.activities()[["iati_identifier", "file"]]
        fin = store.finances()
    kinds = {"commitment", "disbursement", "expenditure", "budget"}
    fin = fin[fin["kind"].isin(kinds)]
    sums = fin.groupby(["iati_identifier", "kind", "currency"])["value"].sum()
    got: dict[str, Totals] = defaultdict(dict)
    for (ident, kind, currency), value in sums.items():
        got[ident][(kind, currency)] = float(value)
    identifiers = {ident for _, ident in expected}
    assert set(acts["iati_identifier"]) == identifiers  # every activity with an identifier kept
    assert len(acts) > 27_000
    disagree = []
    for ident, file in zip(acts["iati_identifier"], acts["file"], strict=True):
        want, have = expected[(file, ident)], got.get(ident, {})
        if set(want) != set(have) or any(
            not math.isclose(want[k], have[k], rel_tol=1e-9, abs_tol=1e-6) for k in want
        ):
            disagree.append((ident, want, have))
    assert not disagree, f"{len(disagree)} activities disagree, e.g. {disagree[:3]}"
    # not vacuous: the corpus has every kind, in many currencies
    assert {k for totals in expected.values() for k, _ in totals} == kinds
    assert len({c for totals in expected.values() for _, c in totals}) > 10


def test_usd_sums_by_publisher_agree_with_a_row_by_row_conversion(corpus_db: str) -> None:
    """``summary --usd`` (vectorised, converting stored values) against one conversion per
    amount with :meth:`Rates.to_usd`, over every activity of the corpus."""
    from gvckit.portfolio.rates import shipped_rates
    from gvckit.portfolio.summary import KINDS_SHOWN, summary

    rates = shipped_rates()
    verdicts = ["yes", "possible", "no"]
    with PortfolioStore(corpus_db) as store:
        table = summary(store, "publisher", usd=True, value_chain=verdicts)
        acts = store.activities()[["iati_identifier", "reporting_org_ref"]]
        fin = store.finances()
    publisher = dict(zip(acts["iati_identifier"], acts["reporting_org_ref"], strict=True))
    want: dict[tuple[str, str], float] = defaultdict(float)
    missed: dict[str, int] = defaultdict(int)
    for ident, kind, value, currency, day in zip(fin["iati_identifier"], fin["kind"],
                                                 fin["value"], fin["currency"],
                                                 fin["value_date"], strict=True):  # fmt: skip
        if kind not in KINDS_SHOWN:
            continue
        usd = rates.to_usd(value, currency, day)
        if usd is None:
            missed[publisher[ident] or "(none)"] += 1
        else:
            want[(publisher[ident] or "(none)", kind)] += usd
    got = table[table["currency"] == "USD"].set_index("publisher")
    for (pub, kind), value in want.items():
        assert got.loc[pub, kind] == pytest.approx(value, rel=1e-9), (pub, kind)
    assert dict(got["not_converted"][got["not_converted"] > 0]) == dict(missed)
    converted = sum(want.values())
    assert converted > 1e10 and sum(missed.values()) < 0.01 * len(fin)


def test_verdicts_agree_with_the_labelled_set_over_the_corpus(
    corpus_db: str, tmp_path: Path
) -> None:
    """The scan's verdicts against the labelled set in the frame the issue's reader samples, read
    by ``scripts/corpus_vc_agreement.py`` (plain code over the scan's columns). The labelled
    part is in-sample for the training rows; the blind split is the unseen part. Bounds sit a
    little under the values measured once on this classifier (labels doc §13)."""
    import subprocess
    import sys

    with PortfolioStore(corpus_db) as store:
        acts = store.activities()[["iati_identifier", "value_chain", "sectors"]]
    scan = tmp_path / "activities.csv"
    acts.to_csv(scan, index=False)
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, str(root / "scripts" / "corpus_vc_agreement.py"), str(scan)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    got = {
        line.split(":")[0]: {
            m[0]: float(m[1])
            for m in re.findall(r"(precision|recall|yes judged yes) ([\d.]+)", line)
        }
        for line in out.splitlines()
        if ":" in line
    }
    assert "not in the scan" not in out
    # the blind split is the part of the frame no training sample reached: nothing in it is
    # called yes or possible (precision undefined) and its 12 chain-work activities are missed
    assert "blind: precision undefined (n=0); recall 0.000 [0.00, 0.24] (n=12)" in out, out
    assert got["labelled"]["precision"] >= 0.99 and got["labelled"]["recall"] >= 0.93, out
    assert got["corpus"]["precision"] >= 0.99 and got["corpus"]["recall"] >= 0.915, out
    assert got["corpus"]["yes judged yes"] >= 0.97, out
