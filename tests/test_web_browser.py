"""The workbench in a real browser (Debian's Chromium through Playwright) against a real
``gvckit serve``: the one-time login link, a workspace, a bad upload and then the bundled WIOD
table, ``bm`` with options, the chart drawn, the CSV download equal to ``gvckit measure``, the
result pages, logout, and a viewer who sees no edit controls. Screenshots go to the test's
temporary folder (and to $GVCKIT_SCREENSHOTS when set)."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("fastapi")

from gvckit.cli import main
from webserver import BUNDLED, Server

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _browser_or_skip() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        msg = "needs Chromium (Debian package chromium)"
        if os.environ.get("GVCKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; GVCKIT_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(msg)
    pytest.importorskip("playwright.sync_api")
    return str(exe)


def _shot(page: object, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    keep = os.environ.get("GVCKIT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def watch(page: Any, problems: list[str], outside: list[str] | None = None, url: str = ""
          ) -> None:  # fmt: skip
    """Collect the page's script errors (console errors but failed loads, uncaught exceptions)
    in ``problems`` and, given ``outside``, the requests that leave ``url`` in it."""
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None)  # fmt: skip
    page.on("pageerror", lambda e: problems.append(str(e)))
    if outside is not None:
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((url, "data:", "blob:")) else None)  # fmt: skip


def new_workspace(page: Any, name: str, analyst: str) -> None:
    """Create the workspace ``name`` on the workspaces page and add ``analyst`` as an analyst."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create workspace").click()
    page.get_by_label("User", exact=True).fill(analyst)
    page.get_by_label("Role", exact=True).select_option("analyst")
    page.get_by_role("button", name="Add member").click()


def built_report(page: Any, browser: Any, folder: Path, problems: list[str]
                 ) -> tuple[Any, list[str]]:  # fmt: skip
    """Build the workspace report with the page's form, wait for the job, download the HTML
    into ``folder`` and open it in an offline context (its script errors go to ``problems``):
    the report's page and the requests it makes beyond the file (to stay empty)."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Build the report").click()
    expect(page.locator(".status")).to_have_text("done", timeout=90_000)
    with page.expect_download() as info:
        page.get_by_role("link", name="download HTML").click()
    report = folder / "report.html"
    report.write_bytes(Path(info.value.path()).read_bytes())
    view = browser.new_context(offline=True).new_page()
    asked: list[str] = []
    view.on("request", lambda r: asked.append(r.url) if not r.url.startswith(
        ("file:", "data:", "blob:")) else None)  # fmt: skip
    view.on("pageerror", lambda e: problems.append(str(e)))
    view.goto(report.as_uri())
    return view, asked


def test_workbench_in_a_real_browser(
    web_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    server = web_server
    server.add_user("vera", "viewer")
    assert server.link is not None
    bad = tmp_path / "notes.csv"
    bad.write_text("country,industry,AUS_c1\nAUS,c1,oops\n")
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = ctx.new_page()
        failed: list[tuple[int, str]] = []
        page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400
                else None)  # fmt: skip
        watch(page, problems, outside, server.url)

        # the one-time link logs in, once
        page.goto(server.link)
        expect(page.get_by_role("heading", name="Workspaces")).to_be_visible()
        expect(page.locator("header")).to_contain_text("local-admin")
        _shot(page, tmp_path, "1-workspaces")

        page.get_by_label("Name", exact=True).fill("Kenya dairy")
        page.get_by_label("Country").fill("KEN")
        page.get_by_label("Sector").fill("Dairy")
        page.get_by_role("button", name="Create workspace").click()
        expect(page.get_by_role("heading", name="Kenya dairy")).to_be_visible()
        page.get_by_label("User", exact=True).fill("vera")
        page.get_by_label("Role", exact=True).select_option("viewer")
        page.get_by_role("button", name="Add member").click()
        expect(page.locator(".members")).to_contain_text("vera (viewer)")

        # a bad upload shows the reader's line next to the upload, and keeps nothing
        page.get_by_label("File", exact=True).set_input_files(str(bad))
        page.get_by_role("button", name="Upload and check").click()
        alert = page.locator("#upload-error")
        expect(alert).to_contain_text("notes.csv")
        assert str(tmp_path) not in alert.inner_text()
        _shot(page, tmp_path, "2-bad-upload")
        expect(page.get_by_text("No tables yet.")).to_be_visible()

        page.get_by_label("File", exact=True).set_input_files(str(BUNDLED))
        page.get_by_role("button", name="Upload and check").click()
        expect(page.get_by_role("heading", name="wiod2013_2011.csv.gz")).to_be_visible()
        expect(page.get_by_text("Countries (41)")).to_be_visible()
        _shot(page, tmp_path, "3-table")

        # the measure form comes from the registry; htmx swaps in bm's options
        page.get_by_label("Measure", exact=True).select_option("vs")
        expect(page.get_by_text("This measure has no options.")).to_be_visible()
        page.get_by_label("Measure", exact=True).select_option("bm")
        page.get_by_label("approach").select_option("sink")
        page.get_by_label("perspective").select_option("exporter")
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.get_by_role("heading", name="bm on wiod2013_2011.csv.gz")).to_be_visible()
        expect(page.locator(".status")).to_have_text("done", timeout=90_000)
        page.locator("#chart .main-svg").first.wait_for(timeout=30_000)
        bars = page.locator("#chart .bars path").count()
        assert bars >= 20
        width = page.eval_on_selector("#chart", "e => e.getBoundingClientRect().width")
        assert width > 600
        _shot(page, tmp_path, "4-result")

        with page.expect_download() as info:
            page.get_by_role("link", name="CSV", exact=True).click()
        downloaded = Path(info.value.path()).read_bytes()
        expect(page.get_by_text("Page 1 of")).to_be_visible()
        page.get_by_role("button", name="Next page").click()
        expect(page.get_by_text("Page 2 of")).to_be_visible()

        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.goto(server.link)  # used already
        expect(page.get_by_role("alert")).to_contain_text("not valid")

        # a viewer reads but sees no edit controls
        page.get_by_label("Name", exact=True).fill("vera")
        page.get_by_label("Password").fill("password-vera")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Kenya dairy").click()
        expect(page.get_by_role("heading", name="Kenya dairy")).to_be_visible()
        for gone in ("Upload and check", "Add example", "Add member"):
            expect(page.get_by_role("button", name=gone)).to_have_count(0)
        assert page.locator("input[type=file]").count() == 0
        page.get_by_role("link", name="wiod2013_2011.csv.gz").click()
        expect(page.get_by_role("button", name="Run", exact=True)).to_have_count(0)
        expect(page.get_by_text("Viewers read results")).to_be_visible()
        page.get_by_role("link", name="#1", exact=True).click()
        expect(page.locator("#chart .main-svg").first).to_be_visible()
        expect(page.get_by_role("button", name="Cancel job")).to_have_count(0)
        expect(page.get_by_role("button", name="Run again")).to_have_count(0)
        _shot(page, tmp_path, "5-viewer")
        # phone width stays usable
        page.set_viewport_size({"width": 390, "height": 800})
        page.wait_for_timeout(700)  # plotly relayouts on resize
        _shot(page, tmp_path, "6-phone")
        browser.close()
    capsys.readouterr()
    assert main(["measure", "bm", str(BUNDLED), "--approach", "sink",
                 "--perspective", "exporter"]) == 0  # fmt: skip
    expected = pd.read_csv(io.BytesIO(capsys.readouterr().out.encode()))
    got = pd.read_csv(io.BytesIO(downloaded))
    # the same rows; values equal to the last bits BLAS threading may change
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-9)
    assert problems == [] and outside == []
    # the only failed requests: the bad upload (422) and the used login link (401)
    assert [code for code, _ in failed] == [422, 401]
