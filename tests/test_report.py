"""The report: its numbers are the API's, text from input files is escaped, the page works
offline in a real headless Chromium (no console errors, charts drawn, map present, screenshot
not blank), and the PDF is printed by Chromium."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
import yaml

from clirun import run_cli as _run
from gvckit.chain import read_chain
from gvckit.chain.accounts import price_buildup
from gvckit.datasets import examples_folder, load_example
from gvckit.demo import demo_report
from gvckit.icio.measures import measure
from gvckit.interventions.audit import audit
from gvckit.interventions.constraints import prioritise, read_constraints
from gvckit.interventions.typology import read_intervention
from gvckit.report import Chart, Figures, Table, build_report, render_html

EXAMPLES = examples_folder()
IPAD = EXAMPLES / "chains" / "apple_ipad_2010.yaml"
BASE = EXAMPLES / "interventions" / "apple_ipad_2010"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, notes = demo_report(tmp_path_factory.mktemp("demo") / "report.html")
    assert notes == []
    return path


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return build_report(
        table=load_example("wiod2013-2011"), country="CHN", sector="c14",
        chain=read_chain(IPAD), constraints=read_constraints(f"{BASE}_constraints.yaml"),
        intervention=read_intervention(f"{BASE}_intervention.yaml"),
    )  # fmt: skip


def test_numbers_are_the_apis(report) -> None:  # type: ignore[no-untyped-def]
    table = load_example("wiod2013-2011")
    bm = measure("bm", table, approach="sink", perspective="exporter")
    terms = bm[bm["exporter"] == "CHN"].set_index("term")["value"]
    key = report.block("Key figures")
    assert isinstance(key, Figures) and key.data is not None
    assert key.data.set_index("term")["value"].to_dict() == terms.to_dict()
    assert key.items[1][1] == f"{terms['DVA'] / terms['EXGR']:.1%}"
    wide = report.block("Participation by three methods").data.set_index("exporter")
    for method in ("oecd", "bm"):
        part = measure("participation", table, method=method)
        api = part[(part["exporter"] == "CHN") & (part["indicator"] == "GVC_SH")]["value"]
        assert wide.loc["CHN", f"{method}:GVC_SH"] == pytest.approx(float(api.iloc[0]), 1e-12)
    pos = measure("position", table).set_index("country")["value"]
    shown = report.block("GVC position index").data.set_index("country")["value"]
    assert shown.to_dict() == pytest.approx(pos[shown.index].to_dict(), rel=1e-12)
    chain = read_chain(IPAD)
    build = report.block(f"Price build-up: margin added at each stage ({chain.currency} per unit)")
    expected = price_buildup(chain).pivot_table(
        index="stage", columns="indicator", values="value", sort=False
    )
    assert isinstance(build, Chart)
    assert build.data.set_index("stage")["margin"].to_dict() == expected["margin"].to_dict()
    ranked = report.block("Constraints by priority").data
    pd.testing.assert_frame_equal(ranked, prioritise(read_constraints(f"{BASE}_constraints.yaml")))
    findings = report.block("Design audit")
    assert isinstance(findings, Table)
    api = audit(read_intervention(f"{BASE}_intervention.yaml"), chain)
    pd.testing.assert_frame_equal(findings.data, api)


def test_html_tables_and_csv_downloads_carry_the_same_numbers(report) -> None:  # type: ignore[no-untyped-def]
    html = render_html(report)
    links = re.findall(r'href="(data:text/csv;charset=utf-8,[^"]+)"', html)
    assert len(links) >= 15
    position = report.block("GVC position index").data
    for link in links:
        text = urllib.parse.unquote(link.split(",", 1)[1].replace("&amp;", "&"))
        frame = pd.read_csv(io.StringIO(text))
        if list(frame.columns) == list(position.columns) and len(frame) == len(position):
            assert frame["value"].to_numpy() == pytest.approx(position["value"].to_numpy())
            break
    else:
        pytest.fail("no CSV download for the position chart")
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "&#34;" not in style and '"DejaVu Sans"' in style  # our CSS, not escaped
    page = re.sub(r"<script>.*?</script>", "", html, count=1, flags=re.S)  # minus plotly.js
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing from outside


def test_text_from_input_files_is_escaped(tmp_path: Path) -> None:
    data = yaml.safe_load(IPAD.read_text())
    data["snapshots"][0]["actors"][0]["name"] = "<script>alert(1)</script>"
    chain_file = tmp_path / "evil.yaml"
    chain_file.write_text(yaml.safe_dump(data, sort_keys=False))
    html = render_html(build_report(chain=read_chain(chain_file)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == html.count("</script>")


def test_cli_report_and_bad_options(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, stdout, err = _run("report", "-o", str(out), "--chain", str(IPAD),
                             "--constraints", f"{BASE}_constraints.yaml")  # fmt: skip
    assert code == 0, err
    assert out.stat().st_size > 1_000_000 and str(out) in stdout
    assert _run("report", "-o", str(out))[0] == 2
    code, _, err = _run("report", "-o", str(out), "--country", "CHN", "--chain", str(IPAD))
    assert code == 2 and "need --table" in err
    code, _, err = _run("report", "-o", str(tmp_path / "r.txt"), "--chain", str(IPAD))
    assert code == 2 and ".html" in err
    table = Path(__file__).parents[1] / "src" / "gvckit" / "data" / "wiod2013_2011.csv.gz"
    code, _, err = _run("report", "-o", str(out), "--table", str(table), "--country", "XXX")
    assert code == 2 and "--country 'XXX' is not in the table" in err
    code, _, err = _run("report", "-o", str(out), "--table", str(table), "--country", "CHN",
                        "--peers", "VNM,MEX")  # fmt: skip
    assert code == 2 and "--peers 'VNM' is not in the table" in err


def _browser_or_skip() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        msg = "needs Chromium (Debian package chromium)"
        if os.environ.get("GVCKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; GVCKIT_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(msg)
    pytest.importorskip("playwright.sync_api")
    return str(exe)


def test_demo_report_in_a_real_browser(demo: Path, tmp_path: Path) -> None:
    exe = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "demo.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True).new_page()
        problems: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("file:", "data:", "blob:")) else None)  # fmt: skip
        page.goto(demo.as_uri())
        page.wait_for_function("document.querySelectorAll('.main-svg').length > 0")
        sizes = page.eval_on_selector_all(
            "div.chart[id$='-plot']",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [e.id, r.width, r.height, !!e.querySelector('.main-svg')]; })",
        )
        has_map = page.eval_on_selector("figure.map svg", "e => e.getBoundingClientRect().width")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert problems == [] and outside == []
    assert len(sizes) >= 8
    for name, width, height, drawn in sizes:
        assert width > 100 and height > 100 and drawn, name
    assert has_map > 300
    from PIL import Image

    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert image.size[1] > 3000 and high - low > 100  # not blank


def test_pdf_with_chromium_and_a_clear_error_without(demo: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from gvckit.report import write_pdf

    pdf = write_pdf(demo, tmp_path / "demo.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000
    code, _, err = _run_without_chromium(tmp_path)
    assert code == 2 and "apt install chromium" in err


def _run_without_chromium(tmp_path: Path) -> tuple[int, str, str]:
    old = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path)  # nothing to find
    try:
        return _run("report", "-o", str(tmp_path / "x.html"), "--chain", str(IPAD),
                    "--pdf", str(tmp_path / "x.pdf"))  # fmt: skip
    finally:
        os.environ["PATH"] = old


def test_portfolio_and_panel_sections(tmp_path: Path) -> None:
    import sys

    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import review, summary

    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    from make_iati import GOOD, HEAD, TAIL, activity

    xml = tmp_path / "donor.xml"
    bad = activity("XX-TEST-NAN", value="one million")
    xml.write_text(HEAD + "".join(activity(i) for i in GOOD) + bad + TAIL)
    panel = pd.DataFrame({
        "year": [2009, 2010, 2011] * 2, "exporter": ["CHN"] * 3 + ["USA"] * 3,
        "indicator": "GVC_SH", "value": [0.40, 0.41, 0.42, 0.43, 0.42, 0.43],
    })  # fmt: skip
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([xml])
        rep = build_report(portfolio=store, portfolio_label="Test donor",
                           table=load_example("wiod2013-2011"), country="CHN",
                           peers=["USA"], panel=panel)  # fmt: skip
        by_type = rep.block("Activities by funding type")
        pd.testing.assert_frame_equal(by_type.data, summary(store, "finance_type"))
        pd.testing.assert_frame_equal(rep.block("The review's questions").data, review(store))
        problems = rep.block("Problems found in the files").data
        assert problems.to_dict("records") == [
            {"kind": "transaction value not a number", "count": 1, "files": 1}
        ]
        assert dict(zip(problems["kind"], problems["count"], strict=True)) == (
            store.problem_counts()
        )
    years = rep.block("GVC participation over years")
    assert isinstance(years, Chart) and len(years.data) == 6
    html = render_html(rep)
    assert "Portfolio review" in html and "Test donor" in html
    out = tmp_path / "panel.csv"
    panel.to_csv(out, index=False)
    table = Path(__file__).parents[1] / "src" / "gvckit" / "data" / "wiod2013_2011.csv.gz"
    args = ["--country", "CHN", "--panel", str(out), "--portfolio", str(xml)]
    code, _, err = _run("report", "-o", str(tmp_path / "r.html"), "--table", str(table), *args)
    assert code == 0, err
    assert "scanned 3 activities" in err


def test_portfolio_charts_count_each_activity_once_whatever_its_currencies(
    tmp_path: Path,
) -> None:
    # an activity with commitments in USD and EUR is one activity: summary() counts it in
    # each currency's row, the charts count activities (they showed 3 grants for 2)
    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import activities_by

    def act(ident: str, year: int, currencies: tuple[str, ...]) -> str:
        money = "".join(
            f'<transaction><transaction-type code="2"/><transaction-date iso-date="{year}-02-01"/>'
            f'<value currency="{c}" value-date="{year}-02-01">1000</value></transaction>'
            for c in currencies
        )
        return (
            f'<iati-activity default-currency="USD"><iati-identifier>{ident}</iati-identifier>'
            '<reporting-org ref="XM-T" type="10"><narrative>T</narrative></reporting-org>'
            "<title><narrative>Coffee value chain development with smallholder farmers and"
            " lead firms</narrative></title><description><narrative>Value chain linkages"
            " between smallholder farmers, cooperatives and exporters.</narrative></description>"
            f'<activity-date type="1" iso-date="{year}-01-01"/>'
            '<recipient-country code="HN" percentage="100"/><sector code="31161"/>'
            f'<default-finance-type code="110"/>{money}</iati-activity>'
        )

    xml = tmp_path / "two.xml"
    xml.write_text('<iati-activities version="2.03">' + act("XM-T-1", 2018, ("USD", "EUR"))
                   + act("XM-T-2", 2019, ("USD",)) + "</iati-activities>")  # fmt: skip
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([xml])
        assert activities_by(store, "finance_type").to_dict("records") == [
            {"finance_type": "grant", "activities": 2}
        ]
        rep = build_report(portfolio=store)
    bars = _chart(rep, "Activities by funding type")["data"][0]
    assert list(bars["x"]) == [2] and list(bars["y"]) == ["grant"]
    line = _chart(rep, "Activities by start year")["data"][0]
    assert list(line["x"]) == [2018, 2019] and list(line["y"]) == [1, 1]
    for trace in _chart(rep, "Activities by pattern of engagement")["data"]:
        assert max(trace["x"]) <= 2


def _chart(report, title: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    blocks = [b for s in report.sections for b in s.blocks]
    found = [b for b in blocks if isinstance(b, Chart) and b.title == title]
    assert len(found) == 1, title
    return found[0].figure  # type: ignore[no-any-return]


def _whole_words(label: str, full: str) -> bool:
    """Whether ``label`` shows whole words of ``full``: all of them, or its first and last
    words around one ellipsis."""
    text = label.replace("<br>", " ")
    words = full.split()
    if " … " not in f"{text} ":
        return text.split() == words
    head, _, tail = text.partition("…")
    h, t = head.split(), tail.split()
    return h == words[: len(h)] and (not t or t == words[-len(t) :])


def test_constraint_bars_are_labelled_with_titles(report) -> None:  # type: ignore[no-untyped-def]
    figure = _chart(report, "Constraints by priority")
    ranked = prioritise(read_constraints(f"{BASE}_constraints.yaml"))
    labels = list(figure["data"][0]["y"])
    assert len(labels) == len(ranked)
    for label, title, ident in zip(labels, ranked["title"], ranked["id"], strict=True):
        assert _whole_words(label, title), (label, title)
        assert ident not in label.replace("<br>", " ").split()


def test_sankey_labels_are_cut_between_words(report) -> None:  # type: ignore[no-untyped-def]
    figure = _chart(report, "Value flows between actors (USD)")
    node = figure["data"][0]["node"]
    assert any("<br>" in label for label in node["label"])
    for label, full in zip(node["label"], node["customdata"], strict=True):
        assert _whole_words(label, full), (label, full)
        assert all(len(line) <= 18 for line in label.split("<br>"))
    # similar long names keep the words that tell them apart
    from gvckit.report.charts import wrap_label

    a = wrap_label("Manufacturers of memory and display panels of the Republic of Korea", 16, 3)
    b = wrap_label("Manufacturers of memory and display panels of Japan", 16, 3)
    assert a.replace("<br>", " ").endswith("Republic of Korea") and b.endswith("of Japan")


def test_long_names_fit_their_boxes_in_a_real_browser(tmp_path: Path) -> None:
    """A chain whose actor names are long and differ only at the end (as the iPad's component
    suppliers do): in Chromium, with its real fonts, every name line stays inside its box on the
    map, the names are told apart, and no two Sankey labels overlap."""
    exe = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    data = yaml.safe_load(IPAD.read_text(encoding="utf-8"))
    endings = ["of the United States of America", "of Japan", "of the Republic of Korea",
               "of Taiwan, Province of China", "of the European Union member states",
               "whose country could not be identified"]  # fmt: skip
    suppliers = [a for a in data["snapshots"][0]["actors"] if a["id"].endswith("_suppliers")]
    for actor, ending in zip(suppliers, endings, strict=True):
        actor["name"] = f"Manufacturers of memory, display panels and other components {ending}"
    long_chain = tmp_path / "long.yaml"
    long_chain.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    page_path = tmp_path / "long.html"
    assert _run("report", "-o", str(page_path), "--chain", str(long_chain))[0] == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True).new_page()
        page.goto(page_path.as_uri())
        page.wait_for_function("document.querySelectorAll('.sankey .node-label').length > 0")
        boxes = page.eval_on_selector_all(
            "figure.map svg g.actor",
            "gs => gs.map(g => { const r = g.querySelector('rect').getBBox();"
            " return [r.x, r.width, Array.from(g.querySelectorAll('text.name')).map(t => {"
            " const b = t.getBBox(); return [t.textContent, b.x, b.width]; })]; })",
        )
        labels = page.eval_on_selector_all(
            ".sankey .node-label",
            "ts => ts.map(t => { const b = t.getBoundingClientRect();"
            " return [t.textContent, b.left, b.top, b.right, b.bottom]; })",
        )
        page.screenshot(path=str(tmp_path / "long.png"), full_page=True)
        browser.close()
    assert len(boxes) == len(data["snapshots"][0]["actors"]) and len(labels) >= len(boxes)
    names = []
    for x, width, lines in boxes:
        for _, left, line_width in lines:
            assert x <= left and left + line_width <= x + width + 0.5
        names.append(" ".join(text for text, _, _ in lines))
    for ending in endings:
        assert sum(name.endswith(ending.split()[-1]) for name in names) >= 1, ending
    assert len(set(names)) == len(names)
    for a, b in itertools.combinations(labels, 2):
        overlap_x = min(a[3], b[3]) - max(a[1], b[1])
        overlap_y = min(a[4], b[4]) - max(a[2], b[2])
        assert overlap_x <= 1 or overlap_y <= 1, (a[0], b[0])
