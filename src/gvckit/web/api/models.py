"""Request and response bodies of the API (pydantic, so that the OpenAPI describes them)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Role = Literal["viewer", "analyst", "admin"]


class Problem(BaseModel):
    detail: Any = Field(description="What went wrong (one line), or FastAPI's validation list.")


#: Error responses every route may give.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text}
    for code, text in (
        (401, "no or bad credentials"),
        (403, "not allowed (role, or CSRF token of a session)"),
        (404, "no such object, or not in one of your workspaces"),
        (413, "request body over the upload limit"),
        (422, "invalid input: the reader's or the option check's message"),
    )
}


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Created(BaseModel):
    id: int


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    country: str = Field("", max_length=100)
    sector: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


class WorkspaceOut(BaseModel):
    id: int
    name: str
    country: str
    sector: str
    description: str
    role: Role


class MemberIn(BaseModel):
    user: str = Field(min_length=1, max_length=100)
    role: Role


class MemberOut(BaseModel):
    user: str
    role: Role


class TableOut(BaseModel):
    id: int
    workspace: int
    name: str
    format: str
    year: int | None
    countries: list[str]
    sectors: list[str]
    n: int
    totals: dict[str, float | None]
    balance: dict[str, Any]


class JobCreated(BaseModel):
    job: int


class JobOut(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
    progress: float = Field(ge=0, le=1)
    message: str
    result: str | None
    measure: str
    options: dict[str, Any]
    table: int | None = Field(description="the table measured; null for a report or a scan")
    owner: str


class ChainCreated(BaseModel):
    id: int
    version: int


class ChainListed(BaseModel):
    id: int
    name: str
    version: int


class ChainSaved(BaseModel):
    version: int


class Conflict(BaseModel):
    detail: str = Field(description="what changed meanwhile, and the draft that keeps the edit")
    current: int = Field(description="the chain's current version")
    draft: int = Field(description="the id of the draft keeping the refused edit")
    meanwhile: list[str] = Field(description="what changed since the version edited")


class VersionOut(BaseModel):
    version: int
    user: str
    saved_at: dt.datetime
    summary: str


class DraftOut(BaseModel):
    id: int
    base_version: int
    user: str
    saved_at: dt.datetime
    reason: str


class ReportIn(BaseModel):
    chain: int | None = Field(
        None, ge=1, le=2**31 - 1, description="the chain (default: the workspace's latest)"
    )
    results: int | None = Field(
        None, ge=1, le=2**31 - 1, description="the results chain (default: the workspace's latest)"
    )
    title: str | None = Field(None, max_length=300)
    pdf: bool = Field(False, description="also print a PDF (needs Chromium on the server)")
    table: int | None = Field(
        None, ge=1, le=2**31 - 1, description="the ICIO table (default: the workspace's latest)"
    )
    country: str | None = Field(
        None, max_length=20, description="country of the position section (needs a table)"
    )
    sector: str | None = Field(None, max_length=100, description="sector code of the country")
    peers: list[Annotated[str, Field(max_length=20)]] | None = Field(
        None, max_length=50, description="peer countries (default: top exporters)"
    )
    constraints: int | None = Field(
        None, ge=1, le=2**31 - 1, description="the constraint set (default: the latest)"
    )
    intervention: int | None = Field(
        None, ge=1, le=2**31 - 1,
        description="the intervention (default: the latest); its design audit is the one kept "
        "with it (against that chain), or against the report's chain",
    )  # fmt: skip
    leave_out: list[Literal["chain", "results", "constraints", "intervention", "portfolio"]] = (
        Field([], max_length=5, description="parts the report leaves out (default: none)")
    )
