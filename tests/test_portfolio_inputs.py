"""The ``gvckit portfolio scan ... -o activities.csv`` contract on what donors and users hand it:
one file named several ways, relative and absolute paths, a database that already holds a later
update, UTF-16 files, carriage returns written as character references."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd
import pytest

from gvckit.portfolio.iati import find_files, read_activities

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_iati import HEAD, TAIL, activity

from clirun import run_cli as _run


def _scan(db: str, out: Path, *paths: str | Path) -> tuple[pd.DataFrame, str]:
    code, _, err = _run("portfolio", "scan", *map(str, paths), "--db", db, "-o", str(out))
    assert code == 0, err
    return pd.read_csv(out, dtype=str, keep_default_na=False), err


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    a = folder / "a.xml"
    a.write_text(HEAD + activity("XX-A") + activity("XX-B") + TAIL)
    (folder / "link.xml").symlink_to(a)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    acts, err = _scan(db, tmp_path / "activities.csv", a, a, folder)
    assert list(acts["iati_identifier"]) == ["XX-A", "XX-B"]
    assert "2 activities in 1 files" in err and "0 duplicate identifiers" in err
    assert find_files([a, folder, a]) == [a]


def test_relative_and_absolute_paths_name_one_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.xml").write_text(HEAD + activity("XX-A") + TAIL)
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    first, _ = _scan(db, tmp_path / "one.csv", "a.xml")
    second, err = _scan(db, tmp_path / "two.csv", tmp_path / "a.xml")
    assert "0 duplicate identifiers" in err  # the same file, not a second copy of the activity
    assert list(first["file"]) == list(second["file"]) == [str(tmp_path / "a.xml")]
    assert first.equals(second)


def test_the_csv_lists_an_activity_whose_later_update_is_already_stored(tmp_path: Path) -> None:
    new = tmp_path / "new.xml"
    new.write_text(HEAD + activity("XX-A").replace("2024-01-01", "2025-01-01") + TAIL)
    old = tmp_path / "old.xml"
    old.write_text(HEAD + activity("XX-A") + activity("XX-B") + TAIL)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    _scan(db, tmp_path / "one.csv", new)
    acts, err = _scan(db, tmp_path / "two.csv", old)
    assert list(acts["iati_identifier"]) == ["XX-A", "XX-B"]  # every activity scanned
    assert acts.set_index("iati_identifier").loc["XX-A", "file"] == str(new)  # the later update
    assert "value chain yes 0, possible 2" in err and "1 duplicate identifiers" in err


def test_a_utf16_file_is_read_and_its_doctype_refused(tmp_path: Path) -> None:
    body = activity("XX-U16", title="Chaîne de valeur laitière")
    good = tmp_path / "good.xml"
    good.write_bytes((HEAD.replace("UTF-8", "UTF-16") + body + TAIL).encode("utf-16"))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        (HEAD.replace("UTF-8", "UTF-16").replace("\n", '\n<!DOCTYPE a [<!ENTITY e "x">]>\n', 1)
         + body.replace("laitière", "&e;") + TAIL).encode("utf-16")
    )  # fmt: skip
    problems: list = []
    acts = list(read_activities([good, bad], problems=problems))
    assert [(a.iati_identifier, a.title) for a in acts] == [("XX-U16", "Chaîne de valeur laitière")]
    assert [(p.file, p.reason) for p in problems] == [
        (str(bad), "declares a DOCTYPE or entities: refused, entities are never expanded")
    ]


def test_a_carriage_return_reference_does_not_break_a_csv_row(tmp_path: Path) -> None:
    p = tmp_path / "a.xml"
    p.write_text(HEAD + activity("XX-A", title="Dairy&#xD;\nvalue chain&#13;support")
                 + activity("XX-B") + TAIL)  # fmt: skip
    out = tmp_path / "activities.csv"
    _scan(f"sqlite:///{tmp_path / 'p.db'}", out, p)
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["iati_identifier"], r["title"]) for r in rows] == [
        ("XX-A", "Dairy\nvalue chain\nsupport"),
        ("XX-B", "Dairy value chain development"),
    ]


def test_more_activities_than_a_statement_may_have_parameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy import Engine, event

    import gvckit.portfolio.store as store_module

    opened = store_module.open_engine

    def limited(url: str) -> Engine:  # SQLite's own limit is 32,766; PostgreSQL's 65,535
        engine = opened(url)
        event.listen(engine, "connect", lambda dbapi, _: dbapi.setlimit(
            sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999))  # fmt: skip
        engine.dispose()
        return engine

    monkeypatch.setattr(store_module, "open_engine", limited)
    p = tmp_path / "a.xml"
    p.write_text(HEAD + "".join(activity(f"XX-{k:04d}") for k in range(1200)) + TAIL)
    out = tmp_path / "activities.csv"
    acts, _ = _scan(f"sqlite:///{tmp_path / 'p.db'}", out, p)
    fin = pd.read_csv(tmp_path / "activities-finances.csv")
    assert len(acts) == len(fin) == 1200
    assert list(fin["iati_identifier"]) == [f"XX-{k:04d}" for k in range(1200)]


def test_the_same_scan_twice_writes_the_same_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.xml").write_text(HEAD + activity("XX-A") + activity("XX-B") + TAIL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GVCKIT_DB", raising=False)
    for out in ("one.csv", "two.csv"):  # --db omitted: ./gvckit.db, kept between the runs
        code, _, err = _run("portfolio", "scan", "a.xml", "-o", out)
        assert code == 0, err
    assert (tmp_path / "gvckit.db").is_file()
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "one-finances.csv").read_bytes() == (
        tmp_path / "two-finances.csv"
    ).read_bytes()
