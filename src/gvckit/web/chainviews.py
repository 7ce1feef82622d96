"""The chain's views as the API and the pages show them: the same functions and the same JSON
records as ``gvckit chain accounts`` (nothing computed here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gvckit.chain.model import Chain
from gvckit.errors import OptionError

__all__ = ["VIEWS", "account_frame", "account_rows"]


def _views() -> dict[str, Callable[[Chain, int | None], Any]]:
    from gvckit import chain

    return {
        "accounts": chain.accounts,
        "distribution": chain.distribution,
        "prices": chain.price_buildup,
    }


VIEWS = ("accounts", "prices", "distribution")


def account_frame(chain: Chain, view: str, snapshot: int | None) -> Any:
    """The frame of ``gvckit chain accounts --view VIEW --snapshot YEAR``."""
    views = _views()
    if view not in views:
        raise OptionError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    return views[view](chain, snapshot)


def account_rows(chain: Chain, view: str, snapshot: int | None) -> str:
    """The view as JSON records, written as ``gvckit chain accounts --format json`` writes it."""
    frame = account_frame(chain, view, snapshot)
    text: str = frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso",
                              double_precision=15)  # fmt: skip
    return text


#: Export formats: media type of each.
EXPORTS = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_chain(chain: Chain, fmt: str) -> bytes:
    """The chain as a file :func:`gvckit.chain.read_chain` reads back to an equal chain: YAML,
    JSON (:meth:`Chain.to_yaml`, :meth:`Chain.to_json`) or the workbook
    (:func:`gvckit.chain.workbook.write_template` filled in)."""
    if fmt == "yaml":
        return chain.to_yaml().encode("utf-8")
    if fmt == "json":
        return chain.to_json().encode("utf-8")
    if fmt != "xlsx":
        raise OptionError(f"format must be one of {', '.join(EXPORTS)}, not {fmt!r}")
    import tempfile
    from pathlib import Path

    from gvckit.chain.workbook import write_template

    with tempfile.TemporaryDirectory(prefix="gvckit-export-") as tmp:
        path = Path(tmp) / "chain.xlsx"
        write_template(path, chain)
        return path.read_bytes()


def people_table(frame: Any) -> dict[str, Any]:
    """A frame as a page shows it: headers, rows of text rounded for people (thousands
    separators, shares as %: :func:`gvckit.output.for_people`) and which columns are numbers."""
    from pandas.api.types import is_numeric_dtype

    from gvckit.output import for_people

    columns = [str(c) for c in frame.columns]
    numeric = [is_numeric_dtype(frame[c]) and c != "year" for c in frame.columns]
    return {"columns": columns, "rows": for_people(frame), "numeric": numeric}
