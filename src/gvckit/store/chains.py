"""Value chains in a workspace, versioned, never lost: the one service the chain pages and the
chain API share.

A chain row holds the current content (the chain as JSON in the schema of the YAML files,
:meth:`gvckit.chain.Chain.to_json`) and its version number; every save adds a row to
``web_chain_versions`` (who, when, a one-line summary of what changed). A save names the
version it was based on (optimistic locking): when another save came first, it is refused with
:class:`StaleError` and the refused content is kept in ``web_chain_drafts``.

Uploads are read by the bounded readers (:func:`gvckit.documents.load_document` for YAML and
JSON, :func:`gvckit.chain.workbook.read_workbook` for the workbook), from bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

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
from gvckit.chain.model import Chain
from gvckit.errors import ChainError, GvcError
from gvckit.store.schema import METADATA, TZ, USERS
from gvckit.store.workspaces import NotFoundError, row_by_id, workspace_rows

__all__ = [
    "CHAINS",
    "CHAIN_DRAFTS",
    "CHAIN_VERSIONS",
    "ChainRow",
    "Draft",
    "StaleError",
    "Version",
    "changes",
    "create_chain",
    "get_chain",
    "get_draft",
    "get_version",
    "list_chains",
    "list_drafts",
    "parse_chain",
    "restore",
    "save_chain",
    "versions",
]

CHAINS = Table(
    "web_chains", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", Text, nullable=False),  # Chain.to_json
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

CHAIN_VERSIONS = Table(
    "web_chain_versions", METADATA,
    Column("id", Integer, primary_key=True),
    Column("chain_id", ForeignKey("web_chains.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("version", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("user_id", ForeignKey("web_users.id"), nullable=False, index=True),
    Column("saved_at", TZ, nullable=False),
    UniqueConstraint("chain_id", "version"),
)  # fmt: skip

CHAIN_DRAFTS = Table(
    "web_chain_drafts", METADATA,
    Column("id", Integer, primary_key=True),
    Column("chain_id", ForeignKey("web_chains.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("base_version", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("user_id", ForeignKey("web_users.id"), nullable=False, index=True),
    Column("saved_at", TZ, nullable=False),
)  # fmt: skip

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
class ChainRow:
    id: int
    workspace_id: int
    name: str
    version: int
    content: str

    @property
    def chain(self) -> Chain:
        return Chain.model_validate_json(self.content)


@dataclass(frozen=True)
class Version:
    version: int
    user: str
    saved_at: dt.datetime
    summary: str


@dataclass(frozen=True)
class Draft:
    id: int
    chain_id: int
    base_version: int
    user: str
    saved_at: dt.datetime
    reason: str
    content: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(when: dt.datetime) -> dt.datetime:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def parse_chain(raw: bytes, name: str) -> Chain:
    """The chain in an upload's bytes: the workbook for ``.xlsx``/``.xlsm`` names, else YAML or
    JSON by :func:`gvckit.documents.load_document` (bounded); an invalid chain is the model's
    :class:`~gvckit.errors.ChainError` naming ``name``, the field path and the line."""
    from gvckit.chain.readers import chain_from_data
    from gvckit.documents import load_document

    if name.lower().endswith((".xlsx", ".xlsm")) or raw[:4] == b"PK\x03\x04":
        from gvckit.chain.workbook import read_workbook

        return read_workbook(raw, name=name if name.lower().endswith((".xlsx", ".xlsm"))
                             else f"{name}.xlsx")  # fmt: skip
    doc = load_document(raw, name=name, what="a chain", error=ChainError)
    return chain_from_data(doc.data, file=name, lines=doc.lines)


def _flat(data: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _flat(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(data, list):
        for k, v in enumerate(data):
            key = (v.get("id") or v.get("name")) if isinstance(v, dict) else None
            key = key if isinstance(key, str) and "year" not in v else None
            year = v.get("year") if isinstance(v, dict) else None
            label = f"[{key}]" if key is not None else f"[{year}]" if year is not None else f"[{k}]"
            _flat(v, f"{path}{label}", out)
    else:
        out[path] = data


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def changes(old: str, new: str) -> list[str]:
    """What changed from chain JSON ``old`` to ``new``, one line per field (entries named by
    their ``id``, snapshots by their year), at most :data:`MAX_CHANGES` lines."""
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


def _summary(lines: list[str]) -> str:
    if not lines:
        return "no change"
    if len(lines) == 1:
        return lines[0][:300]
    return f"{lines[0][:200]} (and {len(lines) - 1} more changes)"


def _row(row: Any) -> ChainRow:
    m = row._mapping
    return ChainRow(m["id"], m["workspace_id"], m["name"], m["version"], m["content"])


def create_chain(engine: Engine, user: User, workspace_id: int, chain: Chain,
                 summary: str = "created") -> ChainRow:  # fmt: skip
    """Store ``chain`` in the workspace as version 1."""
    content = chain.to_json()
    now = _now()
    with engine.begin() as conn:
        key = conn.execute(
            insert(CHAINS).values(
                workspace_id=workspace_id,
                name=chain.name[:300],
                version=1,
                content=content,
                created_at=now,
            )
        ).inserted_primary_key
        assert key is not None
        chain_id = int(key[0])
        conn.execute(
            insert(CHAIN_VERSIONS).values(chain_id=chain_id, version=1, content=content,
                                          summary=summary, user_id=user.id, saved_at=now)
        )  # fmt: skip
    return ChainRow(chain_id, workspace_id, chain.name, 1, content)


def get_chain(engine: Engine, chain_id: int) -> ChainRow:
    return _row(row_by_id(engine, CHAINS, chain_id))


def list_chains(engine: Engine, workspace_id: int) -> list[ChainRow]:
    return [_row(r) for r in workspace_rows(engine, CHAINS, workspace_id)]


def save_chain(engine: Engine, user: User, chain_id: int, chain: Chain, base_version: int
               ) -> int:  # fmt: skip
    """Save ``chain`` as the next version if the current one is still ``base_version``; the
    new version number. Otherwise :class:`StaleError` (the edit kept as a draft, the message
    listing what changed meanwhile)."""
    content = chain.to_json()
    now = _now()
    with engine.begin() as conn:
        done = conn.execute(
            update(CHAINS)
            .where(CHAINS.c.id == chain_id, CHAINS.c.version == base_version)
            .values(version=base_version + 1, content=content, name=chain.name[:300])
        )
        if done.rowcount == 1:
            old = conn.execute(
                select(CHAIN_VERSIONS.c.content).where(
                    CHAIN_VERSIONS.c.chain_id == chain_id, CHAIN_VERSIONS.c.version == base_version
                )
            ).scalar_one()
            conn.execute(
                insert(CHAIN_VERSIONS).values(
                    chain_id=chain_id, version=base_version + 1, content=content,
                    summary=_summary(changes(old, content)), user_id=user.id, saved_at=now,
                )
            )  # fmt: skip
            return base_version + 1
    current = get_chain(engine, chain_id)
    meanwhile = _meanwhile(engine, chain_id, base_version, current)
    reason = f"based on version {base_version}, saved after version {current.version}"
    with engine.begin() as conn:
        key = conn.execute(
            insert(CHAIN_DRAFTS).values(chain_id=chain_id, base_version=base_version,
                                        content=content, reason=reason, user_id=user.id,
                                        saved_at=now)
        ).inserted_primary_key  # fmt: skip
    assert key is not None
    shown = "; ".join(meanwhile[:5]) + ("; ..." if len(meanwhile) > 5 else "")
    raise StaleError(
        f"the chain changed since version {base_version} (now version {current.version}):"
        f" {shown or 'no change in content'}. Your edit is kept as draft {int(key[0])}.",
        current=current.version, draft=int(key[0]), meanwhile=meanwhile,
    )  # fmt: skip


def _meanwhile(engine: Engine, chain_id: int, base: int, current: ChainRow) -> list[str]:
    try:
        old = get_version(engine, chain_id, base)
    except NotFoundError:
        return [f"version {base} does not exist"]
    return changes(old, current.content)


def versions(engine: Engine, chain_id: int) -> list[Version]:
    """Every saved version, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(CHAIN_VERSIONS.c.version, USERS.c.name, CHAIN_VERSIONS.c.saved_at,
                   CHAIN_VERSIONS.c.summary)
            .join(USERS, USERS.c.id == CHAIN_VERSIONS.c.user_id)
            .where(CHAIN_VERSIONS.c.chain_id == chain_id)
            .order_by(CHAIN_VERSIONS.c.version.desc())
        )  # fmt: skip
        return [Version(r[0], r[1], _utc(r[2]), r[3]) for r in rows]


def get_version(engine: Engine, chain_id: int, version: int) -> str:
    """The content (chain JSON) of ``version``."""
    with engine.connect() as conn:
        content = conn.execute(
            select(CHAIN_VERSIONS.c.content).where(
                CHAIN_VERSIONS.c.chain_id == chain_id, CHAIN_VERSIONS.c.version == version
            )
        ).scalar()
    if content is None:
        raise NotFoundError(f"no version {version}")
    return str(content)


def restore(engine: Engine, user: User, chain_id: int, version: int, base_version: int) -> int:
    """Save the content of an earlier ``version`` as the next version (nothing is deleted)."""
    chain = Chain.model_validate_json(get_version(engine, chain_id, version))
    return save_chain(engine, user, chain_id, chain, base_version)


def _draft(row: Any) -> Draft:
    m = row._mapping
    return Draft(m["id"], m["chain_id"], m["base_version"], m["user"], _utc(m["saved_at"]),
                 m["reason"], m["content"])  # fmt: skip


def _drafts() -> Any:
    return select(CHAIN_DRAFTS, USERS.c.name.label("user")).join(
        USERS, USERS.c.id == CHAIN_DRAFTS.c.user_id
    )


def list_drafts(engine: Engine, chain_id: int) -> list[Draft]:
    """The refused edits kept for the chain, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            _drafts().where(CHAIN_DRAFTS.c.chain_id == chain_id).order_by(CHAIN_DRAFTS.c.id.desc())
        )
        return [_draft(r) for r in rows]


def get_draft(engine: Engine, chain_id: int, draft_id: int) -> Draft:
    with engine.connect() as conn:
        row = conn.execute(
            _drafts().where(CHAIN_DRAFTS.c.chain_id == chain_id, CHAIN_DRAFTS.c.id == draft_id)
        ).first()
    if row is None:
        raise NotFoundError("not found")
    return _draft(row)
