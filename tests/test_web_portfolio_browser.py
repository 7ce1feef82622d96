"""The portfolio review in a real browser (Debian's Chromium through Playwright) against a real
``gvckit serve``: upload a folder's worth of IATI files (a zip), watch the scan, search in
Spanish and French, open an activity with its decisive words marked, record a verdict, see the
agreement change, export the reviewed set, and the review tables. Screenshots go to the test's
temporary folder (and to $GVCKIT_SCREENSHOTS when set)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from conftest import shared_path
from test_web_browser import ARGS, _browser_or_skip, _shot, watch
from webserver import Server

pytestmark = pytest.mark.shared

FILES = ["IATI__IATI-Datastore/test_fixtures", "joshbrooks__pydantic-iati",
         "zimmerman-team__IATI.cloud"]  # fmt: skip


def _folder_zip(target: Path) -> Path:
    root = shared_path("iati", "activities")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in FILES:
            for f in sorted((root / part).rglob("*.xml")):
                zf.write(f, str(f.relative_to(root)))
    return target


def test_portfolio_review_in_a_real_browser(web_server: Server, tmp_path: Path) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    server = web_server
    assert server.link is not None
    upload = _folder_zip(tmp_path / "iati-folder.zip")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = ctx.new_page()
        watch(page, problems)

        page.goto(server.link)
        page.get_by_label("Name", exact=True).fill("IDB portfolio")
        page.get_by_role("button", name="Create workspace").click()
        page.get_by_role("link", name="Portfolio review").click()
        expect(page.get_by_role("heading", name="Portfolio review")).to_be_visible()
        ws_url = page.url

        # upload a folder's worth of files and watch the scan
        page.get_by_label("IATI file (XML, gzip or zip)").set_input_files(str(upload))
        page.get_by_role("button", name="Upload and scan").click()
        expect(page.locator("#scan-state .status")).to_have_text("done", timeout=120_000)
        expect(page.locator("#scan-counts")).to_contain_text("Activities read")
        _shot(page, tmp_path, "p1-scan-done")
        page.get_by_role("link", name="Browse the activities").click()
        total = int(page.locator("#total").inner_text().replace(",", ""))
        assert total > 600

        # agreement before any review
        page.goto(ws_url + "/agreement")
        expect(page.locator("#judged")).to_have_text("0")
        page.goto(ws_url)

        # search in Spanish, then French (htmx swaps the results as one types)
        page.get_by_label("Words in titles and descriptions").fill("cooperación")
        expect(page.locator("#total")).not_to_have_text(str(total), timeout=10_000)
        spanish = int(page.locator("#total").inner_text().replace(",", ""))
        assert 0 < spanish < total
        _shot(page, tmp_path, "p2-search-spanish")
        page.get_by_label("Words in titles and descriptions").fill("développement")
        expect(page.locator("#total")).not_to_have_text(str(spanish), timeout=10_000)
        french = int(page.locator("#total").inner_text().replace(",", ""))
        assert 0 < french < total
        _shot(page, tmp_path, "p3-search-french")

        # the queue of activities the classifier calls yes/possible, not yet reviewed
        page.goto(ws_url + "?queue=unreviewed")
        first = page.locator("#activities tbody tr a").first
        first.click()
        expect(page.locator("#classifier-verdict")).to_be_visible()
        assert page.locator("p.text mark").count() >= 1  # the decisive words are marked
        _shot(page, tmp_path, "p4-activity")
        page.get_by_label("no", exact=True).check()
        page.get_by_label("Note").fill("Post-harvest services only, no chain")
        page.get_by_role("button", name="Record verdict").click()
        expect(page.locator("#reviews")).to_contain_text("local-admin")
        expect(page.locator("#reviews")).to_contain_text("Post-harvest services only")
        _shot(page, tmp_path, "p5-reviewed")

        # the reviewers' verdict filter: the one activity judged "no", then the others
        page.goto(ws_url)
        page.get_by_label("Reviewers").select_option("no")
        expect(page.locator("#total")).to_have_text("1", timeout=10_000)
        expect(page.locator("#activities tbody tr")).to_have_count(1)
        page.get_by_label("Reviewers").select_option("unreviewed")
        expect(page.locator("#total")).to_have_text(f"{total - 1:,}", timeout=10_000)
        _shot(page, tmp_path, "p5b-verdict-filter")

        # agreement changes
        page.goto(ws_url + "/agreement")
        expect(page.locator("#judged")).to_have_text("1")
        expect(page.locator("#precision")).to_contain_text("0.000")
        _shot(page, tmp_path, "p6-agreement")

        # export the reviewed set
        with page.expect_download() as info:
            page.get_by_role("link", name="the reviewed set (labels CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
        assert len(rows) == 1 and rows[0]["label"] == "no"
        header = (Path(__file__).parent / "data" / "iati_vc_labels.csv").read_text()
        assert list(rows[0]) == header.splitlines()[0].split(",")

        # the IDB review's tables, drawn
        page.goto(ws_url + "/tables")
        expect(page.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)
        expect(page.locator("#questions tbody tr")).to_have_count(12)
        _shot(page, tmp_path, "p7-tables")
        # and the value chain activities' tables on the workspace page
        page.goto(ws_url.removesuffix("/portfolio"))
        charts = page.locator("#review-charts .chart")
        expect(charts).to_have_count(6)
        expect(charts.locator(".main-svg").first).to_be_visible(timeout=20_000)
        expect(charts.nth(5).locator(".main-svg").first).to_be_visible()
        _shot(page, tmp_path, "p7b-workspace-charts")

        # a phone-width screen still shows the list
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(ws_url)
        expect(page.locator("#activities")).to_be_visible()
        _shot(page, tmp_path, "p8-phone")
        browser.close()
    assert problems == []
