"""HTML (one self-contained file) and PDF (headless Chromium) from a :class:`Report`.

The page needs nothing from outside: plotly.js, the styles and every chart's data are inlined;
each chart's data also sits underneath it as a table and as a CSV download (a ``data:`` link).
Jinja2 escapes every text; chart data reach the page as JSON with ``<`` escaped, so names from
input files cannot open a tag or close the script.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import pandas as pd

from gvckit import __version__
from gvckit.errors import GvcError, OutputError
from gvckit.files import atomic_write
from gvckit.report.model import Chart, Figures, Html, Report, Table

__all__ = ["CHROMIUM_NAMES", "render_html", "write_html", "write_pdf"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _cell(value: Any) -> str:
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    ):
        return ""
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [[_cell(v) for v in row] for row in frame.itertuples(index=False)],
        "numeric": [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns],
    }


def _csv_link(frame: pd.DataFrame) -> str:
    text = frame.to_csv(index=False, float_format="%.10g")
    return "data:text/csv;charset=utf-8," + urllib.parse.quote(text)


def _figure_json(figure: dict[str, Any]) -> str:
    from plotly.utils import PlotlyJSONEncoder

    text = json.dumps(figure, cls=PlotlyJSONEncoder, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "block"


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    from importlib.resources import files

    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gvckit.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sections = []
    n = 0
    for section in report.sections:
        blocks = []
        for block in section.blocks:
            n += 1
            item: dict[str, Any] = {"title": block.title, "id": f"b{n}-{_slug(block.title)}"}
            data = getattr(block, "data", None)
            if isinstance(data, pd.DataFrame):
                item["table"] = _table(data)
                item["csv"] = _csv_link(data)
                item["csv_name"] = f"{_slug(block.title)}.csv"
            if isinstance(block, Figures):
                item.update(kind="figures", cards=block.items)
            elif isinstance(block, Chart):
                item.update(kind="chart", figure=_figure_json(block.figure), note=block.note)
            elif isinstance(block, Table):
                item.update(kind="table", note=block.note, collapsed=block.collapsed,
                            status_col=block.status)  # fmt: skip
            elif isinstance(block, Html):
                item.update(kind="html", markup=block.markup, alt=block.alt)
            blocks.append(item)
        sections.append({"id": section.id, "title": section.title, "intro": section.intro,
                         "blocks": blocks})  # fmt: skip
    css = (files("gvckit.report") / "templates" / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(
        title=report.title,
        subtitle=report.subtitle,
        sections=sections,
        css=css,
        plotly_js=get_plotlyjs(),
        version=__version__,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report to ``path`` atomically."""
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"the report must be an .html file, not {p.name!r}")
    if not p.parent.exists():
        raise OutputError(f"cannot write {p}: folder {p.parent} does not exist")
    with atomic_write(p, "w") as fh:
        fh.write(render_html(report))
    return p


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome executable, if one is installed."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html: str | Path, pdf: str | Path, *, timeout: float = 120) -> Path:
    """Print the HTML report to PDF with headless Chromium (the same page, print styles)."""
    exe = find_chromium()
    if exe is None:
        raise GvcError(
            "--pdf needs Chromium: install it (Debian/Ubuntu: sudo apt install chromium) and "
            "run again; the HTML report was written"
        )
    src, out = Path(html).resolve(), Path(pdf).resolve()
    if out.suffix.lower() != ".pdf":
        raise OutputError(f"--pdf must name a .pdf file, not {out.name!r}")
    with tempfile.TemporaryDirectory() as profile:
        tmp = out.with_name(f".{out.name}.tmp")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={profile}", "--virtual-time-budget=15000",
               f"--print-to-pdf={tmp}", src.as_uri()]  # fmt: skip
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            tmp.unlink(missing_ok=True)
            raise GvcError(f"Chromium could not print the report to PDF: {exc}") from None
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise GvcError("Chromium wrote no PDF")
        tmp.replace(out)
    return out
