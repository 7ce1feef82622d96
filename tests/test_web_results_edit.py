"""Results chains edited through the workbench API against a real ``gvckit serve``, on SQLite and
on PostgreSQL: every example results chain imported, read back and saved back equal; saves with
``If-Match`` (a stale one refused with 409 and kept whole as a draft), versions and export;
actuals kept through edits (removing an indicator that has some needs confirming); hostile
bodies refused (413/422, never 500); the foundation's access rules on every new route; CSRF."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi")

from exact import differences
from gvckit.interventions.results import ResultsChain, read_results, results_from_data
from webserver import Server, fuzz, servers, team

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "interventions")
                  .glob("*_results.yaml"))  # fmt: skip


server = servers("results")
people, ws = team("Monitoring")  # two analysts, a viewer, an outsider; the workspace


def _import(c: Any, ws: int, path: Path) -> int:
    r = c.post(f"/api/workspaces/{ws}/results", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1
    return int(r.json()["id"])


def test_examples_import_get_put_export_equal(server: Server, people: dict[str, str], ws: int
                                              ) -> None:  # fmt: skip
    assert len(EXAMPLES) == 4
    with server.client(people["ana"]) as c:
        for path in EXAMPLES:
            original = read_results(path)
            rid = _import(c, ws, path)
            got = c.get(f"/api/results/{rid}")
            assert got.status_code == 200 and got.headers["etag"] == '"1"'
            assert differences(results_from_data(got.json()), original) == [], path.name
            # saved back as it was given: a new version, the same results chain
            r = c.put(f"/api/results/{rid}", json=got.json(), headers={"If-Match": '"1"'})
            assert r.status_code == 200 and r.json() == {"version": 2}, r.text
            again = c.get(f"/api/results/{rid}")
            assert again.headers["etag"] == '"2"'
            assert differences(results_from_data(again.json()), original) == []
            for fmt, load in (("yaml", yaml.safe_load), ("json", json.loads)):
                r = c.get(f"/api/results/{rid}/export", params={"format": fmt})
                assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
                assert differences(results_from_data(load(r.text)), original) == [], fmt
            versions = c.get(f"/api/results/{rid}/versions").json()
            assert [(v["version"], v["user"]) for v in versions] == [(2, "ana"), (1, "ana")]
            assert versions[0]["summary"] == "no change"
            assert versions[1]["summary"] == "imported"


def _renamed_box(body: dict[str, Any], text: str) -> dict[str, Any]:
    out = json.loads(json.dumps(body))
    out["boxes"][0]["text"] = text
    return out


def test_stale_put_is_409_and_loses_nothing(server: Server, people: dict[str, str], ws: int
                                            ) -> None:  # fmt: skip
    with server.client(people["ana"]) as ana, server.client(people["bob"]) as bob:
        rid = _import(ana, ws, EXAMPLES[0])
        base = ana.get(f"/api/results/{rid}").json()
        mine = _renamed_box(base, "Renamed by ana")
        assert ana.put(f"/api/results/{rid}", json=mine, headers={"If-Match": "1"}).json() == {
            "version": 2}  # fmt: skip
        theirs = dict(base, name="Renamed by bob")
        r = bob.put(f"/api/results/{rid}", json=theirs, headers={"If-Match": "1"})
        assert r.status_code == 409
        conflict = r.json()
        assert conflict["current"] == 2 and "Renamed by ana" in conflict["detail"]
        assert any("boxes" in line and "text" in line for line in conflict["meanwhile"])
        # ana's save stands; bob's edit is kept whole as a draft
        now = results_from_data(ana.get(f"/api/results/{rid}").json())
        assert differences(now, results_from_data(mine)) == []
        draft = bob.get(f"/api/results/{rid}/drafts/{conflict['draft']}").json()
        assert differences(results_from_data(draft), results_from_data(theirs)) == []
        listed = bob.get(f"/api/results/{rid}/drafts").json()
        assert listed[0]["id"] == conflict["draft"] and listed[0]["user"] == "bob"
        # an actual entered meanwhile makes an edit of the version before it stale, too
        ind = base["indicators"][0]["id"]
        r = ana.post(f"/api/results/{rid}/actuals",
                     json={"indicator": ind, "date": "2031-01-31", "value": 7})  # fmt: skip
        assert r.json() == {"version": 3}
        r = bob.put(f"/api/results/{rid}", json=mine, headers={"If-Match": "2"})
        assert r.status_code == 409 and r.json()["current"] == 3
        assert any("actuals" in line for line in r.json()["meanwhile"])
        # invalid → 422, no If-Match → 422, nothing saved
        assert bob.put(f"/api/results/{rid}", json={"name": "x"},
                       headers={"If-Match": "3"}).status_code == 422  # fmt: skip
        assert bob.put(f"/api/results/{rid}", json=mine).status_code == 422
        history = ana.get(f"/api/results/{rid}/versions").json()
        assert [(v["version"], v["user"]) for v in history] == [(3, "ana"), (2, "ana"),
                                                                 (1, "ana")]  # fmt: skip
        assert "actuals" in history[0]["summary"]
        diff = ana.get(f"/api/results/{rid}/diff", params={"a": 1, "b": 2}).json()
        box = base["boxes"][0]
        assert len(diff) == 1 and diff[0].startswith(f'changed boxes[{box["id"]}].text: "')
        assert diff[0].endswith(' → "Renamed by ana"') and box["text"][:20] in diff[0]
        # restoring version 1 would delete the actual entered in version 3: confirm first
        r = ana.post(f"/api/results/{rid}/versions/1/restore", headers={"If-Match": "3"})
        assert r.status_code == 422 and "(kept, without them)" in r.json()["detail"]
        r = ana.post(f"/api/results/{rid}/versions/1/restore", headers={"If-Match": "2"})
        assert r.status_code == 409 and r.json()["current"] == 3
        r = ana.post(f"/api/results/{rid}/versions/1/restore", headers={"If-Match": "3"},
                     params={"drop_actuals": "true"})  # fmt: skip
        assert r.json() == {"version": 4}
        assert differences(results_from_data(ana.get(f"/api/results/{rid}").json()),
                           results_from_data(base)) == []  # fmt: skip
        assert ana.get(f"/api/results/{rid}/versions/2").json() == json.loads(
            json.dumps(results_from_data(mine).model_dump(mode="json", by_alias=True,
                                                          exclude_none=True)))  # fmt: skip


def test_removing_an_indicator_with_actuals_needs_confirming(
    server: Server, people: dict[str, str], ws: int
) -> None:
    with server.client(people["ana"]) as c:
        rid = _import(c, ws, EXAMPLES[1])
        body = c.get(f"/api/results/{rid}").json()
        first, second = body["indicators"][0]["id"], body["indicators"][1]["id"]
        for ind, value in ((first, 3.0), (second, 4.0)):
            r = c.post(f"/api/results/{rid}/actuals",
                       json={"indicator": ind, "date": "2030-06-30", "value": value,
                             "sex": "female"})  # fmt: skip
            assert r.status_code == 201, r.text
        body = c.get(f"/api/results/{rid}").json()
        version = c.get(f"/api/results/{rid}").headers["etag"]
        # editing other fields keeps every actual where it is
        edited = json.loads(json.dumps(body))
        edited["indicators"][0]["name"] = "A clearer name"
        r = c.put(f"/api/results/{rid}", json=edited, headers={"If-Match": version})
        assert r.status_code == 200
        kept = results_from_data(c.get(f"/api/results/{rid}").json())
        assert [a.value for a in kept.indicators[0].actuals][-1] == 3.0
        assert [a.value for a in kept.indicators[1].actuals][-1] == 4.0
        version = f'"{r.json()["version"]}"'
        # removing the second indicator: refused with a clear message, nothing saved
        removed = json.loads(json.dumps(edited))
        del removed["indicators"][1]
        r = c.put(f"/api/results/{rid}", json=removed, headers={"If-Match": version})
        assert r.status_code == 422
        detail = r.json()["detail"]
        assert f"indicator {second!r} (removed)" in detail and "drop_actuals=true" in detail
        assert c.get(f"/api/results/{rid}").headers["etag"] == version
        # leaving its actuals out is refused the same way
        bare = json.loads(json.dumps(edited))
        bare["indicators"][0]["actuals"] = []
        r = c.put(f"/api/results/{rid}", json=bare, headers={"If-Match": version})
        assert r.status_code == 422 and f"indicator {first!r} (kept, without them)" in r.text
        # confirmed: saved
        r = c.put(f"/api/results/{rid}", json=removed, headers={"If-Match": version},
                  params={"drop_actuals": "true"})  # fmt: skip
        assert r.status_code == 200
        now = results_from_data(c.get(f"/api/results/{rid}").json())
        assert second not in {i.id for i in now.indicators}
        assert now.indicators[0].actuals == kept.indicators[0].actuals


def test_hostile_bodies_are_refused_not_500(server: Server, people: dict[str, str], ws: int
                                            ) -> None:  # fmt: skip
    from gvckit.limits import document_limits

    with server.client(people["ana"]) as c:
        rid = _import(c, ws, EXAMPLES[2])
        url = f"/api/results/{rid}"
        h = {"If-Match": "1", "content-type": "application/json"}
        big = b'{"name": "' + b"x" * (document_limits().max_bytes + 10) + b'"}'
        deep = b"[" * 100_000 + b"]" * 100_000
        cases = [
            big,
            deep,
            b"\xff\xfe\x00",
            b'{"name": "a", "boxes": [{"id": 1}]}',
            b"null",
            b'{"name": "a", "boxes": []}',
            b"1e999999",
            b'{"a": NaN}',
            json.dumps({**c.get(url).json(), "links": [{"from": "x", "to": "y"}]}).encode(),
        ]
        for body in cases:
            r = c.put(url, content=body, headers=h)
            assert r.status_code in (413, 422), (body[:40], r.status_code, r.text[:200])
            assert "Traceback" not in r.text
        for bad in ("abc", "", "W/", "1.0", "99999999999"):
            r = c.put(url, content=json.dumps(c.get(url).json()),
                      headers={**h, "If-Match": bad})  # fmt: skip
            assert r.status_code in (409, 422), (bad, r.status_code)
        assert c.get(url).headers["etag"] == '"1"'  # nothing saved
        assert len(c.get(f"{url}/versions").json()) == 1
        assert c.get(f"{url}/export", params={"format": "xml"}).status_code == 422
        assert c.get(f"{url}/versions/99").status_code == 404


def test_access_rules_on_every_new_route(server: Server, people: dict[str, str], ws: int
                                         ) -> None:  # fmt: skip
    with server.client(people["ana"]) as c:
        rid = _import(c, ws, EXAMPLES[3])
        body = c.get(f"/api/results/{rid}").text
    reads = [f"/api/results/{rid}", f"/api/results/{rid}/versions",
             f"/api/results/{rid}/diff?a=1&b=1",
             f"/api/results/{rid}/versions/1", f"/api/results/{rid}/drafts",
             f"/api/results/{rid}/export?format=json"]  # fmt: skip
    jhead = {"content-type": "application/json", "If-Match": "1"}
    with (server.client() as anon, server.client(people["vic"]) as viewer,
          server.client(people["out"]) as outsider):  # fmt: skip
        for url in reads:
            assert anon.get(url).status_code == 401, url
            assert outsider.get(url).status_code == 404, url
            assert viewer.get(url).status_code == 200, url
        for who, code in ((anon, 401), (outsider, 404), (viewer, 403)):
            r = who.put(f"/api/results/{rid}", content=body, headers=jhead)
            assert r.status_code == code, r.text
            r = who.post(f"/api/results/{rid}/versions/1/restore", headers=jhead)
            assert r.status_code == code, r.text
        assert outsider.get(f"/api/results/{rid}/drafts/1").status_code == 404
        assert viewer.get(f"/api/results/{2**31 - 1}").status_code == 404
        assert anon.get(f"/results/{rid}/edit").status_code in (303, 401)
        assert outsider.get(f"/results/{rid}/edit").status_code == 404
        assert viewer.get(f"/results/{rid}/edit").status_code == 403
        assert viewer.get(f"/results/{rid}/history").status_code == 200
        for url in (
            f"/results/{rid}/edit",
            f"/results/{rid}/header",
            f"/results/{rid}/restore",
            f"/workspaces/{ws}/results/new",
        ):
            assert viewer.post(url, data={"x": "1"}).status_code == 403
            assert outsider.post(url, data={"x": "1"}).status_code == 404
    with server.client(people["ana"]) as c:
        assert c.get(f"/api/results/{rid}").headers["etag"] == '"1"'  # nothing written


def test_session_writes_need_the_csrf_token(server: Server, people: dict[str, str], ws: int
                                            ) -> None:  # fmt: skip
    from test_web_chains import login

    with server.client(people["ana"]) as c:
        rid = _import(c, ws, EXAMPLES[0])
        body = c.get(f"/api/results/{rid}").text
    s, csrf = login(server, "ana")
    try:
        h = {"content-type": "application/json", "If-Match": "1"}
        assert s.put(f"/api/results/{rid}", content=body, headers=h).status_code == 403
        r = s.put(f"/api/results/{rid}", content=body, headers={**h, "X-CSRF-Token": csrf})
        assert r.status_code == 200, r.text
        form = {"version": "2", "part": "boxes", "id": "zz", "level": "impact", "text": "T"}
        assert s.post(f"/results/{rid}/edit", data=form).status_code == 403
        r = s.post(f"/results/{rid}/edit", data={**form, "csrf_token": csrf})
        assert r.status_code == 303, r.text
        now = ResultsChain.model_validate_json(s.get(f"/api/results/{rid}").text)
        assert now.boxes[-1].id == "zz"
    finally:
        s.close()


def test_forms_show_the_models_message_and_keep_actuals(
    server: Server, people: dict[str, str], ws: int
) -> None:
    """Through the page forms (token client: no CSRF): a new results chain, a box and an
    indicator added; a target dated before its baseline is the model's message beside the
    target date; editing an indicator keeps its actuals; removing it asks to confirm."""
    with server.client(people["ana"]) as c:
        r = c.post(f"/workspaces/{ws}/results/new",
                   data={"name": "Forms", "box_id": "a1", "box_level": "activity",
                         "box_text": "Train"})  # fmt: skip
        assert r.status_code == 303
        rid = int(r.headers["location"].split("/")[2])
        add = {"version": "1", "part": "boxes", "id": "o1", "level": "output", "text": "Trained"}
        assert c.post(f"/results/{rid}/edit", data=add).status_code == 303
        link = {"version": "2", "part": "links", "from": "a1", "to": "o1"}
        assert c.post(f"/results/{rid}/edit", data=link).status_code == 303
        ind = {"version": "3", "part": "indicators", "id": "n", "box": "o1", "name": "People",
               "unit": "persons", "baseline.value": "0", "baseline.date": "2024-01-01",
               "target.value": "100", "target.date": "2023-01-01"}  # fmt: skip
        r = c.post(f"/results/{rid}/edit", data=ind)
        assert r.status_code == 422
        err = re.search(r'<span id="indicators-new-target\.date-err" class="error" role="alert">'
                        r"([^<]+)</span>", r.text)  # fmt: skip
        assert err is not None and "is not after the baseline" in err.group(1)
        assert c.post(f"/results/{rid}/edit",
                      data={**ind, "target.date": "2026-01-01"}).status_code == 303  # fmt: skip
        r = c.post(f"/api/results/{rid}/actuals", json={"indicator": "n", "date": "2025-01-01",
                                                        "value": 40})  # fmt: skip
        assert r.json() == {"version": 5}
        # the form has no actuals: saving it keeps them on the indicator
        r = c.post(f"/results/{rid}/edit", data={**ind, "version": "5", "index": "0",
                                                 "target.date": "2026-06-30"})  # fmt: skip
        assert r.status_code == 303
        now = results_from_data(c.get(f"/api/results/{rid}").json())
        assert now.indicators[0].target is not None
        assert str(now.indicators[0].target.date) == "2026-06-30"
        assert [(str(a.date), a.value) for a in now.indicators[0].actuals] == [("2025-01-01", 40.0)]
        gone = {"version": "6", "part": "indicators", "index": "0", "action": "delete"}
        r = c.post(f"/results/{rid}/edit", data=gone)
        assert r.status_code == 422 and "delete actuals already entered" in r.text
        assert c.get(f"/api/results/{rid}").headers["etag"] == '"6"'
        r = c.post(f"/results/{rid}/edit", data={**gone, "drop_actuals": "on"})
        assert r.status_code == 303
        assert results_from_data(c.get(f"/api/results/{rid}").json()).indicators == ()
        page = c.get(f"/results/{rid}/history").text
        assert page.count("<tr>") == 1 + 7 and "removed indicators" in page
        page = c.get(f"/results/{rid}/history", params={"a": 4, "b": 7}).text
        assert "removed indicators[n].id" in page.split('id="diff"')[1]
        # restoring version 5 would bring back the indicator without its actual (version 6
        # added nothing since): its own content, so no actuals lost; a new version 8
        r = c.post(f"/results/{rid}/restore", data={"restore": "5", "version": "7"})
        assert r.status_code == 303
        back = results_from_data(c.get(f"/api/results/{rid}").json())
        assert [i.id for i in back.indicators] == ["n"] and back.indicators[0].actuals
        r = c.post(f"/results/{rid}/restore", data={"restore": "4", "version": "8"})
        assert r.status_code == 422 and "delete actuals already entered" in r.text
        r = c.post(f"/results/{rid}/restore", data={"restore": "4", "version": "7"})
        assert r.status_code == 409 and 'id="restore-error"' in r.text
        assert (
            c.post(
                f"/results/{rid}/restore",
                data={"restore": "7", "version": "8", "drop_actuals": "on"},
            ).status_code
            == 303
        )
        # two forms on the same version: the later save is refused, kept as a draft
        box = {"version": "9", "part": "boxes", "index": "1", "id": "o1", "level": "output"}
        assert c.post(f"/results/{rid}/edit", data={**box, "text": "First"}).status_code == 303
        r = c.post(f"/results/{rid}/edit", data={**box, "text": "Second"})
        assert r.status_code == 409 and "someone else saved this results chain first" in r.text
        draft, restored = c.get(f"/api/results/{rid}/drafts").json()  # newest first
        assert restored["base_version"] == 7  # the stale restore, kept too
        kept = results_from_data(c.get(f"/api/results/{rid}/drafts/{draft['id']}").json())
        assert kept.boxes[1].text == "Second" and draft["base_version"] == 9
        assert results_from_data(c.get(f"/api/results/{rid}").json()).boxes[1].text == "First"


def test_upgrade_records_the_current_version_of_existing_results(tmp_path: Path) -> None:
    """w0004 on a database at r0001 holding a results chain (version 3 after actuals): its
    content becomes its first recorded version, so the next save has a version to diff with."""
    from alembic import command
    from sqlalchemy import text

    from gvckit.auth.users import User
    from gvckit.store.database import alembic_config, open_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url, upgrade=False)
    cfg = alembic_config()
    content = read_results(EXAMPLES[0]).model_dump_json(by_alias=True, exclude_none=True)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "r0001")
        conn.execute(text("INSERT INTO web_users (id, name, role, disabled, local, created_at)"
                          " VALUES (7, 'u', 'admin', 0, 0, '2026-01-01')"))  # fmt: skip
        conn.execute(text("INSERT INTO web_workspaces (id, name, country, sector, description,"
                          " created_by, created_at, version) VALUES (1, 'w', '', '', '', 7,"
                          " '2026-01-01', 1)"))  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO web_results (id, workspace_id, name, version, content,"
                " created_at) VALUES (5, 1, 'r', 3, :c, '2026-01-01')"
            ),
            {"c": content},
        )
    engine.dispose()
    from gvckit.store import results as rs

    engine = open_engine(url)
    [v] = rs.versions(engine, 5)
    assert (v.version, v.user) == (3, "u") and rs.get_version(engine, 5, 3) == content
    user = User(id=7, name="u", role="admin", disabled=False, local=False)
    edited = read_results(EXAMPLES[0]).model_copy(update={"name": "Renamed"})
    assert rs.save_results(engine, user, 5, edited, 3) == 4
    assert rs.versions(engine, 5)[0].summary.startswith("changed name")
    engine.dispose()


NEW = ("/api/results/{results_id}", "/api/results/{results_id}/versions",
       "/api/results/{results_id}/versions/{version}", "/api/results/{results_id}/drafts",
       "/api/results/{results_id}/drafts/{draft_id}", "/api/results/{results_id}/diff",
       "/api/results/{results_id}/versions/{version}/restore",
       "/api/results/{results_id}/export")  # fmt: skip


def test_schemathesis_on_the_new_operations(server: Server, people: dict[str, str], ws: int
                                            ) -> None:  # fmt: skip
    """Each new operation of the OpenAPI, generated requests on a real results chain (its id in
    the path), with an analyst's token: no server error, every response as documented, and the
    results chain still valid afterwards."""

    with server.client(people["ana"]) as c:
        rid = _import(c, ws, EXAMPLES[0])
    _, seen = fuzz(server, people["ana"], lambda path: path in NEW, 12,
                   path_parameters={"results_id": rid})  # fmt: skip
    assert ("PUT", "/api/results/{results_id}") in seen and len(seen) == 9
    with server.client(people["ana"]) as c:
        assert results_from_data(c.get(f"/api/results/{rid}").json()).name
