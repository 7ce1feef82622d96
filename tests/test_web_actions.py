"""Constraint sets and interventions stored in a workspace, through the API of a real
``gvckit serve`` on SQLite and PostgreSQL: every example file imported, read back and exported
equal; the ranking, sensitivity and recommendations equal to the CLI's JSON; constraints
drafted from a chain equal to ``constraints_from_chain``; the design audit equal to
``gvckit audit --chain``; stale saves refused with 409 and nothing lost; hostile bodies 413 or
422, never 500; the foundation's access rules on every route; schemathesis."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit.chain import read_chain
from gvckit.cli import main
from gvckit.errors import GvcError
from gvckit.interventions.constraints import ConstraintSet, read_constraints
from gvckit.interventions.typology import Intervention, read_intervention
from webserver import Server, fuzz, servers, team

ROOT = Path(__file__).resolve().parents[1] / "examples"
CONSTRAINTS = sorted((ROOT / "interventions").glob("*_constraints.yaml"))
INTERVENTIONS = sorted((ROOT / "interventions").glob("*_intervention.yaml"))
CHAINS = sorted((ROOT / "chains").glob("*.yaml"))


server = servers("actions", {"GVCKIT_MAX_UPLOAD_MB": "4", "GVCKIT_DOC_MAX_BYTES": str(2**20)})
people, ws = team("Action")  # two analysts, a viewer, an outsider; the workspace


def _post(c: Any, url: str, path: Path) -> int:
    r = c.post(url, files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "version"} and body["version"] == 1
    return int(body["id"])


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", CONSTRAINTS, ids=lambda p: p.stem)
def test_constraint_sets_round_trip_and_rank_as_the_cli(
    server: Server, people: dict[str, str], ws: int, path: Path,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    original = read_constraints(path)
    with server.client(people["ana"]) as c:
        cid = _post(c, f"/api/workspaces/{ws}/constraints", path)
        got = c.get(f"/api/constraints/{cid}")
        assert got.status_code == 200 and got.headers["etag"] == '"1"'
        assert ConstraintSet.model_validate(got.json()) == original
        again = c.post(f"/api/workspaces/{ws}/constraints", json=got.json())  # a JSON body
        assert again.status_code == 201
        assert ConstraintSet.model_validate(
            c.get(f"/api/constraints/{again.json()['id']}").json()) == original  # fmt: skip
        for fmt in ("yaml", "json"):
            r = c.get(f"/api/constraints/{cid}/export", params={"format": fmt})
            assert r.status_code == 200
            out = tmp_path / f"export.{fmt}"
            out.write_bytes(r.content)
            assert read_constraints(out) == original, fmt
            back = _post(c, f"/api/workspaces/{ws}/constraints", out)
            assert ConstraintSet.model_validate(c.get(f"/api/constraints/{back}").json()) == (
                original)  # fmt: skip
        ranked = c.get(f"/api/constraints/{cid}/ranking").json()
        assert ranked == _cli(capsys, "constraints", "rank", str(path))
        weights = {"severity": 0.1, "reach": 0.2, "feasibility": 0.6, "leverage": 0.1}
        shown = ",".join(f"{k}={v}" for k, v in weights.items())
        ranked = c.get(f"/api/constraints/{cid}/ranking", params=weights).json()
        assert ranked == _cli(capsys, "constraints", "rank", str(path), "--weights", shown)
        part = c.get(f"/api/constraints/{cid}/ranking", params={"severity": 1}).json()
        assert part == _cli(capsys, "constraints", "rank", str(path), "--weights", "severity=1")
        check = c.get(f"/api/constraints/{cid}/sensitivity").json()
        assert check == _cli(capsys, "constraints", "rank", str(path), "--sensitivity")
        rec = c.get(f"/api/constraints/{cid}/recommend").json()
        assert rec == _cli(capsys, "approaches", "recommend", str(path))
        zero = c.get(f"/api/constraints/{cid}/ranking", params={"reach": 0})
        assert zero.status_code == 422 and "add up to 0" in zero.json()["detail"]


@pytest.mark.parametrize("path", CHAINS, ids=lambda p: p.stem)
def test_constraints_drafted_from_a_chain_equal_the_library(
    server: Server, people: dict[str, str], ws: int, path: Path
) -> None:
    from gvckit.interventions.derive import constraints_from_chain

    chain = read_chain(path)
    with server.client(people["ana"]) as c:
        chain_id = _post(c, f"/api/workspaces/{ws}/chains", path)
        r = c.post(f"/api/workspaces/{ws}/constraints", json={"from_chain": chain_id})
        try:
            expected = constraints_from_chain(chain, chain.snapshot(None).year, file=chain.name)
        except GvcError as exc:  # nothing to draft (no small operators): the library's line
            refused = str(exc)
            assert r.status_code == 422 and r.json()["detail"] == refused
            return
        assert r.status_code == 201, r.text
        got = ConstraintSet.model_validate(c.get(f"/api/constraints/{r.json()['id']}").json())
        assert got == expected
        year = chain.snapshots[-1].year
        listed = c.get(f"/api/workspaces/{ws}/constraints").json()
        mine = next(x for x in listed if x["id"] == r.json()["id"])
        assert mine["chain"] == chain_id and chain.name in mine["name"]
        r = c.post(f"/api/workspaces/{ws}/constraints",
                   json={"from_chain": chain_id, "snapshot": year + 50})  # fmt: skip
        assert r.status_code == 422 and f"no snapshot for {year + 50}" in r.json()["detail"]
        r = c.post(f"/api/workspaces/{ws}/constraints", json={"from_chain": 2**31 - 1})
        assert r.status_code == 404


@pytest.mark.parametrize("path", INTERVENTIONS, ids=lambda p: p.stem)
def test_interventions_round_trip_and_audit_as_the_cli(
    server: Server, people: dict[str, str], ws: int, path: Path,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    original = read_intervention(path)
    chain_file = ROOT / "chains" / path.name.replace("_intervention", "")
    with server.client(people["ana"]) as c:
        iid = _post(c, f"/api/workspaces/{ws}/interventions", path)
        got = c.get(f"/api/interventions/{iid}")
        assert got.status_code == 200 and got.headers["etag"] == '"1"'
        assert Intervention.model_validate(got.json()) == original
        again = c.post(f"/api/workspaces/{ws}/interventions", json=got.json())
        assert again.status_code == 201
        for fmt in ("yaml", "json"):
            r = c.get(f"/api/interventions/{iid}/export", params={"format": fmt})
            out = tmp_path / f"export.{fmt}"
            out.write_bytes(r.content)
            assert read_intervention(out) == original, fmt
            back = _post(c, f"/api/workspaces/{ws}/interventions", out)
            assert Intervention.model_validate(c.get(f"/api/interventions/{back}").json()) == (
                original)  # fmt: skip
        plain = c.get(f"/api/interventions/{iid}/audit").json()
        assert plain == _cli(capsys, "audit", str(path))
        if chain_file.is_file():
            chain_id = _post(c, f"/api/workspaces/{ws}/chains", chain_file)
            found = c.get(f"/api/interventions/{iid}/audit", params={"chain": chain_id}).json()
            assert found == _cli(capsys, "audit", str(path), "--chain", str(chain_file))
            kept = c.post(f"/api/interventions/{iid}/audits", params={"chain": chain_id})
            assert kept.status_code == 201 and kept.json()["findings"] == found
            listed = c.get(f"/api/interventions/{iid}/audits").json()
            assert listed[0]["chain"] == chain_id and listed[0]["version"] == 1


def test_workbook_sheet_imports_the_intervention(
    server: Server, people: dict[str, str], ws: int, tmp_path: Path
) -> None:
    from gvckit.chain.workbook import write_template
    from gvckit.interventions.workbook import add_intervention_sheet

    iv = read_intervention(INTERVENTIONS[0])
    book = tmp_path / "chain.xlsx"
    write_template(book, read_chain(CHAINS[0]))
    import openpyxl

    wb = openpyxl.load_workbook(book)
    add_intervention_sheet(wb, iv)
    wb.save(book)
    with server.client(people["ana"]) as c:
        iid = _post(c, f"/api/workspaces/{ws}/interventions", book)
        assert Intervention.model_validate(c.get(f"/api/interventions/{iid}").json()) == iv


@pytest.mark.parametrize("kind", ["constraints", "interventions"])
def test_stale_put_is_409_and_nothing_is_lost(
    server: Server, people: dict[str, str], ws: int, kind: str
) -> None:
    path = CONSTRAINTS[0] if kind == "constraints" else INTERVENTIONS[0]
    with server.client(people["ana"]) as ana, server.client(people["bob"]) as bob:
        doc = _post(ana, f"/api/workspaces/{ws}/{kind}", path)
        base = ana.get(f"/api/{kind}/{doc}").json()
        if kind == "constraints":
            mine = dict(base, weights={"severity": 1.0})
            theirs = json.loads(json.dumps(base))
            theirs["constraints"][0]["title"] = "Retitled by bob"
        else:
            mine = dict(base, title="Retitled by ana")
            theirs = dict(base, description="Described by bob")
        r = ana.put(f"/api/{kind}/{doc}", json=mine, headers={"If-Match": "1"})
        assert r.status_code == 200 and r.json() == {"version": 2}
        r = bob.put(f"/api/{kind}/{doc}", json=theirs, headers={"If-Match": '"1"'})
        assert r.status_code == 409
        conflict = r.json()
        assert conflict["current"] == 2 and conflict["meanwhile"]
        assert ana.get(f"/api/{kind}/{doc}").json() == mine  # ana's save stands
        draft = bob.get(f"/api/{kind}/{doc}/drafts/{conflict['draft']}").json()
        assert draft == theirs  # bob's edit kept whole
        drafts = bob.get(f"/api/{kind}/{doc}/drafts").json()
        assert drafts[0]["user"] == "bob" and drafts[0]["base_version"] == 1
        versions = bob.get(f"/api/{kind}/{doc}/versions").json()
        assert [v["version"] for v in versions] == [2, 1] and versions[0]["user"] == "ana"
        assert bob.get(f"/api/{kind}/{doc}/versions/1").json() == base
        diff = bob.get(f"/api/{kind}/{doc}/diff", params={"a": 1, "b": 2}).json()
        assert diff == conflict["meanwhile"]
        r = bob.put(f"/api/{kind}/{doc}", json=theirs, headers={"If-Match": "2"})
        assert r.json() == {"version": 3}
        r = bob.put(f"/api/{kind}/{doc}", json=theirs)  # no If-Match
        assert r.status_code == 422 and "If-Match" in r.json()["detail"]
        broken = dict(theirs, id=None) if kind == "interventions" else dict(theirs, constraints=[])
        r = bob.put(f"/api/{kind}/{doc}", json=broken, headers={"If-Match": "3"})
        assert r.status_code == 422 and "request body" in r.json()["detail"]
        assert len(bob.get(f"/api/{kind}/{doc}/versions").json()) == 3  # nothing added
        # restore: version 1's content as version 4; a stale restore refused
        r = bob.post(f"/api/{kind}/{doc}/versions/1/restore", headers={"If-Match": "2"})
        assert r.status_code == 409
        r = bob.post(f"/api/{kind}/{doc}/versions/1/restore", headers={"If-Match": "3"})
        assert r.json() == {"version": 4} and bob.get(f"/api/{kind}/{doc}").json() == base
        r = bob.post(f"/{kind}/{doc}/restore", data={"restore": "2", "version": "4"},
                     follow_redirects=False)  # fmt: skip
        assert r.status_code == 303 and bob.get(f"/api/{kind}/{doc}").json() == mine


def test_a_page_edit_of_a_constraint_removed_meanwhile_is_kept_as_a_draft(
    server: Server, people: dict[str, str], ws: int
) -> None:
    """Two people on the set's page at version 1: ana removes a constraint, then bob saves his
    edit of it. Bob gets the conflict (409) and his edit is kept as a draft, applied to the
    version he saw, not refused as "no constraint" and thrown away."""
    with server.client(people["ana"]) as ana, server.client(people["bob"]) as bob:
        doc = _post(ana, f"/api/workspaces/{ws}/constraints", CONSTRAINTS[0])
        base = ana.get(f"/api/constraints/{doc}").json()
        first, second = base["constraints"][:2]
        r = ana.post(f"/constraints/{doc}/remove", data={"version": "1",
                     "original": second["id"]}, follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        form = {"version": "1", "original": second["id"], "id": second["id"],
                "type": second["type"], "title": "Reworded by bob",
                "severity": str(second["severity"]), "feasibility": str(second["feasibility"]),
                "leverage": str(second["leverage"]), "msmes": "0", "workers": "0"}  # fmt: skip
        r = bob.post(f"/constraints/{doc}/edit", data=form)
        assert r.status_code == 409 and 'id="conflict"' in r.text
        [kept] = bob.get(f"/api/constraints/{doc}/drafts").json()
        assert kept["user"] == "bob" and kept["base_version"] == 1
        draft = bob.get(f"/api/constraints/{doc}/drafts/{kept['id']}").json()
        assert [c["id"] for c in draft["constraints"]] == [c["id"] for c in base["constraints"]]
        assert draft["constraints"][1]["title"] == "Reworded by bob"
        assert draft["constraints"][0] == first
        current = ana.get(f"/api/constraints/{doc}").json()
        assert second["id"] not in [c["id"] for c in current["constraints"]]  # ana's stands
        # a stale weights save and a stale removal are kept on the version they saw too
        r = bob.post(f"/constraints/{doc}/weights", data={"version": "1", "severity": "100",
                     "reach": "0", "feasibility": "0", "leverage": "0"})  # fmt: skip
        assert r.status_code == 409
        r = bob.post(f"/constraints/{doc}/remove", data={"version": "1",
                     "original": first["id"]})  # fmt: skip
        assert r.status_code == 409
        drafts = bob.get(f"/api/constraints/{doc}/drafts").json()
        contents = [bob.get(f"/api/constraints/{doc}/drafts/{d['id']}").json() for d in drafts]
        weighted = next(d for d in contents if d.get("weights", {}).get("severity") == 1.0)
        assert len(weighted["constraints"]) == len(base["constraints"])
        removed = next(d for d in contents if len(d["constraints"]) == len(base["constraints"]) - 1
                       and d["constraints"][0]["id"] != first["id"])  # fmt: skip
        assert second["id"] in [c["id"] for c in removed["constraints"]]


def test_hostile_bodies_are_413_or_422_never_500(
    server: Server, people: dict[str, str], ws: int
) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with server.client(people["ana"]) as c:
        for kind in ("constraints", "interventions"):
            url = f"/api/workspaces/{ws}/{kind}"
            before = len(c.get(url).json())
            r = c.post(url, content=b"{" + b" " * (5 * 2**20) + b"}",
                       headers={"content-type": "application/json"})  # fmt: skip
            assert r.status_code == 413, r.text
            r = c.post(url, content=b'{"x": "' + b"y" * (3 * 2**20) + b'"}',
                       headers={"content-type": "application/json"})  # fmt: skip
            detail = r.json()["detail"]
            assert r.status_code == 422 and "request body" in detail and "larger than" in detail
            r = c.post(url, content=deep, headers={"content-type": "application/json"})
            assert r.status_code == 422 and "request body" in r.json()["detail"]
            r = c.post(url, files={"file": ("bomb.yaml", laughs.encode())})
            assert r.status_code == 422 and "bomb.yaml" in r.json()["detail"]
            for bad in (b"[1, 2]", b"null", b"{", b'"\xff"', b"{}"):
                r = c.post(url, content=bad, headers={"content-type": "application/json"})
                assert r.status_code == 422, (kind, bad, r.text)
            r = c.post(url, files={"file": ("x.xlsx", b"PK\x03\x04junk")})
            assert r.status_code == 422
            r = c.post(url, files={"other": ("x.yaml", b"a: 1")})
            assert r.status_code == 422 and "'file'" in r.json()["detail"]
            assert len(c.get(url).json()) == before  # nothing kept
        url = f"/api/workspaces/{ws}/constraints"
        for body in ({"from_chain": "x"}, {"from_chain": True}, {"from_chain": 1, "x": 2},
                     {"from_chain": 1, "snapshot": "2010"}):  # fmt: skip
            assert c.post(url, json=body).status_code == 422, body
        text = CONSTRAINTS[0].read_text().replace("    severity: 4", "    severity: 9", 1)
        line = next(k for k, t in enumerate(text.splitlines(), 1) if "severity: 9" in t)
        r = c.post(url, files={"file": ("c.yaml", text.encode())})
        detail = r.json()["detail"]
        assert r.status_code == 422 and "c.yaml" in detail and f"row {line}" in detail
        assert "constraints[0].severity" in detail


def test_access_rules_on_every_route(server: Server, people: dict[str, str], ws: int) -> None:
    with server.client(people["ana"]) as c:
        cs = _post(c, f"/api/workspaces/{ws}/constraints", CONSTRAINTS[0])
        iv = _post(c, f"/api/workspaces/{ws}/interventions", INTERVENTIONS[0])
        chain = _post(c, f"/api/workspaces/{ws}/chains", CHAINS[0])
        other = int(c.post("/api/workspaces", json={"name": "Other"}).json()["id"])
        foreign = _post(c, f"/api/workspaces/{other}/chains", CHAINS[0])
        # a chain of another workspace is not found, even for a member of both
        assert c.get(f"/api/interventions/{iv}/audit", params={"chain": foreign}).status_code == 404
        r = c.post(f"/api/workspaces/{ws}/constraints", json={"from_chain": foreign})
        assert r.status_code == 404
    reads = [f"/api/workspaces/{ws}/constraints", f"/api/workspaces/{ws}/interventions"]
    for kind, doc in (("constraints", cs), ("interventions", iv)):
        reads += [f"/api/{kind}/{doc}", f"/api/{kind}/{doc}/export", f"/api/{kind}/{doc}/versions",
                  f"/api/{kind}/{doc}/versions/1", f"/api/{kind}/{doc}/diff?a=1&b=1",
                  f"/api/{kind}/{doc}/drafts"]  # fmt: skip
    reads += [f"/api/constraints/{cs}/ranking", f"/api/constraints/{cs}/sensitivity",
              f"/api/constraints/{cs}/recommend", f"/api/interventions/{iv}/audit?chain={chain}",
              f"/api/interventions/{iv}/audits"]  # fmt: skip
    writes = [("POST", f"/api/workspaces/{ws}/constraints", CONSTRAINTS[0]),
              ("POST", f"/api/workspaces/{ws}/interventions", INTERVENTIONS[0]),
              ("PUT", f"/api/constraints/{cs}", CONSTRAINTS[0]),
              ("PUT", f"/api/interventions/{iv}", INTERVENTIONS[0]),
              ("POST", f"/api/interventions/{iv}/audits?chain={chain}", None),
              ("POST", f"/api/constraints/{cs}/versions/1/restore", None),
              ("POST", f"/api/interventions/{iv}/versions/1/restore", None)]  # fmt: skip
    with (server.client() as anon, server.client(people["vic"]) as viewer,
          server.client(people["out"]) as outsider):  # fmt: skip
        for url in reads:
            assert anon.get(url).status_code == 401, url
            assert outsider.get(url).status_code == 404, url
            assert viewer.get(url).status_code == 200, url
        for method, url, path in writes:
            files = None if path is None else {"file": (path.name, path.read_bytes())}
            for who, code in ((anon, 401), (outsider, 404), (viewer, 403)):
                r = who.request(method, url, files=files, headers={"If-Match": "1"})
                assert r.status_code == code, (method, url, r.text)
    with server.client(people["ana"]) as c:
        assert len(c.get(f"/api/constraints/{cs}/versions").json()) == 1  # nothing written
        assert c.get(f"/api/interventions/{iv}/audits").json() == []


def test_sessions_need_the_csrf_token(server: Server, people: dict[str, str], ws: int) -> None:
    from test_web_chains import login

    c, csrf = login(server, "ana")
    try:
        raw = CONSTRAINTS[0].read_bytes()
        url = f"/api/workspaces/{ws}/constraints"
        assert c.post(url, files={"file": ("c.yaml", raw)}).status_code == 403
        r = c.post(url, files={"file": ("c.yaml", raw)}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        doc = r.json()["id"]
        body = c.get(f"/api/constraints/{doc}").json()
        assert c.put(f"/api/constraints/{doc}", json=body,
                     headers={"If-Match": "1"}).status_code == 403  # fmt: skip
        r = c.put(f"/api/constraints/{doc}", json=body,
                  headers={"If-Match": "1", "X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 200
    finally:
        c.close()


def test_schemathesis_on_the_action_routes(server: Server, people: dict[str, str], ws: int
                                           ) -> None:  # fmt: skip
    """The constraint and intervention operations, a few generated requests each (bounded):
    no server error, every response as documented."""
    with server.client(people["ana"]) as c:
        _post(c, f"/api/workspaces/{ws}/constraints", CONSTRAINTS[0])
        _post(c, f"/api/workspaces/{ws}/interventions", INTERVENTIONS[0])

    def wanted(path: str) -> bool:
        kinds = ("constraints", "interventions")
        return path.startswith(tuple(f"/api/{k}" for k in kinds)) or path.endswith(
            tuple(f"/{k}" for k in kinds))  # fmt: skip

    count, _ = fuzz(server, people["ana"], wanted, 5)
    assert count >= 60


def test_pages_store_rank_edit_and_audit(server: Server, people: dict[str, str], ws: int) -> None:
    """The pages through the same services: a set drafted from a chain, its weights saved
    with it and its ranking the library's, a constraint edited (the model's message beside
    the field), an intervention created with the typology form, saved and audited."""
    import html

    from gvckit.interventions.audit import audit
    from gvckit.interventions.constraints import prioritise, with_weights
    from gvckit.store.actions import records
    from gvckit.web.chainviews import people_table

    path = ROOT / "chains" / "cocoa_cameroon_2018.yaml"
    chain = read_chain(path)
    with server.client(people["ana"]) as c, server.client(people["vic"]) as vic:
        chain_id = _post(c, f"/api/workspaces/{ws}/chains", path)
        assert 'id="actions-link"' in c.get(f"/workspaces/{ws}").text
        assert 'id="keep-draft"' in c.get(f"/chains/{chain_id}/constraints").text
        assert 'id="keep-draft"' not in vic.get(f"/chains/{chain_id}/constraints").text
        year = str(chain.snapshots[0].year)
        r = c.post(f"/workspaces/{ws}/constraints/draft", data={"chain": str(chain_id),
                   "snapshot": str(int(year) + 50)})  # fmt: skip
        assert r.status_code == 422 and f"no snapshot for {int(year) + 50}" in r.text
        r = c.post(f"/workspaces/{ws}/constraints/draft", data={"chain": str(chain_id)},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        url = r.headers["location"]
        doc = int(url.rsplit("/", 1)[1])
        page = c.get(url, params={"severity": 10, "reach": 0, "feasibility": 80,
                                  "leverage": 10}).text  # fmt: skip
        assert 'id="previewing"' in page
        r = c.post(f"/constraints/{doc}/weights", data={"version": "1", "severity": "10",
                   "reach": "0", "feasibility": "80", "leverage": "10"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        cs = ConstraintSet.model_validate(c.get(f"/api/constraints/{doc}").json())
        assert cs.weights == {"severity": 0.1, "reach": 0.0, "feasibility": 0.8, "leverage": 0.1}
        page = c.get(url).text
        assert 'id="w-feasibility" name="feasibility" type="range" min="0" max="100" step="5" ' \
               'value="80"' in page  # fmt: skip
        ranking = page.split('id="ranking"')[1].split("</table>")[0]
        rows = [[html.unescape(x) for x in re.findall(r"<td[^>]*>([^<]*)</td>", tr)]
                for tr in ranking.split("<tbody>")[1].split("</tr>")[:-1]]  # fmt: skip
        assert rows == people_table(prioritise(cs))["rows"]  # cell by cell, as the library
        before = prioritise(with_weights(cs, {"severity": 0.3, "reach": 0.3,
                                              "feasibility": 0.2, "leverage": 0.2}))  # fmt: skip
        assert list(before["score"]) != list(prioritise(cs)["score"])  # the weights count
        first = cs.constraints[0]
        form = {"version": "2", "original": first.id, "id": first.id, "type": first.type,
                "title": first.title, "severity": "9", "feasibility": "3", "leverage": "3",
                "msmes": "0", "workers": "0"}  # fmt: skip
        bad = c.post(f"/constraints/{doc}/edit", data=form)
        assert bad.status_code == 422
        assert 'aria-describedby="c1-severity-err"' in bad.text
        assert "less than or equal to 5" in bad.text.split('id="c1-severity-err"')[1][:300]
        form["severity"] = "5"
        assert c.post(f"/constraints/{doc}/edit", data=form,
                      follow_redirects=False).status_code == 303  # fmt: skip
        got = ConstraintSet.model_validate(c.get(f"/api/constraints/{doc}").json())
        assert got.constraints[0].severity == 5 and got.constraints[1:] == cs.constraints[1:]
        stale = c.post(f"/constraints/{doc}/remove", data={"version": "2",
                                                           "original": first.id})  # fmt: skip
        assert stale.status_code == 409 and 'id="conflict"' in stale.text
        [kept] = c.get(f"/api/constraints/{doc}/drafts").json()
        shown = c.get(f"/constraints/{doc}/drafts/{kept['id']}")  # the refused edit, whole
        assert shown.status_code == 200 and f"Draft {kept['id']}: an edit kept" in shown.text
        assert html.escape(kept["reason"]) in shown.text and 'id="draft-yaml"' in shown.text
        assert vic.post(f"/constraints/{doc}/edit", data=form).status_code == 403
        # an intervention from the typology form, saved, edited, audited against the chain
        form_iv = {
            "chain": str(chain_id),
            "id": "iv-page",
            "title": "Groups for planters",
            "patterns": ["value_chain_linkages"],
            "fields": ["business_linkages"],
            "subfields": ["services_and_finance"],
            "vision": "planters sell together",
        }
        bad = c.post(f"/workspaces/{ws}/interventions/new", data=form_iv)
        assert bad.status_code == 422 and "belongs to the field" in html.unescape(bad.text)
        form_iv["subfields"] = ["private_linkages_and_associations"]
        r = c.post(f"/workspaces/{ws}/interventions/new", data=form_iv, follow_redirects=False)
        assert r.status_code == 303
        iv_url = r.headers["location"]
        iid = int(iv_url.rsplit("/", 1)[1])
        iv = Intervention.model_validate(c.get(f"/api/interventions/{iid}").json())
        assert iv.chain == chain.name and iv.design.vision == "planters sell together"
        bad = c.post(iv_url, data={**form_iv, "version": "1", "delivery": "sometimes"})
        assert bad.status_code == 422 and 'id="iv-delivery-err"' in bad.text
        r = c.post(iv_url, data={**form_iv, "version": "1", "delivery": "facilitation"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        stale = c.post(iv_url, data={**form_iv, "version": "1", "title": "Late edit"})
        assert stale.status_code == 409 and 'id="conflict"' in stale.text
        draft = c.get(f"/api/interventions/{iid}/drafts").json()[0]
        kept = c.get(f"/api/interventions/{iid}/drafts/{draft['id']}").json()
        assert kept["title"] == "Late edit" and draft["base_version"] == 1
        assert c.get(f"/api/interventions/{iid}").json()["title"] == "Groups for planters"
        r = c.post(f"{iv_url}/audit", data={"chain": str(chain_id)}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(iv_url).text
        table = page.split('id="audit"')[1].split("</table>")[0]
        findings = audit(Intervention.model_validate(
            c.get(f"/api/interventions/{iid}").json()), chain)  # fmt: skip
        assert table.count("<tr>") - 1 == len(findings) > 0
        kept = c.get(f"/api/interventions/{iid}/audits").json()[0]
        assert kept["version"] == 2 and kept["chain"] == chain_id
        assert kept["findings"] == json.loads(records(findings))
        assert vic.post(f"{iv_url}/audit", data={"chain": str(chain_id)}).status_code == 403


def test_pages_follow_the_access_rules_and_refuse_hostile_files(
    server: Server, people: dict[str, str], ws: int
) -> None:
    with server.client(people["ana"]) as c:
        cs = _post(c, f"/api/workspaces/{ws}/constraints", CONSTRAINTS[0])
        iv = _post(c, f"/api/workspaces/{ws}/interventions", INTERVENTIONS[0])
        laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        for kind in ("constraints", "interventions"):
            before = len(c.get(f"/api/workspaces/{ws}/{kind}").json())
            r = c.post(f"/workspaces/{ws}/{kind}/import",
                       files={"file": ("bomb.yaml", laughs.encode())})  # fmt: skip
            assert r.status_code == 422 and f'id="{kind}-error"' in r.text and "bomb.yaml" in r.text
            r = c.post(f"/workspaces/{ws}/{kind}/import", files={"file": ("x.yaml", b"[1")})
            assert r.status_code == 422
            assert len(c.get(f"/api/workspaces/{ws}/{kind}").json()) == before
    reads = [f"/workspaces/{ws}/actions", f"/constraints/{cs}", f"/interventions/{iv}",
             f"/workspaces/{ws}/interventions/new"]  # fmt: skip
    writes = [f"/workspaces/{ws}/constraints/draft", f"/workspaces/{ws}/constraints/import",
              f"/workspaces/{ws}/interventions/import", f"/workspaces/{ws}/interventions/new",
              f"/constraints/{cs}/weights", f"/constraints/{cs}/edit",
              f"/constraints/{cs}/remove", f"/interventions/{iv}", f"/constraints/{cs}/restore",
              f"/interventions/{iv}/restore",
              f"/interventions/{iv}/audit"]  # fmt: skip
    with (server.client() as anon, server.client(people["vic"]) as viewer,
          server.client(people["out"]) as outsider):  # fmt: skip
        for url in reads:
            assert anon.get(url, follow_redirects=False).status_code == 303, url  # to login
            assert outsider.get(url).status_code == 404, url
        for url in reads[:3]:
            assert viewer.get(url).status_code == 200, url
        for url in writes:
            data = {"version": "1", "original": "x", "chain": ""}
            assert outsider.post(url, data=data).status_code == 404, url
            assert viewer.post(url, data=data).status_code == 403, url
    with server.client(people["ana"]) as c:
        assert len(c.get(f"/api/constraints/{cs}/versions").json()) == 1  # nothing written
        assert len(c.get(f"/api/interventions/{iv}/versions").json()) == 1
