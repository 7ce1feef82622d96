"""The worked cluster examples (examples/clusters) give the values REAT prints for them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from gvckit.cli import main

EXAMPLES = Path(__file__).parents[1] / "examples" / "clusters"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> pd.DataFrame:
    assert main(list(args)) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)


def _one(frame: pd.DataFrame, **where: str) -> float:
    sel = frame
    for k, v in where.items():
        sel = sel[sel[k].astype(str) == v]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


def test_specialisation_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "clusters", "indices", str(EXAMPLES / "fk2014_specialisation.csv"),
               "--region", "region", "--industry", "industry", "--value", "employment",
               "--reference", "country")  # fmt: skip
    got = _one(out, region="region", indicator="gini_specialisation")
    assert got == pytest.approx(0.6222222, abs=5e-8)


def test_concentration_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "clusters", "indices", str(EXAMPLES / "fk2014_concentration.csv"),
               "--region", "region", "--industry", "industry", "--value", "employment")  # fmt: skip
    got = _one(out, industry="industry", indicator="gini_concentration")
    assert got == pytest.approx(0.4068966, abs=5e-8)


def test_firm_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "clusters", "eg", str(EXAMPLES / "fk2014_firms.csv"), "--industry",
               "industry", "--region", "region", "--size", "employees", "--region-total",
               "region_employment")  # fmt: skip
    assert _one(out, industry="x", indicator="gamma") == pytest.approx(0.05990628, abs=5e-9)


@pytest.mark.parametrize(
    "command",
    [["clusters"], ["clusters", "indices"], ["clusters", "eg"], ["clusters", "stars"],
     ["clusters", "efficiency"], ["clusters", "capabilities"], ["clusters", "survey-template"]],
)  # fmt: skip
def test_help_on_every_clusters_command(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main([*command, "--help"]) == 0
    assert "Usage:" in capsys.readouterr().out
