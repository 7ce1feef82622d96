"""Results chains in a workspace (:class:`gvckit.interventions.results.ResultsChain`) and the
actuals analysts enter for their indicators: the service the monitoring pages and API share.

A row holds the results chain as JSON and a version number; every change is a version (who,
when, what changed) kept by :mod:`gvckit.store.versioned`, like chains. An edit of the chain
(boxes, links, indicators) names the version it was based on: a stale one is refused and kept
as a draft. An edit that would lose actuals already entered (an indicator removed, or its
actuals left out) is refused with :class:`ActualsLostError` unless it is confirmed. Entering
an actual is an append applied to the current version in one conditional update (tried again
if another save came in between), so two people entering actuals at once both keep theirs; the
model checks each one (a date given twice, breakdowns that do not add up) before it is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, update

from gvckit.auth.users import User
from gvckit.documents import load_document
from gvckit.errors import InputError
from gvckit.interventions.results import ResultsChain, results_from_data
from gvckit.store.versioned import (
    Draft,
    History,
    Row,
    StaleError,
    Version,
    changes,
    document_table,
    now,
    summary,
    version_tables,
)
from gvckit.store.workspaces import row_by_id, workspace_rows

__all__ = ["HISTORY", "RESULTS", "RESULTS_DRAFTS", "RESULTS_VERSIONS", "ActualsLostError",
           "Draft", "ResultsRow", "StaleError", "Version", "add_actual", "changes",
           "create_results", "get_draft", "get_results", "get_version", "list_drafts",
           "list_results", "lost_actuals", "parse_results", "save_results", "versions"]  # fmt: skip

RESULTS = document_table("web_results")  # content: the results chain as JSON
RESULTS_VERSIONS, RESULTS_DRAFTS = version_tables("web_results", "web_results", "results_id")

HISTORY = History(RESULTS, RESULTS_VERSIONS, RESULTS_DRAFTS, "results_id", "the results chain")

ATTEMPTS = 5


class ActualsLostError(InputError):
    """An edit that would drop actuals already entered; ``lost`` says which (one line each)."""

    def __init__(self, message: str, *, lost: list[str]) -> None:
        super().__init__(message, field="indicators")
        self.lost = lost


@dataclass(frozen=True)
class ResultsRow(Row):
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


def create_results(engine: Engine, user: User, workspace_id: int, results: ResultsChain,
                   note: str = "created") -> ResultsRow:  # fmt: skip
    """Store ``results`` in the workspace as version 1."""
    content = _json(results)
    values = {"workspace_id": workspace_id, "name": results.name[:300]}
    key = HISTORY.create(engine, user, values, content, note)
    return ResultsRow(key, workspace_id, results.name, 1, content)


def get_results(engine: Engine, results_id: int) -> ResultsRow:
    return ResultsRow.of(row_by_id(engine, RESULTS, results_id))


def list_results(engine: Engine, workspace_id: int) -> list[ResultsRow]:
    return [ResultsRow.of(r) for r in workspace_rows(engine, RESULTS, workspace_id)]


def lost_actuals(old: ResultsChain, new: ResultsChain) -> list[str]:
    """The actuals of ``old`` that ``new`` no longer has (an indicator removed, or actuals left
    out), one line per indicator: ``indicator 'x': 3 actuals``."""
    kept = {i.id: {(a.date, a.key, a.value) for a in i.actuals} for i in new.indicators}
    out = []
    for ind in old.indicators:
        gone = [a for a in ind.actuals if (a.date, a.key, a.value) not in kept.get(ind.id, ())]
        if gone:
            where = "removed" if ind.id not in kept else "kept, without them"
            out.append(f"indicator {ind.id!r} ({where}): {len(gone)} actual"
                       f"{'s' if len(gone) > 1 else ''} entered")  # fmt: skip
    return out


def save_results(engine: Engine, user: User, results_id: int, results: ResultsChain,
                 base_version: int, *, drop_actuals: bool = False) -> int:  # fmt: skip
    """Save an edited results chain as the next version if the current one is still
    ``base_version``; the new version. A stale version is :class:`StaleError` (the edit kept as
    a draft); an edit that loses actuals entered in ``base_version`` is
    :class:`ActualsLostError` unless ``drop_actuals`` confirms it."""
    current = get_results(engine, results_id)
    # a stale edit is refused by the save below and kept whole as a draft: checked only on the
    # current version (an actual entered meanwhile makes the edit stale)
    if not drop_actuals and current.version == base_version:
        lost = lost_actuals(current.results, results)
        if lost:
            raise ActualsLostError(
                "the edit would delete actuals already entered: "
                + "; ".join(lost[:5])
                + ("; ..." if len(lost) > 5 else "")
                + ". Keep the indicator, or confirm that they are to be deleted"
                " (drop_actuals=true).",
                lost=lost,
            )
    return HISTORY.save(engine, user, results_id, _json(results), base_version,
                        {"name": results.name[:300]})  # fmt: skip


def add_actual(
    engine: Engine, user: User, results_id: int, indicator: str, date: dt.date, value: float,
    disaggregation: dict[str, str],
) -> int:  # fmt: skip
    """Append an actual (``date``, ``value``, e.g. ``{"sex": "female"}``) to ``indicator``;
    the new version. The model's message (:class:`~gvckit.errors.InputError`) if it is refused."""
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
        content = _json(checked)
        with engine.begin() as conn:
            done = conn.execute(
                update(RESULTS)
                .where(RESULTS.c.id == results_id, RESULTS.c.version == row.version)
                .values(version=row.version + 1, content=content)
            )
            if done.rowcount == 1:  # the version row in the same transaction
                conn.execute(insert(RESULTS_VERSIONS).values(
                    results_id=results_id, version=row.version + 1, content=content,
                    summary=summary(changes(row.content, content)), user_id=user.id,
                    saved_at=now()))  # fmt: skip
                return row.version + 1
    raise InputError("the results chain is being changed by others; try again")


def versions(engine: Engine, results_id: int) -> list[Version]:
    """Every saved version, newest first (who, when, what changed)."""
    return HISTORY.history(engine, results_id)


def get_version(engine: Engine, results_id: int, version: int) -> str:
    """The content (results chain JSON) of ``version``."""
    return HISTORY.content(engine, results_id, version)


def list_drafts(engine: Engine, results_id: int) -> list[Draft]:
    """Edits refused as stale, kept (newest first)."""
    return HISTORY.list_drafts(engine, results_id)


def get_draft(engine: Engine, results_id: int, draft_id: int) -> Draft:
    return HISTORY.get_draft(engine, results_id, draft_id)
