"""YAML/JSON input documents, read within limits, with errors that name the file, line and field.

:func:`load_document` is the one reader of every YAML or JSON document gvckit is given (a path,
or the bytes of an upload). It reads within the limits of :mod:`gvckit.limits` and refuses,
with one line naming the file, the line where known and the limit:

- a file larger than ``max_bytes`` (checked before it is read);
- bytes that are not UTF-8 text (binary data, UTF-16, Latin-1), and an empty file;
- nesting deeper than ``max_depth``, a text or number longer than ``max_scalar``, and more than
  ``max_nodes`` nodes once aliases are expanded. For YAML these are counted on the parser's
  event stream (libyaml's C parser when available), before anything is composed or built:
  the size of every anchored node is remembered, and each alias adds that size again, so a
  "billion laughs" is refused after a few hundred events. For JSON a scan of the brackets
  and strings (iterative, no recursion) counts the same before :func:`json.loads` runs;
- YAML tags other than the plain ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``): ``!!python/object`` and the like are refused, never run;
  the document is then built by the safe loader only.

A pydantic validation error is reported once, at the first offending field, e.g.
``chain.yaml, row 14, field snapshots[0].actors[2].stage: 'farming' is not a stage (...)``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gvckit.errors import InputError
from gvckit.limits import DOCUMENT, DocumentLimits, document_limits

__all__ = [
    "MAX_BYTES",
    "Document",
    "FieldPath",
    "Frozen",
    "LocatedError",
    "Name",
    "first_error",
    "load_document",
    "parse_document",
    "read_document",
    "render_path",
    "split_path",
]

#: Largest document read by default (bytes); see :mod:`gvckit.limits` to change it.
MAX_BYTES = DOCUMENT.max_bytes

FieldPath = tuple[str | int, ...]

#: A non-empty string field.
Name = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    """Base of the models read from documents: immutable, unknown keys refused, text stripped."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class LocatedError(ValueError):
    """Raised inside a model validator for an error at a field path below the model
    (``'links[3].to'``), so that the message names that field and its line."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class Document(NamedTuple):
    """A document read: its data (plain dicts, lists, text, numbers) and the line (1-based) of
    every field path (YAML only; empty for JSON)."""

    data: Any
    lines: dict[FieldPath, int]


def load_document(
    source: bytes | str | Path,
    *,
    name: str | Path | None = None,
    kind: str | None = None,
    limits: DocumentLimits | None = None,
    what: str = "a document",
    error: type[InputError] = InputError,
) -> Document:
    """Read a YAML or JSON document from a path (``str`` or :class:`~pathlib.Path`) or from
    ``bytes`` (an upload), within ``limits`` (default: :func:`gvckit.limits.document_limits`).

    ``name`` is how errors name the file (default: the path; ``"document"`` for bytes);
    ``kind`` is ``"yaml"`` or ``"json"`` (default: ``json`` for a ``.json`` name, else YAML,
    which also reads JSON); ``what`` names the expected content in the error for an empty file.
    Every refusal is an ``error`` (an :class:`~gvckit.errors.InputError`) of one line.
    """
    lim = limits if limits is not None else document_limits()
    if isinstance(source, bytes):
        shown: str | Path = name if name is not None else "document"
        if len(source) > lim.max_bytes:
            raise _too_big(len(source), shown, lim, error)
        raw = source
    else:
        p = Path(source)
        shown = name if name is not None else p
        raw = _read_bytes(p, shown, lim, error)
    if kind is None:
        kind = "json" if str(shown).lower().endswith(".json") else "yaml"
    if kind not in ("yaml", "json"):
        raise ValueError(f"kind must be 'yaml' or 'json', not {kind!r}")
    text = _decode(raw, shown, error)
    if not text.strip():
        raise error("the file is empty", file=shown, expected=f"{what} in YAML or JSON")
    if kind == "json":
        return Document(_load_json(text, shown, lim, error), {})
    return _load_yaml(text, shown, lim, error)


def read_document(
    path: str | Path,
    *,
    what: str,
    max_bytes: int | None = None,
    error: type[InputError] = InputError,
) -> Document:
    """Read a ``.yaml``/``.yml`` or ``.json`` file within the document limits (``max_bytes``
    replaces the byte limit): the data and the line of every field path."""
    limits = document_limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    return load_document(Path(path), limits=limits, what=what, error=error)


def parse_document(text: str, p: Path, *, error: type[InputError] = InputError) -> Document:
    """Parse the text of the file ``p`` (YAML, or JSON for a ``.json`` name) within the
    document limits; returns the data and the line of every field path."""
    return load_document(text.encode("utf-8"), name=p, error=error)


# -- bytes and text --------------------------------------------------------------------------


def _limit(lim: DocumentLimits, field: str, unit: str) -> str:
    """How a limit is named in messages: its value, setting and environment variable."""
    return f"at most {getattr(lim, field):,} {unit} (limit {field}, GVCKIT_DOC_{field.upper()})"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _too_big(size: int, shown: str | Path, lim: DocumentLimits, error: type[InputError]
             ) -> InputError:  # fmt: skip
    return error(
        f"the file is larger than {lim.max_bytes:,} bytes ({size:,} bytes)",
        file=shown,
        expected=_limit(lim, "max_bytes", "bytes"),
    )


def _read_bytes(p: Path, shown: str | Path, lim: DocumentLimits, error: type[InputError]
                ) -> bytes:  # fmt: skip
    if not p.exists():
        raise error("no such file", file=shown)
    if not p.is_file():
        raise error("not a regular file", file=shown, expected="a YAML or JSON file")
    size = p.stat().st_size
    if size > lim.max_bytes:
        raise _too_big(size, shown, lim, error)
    try:
        with p.open("rb") as fh:
            raw = fh.read(lim.max_bytes + 1)  # the file may have grown since
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror})", file=shown) from None
    if len(raw) > lim.max_bytes:
        raise _too_big(len(raw), shown, lim, error)
    return raw


def _line_at(raw: bytes | str, pos: int) -> int:
    if isinstance(raw, bytes):
        return raw.count(b"\n", 0, pos) + 1
    return raw.count("\n", 0, pos) + 1


def _decode(raw: bytes, shown: str | Path, error: type[InputError]) -> str:
    """UTF-8 text (a BOM is dropped); UTF-16/32 and binary data are refused."""
    if raw.startswith(b"PK\x03\x04"):
        raise error("a zip file or workbook", file=shown, expected="YAML or JSON text")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error("UTF-16 or UTF-32 text", file=shown, expected="UTF-8 text")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise error(
            "binary data or UTF-16 text (a NUL byte)",
            file=shown,
            row=_line_at(raw, nul),
            expected="UTF-8 text",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 text ({exc.reason} at byte {exc.start:,})",
            file=shown,
            row=_line_at(raw, exc.start),
            expected="UTF-8 text (save the file as UTF-8)",
        ) from None


# -- JSON ------------------------------------------------------------------------------------

#: A JSON string (or an unterminated one, to the end), an opening or closing bracket, or any
#: other scalar (number, true, null). Possessive: each character is looked at once.
_JSON_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)|[\[{]|[\]}]|[^\s,:\[\]{}"]++')


def _load_json(text: str, shown: str | Path, lim: DocumentLimits, error: type[InputError]
               ) -> Any:  # fmt: skip
    """Scan the tokens (depth, nodes, scalar length) without recursion, then parse."""
    depth = nodes = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "[{":
            depth += 1
            nodes += 1
            if depth > lim.max_depth:
                raise _deeper(lim, shown, _line_at(text, match.start()), error)
        elif first in "]}":
            depth -= 1
        else:
            nodes += 1
            size = len(token) - 2 if first == '"' else len(token)  # a string without quotes
            if size > lim.max_scalar:
                raise _longer(size, lim, shown, _line_at(text, match.start()), error)
        if nodes > lim.max_nodes:
            raise _more_nodes(lim, shown, _line_at(text, match.start()), error)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError as exc:
        raise _duplicate(exc.key, None, None, (), shown, error) from None
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON ({exc.msg})", file=shown, row=exc.lineno) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        raise error(f"invalid JSON ({_one_line(exc)})", file=shown) from None


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key written twice (``json`` keeps the last)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return out


def _deeper(lim: DocumentLimits, shown: str | Path, line: int | None, error: type[InputError]
            ) -> InputError:  # fmt: skip
    return error(
        f"nested deeper than {lim.max_depth:,} levels",
        file=shown,
        row=line,
        expected=_limit(lim, "max_depth", "levels of nesting"),
    )


def _longer(size: int, lim: DocumentLimits, shown: str | Path, line: int | None,
            error: type[InputError]) -> InputError:  # fmt: skip
    return error(
        f"a value of {size:,} characters",
        file=shown,
        row=line,
        expected=_limit(lim, "max_scalar", "characters in one value"),
    )


def _more_nodes(lim: DocumentLimits, shown: str | Path, line: int | None,
                error: type[InputError]) -> InputError:  # fmt: skip
    return error(
        f"more than {lim.max_nodes:,} keys, values and items once aliases are expanded",
        file=shown,
        row=line,
        expected=_limit(lim, "max_nodes", "nodes"),
    )


# -- YAML ------------------------------------------------------------------------------------

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_CORE = "tag:yaml.org,2002:"
#: The tags a document may carry: none, the non-specific ``!``, and the plain data types.
_PLAIN_TAGS = {None, "!", *(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq",
                                                "map"))}  # fmt: skip


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader; a value it cannot build (``2024-13-45`` as a date, an integer of more
    than 4,300 digits) is a YAML error at its line, not an exception of Python's."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value ({exc})", node.start_mark
            ) from None


def _scan_yaml(text: str, shown: str | Path, lim: DocumentLimits, error: type[InputError]
               ) -> None:  # fmt: skip
    """Check tags, depth, scalar length and the node count after alias expansion on the event
    stream, before anything is composed: ``sizes`` remembers the expanded size of each
    anchored node, so that an alias costs one look-up."""
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    stack: list[list[Any]] = []  # per open collection: [expanded size so far, anchor]
    nodes = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        tag = getattr(event, "tag", None)
        if tag not in _PLAIN_TAGS:
            raise error(
                f"the YAML tag {tag} is not allowed",
                file=shown,
                row=line,
                expected="plain data (tags that build objects are refused)",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            nodes += 1
            stack.append([1, event.anchor])
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            if len(stack) > lim.max_depth:
                raise _deeper(lim, shown, line, error)
            size = 0
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
                open_anchors.discard(anchor)
        elif isinstance(event, yaml.ScalarEvent):
            if len(event.value) > lim.max_scalar:
                raise _longer(len(event.value), lim, shown, line, error)
            size = 1
            nodes += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise error(
                    f"the alias *{event.anchor} refers to a node that contains it",
                    file=shown,
                    row=line,
                    expected="no recursive aliases",
                )
            if event.anchor not in sizes:
                raise error(f"invalid YAML (found undefined alias *{event.anchor})",
                            file=shown, row=line)  # fmt: skip
            size = sizes[event.anchor]
            nodes += size
        else:
            continue
        if stack and not isinstance(event, yaml.CollectionStartEvent):
            stack[-1][0] += size
        if nodes > lim.max_nodes:
            raise _more_nodes(lim, shown, line, error)


def _load_yaml(text: str, shown: str | Path, lim: DocumentLimits, error: type[InputError]
               ) -> Document:  # fmt: skip
    try:
        _scan_yaml(text, shown, lim, error)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            lines: dict[FieldPath, int] = {}
            if node is not None:
                _index_lines(node, (), lines, shown, error)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, met first
            raise _deeper(lim, shown, row, error) from None
        raise error(f"invalid YAML ({_one_line(exc.problem)})", file=shown, row=row) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML ({_one_line(exc)})", file=shown) from None
    return Document(data, lines)


def _index_lines(node: yaml.Node, path: FieldPath, out: dict[FieldPath, int],
                 shown: str | Path, error: type[InputError]) -> None:  # fmt: skip
    """Record the line (1-based) of every mapping value and sequence item, by its path; a key
    written twice in one mapping is refused (the safe loader would keep the last silently:
    a second ``actors:`` would drop the first list)."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _CORE + "merge":
                line = key.start_mark.line + 1
                if (key.tag, key.value) in seen:
                    first = seen[key.tag, key.value]
                    raise _duplicate(str(key.value), first, line, path, shown, error)
                seen[key.tag, key.value] = line
            _index_lines(value, (*path, str(key.value)), out, shown, error)
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _index_lines(item, (*path, k), out, shown, error)


def _duplicate(key: str, first: int | None, line: int | None, path: FieldPath,
               shown: str | Path, error: type[InputError]) -> InputError:  # fmt: skip
    where = f" (first on line {first:,})" if first is not None else ""
    return error(
        f"the key {key!r} appears twice in one mapping{where}",
        file=shown,
        row=line,
        field=render_path(path) or None,
        expected="each key once (the second would silently replace the first)",
    )


def render_path(path: FieldPath) -> str:
    """('actors', 2, 'stage') -> 'actors[2].stage'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def split_path(path: str) -> FieldPath:
    """'actors[2].stage' -> ('actors', 2, 'stage')."""
    out: list[str | int] = []
    for part in path.replace("]", "").split("."):
        name, *indices = part.split("[")
        if name:
            out.append(name)
        out.extend(int(i) for i in indices)
    return tuple(out)


def first_error(
    exc: ValidationError,
    file: str | Path | None,
    lines: dict[FieldPath, int],
    *,
    error: type[InputError] = InputError,
) -> InputError:
    """The first error of a pydantic validation as ``error``, with the line and field path."""
    err = exc.errors()[0]
    loc: FieldPath = tuple(p for p in err["loc"] if isinstance(p, str | int))
    message = str(err["msg"]).removeprefix("Value error, ")
    cause = (err.get("ctx") or {}).get("error")
    extra = getattr(cause, "path", None)
    located = isinstance(extra, str)
    if located:  # a cross-reference check naming a path below the model
        message = str(getattr(cause, "message", message))
        loc = (*loc, *split_path(str(extra)))
    row = next((lines[loc[:k]] for k in range(len(loc), -1, -1) if loc[:k] in lines), None)
    found = err.get("input") if err["type"] not in ("missing", "model_type") else None
    if isinstance(found, dict | list | tuple) or located:
        found = None
    return error(message, file=file, row=row, field=render_path(loc) or None, found=found)


def validate(
    model: Any,
    data: Any,
    *,
    file: str | Path | None,
    lines: dict[FieldPath, int] | None,
    expected: str,
    error: type[InputError] = InputError,
) -> Any:
    """``model.model_validate(data)`` with errors as ``error`` naming file, line and field."""
    if not isinstance(data, dict):
        raise error("the document is not a mapping", file=file, expected=expected)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, file, lines or {}, error=error) from None
