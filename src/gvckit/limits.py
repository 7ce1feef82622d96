"""The limits on what gvckit reads from documents and workbooks, in one place.

A file given by a user (on the command line today, uploaded to the web workbench tomorrow) is
read only within these limits; anything beyond is refused with one line naming the file and the
limit (see :mod:`gvckit.documents` and :mod:`gvckit.workbooks`). Each limit has a default below
and can be changed with an environment variable (a positive whole number; ``_`` separators
allowed), read when the limits are asked for:

==========================  ======================  =======================================
setting                     default                 environment variable
==========================  ======================  =======================================
**YAML and JSON documents** (chains, constraints, interventions, results chains)
max_bytes                   10 MiB                  ``GVCKIT_DOC_MAX_BYTES``
max_nodes                   100,000                 ``GVCKIT_DOC_MAX_NODES``
max_depth                   64                      ``GVCKIT_DOC_MAX_DEPTH``
max_scalar                  1 MiB (characters)      ``GVCKIT_DOC_MAX_SCALAR``
**Workbooks** (chain and intervention workbooks; ``GVCKIT_TABLE_BOOK_*`` for the table
template, whose defaults are in brackets)
max_bytes                   10 MiB [512 MiB]        ``GVCKIT_BOOK_MAX_BYTES``
max_inflated                32 MiB [4 GiB]          ``GVCKIT_BOOK_MAX_INFLATED``
max_ratio                   200                     ``GVCKIT_BOOK_MAX_RATIO``
max_members                 1,000                   ``GVCKIT_BOOK_MAX_MEMBERS``
max_sheets                  50                      ``GVCKIT_BOOK_MAX_SHEETS``
max_elements                200,000 [2,000,000]     ``GVCKIT_BOOK_MAX_ELEMENTS``
max_rows                    20,000 [100,000]        ``GVCKIT_BOOK_MAX_ROWS``
max_columns                 1,000 [16,384]          ``GVCKIT_BOOK_MAX_COLUMNS``
max_cells                   500,000 [50,000,000]    ``GVCKIT_BOOK_MAX_CELLS``
==========================  ======================  =======================================

- ``max_bytes``: the size of the file (or of the uploaded bytes).
- ``max_nodes``: mapping keys, values and list items, counted after alias expansion (``*a``
  counts every node of what ``&a`` names, each time it is used), so that a few hundred bytes
  of nested aliases (a "billion laughs") cannot expand into millions of objects.
- ``max_depth``: nesting of mappings and lists (a chain needs fewer than ten levels).
- ``max_scalar``: the longest single text or number.
- ``max_inflated``: the sum of the sizes the zip headers of a workbook announce for its parts;
  ``max_ratio``: how many times its compressed size a part larger than 1 MiB may inflate to
  (XML compresses 5 to 50-fold; a zip bomb thousands-fold); ``max_members``: parts in the zip.
- ``max_elements``: XML elements in the parts openpyxl reads whole when it opens a workbook
  (everything but the sheets: shared strings, styles...); a shared string is two.
- ``max_sheets``, ``max_rows`` (per sheet), ``max_columns`` (per row) and ``max_cells`` (the
  cells spanned by all the rows read from the workbook, empty ones included: the work the
  reader does; the table template counts per sheet). openpyxl reads some 100,000 cells a
  second, so the default bounds a chain workbook's reading to a few seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from gvckit.errors import OptionError

__all__ = [
    "DOCUMENT",
    "TABLE_WORKBOOK",
    "WORKBOOK",
    "DocumentLimits",
    "WorkbookLimits",
    "document_limits",
    "table_workbook_limits",
    "workbook_limits",
]

MiB = 1024**2


def _check_positive(limits: Any) -> None:
    for f in fields(limits):
        value = getattr(limits, f.name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise OptionError(f"limit {f.name} must be a positive whole number, not {value!r}")


@dataclass(frozen=True)
class DocumentLimits:
    """Limits on one YAML or JSON document (see the module docstring)."""

    max_bytes: int = 10 * MiB
    max_nodes: int = 100_000
    max_depth: int = 64
    max_scalar: int = 1 * MiB

    def __post_init__(self) -> None:
        _check_positive(self)


@dataclass(frozen=True)
class WorkbookLimits:
    """Limits on one ``.xlsx`` workbook (see the module docstring)."""

    max_bytes: int = 10 * MiB
    max_inflated: int = 32 * MiB
    max_ratio: int = 200
    max_members: int = 1_000
    max_sheets: int = 50
    max_elements: int = 200_000
    max_rows: int = 20_000
    max_columns: int = 1_000
    max_cells: int = 500_000

    def __post_init__(self) -> None:
        _check_positive(self)


#: The defaults, without environment overrides.
DOCUMENT = DocumentLimits()
WORKBOOK = WorkbookLimits()
TABLE_WORKBOOK = WorkbookLimits(
    max_bytes=512 * MiB,
    max_inflated=4096 * MiB,
    max_elements=2_000_000,
    max_rows=100_000,
    max_columns=16_384,
    max_cells=50_000_000,
)

_L = TypeVar("_L", DocumentLimits, WorkbookLimits)


def _from_env(defaults: _L, prefix: str) -> _L:
    changes: dict[str, int] = {}
    for f in fields(defaults):
        name = f"{prefix}{f.name.upper()}"
        text = os.environ.get(name)
        if text is None or not text.strip():
            continue
        try:
            changes[f.name] = int(text.strip())
        except ValueError:
            raise OptionError(
                f"environment variable {name}: {text!r} is not a whole number"
            ) from None
        if changes[f.name] < 1:
            raise OptionError(f"environment variable {name}: must be positive, not {text!r}")
    return replace(defaults, **changes) if changes else defaults


def document_limits() -> DocumentLimits:
    """The document limits: the defaults, changed by ``GVCKIT_DOC_*`` variables."""
    return _from_env(DOCUMENT, "GVCKIT_DOC_")


def workbook_limits() -> WorkbookLimits:
    """The chain and intervention workbook limits, changed by ``GVCKIT_BOOK_*`` variables."""
    return _from_env(WORKBOOK, "GVCKIT_BOOK_")


def table_workbook_limits() -> WorkbookLimits:
    """The table template limits, changed by ``GVCKIT_TABLE_BOOK_*`` variables."""
    return _from_env(TABLE_WORKBOOK, "GVCKIT_TABLE_BOOK_")
