"""Where a portfolio scan's rows wait until the scan ends, so that a scan that fails or is
cancelled leaves nothing behind and one that ends is stored in one transaction.

The rows go to a temporary table of the scan's own connection: on PostgreSQL in one transaction
with ``COPY ... FROM STDIN`` (the table is dropped at commit, and a killed process's transaction
is rolled back by the server), on SQLite in a temporary database private to the connection (its
writes never lock the shared file; the file is deleted when the connection goes). The merge is
set-based: activities already in the workspace are updated in place (by IATI identifier, so
their reviews stay), the others inserted in scan order, their texts inserted with the search
index (FTS5 rows on SQLite; PostgreSQL's stored ``tsvector`` and GIN index, the new entries
merged into the index once, see :func:`gvckit.store.search.defer_index`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text, insert, text
from sqlalchemy.exc import DBAPIError

from gvckit.store import search
from gvckit.store.portfolio_schema import ACTIVITIES, SCANS

__all__ = ["Stage"]

#: The activity columns a scan writes (the workspace and the scan are set by the merge).
COLUMNS = [c.name for c in ACTIVITIES.columns if c.name not in ("id", "workspace_id", "scan_id")]
_LONG = ["search_text", "data"]
STAGE = Table(
    "gvckit_portfolio_stage", MetaData(),
    Column("seq", Integer, nullable=False),
    *[Column(name, ACTIVITIES.c[name].type) for name in COLUMNS],
    *[Column(name, Text, nullable=False) for name in _LONG],
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)  # fmt: skip
_CUT = [(k, c.type.length) for k, c in enumerate(ACTIVITIES.c[n] for n in COLUMNS)
        if isinstance(c.type, String) and c.type.length]  # fmt: skip
_FLUSH = 2000


class Stage:
    """The staging of one scan into workspace ``workspace_id`` on ``conn`` (a connection of its
    own, used as a context manager: on an error the connection is discarded with whatever it
    staged). ``scan`` holds the values of the scan's row in ``web_portfolio_scans``.

    PostgreSQL: one transaction from the start; each batch is copied into the staging table and
    merged at once (unseen by others until the commit), so the merging overlaps the parsing.
    SQLite: the batches wait in the connection's temporary database; :meth:`storing` merges
    them all."""

    def __init__(self, conn: Connection, workspace_id: int, scan: dict[str, Any]) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.workspace_id = workspace_id
        self.scan = scan
        self.scan_id = 0
        self._rows: list[tuple[Any, ...]] = []
        self._seq = 0
        self._staged: set[str] = set()
        self._again = False  # an identifier staged twice (the later copy wins)

    def __enter__(self) -> Stage:
        if self.postgres:
            _fast_compression(self.conn)
            search.defer_index(self.conn)
            STAGE.create(self.conn)
            self._new_scan()
        else:
            STAGE.create(self.conn)
            self.conn.commit()  # SQLite: one short transaction per batch (temp database only)
        return self

    def __exit__(self, kind: object, *_exc: object) -> None:
        if kind is not None:
            self.conn.invalidate()  # rolled back, the temporary table gone with it

    def add(self, row: dict[str, Any]) -> None:
        """Stage one activity row (:data:`COLUMNS` with ``search_text`` and ``data``); an
        identifier staged again replaces the earlier copy."""
        values = [row[name] for name in COLUMNS]
        for k, n in _CUT:
            if len(values[k]) > n:
                values[k] = values[k][:n]
        ident = values[0]
        self._again = self._again or ident in self._staged
        self._staged.add(ident)
        self._seq += 1
        self._rows.append((self._seq, *values, row["search_text"], row["data"]))
        if len(self._rows) >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        """Write the rows added since the last flush (PostgreSQL: and merge them)."""
        if not self._rows:
            return
        if self.postgres:
            names = ", ".join(["seq", *COLUMNS, *_LONG])
            raw = self.conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur, cur.copy(f"COPY {STAGE.name} ({names}) FROM STDIN") as cp:
                for r in self._rows:
                    cp.write_row(r)
            self._merge()
            self.conn.execute(text(f"DELETE FROM {STAGE.name}"))
            self._staged.clear()
            self._again = False
        else:
            keys = ["seq", *COLUMNS, *_LONG]
            self.conn.execute(insert(STAGE), [dict(zip(keys, r, strict=True)) for r in self._rows])
            self.conn.commit()
        self._rows = []

    @contextmanager
    def storing(self) -> Iterator[int]:
        """The transaction that stores the scan, committed when the block ends without an
        error: the block gets the scan's id (its row can be updated there)."""
        self.flush()
        if self.postgres:
            search.merge_index(self.conn)
        else:
            self._new_scan()  # the first statement writes: it takes SQLite's write lock
            self._merge()
        yield self.scan_id
        if not self.postgres:
            self.conn.execute(text(f"DROP TABLE temp.{STAGE.name}"))
        self.conn.commit()

    def _new_scan(self) -> None:
        key = self.conn.execute(insert(SCANS).values(**self.scan)).inserted_primary_key
        assert key is not None
        self.scan_id = int(key[0])

    def _merge(self) -> None:
        """Store the staged activities in the workspace under the scan."""
        run = self.conn.execute
        stage = STAGE.name
        acts, texts = "web_portfolio_activities", "web_portfolio_texts"
        args = {"ws": self.workspace_id, "scan": self.scan_id}
        if self._again:
            run(text(f"DELETE FROM {stage} WHERE seq NOT IN"
                     f" (SELECT max(seq) FROM {stage} GROUP BY iati_identifier)"))  # fmt: skip
        known = (f"SELECT a.id FROM {acts} a JOIN {stage} s ON a.iati_identifier ="
                 " s.iati_identifier WHERE a.workspace_id = :ws")  # fmt: skip
        run(text(f"DELETE FROM {texts} WHERE activity_id IN ({known})"), args)
        if not self.postgres:
            run(text(f"DELETE FROM web_portfolio_fts WHERE rowid IN ({known})"), args)
        sets = ", ".join(f"{c} = s.{c}" for c in COLUMNS[1:])
        run(text(f"UPDATE {acts} SET scan_id = :scan, {sets} FROM {stage} s"
                 f" WHERE {acts}.workspace_id = :ws"
                 f" AND {acts}.iati_identifier = s.iati_identifier"), args)  # fmt: skip
        cols = ", ".join(COLUMNS)
        picked = ", ".join(f"s.{c}" for c in COLUMNS)
        run(text(f"INSERT INTO {acts} (workspace_id, scan_id, {cols})"
                 f" SELECT :ws, :scan, {picked} FROM {stage} s WHERE NOT EXISTS"
                 f" (SELECT 1 FROM {acts} a WHERE a.workspace_id = :ws"
                 "  AND a.iati_identifier = s.iati_identifier) ORDER BY s.seq"), args)  # fmt: skip
        ours = (f"FROM {stage} s JOIN {acts} a ON a.workspace_id = :ws"
                " AND a.iati_identifier = s.iati_identifier ORDER BY a.id")  # fmt: skip
        run(text(f"INSERT INTO {texts} (activity_id, search_text, data)"
                 f" SELECT a.id, s.search_text, s.data {ours}"), args)  # fmt: skip
        if not self.postgres:
            run(text("INSERT INTO web_portfolio_fts (rowid, search_text)"
                     f" SELECT a.id, s.search_text {ours}"), args)  # fmt: skip


def _fast_compression(conn: Connection) -> None:
    """PostgreSQL: compress this transaction's long values (the scan's texts, several hundred
    megabytes for the shared corpus) with LZ4, several times faster than the default pglz,
    where the server was built with it (otherwise the default stays)."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL default_toast_compression = 'lz4'"))
    except DBAPIError:
        pass
