"""Documents people edit in a workspace, versioned and never lost: the machinery chains,
constraint sets and interventions share.

A document row holds the current content (JSON in the library's own schema) and its version
number; every save adds a row to its versions table (who, when, a one-line summary of what
changed). A save names the version it was based on (optimistic locking): one conditional
UPDATE on the version; when another save came first it is refused with :class:`StaleError`
(what changed meanwhile, field by field) and the refused content is kept in the drafts table.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)

from gvckit.auth.users import User
from gvckit.errors import GvcError
from gvckit.store.schema import METADATA, TZ, USERS
from gvckit.store.workspaces import NotFoundError

__all__ = ["MAX_CHANGES", "Draft", "History", "Row", "StaleError", "Version", "changes",
           "document_table", "summary", "version_tables"]  # fmt: skip

#: At most this many changes are listed in a diff (the rest counted).
MAX_CHANGES = 200


class StaleError(GvcError):
    """A save based on an older version than the current one; the edit was kept as a draft."""

    def __init__(self, message: str, *, current: int, draft: int, meanwhile: list[str]) -> None:
        super().__init__(message)
        self.current = current
        self.draft = draft
        self.meanwhile = meanwhile


@dataclass(frozen=True)
class Version:
    version: int
    user: str
    saved_at: dt.datetime
    summary: str


@dataclass(frozen=True)
class Draft:
    id: int
    owner: int  # the document the draft belongs to
    base_version: int
    user: str
    saved_at: dt.datetime
    reason: str
    content: str


@dataclass(frozen=True)
class Row:
    """The current version of a document of a workspace."""

    id: int
    workspace_id: int
    name: str
    version: int
    content: str

    @classmethod
    def of(cls, row: Any) -> Self:
        """The dataclass (this one or a subclass) of a row of a documents table."""
        m = row._mapping
        return cls(m["id"], m["workspace_id"], m["name"], m["version"], m["content"])


def document_table(name: str, *columns: Column[Any]) -> Table:
    """A table of documents of a workspace: id, workspace, ``columns``, name, the current
    version and its content (JSON), when it was created."""
    return Table(
        name, METADATA,
        Column("id", Integer, primary_key=True),
        Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"),
               nullable=False, index=True),
        *columns,
        Column("name", String(300), nullable=False),
        Column("version", Integer, nullable=False),
        Column("content", Text, nullable=False),
        Column("created_at", TZ, nullable=False),
    )  # fmt: skip


def version_tables(rows: str, prefix: str, key: str) -> tuple[Table, Table]:
    """The versions table (``{prefix}_versions``) and the drafts table (``{prefix}_drafts``) of
    the documents table ``rows``, keyed by the column ``key``."""
    versions = Table(
        f"{prefix}_versions", METADATA,
        Column("id", Integer, primary_key=True),
        Column(key, ForeignKey(f"{rows}.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("version", Integer, nullable=False),
        Column("content", Text, nullable=False),
        Column("summary", Text, nullable=False),
        Column("user_id", ForeignKey("web_users.id"), nullable=False, index=True),
        Column("saved_at", TZ, nullable=False),
        UniqueConstraint(key, "version"),
    )  # fmt: skip
    drafts = Table(
        f"{prefix}_drafts", METADATA,
        Column("id", Integer, primary_key=True),
        Column(key, ForeignKey(f"{rows}.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("base_version", Integer, nullable=False),
        Column("content", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("user_id", ForeignKey("web_users.id"), nullable=False, index=True),
        Column("saved_at", TZ, nullable=False),
    )  # fmt: skip
    return versions, drafts


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc(when: dt.datetime) -> dt.datetime:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _label(item: Any) -> str | None:
    """What names a list entry in a diff: its id or name, a snapshot's year, a link's ends
    (``source→target``, a results chain's ``from→to``); None when nothing does."""
    if not isinstance(item, dict):
        return None
    if "year" in item:
        return None if item["year"] is None else str(item["year"])
    key = item.get("id") or item.get("name")
    if isinstance(key, str):
        return key
    for a, b in (("source", "target"), ("from", "to")):
        if isinstance(item.get(a), str) and isinstance(item.get(b), str):
            return f"{item[a]}→{item[b]}"
    return None


def _flat(data: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _flat(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(data, list):
        labels = [_label(v) for v in data]
        for k, (v, label) in enumerate(zip(data, labels, strict=True)):
            # an entry named like no other is found by its name, so that removing one entry
            # does not read as a change of every entry after it; else by its position
            unique = label is not None and labels.count(label) == 1
            _flat(v, f"{path}[{label}]" if unique else f"{path}[{k}]", out)
    else:
        out[path] = data


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def changes(old: str, new: str) -> list[str]:
    """What changed from the JSON document ``old`` to ``new``, one line per field (list entries
    named by their ``id`` or ``name``, snapshots by their year, links by their ends), at most
    :data:`MAX_CHANGES` lines."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flat(json.loads(old), "", a)
    _flat(json.loads(new), "", b)
    lines = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            lines.append(f"removed {key} (was {_show(a[key])})")
        elif key not in a:
            lines.append(f"added {key} = {_show(b[key])}")
        elif a[key] != b[key]:
            lines.append(f"changed {key}: {_show(a[key])} → {_show(b[key])}")
    if len(lines) > MAX_CHANGES:
        lines = [*lines[:MAX_CHANGES], f"... and {len(lines) - MAX_CHANGES} more"]
    return lines


def summary(lines: list[str]) -> str:
    """One line for the history: the first change and how many more."""
    if not lines:
        return "no change"
    if len(lines) == 1:
        return lines[0][:300]
    return f"{lines[0][:200]} (and {len(lines) - 1} more changes)"


@dataclass(frozen=True)
class History:
    """The versions of one kind of document: its table (``id``, ``version``, ``content`` and
    the kind's own columns), the versions table and the drafts table, both keyed by the
    column ``key`` (e.g. ``chain_id``); ``noun`` names a document in messages."""

    rows: Table
    versions: Table
    drafts: Table
    key: str
    noun: str

    def create(self, engine: Engine, user: User, values: dict[str, Any], content: str,
               summary: str = "created") -> int:  # fmt: skip
        """Store a new document (``values``: its own columns) as version 1; its id."""
        when = now()
        with engine.begin() as conn:
            key = conn.execute(
                insert(self.rows).values(**values, version=1, content=content, created_at=when)
            ).inserted_primary_key
            assert key is not None
            doc = int(key[0])
            conn.execute(
                insert(self.versions).values(**{self.key: doc}, version=1, content=content,
                                             summary=summary, user_id=user.id, saved_at=when)
            )  # fmt: skip
        return doc

    def save(self, engine: Engine, user: User, doc: int, content: str, base_version: int,
             values: dict[str, Any] | None = None) -> int:  # fmt: skip
        """Save ``content`` (and ``values`` of the row's own columns) as the next version if
        the current one is still ``base_version``; the new version number. Otherwise
        :class:`StaleError` (the edit kept as a draft, the message listing what changed
        meanwhile)."""
        when = now()
        rows, versions = self.rows, self.versions
        with engine.begin() as conn:
            done = conn.execute(
                update(rows)
                .where(rows.c.id == doc, rows.c.version == base_version)
                .values(**(values or {}), version=base_version + 1, content=content)
            )
            if done.rowcount == 1:
                old = conn.execute(
                    select(versions.c.content).where(
                        versions.c[self.key] == doc, versions.c.version == base_version
                    )
                ).scalar_one()
                conn.execute(
                    insert(versions).values(
                        **{self.key: doc}, version=base_version + 1, content=content,
                        summary=summary(changes(old, content)), user_id=user.id, saved_at=when,
                    )
                )  # fmt: skip
                return base_version + 1
        with engine.connect() as conn:
            current = conn.execute(
                select(rows.c.version, rows.c.content).where(rows.c.id == doc)
            ).first()
        if current is None:
            raise NotFoundError("not found")
        meanwhile = self._meanwhile(engine, doc, base_version, str(current[1]))
        reason = f"based on version {base_version}, saved after version {current[0]}"
        with engine.begin() as conn:
            key = conn.execute(
                insert(self.drafts).values(**{self.key: doc}, base_version=base_version,
                                           content=content, reason=reason, user_id=user.id,
                                           saved_at=when)
            ).inserted_primary_key  # fmt: skip
        assert key is not None
        shown = "; ".join(meanwhile[:5]) + ("; ..." if len(meanwhile) > 5 else "")
        raise StaleError(
            f"{self.noun} changed since version {base_version} (now version {current[0]}):"
            f" {shown or 'no change in content'}. Your edit is kept as draft {int(key[0])}.",
            current=int(current[0]), draft=int(key[0]), meanwhile=meanwhile,
        )  # fmt: skip

    def _meanwhile(self, engine: Engine, doc: int, base: int, current: str) -> list[str]:
        try:
            old = self.content(engine, doc, base)
        except NotFoundError:
            return [f"version {base} does not exist"]
        return changes(old, current)

    def history(self, engine: Engine, doc: int) -> list[Version]:
        """Every saved version, newest first."""
        v = self.versions
        with engine.connect() as conn:
            rows = conn.execute(
                select(v.c.version, USERS.c.name, v.c.saved_at, v.c.summary)
                .join(USERS, USERS.c.id == v.c.user_id)
                .where(v.c[self.key] == doc)
                .order_by(v.c.version.desc())
            )
            return [Version(r[0], r[1], utc(r[2]), r[3]) for r in rows]

    def content(self, engine: Engine, doc: int, version: int) -> str:
        """The content of ``version``."""
        v = self.versions
        with engine.connect() as conn:
            found = conn.execute(
                select(v.c.content).where(v.c[self.key] == doc, v.c.version == version)
            ).scalar()
        if found is None:
            raise NotFoundError(f"no version {version}")
        return str(found)

    def restore(self, engine: Engine, user: User, doc: int, version: int, base_version: int
                ) -> int:  # fmt: skip
        """Save the content of an earlier ``version`` as the next version (nothing is
        deleted); stale like any save."""
        return self.save(engine, user, doc, self.content(engine, doc, version), base_version)

    def _draft_rows(self) -> Any:
        return select(self.drafts, USERS.c.name.label("user")).join(
            USERS, USERS.c.id == self.drafts.c.user_id
        )

    def _draft(self, row: Any) -> Draft:
        m = row._mapping
        return Draft(m["id"], m[self.key], m["base_version"], m["user"], utc(m["saved_at"]),
                     m["reason"], m["content"])  # fmt: skip

    def list_drafts(self, engine: Engine, doc: int) -> list[Draft]:
        """The refused edits kept for the document, newest first."""
        d = self.drafts
        with engine.connect() as conn:
            rows = conn.execute(self._draft_rows().where(d.c[self.key] == doc)
                                .order_by(d.c.id.desc()))  # fmt: skip
            return [self._draft(r) for r in rows]

    def get_draft(self, engine: Engine, doc: int, draft_id: int) -> Draft:
        d = self.drafts
        with engine.connect() as conn:
            row = conn.execute(
                self._draft_rows().where(d.c[self.key] == doc, d.c.id == draft_id)
            ).first()
        if row is None:
            raise NotFoundError("not found")
        return self._draft(row)
