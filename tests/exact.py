"""Exact equality of models and nested data: a float equals only the same double (its ``repr``,
so the sign of zero and the 17th significant digit count), an int only an int."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ (empty when identical), as ``path: a != b`` lines."""
    if isinstance(a, BaseModel) and isinstance(b, BaseModel):
        if type(a) is not type(b):
            return [f"{path or '.'}: {type(a).__name__} != {type(b).__name__}"]
        return differences(a.model_dump(), b.model_dump(), path)
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{path or '.'}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return [f"{path or '.'}: {len(a)} items != {len(b)}"]
        return [d for k, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{k}]")]  # fmt: skip
    if type(a) is not type(b) or repr(a) != repr(b):
        return [f"{path or '.'}: {a!r} != {b!r}"]
    return []
