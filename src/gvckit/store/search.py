"""Full-text search over activities' titles and descriptions, the same on SQLite and PostgreSQL.

Semantics (both databases): the text and the query are cut into words — maximal runs of letters
and digits of any script, after Unicode NFKD decomposition with combining marks removed and case
folded — so search is case- and accent-insensitive ("développement" = "developpement"). Every
query word must occur (AND), each as a prefix of a word of the text ("finan" finds "financing").
Punctuation and operators in the query are ignored: there is no phrase, OR or NOT syntax.

The normalised words are stored once (``search_text``, words separated by one space), so the
databases only match whole space-separated tokens: SQLite's FTS5 (tokenizer ``unicode61``) and
PostgreSQL's ``array_to_tsvector`` of the words (stored in ``search_vector``, GIN index; the
query a ``tsquery`` of the same words, unparsed) see the same words. Words longer than
:data:`MAX_WORD` characters (no language has them; hostile files do) are not indexed, so a
query word that long finds nothing.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Engine, false, text

__all__ = [
    "MAX_TERMS",
    "MAX_WORD",
    "defer_index",
    "match_clause",
    "merge_index",
    "normalise",
    "search_text",
    "terms",
]

_WORD = re.compile(r"[^\W_]+")
#: At most this many query words are used; at most this many characters are indexed.
MAX_TERMS = 12
MAX_CHARS = 100_000
MAX_WORD = 200
_LONG = re.compile(rf"[^ ]{{{MAX_WORD + 1}}}")


@cache
def _marks() -> dict[int, None]:
    """Every combining character (``unicodedata.combining`` not 0), mapped to nothing."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def normalise(value: str) -> list[str]:
    """The words of ``value``: NFKD, combining marks dropped, case folded, runs of letters and
    digits. (ASCII text is its own NFKD form, without marks, and folds as ``lower``.)"""
    value = value[:MAX_CHARS]
    if value.isascii():
        return _WORD.findall(value.lower())
    decomposed = unicodedata.normalize("NFKD", value)
    return _WORD.findall(decomposed.translate(_marks()).casefold())


def search_text(texts: Iterable[str]) -> str:
    """The indexed form of an activity's titles and descriptions."""
    joined = " ".join(" ".join(words) for t in texts if (words := normalise(t)))
    if _LONG.search(joined):
        joined = " ".join(w for w in joined.split(" ") if len(w) <= MAX_WORD)
    return joined[:MAX_CHARS]


def terms(query: str) -> list[str]:
    """The query's words (at most :data:`MAX_TERMS`, duplicates dropped)."""
    out: list[str] = []
    for w in normalise(query[:2000]):
        if w not in out:
            out.append(w)
    return out[:MAX_TERMS]


def match_clause(engine: Engine, words: list[str], id_column: Any) -> Any:
    """A SQL condition: the activity (``id_column``) holds every word of ``words`` (words of
    :func:`terms`: letters and digits only) as a prefix."""
    if any(len(w) > MAX_WORD for w in words):
        return false()
    if engine.dialect.name == "postgresql":
        query = " & ".join(f"'{w}':*" for w in words)
        column = f"{id_column.table.name}.{id_column.name}"
        return text(
            f"{column} IN (SELECT activity_id FROM web_portfolio_texts WHERE"
            " search_vector @@ CAST(:tsq AS tsquery))"
        ).bindparams(tsq=query)
    query = " ".join(f'"{w}"*' for w in words)
    column = f"{id_column.table.name}.{id_column.name}"
    return text(
        f"{column} IN (SELECT rowid FROM web_portfolio_fts WHERE web_portfolio_fts MATCH :ftsq)"
    ).bindparams(ftsq=query)


def defer_index(conn: Any) -> None:
    """PostgreSQL: let this transaction's new words wait in the GIN index's pending list (up
    to 256 MB) instead of merging them into the index row by row; :func:`merge_index` merges
    them at the end of a scan in one sorted pass (several times faster on a large scan)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL gin_pending_list_limit = '256MB'"))


def merge_index(conn: Any) -> None:
    """PostgreSQL: merge the pending list into the search index (see :func:`defer_index`)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT gin_clean_pending_list('ix_web_portfolio_search'::regclass)"))
