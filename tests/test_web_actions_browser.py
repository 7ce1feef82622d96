"""From analysis to action in a real browser (Debian's Chromium through Playwright) against a
real ``gvckit serve``: constraints drafted from a chain, a weight slider moved and the weights
saved (after a reload the sliders and the ranking are the saved ones, cell by cell the
library's); the model's message beside a constraint's field; an intervention described with the
typology form, saved and audited against the chain (the findings of ``gvckit audit``); the
workspace report built with the constraint set and the intervention, downloaded and opened
offline. Screenshots go to the test's temporary folder (and to $GVCKIT_SCREENSHOTS when set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit.chain import read_chain
from gvckit.interventions.audit import audit
from gvckit.interventions.constraints import ConstraintSet, prioritise
from gvckit.interventions.typology import Intervention
from gvckit.web.chainviews import people_table
from test_web_browser import (
    ARGS,
    _browser_or_skip,
    _shot,
    built_report,
    new_workspace,
    watch,
)
from webserver import Server

CHAIN = Path(__file__).resolve().parents[1] / "examples" / "chains" / "cocoa_cameroon_2018.yaml"

ROWS = """t => [...t.querySelectorAll("tbody tr")].map(
    r => [...r.cells].map(c => c.textContent.trim()))"""


def _api(server: Server, token: str, url: str) -> Any:
    with server.client(token) as c:
        r = c.get(url)
        assert r.status_code == 200, r.text
        return r.json()


def test_analysis_to_action_in_a_real_browser(web_server: Server, tmp_path: Path) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    server = web_server
    token = server.add_user("bea", "analyst")
    assert server.link is not None
    problems: list[str] = []
    outside: list[str] = []
    chain = read_chain(CHAIN)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = ctx.new_page()
        watch(page, problems, outside, server.url)

        page.goto(server.link)
        new_workspace(page, "Cocoa", "bea")
        ws = int(page.url.rstrip("/").rsplit("/", 1)[1])
        with server.client(token) as c, open(CHAIN, "rb") as fh:
            r = c.post(f"/api/workspaces/{ws}/chains", files={"file": (CHAIN.name, fh)})
            assert r.status_code == 201
            chain_id = r.json()["id"]

        # constraints drafted from the chain's evidence
        page.get_by_role("link", name="From analysis to action").click()
        page.get_by_label("Chain", exact=True).first.select_option(str(chain_id))
        page.get_by_role("button", name="Draft the constraints").click()
        expect(page.get_by_role("heading", name="Ranking", exact=True)).to_be_visible()
        set_url = page.url.split("#")[0]
        doc = int(set_url.rsplit("/", 1)[1])
        # a slider moved: the ranking previews the weights, then they are saved with the set
        page.locator("#w-feasibility").fill("80")
        expect(page.locator('output[for="w-feasibility"]')).to_have_text("80 %")
        page.get_by_role("button", name="Rank again").click()
        expect(page.locator("#previewing")).to_be_visible()
        _shot(page, tmp_path, "a1-preview")
        page.get_by_role("button", name="Save these weights with the set").click()
        page.goto(set_url)  # a reload: what is shown is what was saved
        expect(page.locator("#previewing")).to_have_count(0)
        expect(page.locator("#w-feasibility")).to_have_value("80")
        saved = ConstraintSet.model_validate(_api(server, token, f"/api/constraints/{doc}"))
        assert saved.weights["feasibility"] == 0.8
        shown = page.eval_on_selector("#ranking table", ROWS)
        assert shown == people_table(prioritise(saved))["rows"]
        api = _api(server, token, f"/api/constraints/{doc}/ranking")
        assert [r["id"] for r in api] == [r[1] for r in shown]
        _shot(page, tmp_path, "a2-saved-weights")
        # a constraint edited with a value the model refuses: its message beside the field
        first = saved.constraints[0].id
        page.locator(f"#c-{first} summary").click()
        page.locator("#c1-severity").fill("9")
        page.locator(f"#c-{first}").get_by_role("button", name="Save the constraint").click()
        expect(page.locator("#c1-severity-err")).to_contain_text("less than or equal to 5")
        expect(page.locator("#c1-severity")).to_have_attribute("aria-invalid", "true")
        _shot(page, tmp_path, "a3-field-error")

        # an intervention described with the typology form, saved, audited against the chain
        page.goto(f"{server.url}/workspaces/{ws}/actions")
        page.get_by_role("link", name="Describe a new intervention").click()
        page.get_by_label("About the chain").select_option(str(chain_id))
        page.get_by_label("Id *").fill("groups")
        page.get_by_label("Title *").fill("Producer groups for planters")
        page.get_by_label("Patterns").select_option(["value_chain_linkages", "ppp"])
        page.get_by_label("Fields", exact=True).select_option(["business_linkages"])
        page.get_by_label("Design: vision").fill("Planters sell graded beans together")
        page.get_by_role("button", name="Save to the workspace").click()
        expect(page.get_by_role("heading", name="Producer groups for planters")).to_be_visible()
        iid = int(page.url.split("#")[0].rsplit("/", 1)[1])
        page.get_by_label("Against the chain").select_option(str(chain_id))
        page.get_by_role("button", name="Audit the design").click()
        expect(page.locator("#audit table")).to_be_visible()
        iv = Intervention.model_validate(_api(server, token, f"/api/interventions/{iid}"))
        assert iv.chain == chain.name and list(iv.patterns) == ["value_chain_linkages", "ppp"]
        findings = people_table(audit(iv, chain))["rows"]
        assert page.eval_on_selector("#audit table", ROWS) == findings
        _shot(page, tmp_path, "a4-intervention-audit")

        # the workspace's report with the constraint set and the intervention, offline
        page.goto(f"{server.url}/workspaces/{ws}/actions")
        page.get_by_label("Constraint set", exact=True).select_option(str(doc))
        page.get_by_label("Intervention", exact=True).select_option(str(iid))
        page.get_by_label("Title", exact=True).fill("Cocoa actions")
        _shot(page, tmp_path, "a5-actions")
        view, asked = built_report(page, browser, tmp_path, problems)
        expect(view.get_by_role("heading", name="Cocoa actions")).to_be_visible()
        expect(view.locator("#action")).to_contain_text("Constraints by priority")
        expect(view.locator("#action")).to_contain_text("Intervention typology")
        expect(view.locator("#action")).to_contain_text("Producer groups for planters")
        expect(view.locator("#action")).to_contain_text("Design audit")
        view.locator("#action .main-svg").first.wait_for(timeout=30_000)
        _shot(view, tmp_path, "a6-report-offline")
        assert asked == []
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(set_url)
        _shot(page, tmp_path, "a7-phone")
        browser.close()
    assert problems == [] and outside == []
