"""What the pages of constraint sets and interventions share: the stored document the caller
may see, the chain a form chose, and the page of an edit refused as stale."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from gvckit.store import actions as ac
from gvckit.store import chains as ch
from gvckit.store import workspaces as ws
from gvckit.store.versioned import changes
from gvckit.web.deps import Caller, engine_of
from gvckit.web.render import page

__all__ = ["chosen_chain", "draft_page", "visible"]


def visible(request: Request, who: Caller, kind: str, doc_id: int, needed: str = "viewer"
            ) -> tuple[ac.Stored, ws.Workspace]:  # fmt: skip
    """The stored document of ``kind`` and its workspace, if the caller has ``needed`` there
    (404 otherwise)."""
    engine = engine_of(request)
    row = ac.get(engine, kind, doc_id)
    return row, ws.access(engine, who.user, row.workspace_id, needed)


def chosen_chain(engine: Engine, chosen: str, workspace_id: int) -> ch.ChainRow | None:
    """The chain a form's field names (its id), if it is one of the workspace's (404 for
    another's); None when none is chosen."""
    if not chosen.isdigit():
        return None
    chain = ch.get_chain(engine, int(chosen))
    if chain.workspace_id != workspace_id:
        raise ws.NotFoundError("not found")
    return chain


def draft_page(request: Request, who: Caller, kind: str, doc_id: int, draft_id: int
               ) -> HTMLResponse:  # fmt: skip
    """A refused edit: what it differs in from the current version, and the file."""
    import yaml

    row, w = visible(request, who, kind, doc_id)
    found = ac.KINDS[kind][0].get_draft(engine_of(request), row.id, draft_id)
    text = yaml.safe_dump(json.loads(found.content), sort_keys=False, allow_unicode=True)
    return page(request, "action_draft.html", row=row, ws=w, draft=found, kind=kind,
                diff=changes(row.content, found.content), text=text)  # fmt: skip
