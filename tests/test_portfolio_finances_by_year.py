"""The activity page's finances by year (store.portfolio.finances_by_year) against a second
reading: the finances CSV a CLI scan of real IATI files writes, grouped by pandas."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from clirun import run_cli
from conftest import shared_path
from gvckit.store.portfolio import finances_by_year

pytestmark = pytest.mark.shared


def test_sums_by_year_kind_and_currency_match_a_pandas_reading(tmp_path: Path) -> None:
    folder = shared_path("iati", "activities", "OCHA-DAP__hdx-scraper-iati-viz",
                         "saved_data_covid19_2021-06")  # fmt: skip
    files = sorted(folder.glob("dportal_4*.xml.gz"))[:3]
    out = tmp_path / "acts.csv"
    code, _, err = run_cli("portfolio", "scan", *map(str, files), "--db",
                           f"sqlite:///{tmp_path / 'p.db'}", "-o", str(out), "--usd")  # fmt: skip
    assert code == 0, err
    with open(tmp_path / "acts-finances.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 500
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(float)
    frame["usd"] = pd.to_numeric(frame["value_usd"].replace("", None))
    date = frame["value_date"].where(frame["value_date"] != "", frame["period_start"])
    frame["year"] = date.str[:4].replace("", "—")
    plain = frame.groupby(["iati_identifier", "year", "kind", "currency"]).agg(
        value=("value", "sum"), usd=("usd", "sum"), n_usd=("usd", "count")
    )
    seen = 0
    for ident, group in frame.groupby("iati_identifier"):
        finances = [
            {"kind": r["kind"], "currency": r["currency"], "value": float(r["value"]),
             "value_date": r["value_date"] or None, "period_start": r["period_start"] or None,
             "value_usd": float(r["value_usd"]) if r["value_usd"] else None}
            for r in group.to_dict("records")
        ]  # fmt: skip
        for cell in finances_by_year(finances):
            want = plain.loc[(ident, cell["year"], cell["kind"], cell["currency"])]
            assert cell["value"] == pytest.approx(want["value"], rel=1e-12, abs=1e-9)
            if want["n_usd"]:
                assert cell["usd"] == pytest.approx(want["usd"], rel=1e-12, abs=1e-9)
            else:
                assert cell["usd"] is None
            seen += 1
    assert seen == len(plain)
    assert not any(math.isnan(v) for v in plain["value"])
