"""The workbench's chain API against a real ``gvckit serve``, on SQLite and on PostgreSQL:
every example chain imported (YAML, JSON body, workbook) and exported back equal, its accounts
the same records as ``gvckit chain accounts``; saves with ``If-Match`` (a stale one refused with
409 and kept as a draft), versions, diff, restore; the workspace report as a job; the
foundation's access rules (401, 403, 404) on every chain route."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")

from exact import differences
from gvckit.chain import Chain, read_chain
from gvckit.chain.workbook import read_workbook
from gvckit.cli import main
from webserver import Server, fuzz, servers, team

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "chains").glob("*.yaml"))
VIEWS = ("accounts", "prices", "distribution")


server = servers("chains")
people, ws = team("Cocoa")  # two analysts, a viewer, an outsider; the workspace


def _import(c: Any, ws: int, path: Path) -> dict[str, int]:
    with open(path, "rb") as fh:
        r = c.post(f"/api/workspaces/{ws}/chains", files={"file": (path.name, fh)})
    assert r.status_code == 201, r.text
    body: dict[str, int] = r.json()
    assert set(body) == {"id", "version"} and body["version"] == 1
    return body


def _cli_rows(path: Path, view: str, capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(["chain", "accounts", str(path), "--view", view, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_round_trips_and_accounts_equal_the_cli(
    server: Server, people: dict[str, str], ws: int, path: Path,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    original = read_chain(path)
    with server.client(people["ana"]) as c:
        cid = _import(c, ws, path)["id"]
        got = c.get(f"/api/chains/{cid}")
        assert got.status_code == 200 and got.headers["etag"] == '"1"'
        assert Chain.model_validate(got.json()) == original
        # the same schema as the YAML files: what the API gives imports back as a JSON body
        again = c.post(f"/api/workspaces/{ws}/chains", json=got.json())
        assert again.status_code == 201
        assert Chain.model_validate(c.get(f"/api/chains/{again.json()['id']}").json()) == original
        for fmt in ("yaml", "json", "xlsx"):
            r = c.get(f"/api/chains/{cid}/export", params={"format": fmt})
            assert r.status_code == 200
            out = tmp_path / f"export.{fmt}"
            out.write_bytes(r.content)
            assert differences(read_chain(out), original) == [], fmt  # every number exactly
            back = _import(c, ws, out)["id"]  # the exported file imports back equal
            back_chain = Chain.model_validate(c.get(f"/api/chains/{back}").json())
            assert differences(back_chain, original) == [], fmt
        for view in VIEWS:
            r = c.get(f"/api/chains/{cid}/accounts", params={"view": view})
            assert r.status_code == 200, r.text
            assert r.json() == _cli_rows(path, view, capsys), view
        year = original.snapshots[0].year
        r = c.get(f"/api/chains/{cid}/accounts", params={"view": "prices", "snapshot": year})
        assert r.json() == _cli_rows(path, "prices", capsys)
        r = c.get(f"/api/chains/{cid}/accounts", params={"snapshot": year + 100})
        assert r.status_code == 422 and f"no snapshot for {year + 100}" in r.json()["detail"]
        svg = c.get(f"/api/chains/{cid}/map.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.lstrip().startswith("<?xml") and "<svg" in svg.text


def test_workbook_upload_equals_the_workbook_reader(
    server: Server, people: dict[str, str], ws: int, tmp_path: Path
) -> None:
    from gvckit.chain.workbook import write_template

    book = tmp_path / "chain.xlsx"
    write_template(book, read_chain(EXAMPLES[0]))
    with server.client(people["ana"]) as c:
        cid = _import(c, ws, book)["id"]
        got = Chain.model_validate(c.get(f"/api/chains/{cid}").json())
    assert got == read_workbook(book)


def test_invalid_chain_is_422_with_the_models_message(
    server: Server, people: dict[str, str], ws: int
) -> None:
    text = EXAMPLES[0].read_text().replace("  - year: ", "  - year: not-a-year #", 1)
    line = next(k for k, t in enumerate(text.splitlines(), 1) if "not-a-year" in t)
    with server.client(people["ana"]) as c:
        r = c.post(f"/api/workspaces/{ws}/chains", files={"file": ("bad.yaml", text.encode())})
        assert r.status_code == 422
        detail = r.json()["detail"]
        assert "bad.yaml" in detail and f"row {line}" in detail
        assert "field snapshots[0].year" in detail
        body = json.loads(read_chain(EXAMPLES[0]).to_json())
        body["snapshots"][0]["actors"][0]["stage"] = "nowhere"
        r = c.post(f"/api/workspaces/{ws}/chains", json=body)
        assert r.status_code == 422 and "snapshots[0].actors[0]" in r.json()["detail"]
        r = c.post(f"/api/workspaces/{ws}/chains", content=b"{", headers={
            "content-type": "application/json"})  # fmt: skip
        assert r.status_code == 422 and "request body" in r.json()["detail"]
        before = len(c.get(f"/api/workspaces/{ws}/chains").json())
        r = c.post(f"/api/workspaces/{ws}/chains", files={"file": ("x.xlsx", b"PK\x03\x04junk")})
        assert r.status_code == 422
        assert len(c.get(f"/api/workspaces/{ws}/chains").json()) == before  # nothing kept


def _priced(body: dict[str, Any], factor: float) -> dict[str, Any]:
    """``body`` with the price of its first priced link multiplied by ``factor``."""
    out = json.loads(json.dumps(body))
    link = next(x for x in out["snapshots"][0]["links"] if x.get("unit_price") is not None)
    link["unit_price"] = link["unit_price"] * factor
    return out


def test_stale_put_is_409_and_the_edit_is_kept_as_a_draft(
    server: Server, people: dict[str, str], ws: int
) -> None:
    with server.client(people["ana"]) as ana, server.client(people["bob"]) as bob:
        cid = _import(ana, ws, EXAMPLES[1])["id"]
        base = ana.get(f"/api/chains/{cid}").json()
        mine = dict(base, name="Renamed by ana")
        r = ana.put(f"/api/chains/{cid}", json=mine, headers={"If-Match": "1"})
        assert r.status_code == 200 and r.json() == {"version": 2}
        theirs = _priced(base, 1.5)
        r = bob.put(f"/api/chains/{cid}", json=theirs, headers={"If-Match": '"1"'})
        assert r.status_code == 409
        conflict = r.json()
        assert conflict["current"] == 2 and "Renamed by ana" in conflict["detail"]
        assert any(line.startswith("changed name") for line in conflict["meanwhile"])
        # nothing lost: ana's save stands, bob's edit is kept whole as a draft
        assert ana.get(f"/api/chains/{cid}").json() == json.loads(Chain.model_validate(mine)
                                                                   .to_json())  # fmt: skip
        draft = bob.get(f"/api/chains/{cid}/drafts/{conflict['draft']}").json()
        assert Chain.model_validate(draft) == Chain.model_validate(theirs)
        listed = bob.get(f"/api/chains/{cid}/drafts").json()
        assert listed[0]["id"] == conflict["draft"] and listed[0]["user"] == "bob"
        assert listed[0]["base_version"] == 1
        # bob saves on top of the current version: accepted
        r = bob.put(f"/api/chains/{cid}", json=_priced(mine, 1.5), headers={"If-Match": "2"})
        assert r.json() == {"version": 3}
        # invalid: 422, no version added; no If-Match: 422
        r = bob.put(f"/api/chains/{cid}", json={"name": "x"}, headers={"If-Match": "3"})
        assert r.status_code == 422
        assert bob.put(f"/api/chains/{cid}", json=mine).status_code == 422
        history = ana.get(f"/api/chains/{cid}/versions").json()
        assert [v["version"] for v in history] == [3, 2, 1]
        assert [v["user"] for v in history] == ["bob", "ana", "ana"]
        assert "price" in history[0]["summary"] and "name" in history[1]["summary"]
        diff = ana.get(f"/api/chains/{cid}/diff", params={"a": 1, "b": 3}).json()
        year, link = base["snapshots"][0]["year"], base["snapshots"][0]["links"][0]
        price, ends = link["unit_price"], f"{link['source']}→{link['target']}"
        assert diff == [
            f'changed name: "{base["name"]}" → "Renamed by ana"',
            f"changed snapshots[{year}].links[{ends}].unit_price: {price} → {price * 1.5}",
        ]
        # restore version 1: a new version with its content, nothing deleted
        r = ana.post(f"/api/chains/{cid}/versions/1/restore", headers={"If-Match": "3"})
        assert r.json() == {"version": 4}
        assert Chain.model_validate(ana.get(f"/api/chains/{cid}").json()) == Chain.model_validate(
            base)  # fmt: skip
        assert ana.get(f"/api/chains/{cid}/versions/3").json()["name"] == "Renamed by ana"
        r = ana.post(f"/api/chains/{cid}/versions/1/restore", headers={"If-Match": "3"})
        assert r.status_code == 409


def test_report_job_gives_the_html_report(server: Server, people: dict[str, str], ws: int
                                          ) -> None:  # fmt: skip
    with server.client(people["ana"]) as c:
        cid = _import(c, ws, EXAMPLES[2])["id"]
        r = c.post(f"/api/workspaces/{ws}/report", json={"chain": cid, "title": "Coffee"})
        assert r.status_code == 202
        state = server.wait_job(c, r.json()["job"])
        assert state["status"] == "done", state
        html = c.get(state["result"])
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        name = read_chain(EXAMPLES[2]).name
        assert "<title>Coffee" in html.text and name in html.text
        assert c.get(state["result"], params={"format": "pdf"}).status_code == 404
        assert c.get(state["result"], params={"format": "csv"}).status_code == 422


def test_access_rules_on_every_chain_route(server: Server, people: dict[str, str], ws: int) -> None:
    body = read_chain(EXAMPLES[0]).to_json()
    with server.client(people["ana"]) as c:
        cid = _import(c, ws, EXAMPLES[0])["id"]
        c.put(f"/api/chains/{cid}", json={**json.loads(body), "name": "B"},
              headers={"If-Match": "1"})  # fmt: skip
    reads = [f"/api/workspaces/{ws}/chains", f"/api/chains/{cid}", f"/api/chains/{cid}/export",
             f"/api/chains/{cid}/accounts", f"/api/chains/{cid}/map.svg",
             f"/api/chains/{cid}/versions", f"/api/chains/{cid}/versions/1",
             f"/api/chains/{cid}/diff?a=1&b=1", f"/api/chains/{cid}/drafts"]  # fmt: skip
    jhead = {"content-type": "application/json", "If-Match": "1"}
    writes = [("POST", f"/api/workspaces/{ws}/chains"), ("PUT", f"/api/chains/{cid}"),
              ("POST", f"/api/chains/{cid}/versions/1/restore"),
              ("POST", f"/api/workspaces/{ws}/report")]  # fmt: skip
    with (server.client() as anon, server.client(people["vic"]) as viewer,
          server.client(people["out"]) as outsider):  # fmt: skip
        for url in reads:
            assert anon.get(url).status_code == 401, url
            assert outsider.get(url).status_code == 404, url
            assert viewer.get(url).status_code == 200, url
        for method, url in writes:
            content = body if "report" not in url else "{}"
            for who, code in ((anon, 401), (outsider, 404), (viewer, 403)):
                r = who.request(method, url, content=content, headers=jhead)
                assert r.status_code == code, (method, url, r.text)
        assert outsider.get(f"/api/chains/{cid}/drafts/1").status_code == 404
        assert viewer.get(f"/api/chains/{2**31 - 1}").status_code == 404
    with server.client(people["ana"]) as c:
        assert c.get(f"/api/chains/{cid}/versions").json()[0]["version"] == 2  # nothing written


def login(server: Server, name: str) -> tuple[httpx.Client, str]:
    """A client logged in as ``name`` through the login form, and its session's CSRF token."""
    c = httpx.Client(base_url=server.url, timeout=60)
    nonce = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert nonce is not None
    r = c.post("/login", data={"name": name, "password": f"password-{name}",
                               "csrf_token": nonce.group(1)})  # fmt: skip
    assert r.status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text)
    assert csrf is not None
    return c, csrf.group(1)


def test_multipart_through_a_session_needs_the_csrf_token(
    server: Server, people: dict[str, str], ws: int
) -> None:
    c, csrf = login(server, "ana")
    try:
        raw = EXAMPLES[0].read_bytes()
        r = c.post(f"/api/workspaces/{ws}/chains", files={"file": ("c.yaml", raw)})
        assert r.status_code == 403
        r = c.post(f"/api/workspaces/{ws}/chains", data={"csrf_token": csrf},
                   files={"file": ("c.yaml", raw)})  # fmt: skip
        assert r.status_code == 201
        r = c.post(f"/api/workspaces/{ws}/chains", content=raw, headers={
            "content-type": "application/json"})  # fmt: skip
        assert r.status_code == 403
    finally:
        c.close()


RESULTS = (Path(__file__).resolve().parents[1] / "src" / "gvckit" / "examples" / "interventions"
           / "coffee_nicaragua_us_2009_results.yaml")  # fmt: skip


def test_monitoring_actuals_and_progress_equal_the_library(
    server: Server, people: dict[str, str], ws: int
) -> None:
    from gvckit.interventions.monitoring import progress
    from gvckit.interventions.results import read_results, results_from_data

    original = read_results(RESULTS)
    with server.client(people["ana"]) as c, server.client(people["vic"]) as viewer, \
            server.client(people["out"]) as outsider:  # fmt: skip
        r = c.post(
            f"/api/workspaces/{ws}/results", files={"file": (RESULTS.name, RESULTS.read_bytes())}
        )
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        assert results_from_data(c.get(f"/api/results/{rid}").json()) == original
        entries = [("2010-03-31", 1.0, {"sex": "female"}), ("2010-03-31", 1.0, {"sex": "male"}),
                   ("2010-06-30", 2.0, {})]  # fmt: skip
        for day, value, group in entries:
            r = c.post(
                f"/api/results/{rid}/actuals",
                json={"indicator": "contracts", "date": day, "value": value, **group},
            )
            assert r.status_code == 201, r.text
        # the same date and group twice: the model's message, nothing stored
        r = c.post(
            f"/api/results/{rid}/actuals",
            json={"indicator": "contracts", "date": "2010-06-30", "value": 5},
        )
        assert r.status_code == 422 and "given twice" in r.json()["detail"]
        r = viewer.post(
            f"/api/results/{rid}/actuals",
            json={"indicator": "contracts", "date": "2010-09-30", "value": 5},
        )
        assert r.status_code == 403
        assert outsider.get(f"/api/results/{rid}/progress").status_code == 404
        got = c.get(f"/api/results/{rid}/progress").json()
    # the library on the same actuals, entered directly
    data = json.loads(original.model_dump_json(by_alias=True, exclude_none=True))
    ind = next(i for i in data["indicators"] if i["id"] == "contracts")
    ind["actuals"] = [{"date": d, "value": v, "disaggregation": g} for d, v, g in entries]
    expected = json.loads(progress(results_from_data(data)).to_json(
        orient="records", date_format="iso", double_precision=15))  # fmt: skip
    assert got == expected
    row = next(x for x in got if x["indicator"] == "contracts")
    assert row["latest"] == 2.0 and math.isclose(row["progress"], 2 / 3)
    assert row["latest_date"].startswith(dt.date(2010, 6, 30).isoformat())


def test_upgrade_from_the_foundation_keeps_jobs(tmp_path: Path) -> None:
    """w0002 on a database at w0001 with a job: the job is kept, and report jobs (no table)
    can be stored afterwards (SQLite rebuilds web_jobs for that)."""
    from alembic import command
    from sqlalchemy import insert, select, text

    from gvckit.store.database import alembic_config, open_engine
    from gvckit.store.schema import JOBS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url, upgrade=False)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "w0001")
        conn.execute(text("INSERT INTO web_users (id, name, role, disabled, local, created_at)"
                          " VALUES (1, 'u', 'admin', 0, 0, '2026-01-01')"))  # fmt: skip
        conn.execute(text("INSERT INTO web_workspaces (id, name, country, sector, description,"
                          " created_by, created_at, version) VALUES (1, 'w', '', '', '', 1,"
                          " '2026-01-01', 1)"))  # fmt: skip
        conn.execute(text("INSERT INTO web_tables (id, workspace_id, name, path, format, size,"
                          " summary, created_by, created_at) VALUES (1, 1, 't', 'p', 'wide', 1,"
                          " '{}', 1, '2026-01-01')"))  # fmt: skip
        conn.execute(text("INSERT INTO web_jobs (id, workspace_id, table_id, kind, measure,"
                          " options, cache_key, status, progress, message, owner_id, created_at)"
                          " VALUES (1, 1, 1, 'measure', 'vs', '{}', 'k', 'done', 1, 'done', 1,"
                          " '2026-01-01')"))  # fmt: skip
    engine.dispose()
    engine = open_engine(url)
    with engine.begin() as conn:
        assert conn.execute(select(JOBS.c.measure, JOBS.c.table_id)).all() == [("vs", 1)]
        now = dt.datetime.now(dt.UTC)
        conn.execute(insert(JOBS).values(workspace_id=1, table_id=None, kind="report",
                                         measure="report", options="{}", cache_key="r",
                                         status="queued", progress=0.0, message="queued",
                                         owner_id=1, created_at=now))  # fmt: skip
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


def test_constraints_page_ranks_as_the_library(
    server: Server, people: dict[str, str], ws: int
) -> None:
    from gvckit.interventions.constraints import prioritise, sensitivity, with_weights
    from gvckit.interventions.derive import constraints_from_chain

    path = EXAMPLES[1]  # cocoa: smallholders, so constraints can be drafted
    cs = constraints_from_chain(read_chain(path))
    weights = {"severity": 10, "reach": 60, "feasibility": 30, "leverage": 0}
    ranked = prioritise(with_weights(cs, {k: float(v) for k, v in weights.items()}))
    with server.client(people["ana"]) as c, server.client(people["vic"]) as viewer, \
            server.client(people["out"]) as outsider:  # fmt: skip
        cid = _import(c, ws, path)["id"]
        url = f"/chains/{cid}/constraints"
        page = viewer.get(url, params=weights)
        assert page.status_code == 200
        rows = re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]+)</td>",
                          page.text.split('id="ranking"')[1].split("</table>")[0])  # fmt: skip
        assert [(int(r), i) for r, i in rows] == list(zip(ranked["rank"], ranked["id"],
                                                          strict=True))  # fmt: skip
        assert 'value="60"' in page.text  # the sliders show the weights used
        sens = page.text.split('id="sensitivity"')[1].split("</table>")[0]
        assert sens.count("<tr>") - 1 == len(sensitivity(cs)) == 8
        assert outsider.get(url).status_code == 404
        assert viewer.get(url, params={"severity": 0, "reach": 0, "feasibility": 0,
                                       "leverage": 0}).status_code == 422  # fmt: skip
        draft = viewer.get(f"{url}.yaml")
        assert draft.status_code == 200 and "constraints:" in draft.text


def test_schemathesis_on_the_chain_routes(server: Server, people: dict[str, str], ws: int) -> None:
    """The chain, monitoring and report operations of the OpenAPI, a few generated requests
    each (bounded), with an analyst's token: no server error, every response as documented."""

    def wanted(path: str) -> bool:
        return path.startswith(("/api/chains", "/api/results", "/api/workspaces/{w")) and not (
            path.endswith(("/tables", "/members")) or path == "/api/workspaces/{workspace_id}"
        )

    count, _ = fuzz(server, people["ana"], wanted, 4)
    assert count >= 40


def test_design_audit_page_has_the_librarys_findings(
    server: Server, people: dict[str, str], ws: int
) -> None:
    from gvckit.interventions.audit import audit
    from gvckit.interventions.typology import read_intervention

    ivfile = RESULTS.with_name("cocoa_cameroon_2018_intervention.yaml")
    findings = audit(read_intervention(ivfile), read_chain(EXAMPLES[1]))
    with server.client(people["ana"]) as c, server.client(people["vic"]) as viewer:
        cid = _import(c, ws, EXAMPLES[1])["id"]
        r = c.post(f"/chains/{cid}/audit", files={"file": (ivfile.name, ivfile.read_bytes())})
        assert r.status_code == 200
        table = r.text.split('id="audit"')[1].split("</table>")[0]
        assert table.count("<tr>") - 1 == len(findings) > 0
        for rule in findings.iloc[:, 0]:
            assert f"<td>{rule}</td>" in table
        bad = c.post(f"/chains/{cid}/audit", files={"file": ("iv.yaml", b"title: [")})
        assert bad.status_code == 422 and "iv.yaml" in bad.text
        assert viewer.post(f"/chains/{cid}/audit",
                           files={"file": ("iv.yaml", b"x: 1")}).status_code == 403  # fmt: skip


def test_impact_job_equals_the_cli(
    server: Server, people: dict[str, str], ws: int, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    import pandas as pd

    panel = Path(__file__).parent / "data" / "results_panel.csv"
    with server.client(people["ana"]) as c, server.client(people["vic"]) as viewer:
        rid = c.post(f"/api/workspaces/{ws}/results",
                     files={"file": (RESULTS.name, RESULTS.read_bytes())}).json()["id"]  # fmt: skip
        files = {"file": ("panel.csv", panel.read_bytes())}
        assert viewer.post(f"/api/results/{rid}/impact", files=files).status_code == 403
        r = c.post(f"/api/results/{rid}/impact", files=files, data={"outcome": "sales"})
        assert r.status_code == 202, r.text
        state = server.wait_job(c, r.json()["job"])
        assert state["status"] == "done", state
        got = pd.read_csv(io.BytesIO(c.get(state["result"], params={"format": "csv"}).content))
        bad = c.post(f"/api/results/{rid}/impact", files={"file": ("p.csv", b"a,b\n1,2\n")})
        failed = server.wait_job(c, bad.json()["job"])
        assert failed["status"] == "failed" and "the panel" in failed["message"]
    capsys.readouterr()
    assert main(["results", str(RESULTS), "--impact", str(panel), "--outcome", "sales",
                 "--format", "csv"]) == 0  # fmt: skip
    want = pd.read_csv(io.StringIO(capsys.readouterr().out))
    pd.testing.assert_frame_equal(got, want)


def test_typology_form_checks_and_audits_as_the_library(
    server: Server, people: dict[str, str], ws: int
) -> None:
    from gvckit.interventions import typology as ty
    from gvckit.interventions.audit import audit

    sub = next(iter(ty.SUBFIELD_OF))
    other = next(f for f in ty.Field if f is not ty.SUBFIELD_OF[sub])
    with server.client(people["ana"]) as c, server.client(people["vic"]) as viewer:
        cid = _import(c, ws, EXAMPLES[1])["id"]
        assert viewer.get(f"/chains/{cid}/intervention").status_code == 200
        form = {"id": "iv1", "title": "Cooperative quality premiums",
                "patterns": [next(iter(ty.Pattern)).value],
                "fields": [other.value], "subfields": [sub.value],
                "vision": "farmers sell graded beans"}  # fmt: skip
        bad = c.post(f"/chains/{cid}/intervention", data=form)
        assert bad.status_code == 422
        assert f"sub-field {sub.value!r} belongs to the field" in bad.text.replace("&#39;", "'")
        form["fields"] = [ty.SUBFIELD_OF[sub].value]
        ok = c.post(f"/chains/{cid}/intervention", data=form)
        assert ok.status_code == 200
        iv = ty.Intervention.model_validate(
            {"id": "iv1", "title": "Cooperative quality premiums", "chain": read_chain(
                EXAMPLES[1]).name, "patterns": form["patterns"], "fields": form["fields"],
             "subfields": form["subfields"], "design": {"vision": form["vision"]}})  # fmt: skip
        table = ok.text.split('id="audit"')[1].split("</table>")[0]
        findings = audit(iv, read_chain(EXAMPLES[1]))
        assert table.count("<tr>") - 1 == len(findings) > 0
        for rule in findings.iloc[:, 0]:
            assert f"<td>{rule}</td>" in table
        assert viewer.post(f"/chains/{cid}/intervention", data=form).status_code == 403
