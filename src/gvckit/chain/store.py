"""The chain database: chains and their snapshots, versioned (SQLAlchemy).

SQLite in a local file by default (``sqlite:///gvckit.db``, or ``$GVCKIT_DB``); any SQLAlchemy
URL otherwise, e.g. ``postgresql+psycopg://user@host/db`` (extra ``gvckit[postgres]``).

The tables are created and upgraded by the shared Alembic history (:mod:`gvckit.store`).
Tables: ``chains`` (one row per chain name, with its header: product, country, currency, unit,
sources) and ``chain_snapshots`` (one row per saved version of a snapshot year). Saving a chain
adds a new version of each snapshot whose content changed, so the history of every year is kept
and earlier versions can be read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from gvckit.chain.model import Chain, Snapshot
from gvckit.errors import ChainError
from gvckit.store.database import open_engine

__all__ = ["DEFAULT_URL", "ChainStore", "SavedVersion"]

DEFAULT_URL = "sqlite:///gvckit.db"


class _Base(DeclarativeBase):
    pass


class _ChainRow(_Base):
    __tablename__ = "chains"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    header: Mapped[str] = mapped_column(Text)  # JSON of the chain without its snapshots


class _SnapshotRow(_Base):
    __tablename__ = "chain_snapshots"
    __table_args__ = (UniqueConstraint("chain_id", "year", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chains.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # JSON of the snapshot


@dataclass(frozen=True)
class SavedVersion:
    year: int
    version: int
    saved_at: dt.datetime
    checksum: str


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ChainStore:
    """A database of chains. ``url`` defaults to ``$GVCKIT_DB`` or ``sqlite:///gvckit.db``.

    Use it as a context manager (or call :meth:`close`) to release its connections."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or os.environ.get("GVCKIT_DB") or DEFAULT_URL
        self._engine = open_engine(self.url)  # the shared schema, migrated by Alembic

    def __enter__(self) -> ChainStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def drop_all(self) -> None:
        """Remove every chain and snapshot (for tests and resets); the tables stay."""
        with self._engine.begin() as conn:
            conn.execute(delete(_SnapshotRow))
            conn.execute(delete(_ChainRow))

    def save(self, chain: Chain) -> list[SavedVersion]:
        """Store ``chain``; returns the snapshot versions written (unchanged ones are skipped)."""
        header = _json(chain.model_dump(mode="json", exclude={"snapshots"}))
        written = []
        now = dt.datetime.now(dt.UTC)
        with Session(self._engine) as session, session.begin():
            row = session.scalar(select(_ChainRow).where(_ChainRow.name == chain.name))
            if row is None:
                row = _ChainRow(name=chain.name, header=header)
                session.add(row)
                session.flush()
            else:
                row.header = header
            for snap in chain.snapshots:
                content = _json(snap.model_dump(mode="json"))
                checksum = hashlib.sha256(content.encode()).hexdigest()
                latest = session.scalar(
                    select(_SnapshotRow)
                    .where(_SnapshotRow.chain_id == row.id, _SnapshotRow.year == snap.year)
                    .order_by(_SnapshotRow.version.desc())
                    .limit(1)
                )
                if latest is not None and latest.checksum == checksum:
                    continue
                version = 1 if latest is None else latest.version + 1
                session.add(
                    _SnapshotRow(
                        chain_id=row.id,
                        year=snap.year,
                        version=version,
                        saved_at=now,
                        checksum=checksum,
                        content=content,
                    )
                )
                written.append(SavedVersion(snap.year, version, now, checksum))
        return written

    def names(self) -> list[str]:
        with Session(self._engine) as session:
            return list(session.scalars(select(_ChainRow.name).order_by(_ChainRow.name)))

    def load(self, name: str, versions: dict[int, int] | None = None) -> Chain:
        """The chain ``name`` with the latest version of each snapshot (or the version given
        per year in ``versions``)."""
        with Session(self._engine) as session:
            row = self._chain_row(session, name)
            years = session.scalars(
                select(_SnapshotRow.year).where(_SnapshotRow.chain_id == row.id).distinct()
            )
            snaps = []
            for year in sorted(years):
                query = select(_SnapshotRow).where(
                    _SnapshotRow.chain_id == row.id, _SnapshotRow.year == year
                )
                wanted = (versions or {}).get(year)
                if wanted is not None:
                    query = query.where(_SnapshotRow.version == wanted)
                snap_row = session.scalar(query.order_by(_SnapshotRow.version.desc()).limit(1))
                if snap_row is None:
                    raise ChainError(f"chain {name!r} has no version {wanted} of {year}")
                snaps.append(Snapshot.model_validate_json(snap_row.content))
            try:
                return Chain.model_validate({**json.loads(row.header), "snapshots": snaps})
            except ValidationError as exc:  # pragma: no cover - stored chains were valid
                raise ChainError(f"stored chain {name!r} is not valid: {exc}") from None

    def history(self, name: str) -> list[SavedVersion]:
        """Every stored version of every snapshot of ``name``, oldest first."""
        with Session(self._engine) as session:
            row = self._chain_row(session, name)
            rows = session.scalars(
                select(_SnapshotRow)
                .where(_SnapshotRow.chain_id == row.id)
                .order_by(_SnapshotRow.year, _SnapshotRow.version)
            )
            return [SavedVersion(r.year, r.version, r.saved_at, r.checksum) for r in rows]

    def count_versions(self) -> int:
        with Session(self._engine) as session:
            return int(session.scalar(select(func.count(_SnapshotRow.id))) or 0)

    @staticmethod
    def _chain_row(session: Session, name: str) -> _ChainRow:
        row = session.scalar(select(_ChainRow).where(_ChainRow.name == name))
        if row is None:
            known = ", ".join(session.scalars(select(_ChainRow.name))) or "none"
            raise ChainError(f"no chain named {name!r} in the database (chains: {known})")
        return row
