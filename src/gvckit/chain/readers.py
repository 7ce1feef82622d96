"""Reading a chain from YAML or JSON, with errors that name the file, line and field.

YAML is read with the safe loader (no arbitrary objects); documents with many aliases are
refused (alias bombs), as are files over a size limit. Validation errors from the model are
reported once, at the first offending field, e.g.
``chain.yaml, row 14, field snapshots[0].actors[2].stage: 'farming' is not a stage (...)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gvckit.chain.model import Chain
from gvckit.errors import ChainError

__all__ = ["MAX_BYTES", "chain_from_data", "first_error", "parse_document", "read_chain"]

#: Largest chain file read (bytes).
MAX_BYTES = 50 * 1024**2
_MAX_ALIASES = 100

Path_ = tuple[str | int, ...]


def read_chain(path: str | Path) -> Chain:
    """Read and validate a chain from a ``.yaml``/``.yml``, ``.json`` or ``.xlsx`` file (the
    workbook of :func:`gvckit.chain.workbook.write_template`)."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from gvckit.chain.workbook import read_workbook

        return read_workbook(p)
    if not p.is_file():
        raise ChainError("no such file", file=p)
    if p.stat().st_size > MAX_BYTES:
        raise ChainError(f"the file is larger than {MAX_BYTES:,} bytes", file=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChainError(f"not UTF-8 text ({exc.reason})", file=p) from None
    if not text.strip():
        raise ChainError("the file is empty", file=p, expected="a chain in YAML or JSON")
    data, lines = parse_document(text, p)
    return chain_from_data(data, file=p, lines=lines)


def chain_from_data(
    data: Any, file: str | Path | None = None, lines: dict[Path_, int] | None = None
) -> Chain:
    """Validate already parsed data (a dict) as a :class:`Chain`."""
    if not isinstance(data, dict):
        raise ChainError(
            "the document is not a mapping",
            file=file,
            expected="keys such as name, product, country, currency, unit, snapshots",
        )
    try:
        return Chain.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, file, lines or {}) from None


def parse_document(text: str, p: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML (safe loader, aliases limited) or JSON; returns the data and the line of
    every field path."""
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as exc:
            raise ChainError(f"invalid JSON ({exc.msg})", file=p, row=exc.lineno) from None
    try:
        aliases = sum(
            isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=yaml.SafeLoader)
        )
        if aliases > _MAX_ALIASES:
            raise ChainError(
                f"the YAML uses {aliases} aliases",
                file=p,
                expected=f"at most {_MAX_ALIASES} (alias expansion is refused)",
            )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        raise ChainError(f"invalid YAML ({exc.problem})", file=p, row=row) from None
    except yaml.YAMLError as exc:
        raise ChainError(f"invalid YAML ({exc})", file=p) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return data, lines


def _index_lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    """Record the line (1-based) of every mapping value and sequence item, by its path."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*path, str(key.value)), out)
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _index_lines(item, (*path, k), out)


def _render(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def first_error(
    exc: ValidationError, file: str | Path | None, lines: dict[Path_, int]
) -> ChainError:
    err = exc.errors()[0]
    loc: Path_ = tuple(p for p in err["loc"] if isinstance(p, str | int))
    message = str(err["msg"]).removeprefix("Value error, ")
    cause = (err.get("ctx") or {}).get("error")
    extra = getattr(cause, "path", None)
    if isinstance(extra, str):  # a cross-reference check naming a path below the model
        message = str(getattr(cause, "message", message))
        loc = (*loc, *_split(extra))
    row = next((lines[loc[:k]] for k in range(len(loc), -1, -1) if loc[:k] in lines), None)
    found = err.get("input") if err["type"] not in ("missing", "model_type") else None
    if isinstance(found, dict | list | tuple):
        found = None
    return ChainError(message, file=file, row=row, field=_render(loc) or None, found=found)


def _split(path: str) -> Path_:
    """'actors[2].stage' -> ('actors', 2, 'stage')."""
    out: list[str | int] = []
    for part in path.replace("]", "").split("."):
        name, *indices = part.split("[")
        if name:
            out.append(name)
        out.extend(int(i) for i in indices)
    return tuple(out)
