"""The chain database on a real SQLite file (and PostgreSQL when GVCKIT_TEST_POSTGRES gives a
URL): save, versioned snapshots, load back, history, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from gvckit import chain
from gvckit.chain.store import ChainStore
from gvckit.cli import main
from gvckit.errors import ChainError, OptionError

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def _urls(tmp_path: Path) -> list[str]:
    """SQLite always; PostgreSQL where GVCKIT_TEST_POSTGRES names one (CI starts a server)."""
    urls = [f"sqlite:///{tmp_path / 'test.db'}"]
    if os.environ.get("GVCKIT_TEST_POSTGRES"):
        urls.append(os.environ["GVCKIT_TEST_POSTGRES"])
    elif os.environ.get("GVCKIT_REQUIRE_SHARED") == "1":
        pytest.fail("CI must test the store on PostgreSQL: GVCKIT_TEST_POSTGRES is not set")
    return urls


def test_save_load_and_versions(tmp_path: Path) -> None:
    for url in _urls(tmp_path):
        with ChainStore(url) as store:
            store.drop_all()  # a PostgreSQL test database may hold an earlier run's chains
            _exercise(store)


def _exercise(store: ChainStore) -> None:
    """Save, version, load back and list history."""
    original = chain.read_chain(SMALL)
    first = store.save(original)
    assert [(v.year, v.version) for v in first] == [(2020, 1)]
    assert store.save(original) == []  # unchanged: no new version
    assert store.load(original.name) == original
    # change the snapshot: a second version, the first stays readable
    data = yaml.safe_load(SMALL.read_text())
    data["snapshots"][0]["links"][0]["unit_price"] = 1.1
    changed = chain.chain_from_data(data)
    assert [(v.year, v.version) for v in store.save(changed)] == [(2020, 2)]
    assert store.load(original.name) == changed
    assert store.load(original.name, versions={2020: 1}) == original
    assert [v.version for v in store.history(original.name)] == [1, 2]
    assert original.name in store.names()


def test_unknown_chain_and_bad_url(tmp_path: Path) -> None:
    with (
        ChainStore(f"sqlite:///{tmp_path / 'x.db'}") as store,
        pytest.raises(ChainError, match="no chain named 'nope'"),
    ):
        store.load("nope")
    with pytest.raises(OptionError, match="cannot use the database URL"):
        ChainStore("nosuchdb://x")
    with pytest.raises(OptionError, match="cannot open the database"):
        ChainStore(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")


def test_cli_save_history_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["chain", "save", str(SMALL), "--db", db]) == 0
    assert "version 1 saved" in capsys.readouterr().out
    assert main(["chain", "save", str(SMALL), "--db", db]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["chain", "history", "Test coffee chain", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("2020,1,")
    out = tmp_path / "back.yaml"
    assert main(["chain", "load", "Test coffee chain", "--db", db, "-o", str(out)]) == 0
    assert chain.read_chain(out) == chain.read_chain(SMALL)
    assert main(["chain", "load", "Nope", "--db", db, "-o", str(out)]) == 2
    assert "no chain named 'Nope'" in capsys.readouterr().err
