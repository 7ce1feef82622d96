"""The results chain built with the forms in a real browser (Debian's Chromium through
Playwright) against a real ``gvckit serve``: an activity, two outputs and an outcome linked, an
indicator with a target (a target dated before the baseline first: the model's message beside
the field), actuals entered by sex, progress as the library computes it; then a chain's exchange
rate changed in the chain editor and the accounts follow, equal to ``gvckit.chain``'s.
Screenshots go to the test's temporary folder (and to $GVCKIT_SCREENSHOTS when set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit.interventions.monitoring import progress
from gvckit.interventions.results import results_from_data
from gvckit.output import readable
from test_web_browser import ARGS, _browser_or_skip, _shot, new_workspace, watch
from test_web_chain_browser import _add, _cell, _chain, _va
from webserver import Server

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"
BOXES = [("o1", "output", "Farmers trained"), ("o2", "output", "Demonstration plots set up"),
         ("oc1", "outcome", "Farmers adopt better practices")]  # fmt: skip
LINKS = [("a1", "o1"), ("a1", "o2"), ("o1", "oc1"), ("o2", "oc1")]


def _results(server: Server, token: str, results_id: int) -> Any:
    with server.client(token) as c:
        return results_from_data(c.get(f"/api/results/{results_id}").json())


def test_results_chain_and_rates_in_a_real_browser(web_server: Server, tmp_path: Path) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    server = web_server
    token = server.add_user("fay", "analyst")
    assert server.link is not None
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        watch(page, problems)
        page.goto(server.link)
        new_workspace(page, "Training", "fay")
        page.get_by_role("link", name="The workspace's chains").click()

        # a results chain from scratch: the first form, then boxes, links and an indicator
        page.get_by_label("New results chain: name").fill("Farmer training")
        page.get_by_label("First box: id").fill("a1")
        page.get_by_label("First box: level").select_option("activity")
        page.get_by_label("First box: text").fill("Train farmers in good practices")
        page.get_by_role("button", name="Create the results chain").click()
        expect(page.get_by_role("heading", name="Edit Farmer training")).to_be_visible()
        results_id = int(page.url.split("/")[4])
        for box, level, text in BOXES:
            _add(page, "boxes", {"id": box, "level": level, "text": text}, selects=("level",))
        for source, target in LINKS:
            _add(page, "links", {"from": source, "to": target}, selects=("from", "to"))
        expect(page.locator("#links h2")).to_contain_text("(4)")
        indicator = {"id": "trained", "box": "o1", "name": "Farmers trained", "unit": "persons",
                     "baseline.value": "0", "baseline.date": "2024-01-01",
                     "target.value": "300", "target.date": "2023-06-30"}  # fmt: skip
        _add(page, "indicators", indicator, selects=("box",))
        alert = page.locator("#indicators-new-target\\.date-err")
        expect(alert).to_contain_text("is not after the baseline date 2024-01-01")
        expect(page.locator("#indicators-new-name")).to_have_value("Farmers trained")
        _shot(page, tmp_path, "r1-field-error")
        page.locator("#indicators-new-target\\.date").fill("2025-01-01")
        page.locator("#indicators details.add button", has_text="Add").click()
        expect(page.locator("#indicators h2")).to_contain_text("(1)")
        built = _results(server, token, results_id)
        assert [b.id for b in built.boxes] == ["a1", "o1", "o2", "oc1"]
        assert [(x.source, x.target) for x in built.links] == LINKS
        [ind] = built.indicators
        assert (ind.box, ind.target.value, str(ind.target.date)) == ("o1", 300.0, "2025-01-01")
        _shot(page, tmp_path, "r2-results-edit")

        # actuals by sex, and the progress they make
        page.get_by_role("link", name="Monitoring: actuals and progress").click()
        for sex, value in (("female", "100"), ("male", "50")):
            page.get_by_label("Indicator", exact=True).nth(1).select_option("trained")
            page.get_by_label("Date").fill("2024-07-01")
            page.get_by_label("Value").fill(value)
            page.get_by_label("Sex").select_option(sex)
            page.get_by_role("button", name="Save the actual").click()
            expect(page.locator("#actuals")).to_contain_text(sex)
        row = progress(_results(server, token, results_id)).iloc[0]
        assert row["latest"] == 150.0 and row["progress"] == 0.5
        assert _cell(page, "#progress table", "trained", "progress") == "50.0 %"
        assert _cell(page, "#progress table", "trained", "latest") == readable(150.0)
        page.locator("#chart .main-svg").first.wait_for(timeout=30_000)
        _shot(page, tmp_path, "r3-monitoring")
        # the indicator edited again keeps its actuals
        page.get_by_role("link", name="Edit boxes, links and indicators").click()
        item = page.locator("#indicators details.item").nth(0)
        expect(item.locator("summary")).to_contain_text("2 actuals")
        item.locator("summary").click()
        item.locator("#indicators-0-name").fill("Farmers trained (any course)")
        item.get_by_role("button", name="Save").click()
        expect(page.locator("#indicators details.item").nth(0)).to_contain_text("2 actuals")
        assert len(_results(server, token, results_id).indicators[0].actuals) == 2
        page.get_by_role("link", name="History").click()
        page.get_by_label("From", exact=True).select_option("1")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("#diff")).to_contain_text("added indicators[trained]")
        _shot(page, tmp_path, "r3-history")

        # a chain's exchange rate changed in the chain editor: the accounts follow
        page.goto(f"{server.url}/workspaces/1/chains")
        page.locator("#chain-file").set_input_files(str(SMALL))
        page.get_by_role("button", name="Import and check").click()
        chain_id = int(page.url.split("/")[4])
        before = _chain(server, token, chain_id)
        assert _cell(page, "#accounts table", "roaster", "value added") == _va(before, "roaster")
        page.get_by_role("link", name="Edit", exact=True).click()
        rate = page.locator("#exchange_rates details.item").nth(0)
        rate.locator("summary").click()
        rate.locator("#exchange_rates-0-rate").fill("1.25")
        _shot(page, tmp_path, "r4-rate-edit")
        rate.get_by_role("button", name="Save").click()
        expect(page.locator("#exchange_rates details.item").nth(0)).to_contain_text("1.25")
        page.get_by_role("link", name="See the map and accounts").click()
        after = _chain(server, token, chain_id)
        assert after.snapshot().exchange_rates == {"EUR": 1.25}
        assert _va(after, "roaster") != _va(before, "roaster")
        for actor in ("farmers", "roaster", "shops"):
            assert _cell(page, "#accounts table", actor, "value added") == _va(after, actor)
        _shot(page, tmp_path, "r5-accounts")
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{server.url}/results/{results_id}/edit")
        _shot(page, tmp_path, "r6-phone")
        browser.close()
    assert problems == []
