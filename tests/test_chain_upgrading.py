"""Upgrading between snapshots of the synthetic chain, and Kaplinsky–Readman quadrants."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gvckit import chain
from gvckit.chain.upgrading import trade_upgrading, upgrading
from gvckit.cli import main

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def _two_years(tmp_path: Path) -> Path:
    """2020 as in the fixture; 2023: farmers sell more per job at a higher price, traders leave,
    a domestic exporter enters at a new export stage, a new end market appears."""
    data = yaml.safe_load(SMALL.read_text())
    s1 = data["snapshots"][0]
    s2 = copy.deepcopy(s1)
    s2["year"] = 2023
    farmers = s2["actors"][0]
    farmers["employment"] = {"jobs": 1200, "share_women": 0.45, "share_informal": 0.5}
    farmers["value_added_split"]["wages"] = 120
    s1["actors"][0]["employment"]["share_informal"] = 0.7
    s2["actors"] = [a for a in s2["actors"] if a["id"] != "traders"]
    s2["links"] = [
        link for link in s2["links"] if "traders" not in (link["source"], link["target"])
    ]
    s2["links"][0]["unit_price"] = 1.2  # farmers -> coop
    s2["stages"].insert(3, {"name": "export"})
    s2["actors"].append(
        {
            "id": "exporter",
            "kind": "exporter",
            "stage": "export",
            "count": 3,
            "ownership": "domestic",
            "product": "roasted coffee",
        }
    )
    s2["end_markets"].append({"id": "asia", "destination": "Asia", "channel": "global"})
    s2["reference_prices"] = {"production": 1.0}
    data["snapshots"].append(s2)
    p = tmp_path / "two.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _row(frame: pd.DataFrame, type_: str, subject: str, indicator: str) -> pd.Series:
    sel = frame[(frame.type == type_) & (frame.subject == subject) & (frame.indicator == indicator)]
    assert len(sel) == 1, (type_, subject, indicator)
    return sel.iloc[0]


def test_upgrading_between_snapshots(tmp_path: Path) -> None:
    c = chain.read_chain(_two_years(tmp_path))
    up = upgrading(c, 2020, 2023)
    out = _row(up, "process", "farmers", "output_per_job")
    assert out.from_value == pytest.approx(1000 / 1500)
    assert out.to_value == pytest.approx(600 / 1200)
    assert out.assessment == "downgrading"  # sells less per job: traders left
    ruv = _row(up, "product", "farmers", "relative_unit_value")
    assert ruv.from_value == pytest.approx(1.0)  # 2020: vs the stage average, i.e. itself
    assert ruv.to_value == pytest.approx(1.2 / 1.0)  # 2023: vs the reference price 1.0
    assert _row(up, "social", "farmers", "share_informal").assessment == "upgrading"
    assert _row(up, "social", "farmers", "wage_per_job").to_value == pytest.approx(120 / 1200)
    assert _row(up, "entry", "traders", "actor").assessment.startswith("leaves aggregation")
    assert _row(up, "entry", "exporter", "actor").assessment == "enters at export"
    assert _row(up, "functional", "export", "performed_locally").assessment == "upgrading"
    assert _row(up, "chain", "Asia (global)", "new_end_market").assessment == "upgrading"
    assert _row(up, "chain", "roasted coffee", "new_product").assessment == "upgrading"
    quadrant = _row(up, "trajectory", "chain", "quadrant").assessment
    assert "economic" in quadrant and "social" in quadrant


def test_upgrading_needs_order(tmp_path: Path) -> None:
    c = chain.read_chain(_two_years(tmp_path))
    from gvckit.errors import ChainError

    with pytest.raises(ChainError, match="earlier year"):
        upgrading(c, 2023, 2020)


def test_kaplinsky_readman_quadrants() -> None:
    trade = pd.DataFrame(
        [
            ("KEN", "coffee", 2010, 100.0, 50.0), ("World", "coffee", 2010, 1000.0, 1000.0),
            ("KEN", "coffee", 2020, 180.0, 60.0), ("World", "coffee", 2020, 1200.0, 1100.0),
            ("KEN", "tea", 2010, 100.0, 100.0), ("World", "tea", 2010, 500.0, 400.0),
            ("KEN", "tea", 2020, 90.0, 120.0), ("World", "tea", 2020, 500.0, 400.0),
        ],
        columns=["exporter", "product", "year", "value", "quantity"],
    )  # fmt: skip
    out = trade_upgrading(trade, "KEN", 2010, 2020)
    coffee = out[out.subject == "coffee"].set_index("indicator")
    assert coffee.loc["relative_unit_value", "from_value"] == pytest.approx((100 / 50) / 1.0)
    assert coffee.loc["relative_unit_value", "to_value"] == pytest.approx(3.0 / (1200 / 1100))
    assert coffee.loc["market_share", "to_value"] == pytest.approx(0.15)
    assert coffee.loc["market_share", "assessment"].startswith("upgrading")
    tea = out[out.subject == "tea"].set_index("indicator")
    assert tea.loc["market_share", "assessment"].startswith("downgrading")


def test_upgrading_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _two_years(tmp_path)
    trade = tmp_path / "trade.csv"
    trade.write_text(
        "exporter,product,year,value,quantity\nTST,coffee,2020,10,5\n"
        "World,coffee,2020,100,100\nTST,coffee,2023,12,5\nWorld,coffee,2023,100,90\n"
    )

    def run(trade_file: Path) -> int:
        args = ["chain", "upgrading", str(p), "--from", "2020", "--to", "2023"]
        return main([*args, "--trade", str(trade_file), "--exporter", "TST"])

    assert run(trade) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "type,subject,indicator,from_value,to_value,change,assessment"
    assert "trade,coffee,market_share" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("exporter,product,year,value\nTST,coffee,2020,10\n")
    assert run(bad) == 2
    assert "missing quantity" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b"exporter,product,year,value,quantity\nTST,coffee,2020,10,5,7,8\n"
         b"TST,coffee,2023,12,5\n", ("row 2", "malformed CSV", "5 fields", "7 fields")),
        ("exporter,product,year,value,quantity\nTST,caf\u00e9,2020,10,5\n".encode("latin-1"),
         ("row 2", "not UTF-8 text")),
        (b"exporter,product,year,value,quantity\nTST,coffee,2020.5,10,5\n",
         ("row 2", "column 'year'", "not a whole year")),
        (b"exporter,product,year,value,quantity\nTST,coffee,2020,inf,5\n",
         ("row 2", "column 'value'", "not a finite, non-negative number")),
        (b"", ("the file is empty",)),
    ],
)  # fmt: skip
def test_bad_trade_tables_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needles: tuple[str, ...]
) -> None:
    """The trade table is read by the bounded reader of small tables: a first row with extra
    fields was read shifted into an index ('no rows for exporter'), Latin-1 text ended in
    'This is a bug in gvckit' (a UnicodeDecodeError)."""
    trade = tmp_path / "trade.csv"
    trade.write_bytes(content)
    args = ["chain", "upgrading", str(_two_years(tmp_path)), "--from", "2020", "--to", "2023"]
    assert main([*args, "--trade", str(trade), "--exporter", "TST"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {trade}") and len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)


def test_a_gzip_bomb_of_a_trade_table_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzipped trade table inflating past the limit (512 MiB; 1 MiB here) is refused while it
    is read: pandas inflated it whole ('MemoryError ... This is a bug in gvckit')."""
    import gzip

    from gvckit.clusters import tables

    monkeypatch.setattr(tables, "MAX_BYTES", 1024**2)
    trade = tmp_path / "trade.csv.gz"
    row = b"TST,coffee,2020,10,5\n"
    trade.write_bytes(gzip.compress(b"exporter,product,year,value,quantity\n" + row * 100_000))
    args = ["chain", "upgrading", str(_two_years(tmp_path)), "--from", "2020", "--to", "2023"]
    assert main([*args, "--trade", str(trade), "--exporter", "TST"]) == 2
    err = capsys.readouterr().err
    assert f"error: {trade}: the file inflates to more than 1,048,576 bytes" in err, err


def test_trade_product_codes_stay_text(tmp_path: Path) -> None:
    """HS codes keep their leading zero (pandas read 0901 as the number 901)."""
    trade = tmp_path / "trade.csv"
    trade.write_text(
        "exporter,product,year,value,quantity\nTST,0901,2020,10,5\n"
        "World,0901,2020,100,100\nTST,0901,2023,12,5\nWorld,0901,2023,100,90\n"
    )
    out = trade_upgrading(trade, "TST", 2020, 2023)
    assert set(out.subject) == {"0901"}


def test_trajectory_per_job_over_actors_with_jobs(tmp_path: Path) -> None:
    """The chain's value added and wages per job are taken over the actors that give their
    jobs (the distribution's value_added_per_job of each year): the value added of the shops,
    whose employment is not given in 2023, is not spread over the other actors' jobs."""
    data = yaml.safe_load(SMALL.read_text())
    s2 = copy.deepcopy(data["snapshots"][0])
    s2["year"] = 2023
    del s2["actors"][4]["employment"]  # shops: value added 650, wages 300
    data["snapshots"].append(s2)
    p = tmp_path / "two.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    c = chain.read_chain(p)
    up = upgrading(c, 2020, 2023)
    va = _row(up, "trajectory", "chain", "value_added_per_job")
    assert va.from_value == pytest.approx(2785 / 1920)
    assert va.to_value == pytest.approx((2785 - 650) / 1720)
    for year, value in ((2020, va.from_value), (2023, va.to_value)):
        d = chain.distribution(c, year).set_index("indicator")["value"]
        assert value == pytest.approx(d["value_added_per_job"])
    wage = _row(up, "trajectory", "chain", "wage_per_job")
    assert wage.from_value == pytest.approx(690 / 1920)
    assert wage.to_value == pytest.approx((690 - 300) / 1720)
