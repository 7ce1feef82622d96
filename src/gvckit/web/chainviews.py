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
