"""The decisive sentences of an activity: where the value chain evidence, and what discounted it,
is written, so that a person can check the verdict against the text.

Sentences are cut at ``.``, ``!``, ``?``, ``;`` and line breaks; each is screened with the
classifier's patterns (:func:`gvckit.portfolio.classify.scan`) and scored by the kinds of
evidence it holds (a chain term 3, a chain mechanism 2, a weak market term or a target enterprise
1). The best sentences are given in the activity's own words (shortened to
:data:`MAX_CHARS`), each followed by the words that matched, and the first sentence holding a
discounted term (metaphor, label, finance instrument) is added with what discounted it.
"""

from __future__ import annotations

import re

__all__ = ["MAX_CHARS", "decisive_sentences"]

MAX_CHARS = 240
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_WEIGHT = {"chain": 3, "mechanism": 2, "weak": 1, "actor": 1}
_DISCOUNTED = {"metaphor": "metaphor", "label": "label", "finword": "finance instrument"}
#: At most this many characters of text are cut into sentences (bounded time).
_MAX_TEXT = 200_000


def _short(sentence: str) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= MAX_CHARS else s[: MAX_CHARS - 1].rstrip() + "…"


def decisive_sentences(text: str, k: int = 2) -> list[str]:
    """Up to ``k`` decisive sentences of ``text`` with their matched words, plus the first
    sentence with a discounted term: ``"sentence" [kind: words; ...]``."""
    from gvckit.portfolio.classify import normalise, scan

    scored: list[tuple[int, int, str, str]] = []
    discounted = ""
    for i, sentence in enumerate(_SPLIT.split(text[:_MAX_TEXT])):
        if not sentence.strip():
            continue
        words: dict[str, list[str]] = {}
        for kind, word in scan(normalise(sentence)):
            if word not in words.setdefault(kind, []):
                words[kind].append(word)
        score = sum(w for kind, w in _WEIGHT.items() if kind in words)
        if score >= 2:
            shown = "; ".join(f"{kind}: {', '.join(ws[:4])}" for kind, ws in words.items()
                              if kind in _WEIGHT)  # fmt: skip
            scored.append((-score, i, _short(sentence), shown))
        if not discounted:
            bad = [f"{_DISCOUNTED[kind]}: {', '.join(ws[:3])}" for kind, ws in words.items()
                   if kind in _DISCOUNTED]  # fmt: skip
            if bad:
                discounted = f'"{_short(sentence)}" [discounted, {"; ".join(bad)}]'
    best = sorted(scored)[:k]
    out = [f'"{s}" [{shown}]' for _, _, s, shown in sorted(best, key=lambda t: t[1])]
    if discounted:
        out.append(discounted)
    return out
