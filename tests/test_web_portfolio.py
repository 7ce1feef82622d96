"""The portfolio review's API on a real ``gvckit serve`` (SQLite and PostgreSQL): scans as jobs
(a folder under a configured root, uploads of XML, gzip and zip; hostile files from the
scanner's corpus), the list with filters and full-text search (checked against a second,
deliberately simple reading of the texts), one activity, reviews by role, agreement recomputed
from the posted reviews, exports, and the access rules on every route.

IATI files: a small subset of the shared corpus (the IATI-Datastore fixtures, a publisher file
in French and Spanish, a Spanish one), about 670 activities."""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from conftest import shared_path
from webserver import Server, server_on

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_iati import GOOD, write_corpus

pytestmark = pytest.mark.shared

FOLDER = "IATI__IATI-Datastore/test_fixtures"
FRENCH = "joshbrooks__pydantic-iati/111111_publisher-activities.xml"
SPANISH = "zimmerman-team__IATI.cloud/MAEC_IATI_INDONESIA.xml"
QUERIES = ["développement", "DEVELOPPEMENT polit", "cooperación", "cooperacion desarr",
           "société civile", "water", "agri", "value chain", "zzzz-nothing", "Coopération",
           "educación", "health"]  # fmt: skip
#: A recipient country left out of the server's codelist (it stays a bare code).
UNNAMED = "GM"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = shared_path("iati", "activities")
    tmp = tmp_path_factory.mktemp(f"portfolio-{request.param}")
    env = {"GVCKIT_PORTFOLIO_ROOTS": str(root), "GVCKIT_IATI_CODELISTS": _codelists(tmp)}
    yield from server_on(request.param, tmp, env=env)


def _codelists(tmp: Path) -> str:
    """A codelists folder for the server: the shared Country codelist (codeforiati's English
    CSV) without :data:`UNNAMED`, a code some value chain activities of the subset name."""
    shared = shared_path("iati", "codelists", "codeforiati", "api2", "csv", "en", "Country.csv")
    folder = tmp / "codelists"
    folder.mkdir()
    lines = shared.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "Country.csv").write_text(
        "".join(line for line in lines if not line.startswith(f"{UNNAMED},")), encoding="utf-8"
    )
    return str(folder)


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    return {name: server.add_user(name, role) for name, role in
            (("ana", "analyst"), ("bea", "analyst"), ("vic", "viewer"),
             ("out", "analyst"))}  # fmt: skip


@pytest.fixture(scope="module")
def scanned(server: Server, people: dict[str, str]) -> dict[str, Any]:
    """A workspace (ana admin, bea analyst, vic viewer) with the subset scanned: the folder by
    path, the French file by path, the Spanish one uploaded gzip-compressed."""
    with server.client(people["ana"]) as c:
        ws = c.post("/api/workspaces", json={"name": "Portfolio"}).json()["id"]
        for user, role in (("bea", "analyst"), ("vic", "viewer")):
            assert c.post(f"/api/workspaces/{ws}/members",
                          json={"user": user, "role": role}).status_code == 201  # fmt: skip
        jobs = []
        for path in (FOLDER, FRENCH):
            r = c.post(f"/api/workspaces/{ws}/portfolio/scans", json={"path": path})
            assert r.status_code == 202, r.text
            jobs.append(r.json()["job"])
        body = gzip.compress(shared_path("iati", "activities", SPANISH).read_bytes())
        r = c.post(f"/api/workspaces/{ws}/portfolio/scans",
                   files={"file": ("maec.xml.gz", body)})  # fmt: skip
        assert r.status_code == 202, r.text
        jobs.append(r.json()["job"])
        states = [server.wait_job(c, j, timeout=180) for j in jobs]
    return {"ws": ws, "jobs": jobs, "states": states}


def _all(c: Any, ws: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        r = c.get(f"/api/workspaces/{ws}/portfolio/activities",
                  params={**params, "page": page, "per_page": 500})  # fmt: skip
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            assert len(items) == body["total"]
            return items
        page += 1


def clf_of(items: list[dict[str, Any]], identifier: str) -> str:
    """The classifier's verdict on ``identifier`` in a list of items."""
    return next(str(it["value_chain"]) for it in items if it["iati_identifier"] == identifier)


def _cli_identifiers(tmp_path: Path) -> set[str]:
    """The identifiers ``gvckit portfolio scan`` stores from the same files."""
    from gvckit.portfolio.iati import find_files
    from gvckit.portfolio.store import PortfolioStore

    root = shared_path("iati", "activities")
    files = find_files([root / FOLDER, root / FRENCH, root / SPANISH])
    with PortfolioStore(f"sqlite:///{tmp_path / 'cli.db'}") as store:
        store.scan(files, workers=1)
        return set(store.activities()["iati_identifier"])


def test_scans_finish_with_the_clis_activities(
    server: Server, people: dict[str, str], scanned: dict[str, Any], tmp_path: Path
) -> None:
    assert [s["status"] for s in scanned["states"]] == ["done"] * 3
    assert all(re.match(r"\d+ activities from \d+ files, \d+ with problems", s["message"])
               for s in scanned["states"])  # fmt: skip
    with server.client(people["vic"]) as c:
        items = _all(c, scanned["ws"])
        scans = c.get(f"/api/workspaces/{scanned['ws']}/portfolio/scans").json()
    assert {it["iati_identifier"] for it in items} == _cli_identifiers(tmp_path)
    assert len(items) == len({it["iati_identifier"] for it in items})
    assert sorted(s["job"] for s in scans) == sorted(scanned["jobs"])
    assert sum(s["files"] for s in scans) == 9 + 1 + 1
    for it in items:
        assert set(it) >= {"iati_identifier", "title", "value_chain", "confidence"}
        assert it["value_chain"] in ("yes", "possible", "no") and 0 <= it["confidence"] <= 1


def _words(text: str) -> list[str]:
    """A second reading of the search semantics: letters and digits, accents and case away."""
    out, word = [], ""
    for ch in unicodedata.normalize("NFD", text).lower():
        if unicodedata.category(ch) == "Mn":
            continue
        if ch.isalnum() and ch != "_":
            word += ch
        elif word:
            out.append(word)
            word = ""
    return [*out, word] if word else out


def test_search_matches_a_simple_reading_of_the_texts(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    ws = scanned["ws"]
    with server.client(people["vic"]) as c:
        texts = {}
        for it in _all(c, ws):
            a = c.get(f"/api/workspaces/{ws}/portfolio/activities/{it['iati_identifier']}").json()
            texts[it["iati_identifier"]] = [w for t in a["titles"] + a["descriptions"]
                                            for w in _words(t["text"])]  # fmt: skip
        found_any = 0
        for q in QUERIES:
            want = {i for i, ws_ in texts.items()
                    if all(any(w.startswith(t) for w in ws_) for t in _words(q))}  # fmt: skip
            got = {it["iati_identifier"] for it in _all(c, ws, q=q)}
            assert got == want, q
            found_any += bool(got)
    assert found_any >= 8  # French and Spanish words among them
    assert texts and any("developpement" in w for w in texts.values())


def test_filters_select_what_they_say(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    ws = scanned["ws"]
    with server.client(people["vic"]) as c:
        every = _all(c, ws)
        publisher = every[0]["publisher"]
        country = next(cc for it in every for cc in it["countries"])
        for params, keep in (
            ({"value_chain": "no"}, lambda it: it["value_chain"] == "no"),
            ({"publisher": publisher}, lambda it: it["publisher"] == publisher),
            ({"country": country}, lambda it: country in it["countries"]),
        ):
            got = _all(c, ws, **params)
            assert {it["iati_identifier"] for it in got} == {
                it["iati_identifier"] for it in every if keep(it)}, params  # fmt: skip
        page1 = c.get(f"/api/workspaces/{ws}/portfolio/activities",
                      params={"per_page": 7, "sort": "identifier"}).json()  # fmt: skip
        page2 = c.get(f"/api/workspaces/{ws}/portfolio/activities",
                      params={"per_page": 7, "page": 2, "sort": "identifier"}).json()  # fmt: skip
        ids = sorted(it["iati_identifier"] for it in every)
        assert [it["iati_identifier"] for it in page1["items"] + page2["items"]] == ids[:14]
        assert c.get(f"/api/workspaces/{ws}/portfolio/activities",
                     params={"per_page": 501}).status_code == 422  # fmt: skip


def _kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    p_o = sum(a == b for a, b in pairs) / n
    p_e = sum((sum(a == k for a, _ in pairs) / n) * (sum(b == k for _, b in pairs) / n)
              for k in ("yes", "possible", "no"))  # fmt: skip
    return (p_o - p_e) / (1 - p_e)


def test_reviews_keep_who_and_when_and_agreement_is_recomputable(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    ws = scanned["ws"]
    base = f"/api/workspaces/{ws}/portfolio"
    with server.client(people["ana"]) as ana, server.client(people["bea"]) as bea, \
            server.client(people["vic"]) as vic:  # fmt: skip
        every = _all(vic, ws, sort="identifier")
        chosen = every[:12]
        verdicts = ["yes", "no", "possible", "no"]
        posted: list[tuple[str, str, str]] = []  # (identifier, reviewer, verdict)
        for k, it in enumerate(chosen):
            v = verdicts[k % 4]
            r = ana.post(f"{base}/activities/{it['iati_identifier']}/reviews",
                         json={"verdict": v, "note": f"read {k}"})  # fmt: skip
            assert r.status_code == 201, r.text
            posted.append((it["iati_identifier"], "ana", v))
        for k, it in enumerate(chosen[:6]):
            v = verdicts[(k + 1) % 4]
            r = bea.post(f"{base}/activities/{it['iati_identifier']}/reviews",
                         json={"verdict": v, "pattern": ["lead_firm_driven"]})  # fmt: skip
            assert r.status_code == 201
            posted.append((it["iati_identifier"], "bea", v))
        assert vic.post(f"{base}/activities/{chosen[0]['iati_identifier']}/reviews",
                        json={"verdict": "yes"}).status_code == 403  # fmt: skip
        one = vic.get(f"{base}/activities/{chosen[0]['iati_identifier']}").json()
        agreement = vic.get(f"{base}/agreement").json()
        labels = list(csv.DictReader(io.StringIO(vic.get(f"{base}/reviewed").text)))
        by_verdict = {v: {it["iati_identifier"] for it in _all(vic, ws, verdict=v)}
                      for v in ("yes", "possible", "no", "unreviewed")}  # fmt: skip
        both = {it["iati_identifier"] for it in _all(vic, ws, verdict="no", value_chain="no")}
        page = vic.get(f"/workspaces/{ws}/portfolio", params={"verdict": "possible"}).text
        assert vic.get(base + "/activities", params={"verdict": "maybe"}).status_code == 422
    # the reviewers' verdict filter: activities with a review of that verdict (any reviewer),
    # or with none
    for v in ("yes", "possible", "no"):
        assert by_verdict[v] == {i for i, _, w in posted if w == v}, v
    assert by_verdict["unreviewed"] == {it["iati_identifier"] for it in every} - {
        i for i, _, _ in posted
    }
    assert both == {i for i, _, w in posted if w == "no" and clf_of(every, i) == "no"}
    shown = re.findall(r'href="/workspaces/\d+/portfolio/activities/([^"]+)"', page)
    assert {html.unescape(i) for i in shown} == by_verdict["possible"]
    assert one["value_chain"] == chosen[0]["value_chain"]  # the classifier's verdict stays
    assert [(r["reviewer"], r["verdict"]) for r in one["reviews"]] == [("ana", "yes"),
                                                                        ("bea", "no")]  # fmt: skip
    assert all(r["created_at"] for r in one["reviews"])
    clf = {it["iati_identifier"]: it["value_chain"] for it in every}
    pairs = [(v, clf[i]) for i, _, v in posted]  # (reviewer, classifier)
    pos = ("yes", "possible")
    called = [p for p in pairs if p[1] in pos]
    judged_pos = [p for p in pairs if p[0] in pos]
    assert agreement["n"] == len(pairs) == 18
    if called:
        assert agreement["precision"]["value"] == pytest.approx(
            sum(p[0] in pos for p in called) / len(called)
        )
    if judged_pos:
        assert agreement["recall"]["value"] == pytest.approx(
            sum(p[1] in pos for p in judged_pos) / len(judged_pos)
        )
    assert agreement["kappa"]["value"] == pytest.approx(_kappa(pairs))
    for key in ("precision", "recall", "kappa"):
        e = agreement[key]
        if e["value"] is not None:
            assert e["low"] - 1e-9 <= e["value"] <= e["high"] + 1e-9
    between = [(v1, v2) for (i1, r1, v1) in posted if r1 == "ana"
               for (i2, r2, v2) in posted if r2 == "bea" and i2 == i1]  # fmt: skip
    assert agreement["between_reviewers"]["n"] == len(between) == 6
    assert agreement["between_reviewers"]["agreement"]["value"] == pytest.approx(
        sum(a == b for a, b in between) / 6
    )
    header = (Path(__file__).parent / "data" / "iati_vc_labels.csv").read_text().splitlines()[0]
    assert list(labels[0]) == header.split(",")
    assert {r["iati_identifier"]: r["label"] for r in labels} == {
        i: v for i, _, v in sorted(posted, key=lambda t: t[1])
    }  # latest review wins


def test_a_refused_review_keeps_what_the_reviewer_typed(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    """A review the page refuses (here patterns separated by ';') comes back with the message
    beside the field it is about and with the reviewer's verdict, corrections and note still
    in the form, not the classifier's reading and an empty note; nothing is stored."""
    ws = scanned["ws"]
    with server.client(people["bea"]) as bea:
        ident = _all(bea, ws, sort="identifier")[-1]["iati_identifier"]
        before = bea.get(f"/api/workspaces/{ws}/portfolio/activities/{ident}").json()
        note = "Read the whole design document: a value chain programme with buyers & co-ops"
        form = {"iati_identifier": ident, "verdict": "possible", "note": note,
                "pattern": "lead_firm_driven; value_chain_linkages",
                "fields_of_action": "business_linkages",
                "upgrading": "process, product"}  # fmt: skip
        r = bea.post(f"/workspaces/{ws}/portfolio/reviews", data=form)
        assert r.status_code == 422
        err = re.search(r'id="r-pattern-err"[^>]*>([^<]+)<', r.text)
        assert err is not None and "no ';'" in html.unescape(err.group(1))
        assert 'aria-describedby="r-pattern-err r-pattern-hint"' in r.text
        text = html.unescape(r.text)
        assert f">{note}</textarea>" in text
        assert 'value="lead_firm_driven; value_chain_linkages"' in text
        assert 'value="process, product"' in text
        assert re.search(r'<input type="radio" name="verdict" value="possible"[^>]* checked', text)
        after = bea.get(f"/api/workspaces/{ws}/portfolio/activities/{ident}").json()
        assert after["reviews"] == before["reviews"]


def test_review_corrections_take_the_scan_vocabulary(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    """A typology correction is one of the names the scan reads (so reviews and the classifier
    compare name for name): an unknown one is refused naming the field and the valid names,
    through the API and beside the page's field; nothing is stored."""
    from gvckit.portfolio.typology import FIELDS, PATTERNS, UPGRADING

    ws = scanned["ws"]
    with server.client(people["bea"]) as bea:
        ident = _all(bea, ws, sort="identifier")[-2]["iati_identifier"]
        url = f"/api/workspaces/{ws}/portfolio/activities/{ident}"
        before = bea.get(url).json()["reviews"]
        for field, bad, names in (("pattern", "buyer-driven", PATTERNS),
                                  ("fields_of_action", "finance", FIELDS),
                                  ("upgrading", "Process", UPGRADING)):  # fmt: skip
            r = bea.post(f"{url}/reviews", json={"verdict": "possible", field: [bad]})
            assert r.status_code == 422, r.text
            detail = r.json()["detail"]
            assert field in detail and repr(bad) in detail, detail
            assert all(name in detail for name in names), detail
        form = {"iati_identifier": ident, "verdict": "possible", "note": "n",
                "pattern": "lead_firm_driven, buyer-driven", "fields_of_action": "",
                "upgrading": ""}  # fmt: skip
        r = bea.post(f"/workspaces/{ws}/portfolio/reviews", data=form)
        assert r.status_code == 422
        err = re.search(r'id="r-pattern-err"[^>]*>([^<]+)<', r.text)
        assert err is not None and "buyer-driven" in html.unescape(err.group(1))
        assert bea.get(url).json()["reviews"] == before
        ok = bea.post(
            f"{url}/reviews",
            json={"verdict": "possible", "upgrading": ["process", "process", "entry"]},
        )
        assert ok.status_code == 201
        assert bea.get(url).json()["reviews"][-1]["upgrading"] == ["process", "entry"]


def test_exports_hold_the_filtered_list(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    ws = scanned["ws"]
    with server.client(people["vic"]) as c:
        items = _all(c, ws, q="water", sort="identifier")
        want = [it["iati_identifier"] for it in items]
        r = c.get(f"/api/workspaces/{ws}/portfolio/export",
                  params={"q": "water", "sort": "identifier"})  # fmt: skip
        x = c.get(f"/api/workspaces/{ws}/portfolio/export",
                  params={"q": "water", "sort": "identifier", "format": "xlsx"})  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["iati_identifier"] for row in rows] == want and want
    sheet = load_workbook(io.BytesIO(x.content), read_only=True).active
    assert sheet is not None
    got = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in got[1:]] == want
    # amounts and confidences read back as the very doubles the API lists (openpyxl alone
    # would write 16 significant digits)
    listed = {it["iati_identifier"]: it for it in items}
    header = list(got[0])
    for row in got[1:]:
        item = listed[row[0]]
        for col in ("usd", "confidence"):
            assert row[header.index(col)] == item[col], (row[0], col)
    assert any(isinstance(row[header.index("usd")], float) for row in got[1:])


def test_review_tables_count_every_activity(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    ws = scanned["ws"]
    with server.client(people["vic"]) as c:
        every = _all(c, ws)
        tables = c.get(f"/api/workspaces/{ws}/portfolio/tables").json()
    assert tables["activities"] == len(every)
    by_year: dict[str, int] = {}
    for it in every:
        key = str(it["year"]) if it["year"] is not None else "none"
        by_year[key] = by_year.get(key, 0) + 1
    assert {r["value"]: r["activities"] for r in tables["tables"]["year"]} == by_year
    usd = sum(it["usd"] for it in every if it["usd"] is not None)
    assert sum(r["usd"] for r in tables["tables"]["year"]) == pytest.approx(usd)


def test_review_questions_and_charts_are_the_clis(
    server: Server, people: dict[str, str], scanned: dict[str, Any], tmp_path: Path
) -> None:
    """The review's questions over the value chain activities (yes or possible) are those of
    ``gvckit portfolio review`` (the CLI's store, pandas) on the same files; the workspace page
    draws the review tables of those activities (the ten most frequent values of each), with
    publishers and recipient countries by name and code; a code the codelist lacks stays bare."""
    from markupsafe import escape

    from gvckit.portfolio.iati import find_files
    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import review
    from gvckit.report.charts import wrap_label

    ws = scanned["ws"]
    with server.client(people["vic"]) as c:
        tables = c.get(f"/api/workspaces/{ws}/portfolio/tables",
                       params={"value_chain": "yes,possible"}).json()  # fmt: skip
        chosen = _all(c, ws, value_chain="yes,possible")
        yes = _all(c, ws, value_chain="yes")
        possible = _all(c, ws, value_chain="possible")
        page = c.get(f"/workspaces/{ws}").text
        tables_page = c.get(f"/workspaces/{ws}/portfolio/tables",
                            params={"value_chain": "yes,possible"}).text  # fmt: skip
    root = shared_path("iati", "activities")
    with PortfolioStore(f"sqlite:///{tmp_path / 'cli.db'}") as store:
        store.scan(find_files([root / FOLDER, root / FRENCH, root / SPANISH]), workers=1)
        want = review(store)
    assert tables["activities"] == len(chosen) == len(yes) + len(possible) > 0
    got = [(q["question"], q["answer"], q["activities"]) for q in tables["questions"]]
    assert got == [(r.question, r.answer, r.activities) for r in want.itertuples()]
    assert [q["share"] for q in tables["questions"]] == pytest.approx(list(want["share"]))
    assert 'id="review-charts"' in page and f"{len(chosen):,} activities" in page
    figures = [json.loads(html.unescape(f)) for f in re.findall(r'data-figure="([^"]+)"', page)]
    assert len(figures) == 6
    for figure, dim in zip(figures, ("pattern", "fields_of_action", "upgrading", "year",
                                     "publisher", "country"), strict=True):  # fmt: skip
        rows = tables["tables"][dim]
        top = sorted(rows, key=lambda r: str(r["value"])) if dim == "year" else rows[:10][::-1]
        bars = figure["data"][0]
        assert list(zip(bars["customdata"], bars["x"], strict=True)) == [
            (str(r["label"]), r["activities"]) for r in top
        ], dim
        assert bars["y"] == [wrap_label(str(r["label"])) for r in top], dim
    # publishers are drawn by name: a second reading of the names from the activities listed
    names: dict[str, dict[str, int]] = {}
    for it in chosen:
        name = " ".join((it["publisher_name"] or "").split())
        if it["publisher"] and name and name != it["publisher"]:
            counts = names.setdefault(it["publisher"], {})
            counts[name] = counts.get(name, 0) + 1
    publishers = tables["tables"]["publisher"]
    assert publishers and any(r["label"] != r["value"] for r in publishers)
    for r in publishers:
        best = sorted(names.get(r["value"], {}).items(), key=lambda kv: (-kv[1], kv[0]))
        assert r["name"] == (best[0][0] if best else ""), r
        assert r["label"] == (f"{best[0][0]} ({r['value']})" if best else r["value"]), r
    # and countries by their codelist name: a second reading of the server's Country.csv and
    # of the countries of the activities listed
    with open(Path(server.env["GVCKIT_IATI_CODELISTS"]) / "Country.csv", encoding="utf-8") as fh:
        country = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    listed: dict[str, int] = {}
    for it in chosen:
        for code in it["countries"] or ["none"]:
            listed[code] = listed.get(code, 0) + 1
    countries = tables["tables"]["country"]
    assert {r["value"]: r["activities"] for r in countries} == listed
    assert UNNAMED in listed and any(r["label"] != r["value"] for r in countries)
    for r in countries:
        name = country.get(r["value"], "")
        assert r["name"] == name, r
        assert r["label"] == (f"{name} ({r['value']})" if name else r["value"]), r
    assert next(r for r in countries if r["value"] == UNNAMED)["label"] == UNNAMED
    for r in countries[:30]:  # the tables page lists them by label
        assert f"<td>{escape(r['label'])}</td>" in tables_page, r
    for dim in ("pattern", "fields_of_action", "upgrading", "year"):
        assert all(r["label"] == r["value"] for r in tables["tables"][dim]), dim


def test_access_rules_on_every_route(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    ws = scanned["ws"]
    base = f"/api/workspaces/{ws}/portfolio"
    ident = "no-such-activity"
    gets = [f"{base}/activities", f"{base}/activities/{ident}", f"{base}/agreement",
            f"{base}/scans", f"{base}/export", f"{base}/reviewed", f"{base}/tables"]  # fmt: skip
    with server.client() as anon, server.client(people["out"]) as out, \
            server.client(people["vic"]) as vic:  # fmt: skip
        for url in gets:
            assert anon.get(url).status_code == 401, url
            assert out.get(url).status_code == 404, url
        review = {"verdict": "yes", "note": ""}
        real = _all(vic, ws)[0]["iati_identifier"]
        assert anon.post(f"{base}/activities/{real}/reviews", json=review).status_code == 401
        assert out.post(f"{base}/activities/{real}/reviews", json=review).status_code == 404
        assert vic.post(f"{base}/activities/{real}/reviews", json=review).status_code == 403
        assert vic.post(f"{base}/scans", json={"path": FOLDER}).status_code == 403
        assert out.post(f"{base}/scans", json={"path": FOLDER}).status_code == 404
        assert vic.get(f"{base}/activities/{ident}").status_code == 404
        pages = [f"/workspaces/{ws}/portfolio", f"/workspaces/{ws}/portfolio/agreement",
                 f"/workspaces/{ws}/portfolio/tables",
                 f"/workspaces/{ws}/portfolio/activities/{real}",
                 f"/workspaces/{ws}/portfolio/scans/{scanned['jobs'][0]}"]  # fmt: skip
        for url in pages:
            assert anon.get(url, follow_redirects=False).headers.get("location") == "/login"
            assert out.get(url).status_code == 404, url
            assert vic.get(url).status_code == 200, url
        form = {"iati_identifier": real, "verdict": "yes"}
        assert vic.post(f"/workspaces/{ws}/portfolio/reviews", data=form).status_code == 403
        assert out.post(f"/workspaces/{ws}/portfolio/reviews", data=form).status_code == 404
        assert vic.post(f"/workspaces/{ws}/portfolio/scans", data={"path": FOLDER}
                        ).status_code == 403  # fmt: skip
    with server.client(people["out"]) as out:  # an outsider's own workspace sees none of it
        mine = out.post("/api/workspaces", json={"name": "other"}).json()["id"]
        assert out.get(f"/api/workspaces/{mine}/portfolio/activities").json()["total"] == 0
        assert out.get(f"/api/workspaces/{mine}/portfolio/activities/{real}").status_code == 404


def test_paths_outside_the_roots_are_refused(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    base = f"/api/workspaces/{scanned['ws']}/portfolio/scans"
    with server.client(people["ana"]) as c:
        for path in ("../../..", "/etc", "/etc/passwd", f"{FOLDER}/../../../..", "nowhere", "",
                     str(server.data_dir)):  # fmt: skip
            r = c.post(base, json={"path": path})
            assert r.status_code == 422, path
            assert r.json()["detail"] == ("path must be a file or folder under a configured "
                                          "scan root")  # fmt: skip
        assert c.post(base, json={"path": 5}).status_code == 422
        assert c.post(base, content=b"{not json", headers={"content-type": "application/json"}
                      ).status_code == 422  # fmt: skip


def test_hostile_uploads_never_lose_the_good_activities(
    server: Server, people: dict[str, str], tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "bad", bomb_bytes=20 * 2**20)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in corpus.items():
            zf.write(path, f"corpus/{name}")
        zf.writestr("../../escape.xml", corpus["good.xml"].read_bytes())
        zf.writestr("notes.txt", b"not read")
    with server.client(people["ana"]) as c:
        ws = c.post("/api/workspaces", json={"name": "hostile"}).json()["id"]
        jobs = []
        for name, body in (("corpus.zip", archive.getvalue()), ("junk.zip", b"PK\x03\x04junk"),
                           ("bomb.xml.gz", corpus["gzip_bomb.xml.gz"].read_bytes()),
                           ("empty.xml", b"")):  # fmt: skip
            r = c.post(f"/api/workspaces/{ws}/portfolio/scans", files={"file": (name, body)})
            assert r.status_code == 202, r.text
            jobs.append(r.json()["job"])
        states = [server.wait_job(c, j, timeout=180) for j in jobs]
        items = _all(c, ws)
        scans = c.get(f"/api/workspaces/{ws}/portfolio/scans").json()
    assert [s["status"] for s in states] == ["done"] * 4
    ids = {it["iati_identifier"] for it in items}
    assert set(GOOD) <= ids and "XX-TEST-NOID-OK" in ids
    assert all(s["refused"] >= 1 for s in scans)
    problems = [p for s in scans for p in s["problems"]]
    assert all(str(server.data_dir) not in p["reason"] for p in problems)
    assert not list((server.data_dir / "results").glob("*.unpacked"))


def test_members_never_see_a_server_path(
    server: Server, people: dict[str, str], scanned: dict[str, Any]
) -> None:
    """A folder scan's job options, its scan row, pages and activities name the path relative
    to its configured root: no answer a member gets holds the server's folders."""
    ws, job = scanned["ws"], scanned["jobs"][0]  # the folder, scanned by path
    base = f"/api/workspaces/{ws}/portfolio"
    with server.client(people["vic"]) as c:
        options = c.get(f"/api/jobs/{job}").json()["options"]
        one = _all(c, ws, sort="identifier")[0]["iati_identifier"]
        answers = [c.get(url, follow_redirects=True).text for url in (
            f"/api/jobs/{job}", f"/jobs/{job}", f"/jobs/{job}/state", f"/jobs/{job}/rows",
            f"{base}/scans",
            f"/workspaces/{ws}/portfolio", f"/workspaces/{ws}/portfolio/scans/{job}",
            f"/workspaces/{ws}/portfolio/scans/{job}/state", f"{base}/activities",
            f"{base}/activities/{one}", f"/workspaces/{ws}/portfolio/activities/{one}",
            f"{base}/export", f"{base}/tables", f"/workspaces/{ws}/portfolio/tables",
            f"/workspaces/{ws}",
        )]  # fmt: skip
    assert options["path"] == FOLDER and options["root"] == 0
    server_paths = {
        str(shared_path("iati", "activities")),
        str(shared_path("iati", "activities").resolve()),
        str(server.data_dir),
    }
    for text in answers:
        assert not any(p in text for p in server_paths)
    assert FOLDER in answers[0] and FOLDER in answers[1] and FOLDER in answers[6]


def test_a_cancelled_scan_leaves_the_workspace_as_it_was(
    server: Server, people: dict[str, str]
) -> None:
    """A scan of the whole corpus (27,237 activities; first the folder scanned before, so it
    updates those activities in place) cancelled after half of its files: the workspace keeps
    exactly the activities and scans it had, and the next scan runs as usual."""
    with server.client(people["ana"]) as c:
        ws = c.post("/api/workspaces", json={"name": "cancel"}).json()["id"]
        base = f"/api/workspaces/{ws}/portfolio"
        first = c.post(f"{base}/scans", json={"path": FOLDER}).json()["job"]
        assert server.wait_job(c, first, timeout=180)["status"] == "done"
        before = _all(c, ws, sort="identifier")
        scans = c.get(f"{base}/scans").json()
        job = c.post(f"{base}/scans", json={"path": "."}).json()["job"]
        deadline = time.monotonic() + 300
        while True:
            state = c.get(f"/api/jobs/{job}").json()
            assert state["status"] in ("queued", "running"), state
            seen = re.match(r"scanned (\d+) of (\d+) files", state["message"])
            if seen and int(seen[1]) >= int(seen[2]) // 2:
                break
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert c.post(f"/api/jobs/{job}/cancel").status_code == 200
        time.sleep(6)  # the worker ends the job's process (terminate, kill after 5 s)
        state = c.get(f"/api/jobs/{job}").json()
        after = _all(c, ws, sort="identifier")
        scans_after = c.get(f"{base}/scans").json()
        again = c.post(f"{base}/scans", json={"path": FOLDER}).json()["job"]
        assert server.wait_job(c, again, timeout=180)["status"] == "done"
        rescanned = _all(c, ws, sort="identifier")
        last = c.get(f"{base}/scans").json()
    assert state["status"] == "cancelled"
    assert len(before) > 100 and after == before and scans_after == scans
    assert rescanned == before and [s["job"] for s in last] == [again, first]
