"""From analysis to action, stored in a workspace: constraint sets
(:class:`gvckit.interventions.constraints.ConstraintSet`) and interventions
(:class:`gvckit.interventions.typology.Intervention`), each versioned like chains (the
machinery of :mod:`gvckit.store.versioned`: every save a version, a stale save refused and kept
as a draft), and the design audits of an intervention against a chain of the workspace.

A row holds the document as JSON in the library's own schema (what the YAML files hold), the
chain it was drafted from or is about (optional), and its version. Uploads are read by the
bounded readers (:func:`gvckit.documents.load_document`; an intervention also from the
``intervention`` sheet of the chain workbook).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
)

from gvckit.auth.users import User
from gvckit.documents import load_document, validate
from gvckit.interventions.constraints import ConstraintSet
from gvckit.interventions.typology import Intervention
from gvckit.store.schema import METADATA, TZ, USERS
from gvckit.store.versioned import History, document_table, now, utc, version_tables
from gvckit.store.workspaces import row_by_id, workspace_rows

__all__ = [
    "AUDITS",
    "CONSTRAINTS",
    "INTERVENTIONS",
    "AuditRow",
    "Stored",
    "create",
    "get",
    "list_audits",
    "list_rows",
    "parse_constraints",
    "parse_intervention",
    "record_audit",
    "records",
    "save",
]


def _tables(kind: str, key: str) -> tuple[Table, Table, Table]:
    chain: Column[int] = Column("chain_id", ForeignKey("web_chains.id", ondelete="SET NULL"),
                                index=True)  # fmt: skip
    rows = document_table(f"web_{kind}", chain)  # content: the library's schema, as JSON
    return rows, *version_tables(f"web_{kind}", f"web_{kind}", key)


CONSTRAINTS = History(*_tables("constraint_sets", "set_id"), "set_id", "the constraint set")
INTERVENTIONS = History(*_tables("interventions", "intervention_id"), "intervention_id",
                        "the intervention")  # fmt: skip

AUDITS = Table(
    "web_intervention_audits", METADATA,
    Column("id", Integer, primary_key=True),
    Column("intervention_id", ForeignKey("web_interventions.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("version", Integer, nullable=False),  # of the intervention
    Column("chain_id", ForeignKey("web_chains.id", ondelete="SET NULL")),
    Column("chain_version", Integer),
    Column("chain_name", String(300), nullable=False),
    Column("findings", Text, nullable=False),  # JSON records, as `gvckit audit --format json`
    Column("user_id", ForeignKey("web_users.id"), nullable=False, index=True),
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

#: The two kinds of document: their history and model.
KINDS: dict[str, tuple[History, Any]] = {
    "constraints": (CONSTRAINTS, ConstraintSet),
    "interventions": (INTERVENTIONS, Intervention),
}


@dataclass(frozen=True)
class Stored:
    """A stored constraint set or intervention (its current version)."""

    kind: str
    id: int
    workspace_id: int
    chain_id: int | None
    name: str
    version: int
    content: str

    @property
    def constraints(self) -> ConstraintSet:
        return ConstraintSet.model_validate_json(self.content)

    @property
    def intervention(self) -> Intervention:
        return Intervention.model_validate_json(self.content)


def to_json(doc: ConstraintSet | Intervention) -> str:
    """The document as JSON in the schema of its YAML files (absent fields left out)."""
    return doc.model_dump_json(exclude_none=True)


def parse_constraints(raw: bytes, name: str) -> ConstraintSet:
    """The constraint set in an upload's bytes (YAML or JSON, bounded); the model's message
    naming ``name``, the line and the field otherwise."""
    doc = load_document(raw, name=name, what="constraints")
    found: ConstraintSet = validate(ConstraintSet, doc.data, file=name, lines=doc.lines,
                                    expected="keys weights (optional) and constraints")  # fmt: skip
    return found


def parse_intervention(raw: bytes, name: str) -> Intervention:
    """The intervention in an upload's bytes: YAML or JSON (bounded), or the ``intervention``
    sheet of the chain workbook for ``.xlsx`` names; the model's message otherwise."""
    if name.lower().endswith((".xlsx", ".xlsm")) or raw[:4] == b"PK\x03\x04":
        from gvckit.interventions.workbook import read_intervention_sheet

        shown = name if name.lower().endswith((".xlsx", ".xlsm")) else f"{name}.xlsx"
        return read_intervention_sheet(raw, name=shown)
    doc = load_document(raw, name=name, what="an intervention")
    found: Intervention = validate(Intervention, doc.data, file=name, lines=doc.lines,
                                   expected="an intervention")  # fmt: skip
    return found


def _stored(kind: str, row: Any) -> Stored:
    m = row._mapping
    return Stored(kind, m["id"], m["workspace_id"], m["chain_id"], m["name"], m["version"],
                  m["content"])  # fmt: skip


def create(engine: Engine, user: User, kind: str, workspace_id: int,
           doc: ConstraintSet | Intervention, name: str, chain_id: int | None = None,
           summary: str = "created") -> Stored:  # fmt: skip
    """Store ``doc`` (of ``kind``: ``constraints`` or ``interventions``) as version 1."""
    history, _ = KINDS[kind]
    content = to_json(doc)
    values = {"workspace_id": workspace_id, "chain_id": chain_id, "name": name[:300]}
    doc_id = history.create(engine, user, values, content, summary)
    return Stored(kind, doc_id, workspace_id, chain_id, name[:300], 1, content)


def get(engine: Engine, kind: str, doc_id: int) -> Stored:
    return _stored(kind, row_by_id(engine, KINDS[kind][0].rows, doc_id))


def list_rows(engine: Engine, kind: str, workspace_id: int) -> list[Stored]:
    return [_stored(kind, r) for r in workspace_rows(engine, KINDS[kind][0].rows, workspace_id)]


def save(engine: Engine, user: User, kind: str, doc_id: int, doc: ConstraintSet | Intervention,
         base_version: int, name: str | None = None) -> int:  # fmt: skip
    """Save ``doc`` as the next version if the current one is still ``base_version``; the
    new version. A stale save raises :class:`~gvckit.store.versioned.StaleError` (the edit is
    kept as a draft)."""
    values = {} if name is None else {"name": name[:300]}
    return KINDS[kind][0].save(engine, user, doc_id, to_json(doc), base_version, values)


def records(frame: pd.DataFrame) -> str:
    """A frame as JSON records, written as the CLI's ``--format json`` writes it."""
    text: str = frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso",
                              double_precision=15)  # fmt: skip
    return text


@dataclass(frozen=True)
class AuditRow:
    id: int
    intervention_id: int
    version: int
    chain_id: int | None
    chain_version: int | None
    chain_name: str
    findings: str  # JSON records
    user: str
    created_at: dt.datetime

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(json.loads(self.findings))


def record_audit(engine: Engine, user: User, intervention: Stored, chain_id: int | None,
                 chain_version: int | None, chain_name: str, findings: pd.DataFrame
                 ) -> int:  # fmt: skip
    """Keep the findings of the design audit of ``intervention`` (its current version) against
    a chain of the workspace; the audit's id."""
    with engine.begin() as conn:
        key = conn.execute(
            insert(AUDITS).values(
                intervention_id=intervention.id, version=intervention.version,
                chain_id=chain_id, chain_version=chain_version, chain_name=chain_name[:300],
                findings=records(findings), user_id=user.id, created_at=now(),
            )
        ).inserted_primary_key  # fmt: skip
    assert key is not None
    return int(key[0])


def list_audits(engine: Engine, intervention_id: int) -> list[AuditRow]:
    """The audits kept for the intervention, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AUDITS, USERS.c.name.label("user"))
            .join(USERS, USERS.c.id == AUDITS.c.user_id)
            .where(AUDITS.c.intervention_id == intervention_id)
            .order_by(AUDITS.c.id.desc())
        )
        return [
            AuditRow(m["id"], m["intervention_id"], m["version"], m["chain_id"],
                     m["chain_version"], m["chain_name"], m["findings"], m["user"],
                     utc(m["created_at"]))
            for m in (r._mapping for r in rows)
        ]  # fmt: skip
