"""One output style per medium: every command that answers with a table prints it rounded for
people with ``--format table`` (and by default on a terminal), and CSV at full precision with
``--format csv`` (and by default when piped); the CSV is the same data the table shows."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from clirun import run_cli as _run
from gvckit.datasets import example_file, example_path
from gvckit.output import for_people, output_style, readable

DATA = Path(__file__).parent / "data"
IPAD = str(example_file("chains/apple_ipad_2010.yaml"))
COCOA = str(example_file("chains/cocoa_cameroon_2018.yaml"))
IPAD_NAME = "Apple iPad value capture (Linden, Kraemer & Dedrick 2011)"
IV = "interventions/apple_ipad_2010_"
LEATHER = str(example_path("leather"))


IATI = """<?xml version="1.0"?>
<iati-activities version="2.03"><iati-activity default-currency="EUR">
 <iati-identifier>XX-1</iati-identifier>
 <reporting-org ref="XX" type="10"><narrative>Donor</narrative></reporting-org>
 <title><narrative>Coffee value chain development for smallholder farmers</narrative></title>
 <recipient-country code="HN" percentage="100"/>
 <activity-date type="2" iso-date="2019-03-01"/>
 <sector code="31163" vocabulary="1" percentage="100"/>
 <default-finance-type code="110"/>
 <transaction><transaction-type code="2"/><value value-date="2019-02-01">1000.25</value>
 </transaction></iati-activity></iati-activities>
"""


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("dbs")
    (folder / "a.xml").write_text(IATI, encoding="utf-8")
    portfolio = f"sqlite:///{folder / 'portfolio.db'}"
    chains = f"sqlite:///{folder / 'chains.db'}"
    assert _run("portfolio", "scan", str(folder / "a.xml"), "--db", portfolio)[0] == 0
    assert _run("chain", "save", IPAD, "--db", chains)[0] == 0
    # a two-year panel as gvckit panel writes it (position of the leather table, then +10 %)
    import gvckit.icio as icio

    position = icio.measure("position", icio.read(LEATHER))
    for year, factor in ((2010, 1.0), (2011, 1.1)):
        part = folder / "panel" / f"year={year}"
        part.mkdir(parents=True)
        position.assign(value=position["value"] * factor, source="leather.csv").to_parquet(
            part / "part-0.parquet"
        )
    return {"portfolio": portfolio, "chains": chains, "panel": str(folder / "panel")}


def _commands(dbs: dict[str, str]) -> dict[str, list[str]]:
    return {
        "measure": ["measure", "vax", LEATHER],
        "measure-by-sector": ["measure", "participation", LEATHER, "--by", "sector"],
        "measures": ["measures"],
        "table maps": ["table", "maps"],
        "examples": ["examples"],
        "chain accounts": ["chain", "accounts", IPAD],
        "chain prices": ["chain", "accounts", COCOA, "--view", "prices"],
        "chain distribution": ["chain", "accounts", COCOA, "--view", "distribution"],
        "chain governance": ["chain", "governance", COCOA, "--view", "power"],
        "chain questions": ["chain", "questions", COCOA],
        "chain history": ["chain", "history", IPAD_NAME, "--db", dbs["chains"]],
        "constraints rank": ["constraints", "rank", str(example_file(IV + "constraints.yaml"))],
        "constraints sensitivity": [
            "constraints", "rank", str(example_file(IV + "constraints.yaml")), "--sensitivity",
        ],
        "approaches matrix": ["approaches", "matrix"],
        "approaches recommend": [
            "approaches", "recommend", str(example_file(IV + "constraints.yaml")),
        ],
        "audit": ["audit", str(example_file(IV + "intervention.yaml"))],
        "results": ["results", str(example_file(IV + "results.yaml"))],
        "results universal": ["results", str(DATA / "results_example.yaml"), "--view", "universal"],
        "portfolio summary": ["portfolio", "summary", "--db", dbs["portfolio"]],
        "changes": ["changes", dbs["panel"]],
    }  # fmt: skip


NOISE = re.compile(r"\d\.\d{7,}")  # float noise such as 0.30000000000000004


def test_every_command_prints_a_rounded_table_and_full_precision_csv(
    dbs: dict[str, str],
) -> None:
    for name, args in _commands(dbs).items():
        code, csv_text, err = _run(*args, "--format", "csv")
        assert code == 0, (name, err)
        frame = pd.read_csv(io.StringIO(csv_text))
        assert len(frame) > 0, name
        code, piped, _ = _run(*args)  # not a terminal: the default is the same CSV
        assert code == 0 and piped == csv_text, name
        code, table, err = _run(*args, "--format", "table")
        assert code == 0, (name, err)
        assert "┃" in table and "," not in table.splitlines()[1].replace(", ", ""), name
        assert not NOISE.search(table), (name, NOISE.search(table))
        # every number the table shows is the CSV's value rounded for people
        numeric = [k for k, c in enumerate(frame.columns) if frame[c].dtype.kind in "iuf"]
        flat = re.sub(r"\s+", " ", table.replace("│", " ").replace("┃", " "))
        for row in for_people(frame)[:50]:
            for k in (k for k in numeric if row[k]):
                assert f" {row[k]} " in flat, (name, frame.columns[k], row[k])
        code, json_text, _ = _run(*args, "--format", "json")
        assert code == 0 and len(pd.read_json(io.StringIO(json_text))) == len(frame), name


def test_csv_keeps_full_precision_where_the_table_rounds() -> None:
    args = ["constraints", "rank", str(example_file(IV + "constraints.yaml"))]
    csv_text = _run(*args, "-f", "csv")[1]
    table = _run(*args, "-f", "table")[1]
    assert "0.30000000000000004" in csv_text and "0.30000000000000004" not in table
    assert " 0.3 " in table
    prices = ["chain", "accounts", COCOA, "--view", "prices"]  # JSON keeps full precision too
    as_json = pd.read_json(io.StringIO(_run(*prices, "-f", "json")[1]))
    from_csv = pd.read_csv(io.StringIO(_run(*prices, "-f", "csv")[1]))
    assert (as_json["value"] / from_csv["value"] - 1).abs().max() < 1e-14


def test_readable_numbers() -> None:
    assert readable(0.30000000000000004) == "0.3"
    assert readable(1.2000000000000002) == "1.2"
    assert readable(1234567.891) == "1,234,568"
    assert readable(823.7376948945276) == "823.7"
    assert readable(0.0123456) == "0.01235"
    assert readable(3.2e-07) == "3.2e-07"
    assert readable(0.5719394643446964, share=True) == "57.2 %"
    assert readable(2018, plain=True) == "2018" and readable(25000) == "25,000"
    assert readable(float("nan")) == "" and readable(None) == ""
    assert readable(-0.00001) == "-1e-05" and readable(0.0) == "0"


def test_style_rules() -> None:
    assert output_style("auto", terminal=True) == "table"
    assert output_style("auto", terminal=False) == "csv"
    assert output_style("table", "x.csv", terminal=True) == "file"
    assert output_style("json", terminal=True) == "json"
    code, _, err = _run("constraints", "rank", str(DATA / "constraints_small.yaml"), "-f", "xml")
    assert code == 2 and "--format must be one of" in err


def _on_terminal(args: list[str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal, as a person would see it."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gvckit", *args],
        stdout=follower, stderr=subprocess.PIPE, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    return b"".join(chunks).decode("utf-8")


def test_terminal_gets_the_table_and_a_pipe_gets_csv() -> None:
    args = ["measure", "vax", LEATHER]
    screen = _on_terminal(args)
    assert "┃" in screen and "72.7 %" in screen  # Argentina's VAX ratio, as a share
    piped = subprocess.run(
        [sys.executable, "-m", "gvckit", *args], capture_output=True, text=True, check=True
    ).stdout
    assert piped.startswith("country,indicator,value\n") and "0.72" in piped
    assert piped == _run(*args, "-f", "csv")[1]


def test_examples_are_listed_and_copied(tmp_path: Path) -> None:
    code, listing, _ = _run("examples", "-f", "csv")
    frame = pd.read_csv(io.StringIO(listing))
    assert {"chain", "constraints", "intervention", "results", "table"} <= set(frame["kind"])
    assert all(Path(p).is_file() for p in frame["path"])
    code, _, err = _run("examples", "--copy", str(tmp_path / "mine"))
    assert code == 0 and "copied" in err
    copied = sorted(p.name for p in (tmp_path / "mine" / "chains").glob("*.yaml"))
    assert copied == sorted(Path(p).name for p in frame[frame["kind"] == "chain"]["path"])
    assert (tmp_path / "mine" / "interventions" / "apple_ipad_2010_results.yaml").is_file()
    # the cluster commands' worked examples too (examples/clusters/README.md runs them)
    clusters = frame[frame["kind"] == "clusters"]["name"].tolist()
    assert "clusters/fk2014_firms.csv" in clusters
    assert all((tmp_path / "mine" / name).is_file() for name in clusters)
    assert (tmp_path / "mine" / "clusters" / "README.md").is_file()
    code, _, err = _run("examples", "-f", "xml")
    assert code == 2 and "--format must be one of" in err
