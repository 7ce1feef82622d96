"""Full-text search gives the same activities in the same order on SQLite (FTS5) and on
PostgreSQL (tsvector): the same subset of the shared IATI corpus scanned into a workspace of
each database by the service the scan jobs use, then queried with searches in several languages
combined with filters and sorts."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path
from pg import fresh_postgres

pytestmark = pytest.mark.shared

FILES = ["IATI__IATI-Datastore/test_fixtures", "joshbrooks__pydantic-iati",
         "zimmerman-team__IATI.cloud"]  # fmt: skip
QUERIES = ["", "développement", "DEVELOPPEMENT polit", "cooperación", "Coopération desarr",
           "société civile", "water", "agri", "value chain", "educación", "health", "a",
           "zzzz", "l'égalité", "c++ / (and) OR not", "ÉDUCATION", "2017"]  # fmt: skip


def _listing(url: str) -> dict[tuple[str, str, str], list[str]]:
    from gvckit.auth.users import add_user
    from gvckit.portfolio.iati import find_files
    from gvckit.store import portfolio as pf
    from gvckit.store.database import open_engine
    from gvckit.store.workspaces import create_workspace

    engine = open_engine(url)
    try:
        user, _ = add_user(engine, "ana", "analyst", None)
        ws = create_workspace(engine, user, "search", "", "", "")
        root = shared_path("iati", "activities")
        files = find_files([root / f for f in FILES])
        pf.ingest(engine, ws, None, "test", files, workers=1)
        out = {}
        for q in QUERIES:
            for vc in ("", "no"):
                for sort in ("-confidence", "title"):
                    _, items = pf.list_activities(engine, ws, pf.Filters(q=q, value_chain=vc),
                                                  per_page=0, sort=sort)  # fmt: skip
                    out[(q, vc, sort)] = [it["iati_identifier"] for it in items]
        return out
    finally:
        engine.dispose()


def test_search_is_the_same_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    lite = _listing(f"sqlite:///{tmp_path / 'search.db'}")
    with fresh_postgres() as url:
        pg = _listing(url)
    assert lite == pg
    assert len(lite[("", "", "title")]) > 600
    assert sum(1 for v in lite.values() if v) >= 40  # most searches find something
