"""YAML/JSON input documents with errors that name the file, line and field.

YAML is read with the safe loader (no arbitrary objects); documents with many aliases are
refused (alias bombs), as are files over a size limit. A pydantic validation error is reported
once, at the first offending field, e.g.
``chain.yaml, row 14, field snapshots[0].actors[2].stage: 'farming' is not a stage (...)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gvckit.errors import InputError

__all__ = [
    "MAX_BYTES",
    "FieldPath",
    "Frozen",
    "LocatedError",
    "Name",
    "first_error",
    "parse_document",
    "read_document",
    "render_path",
    "split_path",
]

#: Largest document read (bytes).
MAX_BYTES = 50 * 1024**2
_MAX_ALIASES = 100

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


def read_document(
    path: str | Path,
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    error: type[InputError] = InputError,
) -> tuple[Any, dict[FieldPath, int]]:
    """Read a ``.yaml``/``.yml`` or ``.json`` file: the data and the line of every field path.
    ``what`` names the expected content in the error for an empty file."""
    p = Path(path)
    if not p.is_file():
        raise error("no such file", file=p)
    if p.stat().st_size > max_bytes:
        raise error(f"the file is larger than {max_bytes:,} bytes", file=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", file=p) from None
    if not text.strip():
        raise error("the file is empty", file=p, expected=f"{what} in YAML or JSON")
    return parse_document(text, p, error=error)


def parse_document(
    text: str, p: Path, *, error: type[InputError] = InputError
) -> tuple[Any, dict[FieldPath, int]]:
    """Parse YAML (safe loader, aliases limited) or JSON; returns the data and the line of
    every field path."""
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as exc:
            raise error(f"invalid JSON ({exc.msg})", file=p, row=exc.lineno) from None
    try:
        aliases = sum(
            isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=yaml.SafeLoader)
        )
        if aliases > _MAX_ALIASES:
            raise error(
                f"the YAML uses {aliases} aliases",
                file=p,
                expected=f"at most {_MAX_ALIASES} (alias expansion is refused)",
            )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        raise error(f"invalid YAML ({exc.problem})", file=p, row=row) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML ({exc})", file=p) from None
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return data, lines


def _index_lines(node: yaml.Node, path: FieldPath, out: dict[FieldPath, int]) -> None:
    """Record the line (1-based) of every mapping value and sequence item, by its path."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*path, str(key.value)), out)
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _index_lines(item, (*path, k), out)


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
