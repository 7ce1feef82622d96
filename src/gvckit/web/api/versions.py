"""The version routes every versioned document shares (chains, results chains, constraint sets,
interventions): ``If-Match``, the 409 of a stale save, the list of versions and of drafts, the
diff of two versions, over a :class:`gvckit.store.versioned.History`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from gvckit.errors import InputError
from gvckit.store.versioned import History, StaleError, changes
from gvckit.web.api.models import ChainSaved, Conflict, DraftOut, VersionOut

__all__ = ["VersionQ", "conflict", "diff", "drafts", "if_match", "json_doc", "json_response",
           "saved", "versions"]  # fmt: skip

VersionQ = Annotated[int, Query(ge=1, le=2**31 - 1, description="a version number")]


def json_response(text: str, headers: dict[str, str] | None = None) -> Response:
    """Stored JSON as it is."""
    return Response(text, media_type="application/json", headers=headers)


def json_doc(description: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that answers with one stored JSON document."""
    return {200: {"content": {"application/json": {"schema": {"type": "object"}}},
                  "description": description}}  # fmt: skip


def if_match(value: str | None, error: type[InputError] = InputError) -> int:
    """The version an ``If-Match`` header names (``3``, ``"3"`` or ``W/"3"``); ``error`` (422)
    otherwise."""
    found = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', value or "")
    if found is None:
        raise error("send the version you edited as the header If-Match: VERSION")
    return int(found.group(1))


def conflict(exc: StaleError) -> JSONResponse:
    """The 409 of a stale save: what changed meanwhile and the draft the edit is kept as."""
    body = Conflict(detail=str(exc), current=exc.current, draft=exc.draft, meanwhile=exc.meanwhile)
    return JSONResponse(body.model_dump(), status_code=409)


def saved(save: Callable[[], int]) -> ChainSaved | JSONResponse:
    """The new version ``save`` stored, or the 409 when it was stale."""
    try:
        return ChainSaved(version=save())
    except StaleError as exc:
        return conflict(exc)


def versions(history: History, engine: Engine, doc: int) -> list[VersionOut]:
    """Every saved version, newest first: who, when, what changed."""
    return [VersionOut(version=v.version, user=v.user, saved_at=v.saved_at, summary=v.summary)
            for v in history.history(engine, doc)]  # fmt: skip


def diff(history: History, engine: Engine, doc: int, a: int, b: int) -> list[str]:
    """What changed from version ``a`` to version ``b``, one line per field."""
    return changes(history.content(engine, doc, a), history.content(engine, doc, b))


def drafts(history: History, engine: Engine, doc: int) -> list[DraftOut]:
    """Edits refused as stale, kept (newest first)."""
    return [DraftOut(id=d.id, base_version=d.base_version, user=d.user, saved_at=d.saved_at,
                     reason=d.reason) for d in history.list_drafts(engine, doc)]  # fmt: skip
