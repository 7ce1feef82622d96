"""The workspace report from what the workspace stores (constraint set, intervention and the
audit kept with it, results chain, chain or none), on a real ``gvckit serve`` (SQLite and
PostgreSQL): the same report as ``gvckit report`` on the same files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit.chain import read_chain
from gvckit.cli import main
from gvckit.interventions.typology import read_intervention
from test_web_actions import ROOT, _post
from webserver import Server, servers

server = servers("actions-report")


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    return {"ana": server.add_user("ana", "analyst")}


def _normalised(text: str) -> str:
    """The report without the minute it was generated."""
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "(generated)", text)


@pytest.mark.parametrize("with_chain", [False, True], ids=["no-chain", "chain"])
def test_workspace_report_equals_the_cli(
    server: Server, people: dict[str, str], with_chain: bool, tmp_path: Path
) -> None:
    """The workspace's report from its stored constraint set, intervention (with the audit kept
    against the chain), results chain and chain (or none) is the report ``gvckit report`` makes
    from the same files."""
    stem = "cocoa_cameroon_2018"
    files = {"constraints": ROOT / "interventions" / f"{stem}_constraints.yaml",
             "interventions": ROOT / "interventions" / f"{stem}_intervention.yaml",
             "results": ROOT / "interventions" / f"{stem}_results.yaml"}  # fmt: skip
    chain_file = ROOT / "chains" / f"{stem}.yaml"
    with server.client(people["ana"]) as c:
        ws = int(c.post("/api/workspaces", json={"name": f"Report {with_chain}"}).json()["id"])
        ids = {k: _post(c, f"/api/workspaces/{ws}/{k}", p) for k, p in files.items()}
        body: dict[str, Any] = {"title": "Cocoa actions", "constraints": ids["constraints"],
                                "intervention": ids["interventions"]}  # fmt: skip
        if with_chain:
            chain_id = _post(c, f"/api/workspaces/{ws}/chains", chain_file)
            r = c.post(f"/api/interventions/{ids['interventions']}/audits",
                       params={"chain": chain_id})  # fmt: skip
            assert r.status_code == 201
        r = c.post(f"/api/workspaces/{ws}/report", json=body)
        assert r.status_code == 202, r.text
        state = server.wait_job(c, r.json()["job"], timeout=120)
        assert state["status"] == "done", state
        got = c.get(state["result"]).text
        # parts chosen and left out at once, or nothing at all: refused
        r = c.post(
            f"/api/workspaces/{ws}/report",
            json={"constraints": ids["constraints"], "leave_out": ["constraints"]},
        )
        assert r.status_code == 422 and "left out" in r.json()["detail"]
        r = c.post(f"/api/workspaces/{ws}/report", json={"leave_out": [
            "chain", "results", "constraints", "intervention", "portfolio"]})  # fmt: skip
        assert r.status_code == 422 and "needs something" in r.json()["detail"]
    out = tmp_path / "cli.html"
    args = ["report", "-o", str(out), "--title", "Cocoa actions", "--constraints",
            str(files["constraints"]), "--interventions", str(files["interventions"]),
            "--results", str(files["results"])]  # fmt: skip
    if with_chain:
        args += ["--chain", str(chain_file)]
    assert main(args) == 0
    assert _normalised(got) == _normalised(out.read_text(encoding="utf-8"))
    assert 'id="action"' in got and "Design audit" in got and "Constraints by priority" in got


def test_report_without_a_chain_shows_the_audit_kept_against_one(
    server: Server, people: dict[str, str], tmp_path: Path
) -> None:
    """The chain is left out of the report, but the intervention's audit kept against it is
    the report's audit (the library's ``audit_chain``), not the audit without a chain."""
    from gvckit.report import build_report, render_html

    stem = "coffee_nicaragua_us_2009"
    iv_file = ROOT / "interventions" / f"{stem}_intervention.yaml"
    chain_file = ROOT / "chains" / f"{stem}.yaml"
    iv, chain = read_intervention(iv_file), read_chain(chain_file)
    with server.client(people["ana"]) as c:
        ws = int(c.post("/api/workspaces", json={"name": "Kept audit"}).json()["id"])
        iid = _post(c, f"/api/workspaces/{ws}/interventions", iv_file)
        chain_id = _post(c, f"/api/workspaces/{ws}/chains", chain_file)
        assert c.post(f"/api/interventions/{iid}/audits",
                      params={"chain": chain_id}).status_code == 201  # fmt: skip
        r = c.post(f"/api/workspaces/{ws}/report", json={"leave_out": ["chain"], "title": "T"})
        assert r.status_code == 202, r.text
        state = server.wait_job(c, r.json()["job"], timeout=120)
        assert state["status"] == "done", state
        got = c.get(state["result"]).text
    want = render_html(build_report(intervention=iv, audit_chain=chain, title="T"))
    assert _normalised(got) == _normalised(want)
    alone = render_html(build_report(intervention=iv, title="T"))
    assert _normalised(got) != _normalised(alone)  # the chain changes the audit
    assert 'id="chain"' not in got
