"""The chain workspace in a real browser (Debian's Chromium through Playwright) against a real
``gvckit serve``: a four-stage chain built from scratch with the forms, a price at each link;
the map (an actor clicked shows its accounts) and the accounts, equal to ``gvckit.chain``'s;
one price changed and value added and shares change; two people editing the same chain, the
later save refused with the conflict message and kept as a draft; the workspace report built as
a job, downloaded and opened offline. Screenshots go to the test's temporary folder (and to
$GVCKIT_SCREENSHOTS when set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit import chain as vc
from gvckit.chain import Chain
from gvckit.output import readable
from test_web_browser import (
    ARGS,
    _browser_or_skip,
    _shot,
    built_report,
    new_workspace,
    watch,
)
from webserver import Server

RESULTS = (Path(__file__).resolve().parents[1] / "src" / "gvckit" / "examples" / "interventions"
           / "coffee_nicaragua_us_2009_results.yaml")  # fmt: skip
STAGES = ["production", "collection", "processing", "retail"]
ACTORS = [("farmers", "smallholder", "production"), ("traders", "trader", "collection"),
          ("millers", "processor", "processing"), ("shops", "retailer", "retail")]  # fmt: skip
PRICES = {("farmers", "traders"): "1.20", ("traders", "millers"): "1.50",
          ("millers", "shops"): "3.00", ("shops", "consumers"): "5.00"}  # fmt: skip


def _add(page: Any, part: str, values: dict[str, str], selects: tuple[str, ...] = ()) -> None:
    """Open the part's "Add" form, fill it and submit it; the page reloads."""
    page.locator(f"#{part} details.add summary").click()
    for name, value in values.items():
        escaped = name.replace(".", "\\.")
        field = page.locator(f"#{part}-new-{escaped}")
        if name in selects:
            field.select_option(value)
        else:
            field.fill(value)
    page.locator(f"#{part} details.add button", has_text="Add").click()
    page.wait_for_load_state()


def _va(chain: Chain, actor: str) -> str:
    """The value added of ``actor`` as the pages show it (from the library, not the page)."""
    frame = vc.accounts(chain)
    row = frame[(frame["actor"] == actor) & (frame["indicator"] == "value_added")]
    return readable(float(row["value"].iloc[0]))


def _cell(page: Any, table: str, row: str, column: str) -> str | None:
    """The text of the cell in ``row`` (by its first cell) and ``column`` (by its header)."""
    found: str | None = page.eval_on_selector(
        table,
        """(t, [row, col]) => {
        const heads = [...t.querySelectorAll("thead th")].map(h => h.textContent.trim());
        const i = heads.indexOf(col);
        const tr = [...t.querySelectorAll("tbody tr")].find(
            r => r.cells[0].textContent.trim() === row);
        return tr && i >= 0 ? tr.cells[i].textContent.trim() : null; }""",
        [row, column],
    )
    return found


def _chain(server: Server, token: str, chain_id: int) -> Chain:
    with server.client(token) as c:
        return Chain.model_validate(c.get(f"/api/chains/{chain_id}").json())


def test_chain_workspace_in_a_real_browser(web_server: Server, tmp_path: Path) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    server = web_server
    token = server.add_user("bea", "analyst")
    assert server.link is not None
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = ctx.new_page()
        watch(page, problems, outside, server.url)

        page.goto(server.link)
        new_workspace(page, "Maize", "bea")
        page.get_by_role("link", name="The workspace's chains").click()
        expect(page.get_by_role("heading", name="Value chains")).to_be_visible()

        # a chain from scratch: the first form, then the parts one by one
        for label, value in (("Name", "Maize in Malawi"), ("Product", "maize"),
                             ("Country", "Malawi"), ("Currency", "USD"), ("Unit", "kg"),
                             ("Year", "2022"), ("First stage", "production"),
                             ("First actor (id)", "farmers")):  # fmt: skip
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_label("Its kind").select_option("smallholder")
        page.get_by_role("button", name="Create and edit").click()
        expect(page.get_by_role("heading", name="Edit Maize in Malawi")).to_be_visible()
        chain_id = int(page.url.split("/")[4])
        for stage in STAGES[1:]:
            _add(page, "stages", {"name": stage})
        for actor, kind, stage in ACTORS[1:]:
            _add(page, "actors", {"id": actor, "kind": kind, "stage": stage},
                 selects=("kind", "stage"))  # fmt: skip
        _add(page, "end_markets", {"id": "consumers", "destination": "Lilongwe",
                                   "channel": "national"}, selects=("channel",))  # fmt: skip
        # an invalid value: the model's message beside the field, nothing saved
        _add(page, "actors", {"id": "ghost", "kind": "trader", "count": "-5"},
             selects=("kind",))  # fmt: skip
        alert = page.locator("#actors-new-count-err")
        expect(alert).to_contain_text("snapshots[0].actors[4].count")
        expect(page.locator("#actors-new-id")).to_have_value("ghost")
        _shot(page, tmp_path, "c1-field-error")
        page.goto(f"{server.url}/chains/{chain_id}/edit")
        for (source, target), price in PRICES.items():
            _add(page, "links", {"source": source, "target": target, "volume": "1000",
                                 "unit_price": price}, selects=("source", "target"))  # fmt: skip
        expect(page.locator("#links h2")).to_contain_text("(4)")
        _shot(page, tmp_path, "c2-edit")

        # the map and the accounts: the library's numbers
        page.get_by_role("link", name="See the map and accounts").click()
        expect(page.locator(".chain-map svg")).to_be_visible()
        built = _chain(server, token, chain_id)
        assert [s.name for s in built.snapshot().stages] == STAGES
        page.locator('.chain-map g.actor[data-id="traders"]').click()
        panel = page.locator("#actor-panel")
        expect(panel).to_contain_text("Accounts of traders")
        expect(panel.get_by_role("row", name=f"value_added {_va(built, 'traders')}", exact=True)
               ).to_be_visible()  # fmt: skip
        for actor in ("farmers", "traders", "millers", "shops"):
            assert _cell(page, "#accounts table", actor, "value added") == _va(built, actor)
        share_before = page.locator("#prices").inner_text()
        _shot(page, tmp_path, "c3-map-accounts")

        # one price changed: value added and shares follow
        page.get_by_role("link", name="Edit", exact=True).click()
        link = page.locator("#links details.item").nth(1)
        link.locator("summary").click()
        link.locator("#links-1-unit_price").fill("2.00")
        link.get_by_role("button", name="Save").click()
        page.get_by_role("link", name="See the map and accounts").click()
        changed = _chain(server, token, chain_id)
        assert _va(changed, "traders") != _va(built, "traders")
        for actor in ("traders", "millers"):
            assert _cell(page, "#accounts table", actor, "value added") == _va(changed, actor)
        assert page.locator("#prices").inner_text() != share_before
        expect(page.locator("#prices")).to_contain_text("%")

        # two people edit the same version: the later save is refused and kept as a draft
        other = browser.new_context(viewport={"width": 1280, "height": 900})
        page2 = other.new_page()
        page2.on("pageerror", lambda e: problems.append(str(e)))
        page2.goto(f"{server.url}/login")
        page2.get_by_label("Name", exact=True).fill("bea")
        page2.get_by_label("Password").fill("password-bea")
        page2.get_by_role("button", name="Log in").click()
        edit_url = f"{server.url}/chains/{chain_id}/edit"
        page.goto(edit_url)
        page2.goto(edit_url)
        for pg, price in ((page, "1.30"), (page2, "1.40")):
            item = pg.locator("#links details.item").nth(0)
            item.locator("summary").click()
            item.locator("#links-0-unit_price").fill(price)
        page.locator("#links details.item").nth(0).get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Edit Maize in Malawi")).to_be_visible()
        page2.locator("#links details.item").nth(0).get_by_role("button", name="Save").click()
        conflict = page2.locator("#conflict")
        expect(conflict).to_contain_text("someone else saved this chain first")
        expect(conflict).to_contain_text("1.2 → 1.3")
        _shot(page2, tmp_path, "c4-conflict")
        page2.get_by_role("link", name="draft", exact=False).first.click()
        expect(page2.locator("#draft-diff")).to_contain_text("1.3 → 1.4")
        _shot(page2, tmp_path, "c5-draft")
        assert _chain(server, token, chain_id).snapshot().links[0].unit_price == 1.3
        other.close()

        # constraints drafted from the chain, ranked again with a slider moved
        page.goto(f"{server.url}/chains/{chain_id}")
        page.get_by_role("link", name="Constraints and approaches").click()
        expect(page.get_by_role("heading", name="Ranking", exact=True)).to_be_visible()
        page.get_by_label("feasibility").fill("80")
        expect(page.locator('output[for="w-feasibility"]')).to_have_text("80 %")
        page.get_by_role("button", name="Rank again").click()
        expect(page.get_by_label("feasibility")).to_have_value("80")
        _shot(page, tmp_path, "c6-constraints")
        page.get_by_role("link", name="Or describe the intervention with the typology form").click()
        page.get_by_label("Id *").fill("iv1")
        page.get_by_label("Title *").fill("Contracts for farmers")
        page.get_by_label("Design: vision").fill("Millers buy graded maize on contract")
        page.get_by_role("button", name="Check and audit the design").click()
        expect(page.locator("#audit table")).to_be_visible()
        _shot(page, tmp_path, "c6-typology")

        # history: every save a version, a diff between two
        page.goto(f"{server.url}/chains/{chain_id}/history")
        page.get_by_label("From").select_option("1")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("#diff")).to_contain_text("added snapshots[2022].stages[retail]")
        _shot(page, tmp_path, "c6-zhistory")

        # monitoring: two quarters of actuals, one by sex, and the progress they make
        page.goto(f"{server.url}/workspaces/1/chains")
        page.get_by_label("Results chain file").set_input_files(str(RESULTS))
        page.get_by_role("button", name="Import results chain").click()
        expect(page.locator("#progress")).to_contain_text("no data")
        for day, value, sex in (("2010-03-31", "1", "female"), ("2010-03-31", "1", "male"),
                                ("2010-06-30", "2", "")):  # fmt: skip
            page.get_by_label("Indicator", exact=True).nth(1).select_option("contracts")
            page.get_by_label("Date").fill(day)
            page.get_by_label("Value").fill(value)
            page.get_by_label("Sex").select_option(sex)
            page.get_by_role("button", name="Save the actual").click()
            expect(page.locator("#actuals")).to_contain_text(day)
        assert _cell(page, "#progress table", "contracts", "progress") == "66.7 %"
        page.locator("#chart .main-svg").first.wait_for(timeout=30_000)
        _shot(page, tmp_path, "c7-monitoring")

        # the report: a job, downloaded, opened offline
        page.goto(f"{server.url}/workspaces/1/chains")
        page.get_by_label("Title").fill("Maize report")
        view, asked = built_report(page, browser, tmp_path, problems)
        expect(view.get_by_role("heading", name="Maize report")).to_be_visible()
        expect(view.locator("body")).to_contain_text("Maize in Malawi")
        # the workspace's results chain, with the actuals entered above
        expect(view.locator("body")).to_contain_text("Roasters with a multi-year contract")
        _shot(view, tmp_path, "c8-report-offline")
        assert asked == []
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{server.url}/chains/{chain_id}")
        _shot(page, tmp_path, "c9-phone")
        browser.close()
    assert problems == [] and outside == []
    assert json.loads(changed.to_json())["snapshots"][0]["links"][1]["unit_price"] == 2.0
