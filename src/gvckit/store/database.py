"""Opening and migrating the database.

SQLite (a file URL) gets WAL journaling, foreign keys and a busy timeout so that the server, its
job processes and the CLI can share it; any other SQLAlchemy URL (PostgreSQL with
``postgresql+psycopg://``) is used as given.

One Alembic history (``migrations/``, version table ``gvckit_alembic_version``) creates and
upgrades every table. Its revisions live in two folders: the portfolio's own
(``gvckit/portfolio/migrations/versions``, revisions 0001, 0002, ...) and the store's
(``migrations/versions``: the chain tables, then the workbench's). They form two branches of
the one history, upgraded together to ``heads``, so that each part can add a revision without
renumbering the other. A database made before the history was shared is adopted: the
portfolio's version table (``portfolio_alembic_version``) is carried over, and chain tables
created without Alembic are recognised by the chain revision.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from gvckit.errors import OptionError

__all__ = ["VERSION_TABLE", "alembic_config", "current_heads", "migrate", "open_engine"]

VERSION_TABLE = "gvckit_alembic_version"
OLD_PORTFOLIO_TABLE = "portfolio_alembic_version"
HERE = Path(__file__).parent


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def open_engine(url: str, *, upgrade: bool = True) -> Engine:
    """An engine on ``url`` (SQLite tuned for sharing), migrated to the latest schema unless
    ``upgrade`` is False. A bad URL or an unreachable database is an :class:`OptionError`."""
    try:
        try:
            engine = create_engine(url)
        except ImportError as exc:  # the URL's driver is not installed
            raise OptionError(_missing_driver(url, exc)) from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if upgrade:
            migrate(engine)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise OptionError(f"cannot use the database URL {url!r}: {exc}") from None
    except OperationalError as exc:
        raise OptionError(f"cannot open the database {url!r}: {exc.orig}") from None
    return engine


def _missing_driver(url: str, exc: ImportError) -> str:
    """What to do when the driver a URL names is not installed (PostgreSQL: the extra)."""
    said = f"cannot use the database URL {url!r}: its driver {exc.name or ''} is not installed"
    if url.startswith("postgresql+psycopg:"):
        return f"{said}; install the extra: pip install 'gvckit[postgres]'"
    if url.startswith(("postgresql:", "postgres:", "postgresql+")):
        return f"{said}; gvckit uses postgresql+psycopg://... with pip install 'gvckit[postgres]'"
    return said


def alembic_config() -> Any:
    """The Alembic configuration of the shared history (script and version folders)."""
    from alembic.config import Config

    from gvckit.portfolio import migrations as portfolio_migrations

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("path_separator", "os")
    locations = [
        HERE / "migrations" / "versions",
        Path(portfolio_migrations.__file__).parent / "versions",
    ]
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the database at ``engine`` to the latest revision of every branch (idempotent)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        _adopt_portfolio_history(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def _adopt_portfolio_history(conn: Any) -> None:
    """Carry the portfolio's own version table (databases from before the shared history) over
    into the shared one: its revisions are the same, so the row moves as it is."""
    names = set(inspect(conn).get_table_names())
    if OLD_PORTFOLIO_TABLE not in names or VERSION_TABLE in names:
        return
    rows = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {OLD_PORTFOLIO_TABLE}"))]
    conn.execute(
        text(
            f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL,"
            f" CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
        )
    )
    for rev in rows:
        conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:v)"), {"v": rev})
    conn.execute(text(f"DROP TABLE {OLD_PORTFOLIO_TABLE}"))


def current_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (one per branch)."""
    with engine.connect() as conn:
        if VERSION_TABLE not in inspect(conn).get_table_names():
            return set()
        return {r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))}
