"""The one database: a fresh one gets every table; one made by ``gvckit chain save`` and
``gvckit portfolio scan`` before the shared history (tests/data/legacy, rebuilt by its script)
upgrades without loss, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, inspect, text

from gvckit import chain
from gvckit.chain.store import ChainStore
from gvckit.portfolio.store import PortfolioStore
from gvckit.store.database import VERSION_TABLE, current_heads, open_engine
from pg import fresh_postgres

LEGACY = Path(__file__).parent / "data" / "legacy" / "gvckit_before_store.db"
SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def _heads() -> set[str]:
    """The latest revision of each branch of the history (portfolio, store)."""
    from alembic.script import ScriptDirectory

    from gvckit.store.database import alembic_config

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


HEADS = _heads()


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the version tables, sorted, as plain tuples."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in meta.tables.items():
            if "alembic_version" in name:
                continue
            rows = conn.execute(table.select()).all()
            out[name] = sorted((tuple(str(v) for v in r) for r in rows), key=str)
    engine.dispose()
    return out


def _copy_legacy(target_url: str) -> None:
    """Make at ``target_url`` what the legacy commands made there: the chain tables as
    ``ChainStore`` created them (``create_all``), the portfolio tables as its migrations 0001-0002
    built them, with their own version table at 0002, and the legacy database's rows."""
    from alembic import command

    from gvckit.chain.store import _Base
    from gvckit.store.database import VERSION_TABLE, alembic_config

    src = create_engine(f"sqlite:///{LEGACY}")
    meta = MetaData()
    meta.reflect(src)
    dst = create_engine(target_url)
    _Base.metadata.create_all(dst)
    cfg = alembic_config()
    with dst.begin() as conn:  # the portfolio schema of revision 0002, not today's
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text(f"DROP TABLE {VERSION_TABLE}"))
    built = MetaData()
    built.reflect(dst)
    with src.connect() as a, dst.begin() as b:
        b.execute(text("CREATE TABLE portfolio_alembic_version (version_num VARCHAR(32) NOT NULL"
                       " PRIMARY KEY)"))  # fmt: skip
        for table in meta.sorted_tables:
            rows = [dict(r._mapping) for r in a.execute(table.select())]
            target = built.tables.get(table.name)
            if rows and target is not None and table.name != "portfolio_alembic_version":
                b.execute(target.insert(), rows)
        b.execute(text("INSERT INTO portfolio_alembic_version VALUES ('0002')"))
    src.dispose()
    dst.dispose()


def _check_upgrade(url: str) -> None:
    before = _rows(url)
    assert before["chains"] and before["portfolio_activities"]
    engine = open_engine(url)
    assert current_heads(engine) == HEADS
    names = set(inspect(engine).get_table_names())
    assert "portfolio_alembic_version" not in names and VERSION_TABLE in names
    assert {"web_users", "web_workspaces", "web_tables", "web_jobs"} <= names
    engine.dispose()
    after = _rows(url)
    for name, rows in before.items():
        assert after[name] == rows, name
    # the stores read what they wrote before, and go on writing
    with ChainStore(url) as store:
        assert store.load("Test coffee chain") == chain.read_chain(SMALL)
        assert [v.version for v in store.history("Test coffee chain")] == [1]
    with PortfolioStore(url) as pstore:
        assert set(pstore.activities()["iati_identifier"]) == {"XX-LEGACY-1", "XX-LEGACY-2"}
        assert len(pstore.finances()) == 3
    open_engine(url).dispose()  # idempotent
    assert _rows(url) == after


def test_legacy_sqlite_database_upgrades_without_loss(tmp_path: Path) -> None:
    db = tmp_path / "gvckit.db"
    shutil.copy(LEGACY, db)
    _check_upgrade(f"sqlite:///{db}")


def test_legacy_postgres_database_upgrades_without_loss() -> None:
    with fresh_postgres() as url:
        _copy_legacy(url)
        _check_upgrade(url)


def test_history_has_two_branches_from_the_portfolio_and_the_store() -> None:
    assert len(HEADS) == 2 and "r0002" in HEADS  # each branch's head moves with its revisions


def test_fresh_database_has_every_table_and_sqlite_is_tuned(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_heads(engine) == HEADS
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    names = set(inspect(engine).get_table_names())
    assert {
        "chains",
        "chain_snapshots",
        "portfolio_activities",
        "web_jobs",
        "web_chains",
        "web_chain_versions",
        "web_chain_drafts",
        "web_results",
        "web_results_versions",
        "web_results_drafts",
        "web_portfolio_activities",
        "web_portfolio_reviews",
        "web_constraint_sets",
        "web_constraint_sets_versions",
        "web_interventions_drafts",
        "web_intervention_audits",
    } <= names
    engine.dispose()


def test_chain_only_database_from_before(tmp_path: Path) -> None:
    """A database that only `gvckit chain save` made (no version table at all)."""
    db = tmp_path / "chains.db"
    shutil.copy(LEGACY, db)
    with create_engine(f"sqlite:///{db}").begin() as conn:
        for name in inspect(conn).get_table_names():
            if name.startswith("portfolio_"):
                conn.execute(text(f"DROP TABLE {name}"))
    with ChainStore(f"sqlite:///{db}") as store:
        assert store.load("Test coffee chain") == chain.read_chain(SMALL)


@pytest.mark.parametrize("url", ["nosuchdb://x"])
def test_bad_url_is_one_line(url: str) -> None:
    from gvckit.errors import OptionError

    with pytest.raises(OptionError, match="cannot use the database URL"):
        open_engine(url)


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("postgresql+psycopg://u@127.0.0.1:1/db", "pip install 'gvckit[postgres]'"),
        ("postgresql://u@127.0.0.1:1/db", "postgresql+psycopg://"),
    ],
)
def test_database_url_without_its_driver_names_the_extra(
    url: str, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A core install (no ``postgres`` extra) given a PostgreSQL URL: one line naming the
    extra, exit code 2 — not "unexpected error ... a bug in gvckit" (exit 1)."""
    import io
    from contextlib import redirect_stderr

    from gvckit.cli import main
    from gvckit.errors import OptionError

    for name in ("psycopg", "psycopg2"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails as if not installed
    with pytest.raises(OptionError, match="is not installed") as caught:
        open_engine(url)
    assert hint in str(caught.value)
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["portfolio", "summary", "--db", url])
    assert code == 2 and hint in err.getvalue() and "bug" not in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1


def _r0001_then_upgrade(url: str) -> tuple[str, list[str]]:
    """A database at r0001 with two activities stored by a scan of that time (one whose row
    names analyses, one that names none), upgraded to the heads: (analyses, search hits)."""
    from alembic import command

    from gvckit.store.database import alembic_config

    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        from sqlalchemy import event

        from gvckit.store.database import _sqlite_pragmas

        event.listen(engine, "connect", _sqlite_pragmas)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "r0001")
    with engine.begin() as conn:
        run = conn.execute
        run(
            text(
                "INSERT INTO web_users (id, name, role, disabled, local, created_at)"
                " VALUES (1, 'u', 'admin', false, false, CURRENT_TIMESTAMP)"
            )
        )
        run(
            text(
                "INSERT INTO web_workspaces (id, name, country, sector, description,"
                " created_by, created_at, version) VALUES (1, 'w', '', '', '', 1,"
                " CURRENT_TIMESTAMP, 1)"
            )
        )
        run(
            text(
                "INSERT INTO web_portfolio_scans (id, workspace_id, source, files, activities,"
                " refused, problems, created_at) VALUES (1, 1, 'x', 1, 2, 0, '[]',"
                " CURRENT_TIMESTAMP)"
            )
        )
        for k, (analyses, words) in enumerate(
            (("governance;value_added", "coffee growers"), ("", "dairy")), start=1
        ):
            run(
                text(
                    "INSERT INTO web_portfolio_activities (id, workspace_id, scan_id,"
                    " iati_identifier, title, reporting_org_ref, reporting_org_name, countries,"
                    " sectors, status, value_chain, confidence, pattern, fields_of_action,"
                    " upgrading) VALUES (:k, 1, 1, :i, 't', '', '', '', '', '', 'yes', 0.9,"
                    " '', '', '')"
                ),
                {"k": k, "i": f"XM-{k}"},
            )
            data = '{"row": {"analyses": "' + analyses + '", "x": NaN}, "finances": []}'
            run(
                text(
                    "INSERT INTO web_portfolio_texts (activity_id, search_text, data)"
                    " VALUES (:k, :t, :d)"
                ),
                {"k": k, "t": words, "d": data},
            )
            if engine.dialect.name == "sqlite":
                run(
                    text("INSERT INTO web_portfolio_fts (rowid, search_text) VALUES (:k, :t)"),
                    {"k": k, "t": words},
                )
    engine.dispose()
    engine = open_engine(url)  # upgraded to the heads
    from gvckit.store import portfolio as pf

    with engine.connect() as conn:
        analyses = (
            conn.execute(text("SELECT analyses FROM web_portfolio_activities ORDER BY id"))
            .scalars()
            .all()
        )
    _, hits = pf.list_activities(engine, 1, pf.Filters(q="coff grow"), per_page=0)
    engine.dispose()
    return "|".join(analyses), [h["iati_identifier"] for h in hits]


def test_r0002_fills_analyses_and_keeps_search(tmp_path: Path) -> None:
    """r0002 fills each stored activity's analyses from its stored row (a row with a NaN in it
    too) and re-indexes the search words, on SQLite and PostgreSQL."""
    want = (";governance;value_added;|", ["XM-1"])
    assert _r0001_then_upgrade(f"sqlite:///{tmp_path / 'r1.db'}") == want
    with fresh_postgres() as url:
        assert _r0001_then_upgrade(url) == want
