"""Results chains in a workspace (:class:`gvckit.interventions.results.ResultsChain`) and the
actuals analysts enter for their indicators: the service the monitoring pages and API share.

A row holds the results chain as JSON and a version number. Entering an actual is an append
applied to the current version in one conditional update (tried again if another save came in
between), so two people entering actuals at once both keep theirs; the model checks each one
(a date given twice, breakdowns that do not add up) before it is stored.
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
    insert,
    update,
)

from gvckit.auth.users import User
from gvckit.documents import load_document
from gvckit.errors import InputError
from gvckit.interventions.results import ResultsChain, results_from_data
from gvckit.store.schema import METADATA, TZ
from gvckit.store.workspaces import row_by_id, workspace_rows

__all__ = ["RESULTS", "ResultsRow", "add_actual", "create_results", "get_results",
           "list_results", "parse_results"]  # fmt: skip

RESULTS = Table(
    "web_results", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", Text, nullable=False),  # the results chain as JSON
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

ATTEMPTS = 5


@dataclass(frozen=True)
class ResultsRow:
    id: int
    workspace_id: int
    name: str
    version: int
    content: str

    @property
    def results(self) -> ResultsChain:
        return ResultsChain.model_validate_json(self.content)


def _json(results: ResultsChain) -> str:
    return results.model_dump_json(by_alias=True, exclude_none=True)


def parse_results(raw: bytes, name: str) -> ResultsChain:
    """The results chain in an upload's bytes (YAML or JSON, bounded by
    :func:`gvckit.documents.load_document`); the model's message naming ``name`` otherwise."""
    doc = load_document(raw, name=name, what="a results chain")
    return results_from_data(doc.data, file=name, lines=doc.lines)


def _row(row: Any) -> ResultsRow:
    m = row._mapping
    return ResultsRow(m["id"], m["workspace_id"], m["name"], m["version"], m["content"])


def create_results(engine: Engine, workspace_id: int, results: ResultsChain) -> ResultsRow:
    content = _json(results)
    with engine.begin() as conn:
        key = conn.execute(
            insert(RESULTS).values(workspace_id=workspace_id, name=results.name[:300], version=1,
                                   content=content, created_at=dt.datetime.now(dt.UTC))
        ).inserted_primary_key  # fmt: skip
    assert key is not None
    return ResultsRow(int(key[0]), workspace_id, results.name, 1, content)


def get_results(engine: Engine, results_id: int) -> ResultsRow:
    return _row(row_by_id(engine, RESULTS, results_id))


def list_results(engine: Engine, workspace_id: int) -> list[ResultsRow]:
    return [_row(r) for r in workspace_rows(engine, RESULTS, workspace_id)]


def add_actual(
    engine: Engine, user: User, results_id: int, indicator: str, date: dt.date, value: float,
    disaggregation: dict[str, str],
) -> int:  # fmt: skip
    """Append an actual (``date``, ``value``, e.g. ``{"sex": "female"}``) to ``indicator``;
    the new version. The model's message (:class:`~gvckit.errors.InputError`) if it is refused."""
    del user  # every member with the analyst role may enter actuals; the version records it
    for _ in range(ATTEMPTS):
        row = get_results(engine, results_id)
        data = json.loads(row.content)
        found = [i for i in data.get("indicators", []) if i.get("id") == indicator]
        if not found:
            raise InputError(f"no indicator {indicator!r} in this results chain",
                             field="indicator")  # fmt: skip
        actual: dict[str, Any] = {"date": date.isoformat(), "value": value}
        if disaggregation:
            actual["disaggregation"] = disaggregation
        found[0].setdefault("actuals", []).append(actual)
        checked = results_from_data(data, file="the actual")
        with engine.begin() as conn:
            done = conn.execute(
                update(RESULTS)
                .where(RESULTS.c.id == results_id, RESULTS.c.version == row.version)
                .values(version=row.version + 1, content=_json(checked))
            )
        if done.rowcount == 1:
            return row.version + 1
    raise InputError("the results chain is being changed by others; try again")
