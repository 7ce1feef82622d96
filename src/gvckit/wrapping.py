"""Wrapping a label into a few lines between whole words, for maps and charts.

When the words need more lines than allowed, the first lines are kept and the last words, which
tell similar labels apart ("Manufacturers of ... of Japan" and "... of Korea"), follow an
ellipsis; ``fits`` says whether a line of words fits the width (in characters or in a font's
measure, as the caller decides).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["wrap_words"]


def wrap_words(words: list[str], fits: Callable[[list[str]], bool], lines: int) -> list[list[str]]:
    """``words`` greedily filled into lines that ``fits``; beyond ``lines`` lines, the first
    ``lines // 2`` lines, then ``…`` and the last words filling the remaining lines."""
    rows: list[list[str]] = []
    for word in words:
        if rows and fits([*rows[-1], word]):
            rows[-1].append(word)
        else:
            rows.append([word])
    if len(rows) <= lines:
        return rows
    head = rows[: lines // 2]
    rest = words[sum(len(r) for r in head) :]
    tail: list[list[str]] = []
    for word in reversed(rest):
        if tail and fits([word, *tail[0]]):
            tail[0].insert(0, word)
        else:
            tail.insert(0, [word])
    tail = tail[-(lines - len(head)) :]
    first = ["…", *tail[0]]
    while len(first) > 2 and not fits(first):
        del first[1]
    return [*head, first, *tail[1:]]
