"""The package as a user gets it: ``python -m build`` makes the sdist and the wheel (the wheel
from the sdist, so the sdist is complete), ``twine check`` accepts them, and the wheel installed
in a fresh virtual environment outside the repository runs ``gvckit demo`` from an empty folder
and writes the full report, chain section included, from the package data alone.

The fresh environment gets gvckit from the wheel only (``--no-deps``); its dependencies come from
this interpreter's site-packages through a path file, so nothing of the source tree can leak in
(no PYTHONPATH, no editable install: the test checks where gvckit and its examples are loaded
from). Marked ``wheel``; about a minute (the build fetches setuptools from PyPI the first time).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel


def _clean_env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GVCKIT_", "VIRTUAL"))
    }
    env.update(HOME=str(home), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return env


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def _tracked_package_files() -> set[str]:
    """The files of ``src/gvckit`` under version control, named as in the wheel."""
    try:
        out = subprocess.run(["git", "ls-files", "src/gvckit"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the package's files are the ones git tracks")
    return {line.removeprefix("src/") for line in out.splitlines()}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out, env=env)
    return out


def test_sdist_and_wheel_build_and_pass_twine_check(dist: Path) -> None:
    wheels, sdists = list(dist.glob("gvckit-*.whl")), list(dist.glob("gvckit-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    done = _run([sys.executable, "-m", "twine", "check", "--strict", *wheels, *sdists],
                cwd=dist, env=dict(os.environ))  # fmt: skip
    assert done.stdout.count("PASSED") == 2
    import zipfile

    names = zipfile.ZipFile(wheels[0]).namelist()
    for needed in ("gvckit/examples/chains/apple_ipad_2010.yaml",
                   "gvckit/examples/interventions/apple_ipad_2010_results.yaml",
                   "gvckit/data/wiod2013_2011.csv.gz", "gvckit/report/templates/report.html.j2",
                   "gvckit/py.typed"):  # fmt: skip
        assert needed in names
    licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert len(licence) == 1, "the wheel ships the MIT licence text"
    assert b"MIT License" in zipfile.ZipFile(wheels[0]).read(licence[0])


def test_wheel_and_sdist_hold_every_package_file_and_nothing_else(dist: Path) -> None:
    """Templates in sub-folders (the workbench's ``portfolio/`` pages) were once left out of
    the wheel by a one-level glob; caches, databases and stray files must never go in."""
    import tarfile
    import zipfile

    tracked = _tracked_package_files()
    wheel = next(dist.glob("gvckit-*.whl"))
    in_wheel = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("gvckit/")}
    assert sorted(tracked - in_wheel) == [] and sorted(in_wheel - tracked) == []
    sdist = next(dist.glob("gvckit-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        in_sdist = {m.name.removeprefix(f"{top}/src/") for m in tar.getmembers()
                    if m.isfile() and m.name.startswith(f"{top}/src/gvckit/")}  # fmt: skip
    assert sorted(tracked - in_sdist) == [] and sorted(in_sdist - tracked) == []
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert f"{top}/LICENSE" in names
    # half a test suite (no conftest.py, tests/data or ../shared) would not run: none ships
    assert [n for n in names if n.startswith(f"{top}/tests/")] == []


def test_installed_wheel_runs_the_demo_from_an_empty_folder(dist: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / "bin"
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    # the dependencies: this interpreter's site-packages, after the fresh one (a plain path
    # line: the editable install's own path file there is not processed)
    here = sysconfig.get_path("purelib")
    (site / "_gvckit_test_deps.pth").write_text(here + "\n", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(home)
    wheel = next(dist.glob("gvckit-*.whl"))
    _run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--no-deps",
          "--no-index", "--quiet", wheel], cwd=tmp_path, env=env)  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run(
        [bin_dir / "python", "-c",
         "import gvckit, gvckit.datasets as d; print(gvckit.__file__);"
         " print(d.example_chains()['apple_ipad_2010'])"],
        cwd=empty, env=env,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(env_dir) for p in where), where
    version = _run([bin_dir / "gvckit", "--version"], cwd=empty, env=env).stdout
    assert version.startswith("gvckit ")
    demo = _run([bin_dir / "gvckit", "demo"], cwd=empty, env=env)
    assert "note:" not in demo.stderr, demo.stderr
    html = (empty / "demo" / "report.html").read_text(encoding="utf-8")
    assert '<section id="chain">' in html and '<section id="action">' in html
    assert "Apple iPad" in html
    helped = _run([bin_dir / "gvckit", "--help"], cwd=empty, env=env).stdout
    assert "demo" in helped and "measure" in helped
    if " serve " in helped:  # the workbench, once it is part of the package
        _run([bin_dir / "gvckit", "serve", "--help"], cwd=empty, env=env)
    listed = _run([bin_dir / "gvckit", "examples", "-f", "csv"], cwd=empty, env=env).stdout
    assert "chains/apple_ipad_2010.yaml" in listed and str(ROOT) not in listed
