"""Value chains in a workspace, versioned, never lost: the one service the chain pages and the
chain API share.

A chain row holds the current content (the chain as JSON in the schema of the YAML files,
:meth:`gvckit.chain.Chain.to_json`) and its version number; every save adds a row to
``web_chain_versions`` (who, when, a one-line summary of what changed). A save names the
version it was based on (optimistic locking): when another save came first, it is refused with
:class:`StaleError` and the refused content is kept in ``web_chain_drafts``.

The version machinery is :mod:`gvckit.store.versioned`'s, shared with constraint sets and
interventions. Uploads are read by the bounded readers
(:func:`gvckit.documents.load_document` for YAML and JSON,
:func:`gvckit.chain.workbook.read_workbook` for the workbook), from bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from gvckit.auth.users import User
from gvckit.chain.model import Chain
from gvckit.errors import ChainError
from gvckit.store.versioned import (
    Draft,
    History,
    Row,
    StaleError,
    Version,
    changes,
    document_table,
    version_tables,
)
from gvckit.store.workspaces import row_by_id, workspace_rows

__all__ = [
    "CHAINS",
    "CHAIN_DRAFTS",
    "CHAIN_VERSIONS",
    "HISTORY",
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

CHAINS = document_table("web_chains")  # content: Chain.to_json
CHAIN_VERSIONS, CHAIN_DRAFTS = version_tables("web_chains", "web_chain", "chain_id")


@dataclass(frozen=True)
class ChainRow(Row):
    @property
    def chain(self) -> Chain:
        return Chain.model_validate_json(self.content)


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


HISTORY = History(CHAINS, CHAIN_VERSIONS, CHAIN_DRAFTS, "chain_id", "the chain")


def create_chain(engine: Engine, user: User, workspace_id: int, chain: Chain,
                 summary: str = "created") -> ChainRow:  # fmt: skip
    """Store ``chain`` in the workspace as version 1."""
    content = chain.to_json()
    values = {"workspace_id": workspace_id, "name": chain.name[:300]}
    chain_id = HISTORY.create(engine, user, values, content, summary)
    return ChainRow(chain_id, workspace_id, chain.name, 1, content)


def get_chain(engine: Engine, chain_id: int) -> ChainRow:
    return ChainRow.of(row_by_id(engine, CHAINS, chain_id))


def list_chains(engine: Engine, workspace_id: int) -> list[ChainRow]:
    return [ChainRow.of(r) for r in workspace_rows(engine, CHAINS, workspace_id)]


def save_chain(engine: Engine, user: User, chain_id: int, chain: Chain, base_version: int
               ) -> int:  # fmt: skip
    """Save ``chain`` as the next version if the current one is still ``base_version``; the
    new version number. Otherwise :class:`StaleError` (the edit kept as a draft, the message
    listing what changed meanwhile)."""
    return HISTORY.save(engine, user, chain_id, chain.to_json(), base_version,
                        {"name": chain.name[:300]})  # fmt: skip


def versions(engine: Engine, chain_id: int) -> list[Version]:
    """Every saved version, newest first."""
    return HISTORY.history(engine, chain_id)


def get_version(engine: Engine, chain_id: int, version: int) -> str:
    """The content (chain JSON) of ``version``."""
    return HISTORY.content(engine, chain_id, version)


def restore(engine: Engine, user: User, chain_id: int, version: int, base_version: int) -> int:
    """Save the content of an earlier ``version`` as the next version (nothing is deleted)."""
    chain = Chain.model_validate_json(get_version(engine, chain_id, version))
    return save_chain(engine, user, chain_id, chain, base_version)


def list_drafts(engine: Engine, chain_id: int) -> list[Draft]:
    """The refused edits kept for the chain, newest first."""
    return HISTORY.list_drafts(engine, chain_id)


def get_draft(engine: Engine, chain_id: int, draft_id: int) -> Draft:
    return HISTORY.get_draft(engine, chain_id, draft_id)
