"""Reading a chain from YAML, JSON or the Excel workbook, with errors that name the file, line
and field (see :mod:`gvckit.documents` for the safety limits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gvckit.chain.model import Chain
from gvckit.documents import MAX_BYTES, FieldPath, read_document, validate
from gvckit.documents import first_error as _first_error
from gvckit.errors import ChainError

__all__ = ["MAX_BYTES", "chain_from_data", "first_error", "read_chain"]


def read_chain(path: str | Path) -> Chain:
    """Read and validate a chain from a ``.yaml``/``.yml``, ``.json`` or ``.xlsx`` file (the
    workbook of :func:`gvckit.chain.workbook.write_template`)."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from gvckit.chain.workbook import read_workbook

        return read_workbook(p)
    data, lines = read_document(p, what="a chain", error=ChainError)
    return chain_from_data(data, file=p, lines=lines)


def chain_from_data(
    data: Any, file: str | Path | None = None, lines: dict[FieldPath, int] | None = None
) -> Chain:
    """Validate already parsed data (a dict) as a :class:`Chain`."""
    chain: Chain = validate(
        Chain,
        data,
        file=file,
        lines=lines,
        expected="keys such as name, product, country, currency, unit, snapshots",
        error=ChainError,
    )
    return chain


def first_error(
    exc: ValidationError, file: str | Path | None, lines: dict[FieldPath, int]
) -> ChainError:
    """The first validation error as a :class:`~gvckit.errors.ChainError`."""
    err = _first_error(exc, file, lines, error=ChainError)
    assert isinstance(err, ChainError)
    return err
