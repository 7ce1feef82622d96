"""Receiving an upload: the multipart body is parsed as it arrives (python-multipart) and the
file part written straight into the data dir under a generated name, refused as soon as it
passes the size limit; small fields (``format``, ``year``, ``csrf_token``) are kept. A session's
CSRF token must come before the file (the page's hidden field does)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fastapi import Request

from gvckit.errors import InputError
from gvckit.store.tables import TooLargeError, new_part, safe_name
from gvckit.web.deps import CsrfError

__all__ = ["OPENAPI_BODY", "Received", "receive_upload", "store_upload"]

FIELDS = ("format", "year", "csrf_token")
FIELD_BYTES = 1000

#: The request body as the OpenAPI describes it (the route reads the stream itself).
OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "description": "The table, in any format gvckit reads."},
                        "format": {"type": "string", "description": "auto or a reader's name"},
                        "year": {"type": "integer", "description": "year, for collections"},
                    },
                }
            }
        },
    }
}  # fmt: skip


@dataclass
class Received:
    part: Path | None = None
    filename: str | None = None
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)


async def receive_upload(
    request: Request, data_dir: Path, max_bytes: int, csrf: str | None = None
) -> Received:
    """Parse the request's multipart body into the data dir. ``csrf``: the session's token,
    required in field ``csrf_token`` before the file (None: already checked, or a token call).
    On any failure the partial file is removed."""
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise InputError("send the table as multipart/form-data, the file in field 'file'")
    got = Received()
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "name": None,
                             "buffer": bytearray(), "out": None}  # fmt: skip

    def on_part_begin() -> None:
        state.update(headers={}, name=None, buffer=bytearray(), out=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if name != "file" or got.part is not None:
            return
        if csrf is not None:
            given = got.fields.get("csrf_token", "")
            if not given or not hmac.compare_digest(given, csrf):
                raise CsrfError("missing or wrong CSRF token; reload the page and try again")
        raw = disposition.get(b"filename")
        got.filename = None if raw is None else raw.decode("utf-8", "replace")
        got.part = new_part(data_dir, got.filename)
        state["out"] = open(got.part, "xb")  # noqa: SIM115 - closed at the part's end

    def on_part_data(data: bytes, start: int, end: int) -> None:
        out: IO[bytes] | None = state["out"]
        if out is not None:
            got.size += end - start
            if got.size > max_bytes:
                raise TooLargeError(
                    f"{safe_name(got.filename)}: the upload is larger than {max_bytes} bytes"
                )
            out.write(data[start:end])
        elif state["name"] in FIELDS and len(state["buffer"]) < FIELD_BYTES:
            state["buffer"] += data[start:end][: FIELD_BYTES - len(state["buffer"])]

    def on_part_end() -> None:
        if state["out"] is not None:
            state["out"].close()
            state["out"] = None
        elif state["name"] in FIELDS:
            got.fields[state["name"]] = bytes(state["buffer"]).decode("utf-8", "replace")

    callbacks = {"on_part_begin": on_part_begin, "on_header_field": on_header_field,
                 "on_header_value": on_header_value, "on_header_end": on_header_end,
                 "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
                 "on_part_end": on_part_end}  # fmt: skip
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (FormParserError, ValueError):
        _discard(state, got)
        raise InputError("the upload is not a valid multipart form") from None
    except BaseException:
        _discard(state, got)
        raise
    if state["out"] is not None or got.part is None:
        _discard(state, got)
        raise InputError("no complete file in the upload (form field 'file')")
    return got


def _discard(state: dict[str, Any], got: Received) -> None:
    if state["out"] is not None:
        state["out"].close()
        state["out"] = None
    if got.part is not None:
        got.part.unlink(missing_ok=True)


def year_of(text: str | None) -> int | None:
    """The ``year`` field: empty or a whole number."""
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 4:
        raise InputError(f"the year must be a number like 2011, not {text!r}")
    return int(text.strip())


async def store_upload(
    request: Request, who: Any, pending_csrf: str | None, workspace_id: int
) -> int:
    """Receive the upload and record it as a table of the workspace (the readers check it in a
    worker thread); nothing is kept on any failure."""
    from fastapi.concurrency import run_in_threadpool

    from gvckit.store.tables import record_table

    settings = request.app.state.settings
    got = await receive_upload(request, settings.data_dir, settings.max_upload_bytes, pending_csrf)
    assert got.part is not None
    try:
        year = year_of(got.fields.get("year"))
    except BaseException:
        got.part.unlink(missing_ok=True)
        raise
    new: int = await run_in_threadpool(
        record_table, request.app.state.engine, settings.data_dir, who.user, workspace_id,
        got.part, got.filename, fmt=got.fields.get("format") or "auto", year=year,
    )  # fmt: skip
    return new
