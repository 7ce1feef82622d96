"""The workspace report on a real ``gvckit serve`` (SQLite and PostgreSQL) with the workspace's
ICIO table (the bundled WIOD 2011) and its scanned portfolio: the position section for the
chosen country, the portfolio section holding the same figures as ``/portfolio/tables`` (read
back from the report's own CSV downloads, with the names of publishers and recipient
countries), unknown countries and sectors refused with 422 naming them, and the access rules
(viewer 403, outsider 404)."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from conftest import shared_path
from gvckit.store.tables import EXAMPLES
from webserver import Server, server_on

pytestmark = pytest.mark.shared

CHAIN = sorted((Path(__file__).resolve().parents[1] / "examples" / "chains").glob("*.yaml"))[0]
FRENCH = "joshbrooks__pydantic-iati/111111_publisher-activities.xml"
#: A small file with value chain activities (classified yes or possible).
BOLIVIA = "okfn__okfn_iati/data-dump-codeforiati_usaid_2025-04/usaid-bo.xml.gz"
PROBLEMS = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity>
  <iati-identifier>XM-TEST-PROBLEMS-1</iati-identifier>
  <reporting-org ref="XM-TEST" type="10"><narrative>Test</narrative></reporting-org>
  <title><narrative>Coffee value chain support</narrative></title>
  <transaction><transaction-type code="99"/><value currency="USD">10</value></transaction>
  <transaction><transaction-type code="2"/></transaction>
  <transaction><transaction-type code="2"/><value currency="USD">ten</value></transaction>
  <transaction><transaction-type code="3"/><value currency="USD">abc</value></transaction>
  <budget><value currency="USD">lots</value></budget>
 </iati-activity>
</iati-activities>
"""
HEADINGS = {"pattern": "pattern of engagement", "fields_of_action": "field of action",
            "upgrading": "upgrading objective", "year": "start year",
            "publisher": "publisher", "country": "recipient country"}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"report-{request.param}")
    env = {
        "GVCKIT_PORTFOLIO_ROOTS": str(shared_path("iati", "activities")),
        "GVCKIT_IATI_CODELISTS": str(shared_path("iati", "codelists", "iati-official")),
    }
    yield from server_on(request.param, tmp, env=env)


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    return {name: server.add_user(name, role) for name, role in
            (("ana", "analyst"), ("vic", "viewer"), ("out", "analyst"))}  # fmt: skip


@pytest.fixture(scope="module")
def workspace(server: Server, people: dict[str, str]) -> dict[str, Any]:
    """A workspace with a chain, the bundled WIOD table and two IATI files scanned."""
    with server.client(people["ana"]) as c:
        ws = c.post("/api/workspaces", json={"name": "Report"}).json()["id"]
        assert c.post(f"/api/workspaces/{ws}/members",
                      json={"user": "vic", "role": "viewer"}).status_code == 201  # fmt: skip
        with open(CHAIN, "rb") as fh:
            r = c.post(f"/api/workspaces/{ws}/chains", files={"file": (CHAIN.name, fh)})
        assert r.status_code == 201, r.text
        with open(EXAMPLES["wiod2011"][0], "rb") as fh:
            r = c.post(f"/api/workspaces/{ws}/tables", files={"file": ("wiod.csv.gz", fh)})
        assert r.status_code == 201, r.text
        table = r.json()["id"]
        for path in (FRENCH, BOLIVIA):
            r = c.post(f"/api/workspaces/{ws}/portfolio/scans", json={"path": path})
            assert r.status_code == 202, r.text
            assert server.wait_job(c, r.json()["job"], timeout=120)["status"] == "done"
    return {"ws": ws, "table": table}


def _csv_downloads(page: str) -> dict[str, list[dict[str, str]]]:
    """The report's CSV downloads by file name, parsed back."""
    found = {}
    for href, name in re.findall(r'<a href="(data:text/csv[^"]*)" download="([^"]+)"', page):
        text = urllib.parse.unquote(htmllib.unescape(href).split(",", 1)[1])
        found[name] = list(csv.DictReader(io.StringIO(text)))
    return found


def test_report_has_the_position_and_the_portfolio_tables(
    server: Server, people: dict[str, str], workspace: dict[str, Any]
) -> None:
    ws = workspace["ws"]
    with server.client(people["ana"]) as c:
        body = {"table": workspace["table"], "country": "MEX", "sector": "c13",
                "peers": ["CHN", "USA"], "title": "Mexico"}  # fmt: skip
        r = c.post(f"/api/workspaces/{ws}/report", json=body)
        assert r.status_code == 202, r.text
        state = server.wait_job(c, r.json()["job"], timeout=120)
        assert state["status"] == "done", state
        page = c.get(state["result"]).text
        tables = c.get(f"/api/workspaces/{ws}/portfolio/tables",
                       params={"value_chain": "yes,possible"}).json()  # fmt: skip
    assert 'id="position"' in page and "MEX, sector c13 in WIOD" in page
    assert "peers: CHN, USA" in page
    assert tables["activities"] > 0
    assert f"The {tables['activities']:,} value chain activities (classified yes or" in page
    downloads = _csv_downloads(page)
    questions = downloads["the-review-s-questions.csv"]
    assert [(r["question"], r["answer"], int(r["activities"])) for r in questions] == [
        (q["question"], q["answer"], q["activities"]) for q in tables["questions"]
    ]
    assert [float(r["share"]) for r in questions] == pytest.approx(
        [q["share"] for q in tables["questions"]], rel=1e-9
    )
    portfolio = page[page.index('id="portfolio"') :]
    assert portfolio.count('class="chart"') >= len(HEADINGS) + 1  # a chart for each, questions
    for dim, heading in HEADINGS.items():
        rows = downloads[re.sub(r"[^a-z0-9]", "-", f"activities and us dollars by {heading}")
                         + ".csv"]  # fmt: skip
        got = [(r[heading], int(r["activities"]), float(r["usd_commitments"]),
                int(r["activities_with_usd"])) for r in rows]  # fmt: skip
        want = [(t["value"], t["activities"], t["usd"], t["with_usd"])
                for t in tables["tables"][dim]]  # fmt: skip
        assert [g[:2] for g in got] == [w[:2] for w in want], dim
        assert [g[3] for g in got] == [w[3] for w in want], dim
        assert [g[2] for g in got] == pytest.approx([w[2] for w in want], rel=1e-9), dim
        if dim in ("publisher", "country"):  # named with the API's names ("" without one)
            assert [r["name"] for r in rows] == [t["name"] for t in tables["tables"][dim]], dim
    countries = {t["value"]: t for t in tables["tables"]["country"]}
    assert countries["BO"]["label"] == "Bolivia (Plurinational State of) (BO)"  # Country.xml


def test_unknown_country_or_sector_is_refused(
    server: Server, people: dict[str, str], workspace: dict[str, Any]
) -> None:
    url = f"/api/workspaces/{workspace['ws']}/report"
    with server.client(people["ana"]) as c:
        r = c.post(url, json={"country": "XYZ"})
        assert r.status_code == 422 and "XYZ" in r.text
        r = c.post(url, json={"country": "MEX", "peers": ["QQQ"]})
        assert r.status_code == 422 and "QQQ" in r.text
        r = c.post(url, json={"country": "MEX", "sector": "zz99"})
        assert r.status_code == 422 and "zz99" in r.text
        r = c.post(url, json={"table": 99999, "country": "MEX"})
        assert r.status_code == 422 and "99999" in r.text
        r = c.post(url, json={"sector": "c13"})
        assert r.status_code == 422 and "country" in r.text


def test_access_rules(server: Server, people: dict[str, str], workspace: dict[str, Any]) -> None:
    url = f"/api/workspaces/{workspace['ws']}/report"
    body = {"country": "MEX"}
    with server.client(people["vic"]) as vic, server.client(people["out"]) as out, \
            server.client() as anon:  # fmt: skip
        assert vic.post(url, json=body).status_code == 403
        assert out.post(url, json=body).status_code == 404
        assert anon.post(url, json=body).status_code == 401


def test_the_chains_page_offers_the_report_options(
    server: Server, people: dict[str, str], workspace: dict[str, Any]
) -> None:
    ws = workspace["ws"]
    with server.client(people["ana"]) as c:
        page = c.get(f"/workspaces/{ws}/chains").text
        for name in ("table", "country", "sector", "peers"):
            assert f'id="report-{name}"' in page, name
        assert 'id="report-portfolio"' in page
        r = c.post(f"/workspaces/{ws}/reports", data={"country": "XYZ", "sector": ""})
        assert r.status_code == 422 and "XYZ" in r.text
        r = c.post(f"/workspaces/{ws}/reports", data={"country": "X" * 30})
        assert r.status_code == 422 and "country" in r.text
        r = c.post(
            f"/workspaces/{ws}/reports",
            follow_redirects=False,
            data={"table": str(workspace["table"]), "country": "MEX", "peers": "CHN"},
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")


def test_the_scan_shows_the_problem_counts_by_kind(
    server: Server, people: dict[str, str], workspace: dict[str, Any], tmp_path: Path
) -> None:
    """The scan's problems by kind are those ``gvckit portfolio scan`` counts on the same file."""
    from gvckit.portfolio.store import PortfolioStore

    path = tmp_path / "problems.xml"
    path.write_text(PROBLEMS, encoding="utf-8")
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        want = store.scan([path]).problem_counts
    assert len(want) >= 3  # problems of several kinds: the check is not vacuous
    ws = workspace["ws"]
    with server.client(people["ana"]) as c:
        r = c.post(f"/api/workspaces/{ws}/portfolio/scans",
                   files={"file": ("problems.xml", path.read_bytes())})  # fmt: skip
        assert r.status_code == 202, r.text
        job = r.json()["job"]
        assert server.wait_job(c, job, timeout=60)["status"] == "done"
    with server.client(people["vic"]) as c:
        scan = next(s for s in c.get(f"/api/workspaces/{ws}/portfolio/scans").json()
                    if s["job"] == job)  # fmt: skip
        assert scan["problem_kinds"] == want
        page = c.get(f"/workspaces/{ws}/portfolio/scans/{job}").text
    assert 'id="scan-kinds"' in page
    for kind, n in want.items():
        assert f'<td>{htmllib.escape(kind)}</td><td class="num">{n:,}</td>' in page, kind
    assert f"problems: {', '.join(f'{n:,} {k}' for k, n in want.items())}" in page
