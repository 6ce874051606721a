"""Highlighted snippets on the original (accented) text.

Query words are folded; the text shown must stay as written. Each folded word becomes a regular
expression whose letters match every character that folds to them (``d`` matches d, D, đ, Đ;
``a`` matches à, ả, Ấ ...; the classes come from :func:`edoc.search.text.fold_chars`), so matches
are found directly on the original text at C speed, with the original's positions. Everything
outside the ``<mark>`` tags is HTML-escaped.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from edoc.search.text import fold_chars

__all__ = ["highlight", "snippet"]

#: the longest text scanned for a snippet (the start of the body)
SCAN_CHARS = 300_000
_WORD = r"[^\W_]"
# Marks closer than this, with only punctuation or spaces between, merge into one mark
# ("15/QĐ-UBND" is one mark, not three).
_MERGE_GAP = 3


@functools.cache
def _classes() -> dict[str, str]:
    """Folded letter -> every character (both cases) that folds to it."""
    members: dict[str, set[str]] = {}
    ranges = (range(0x41, 0x5B), range(0x61, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for r in ranges:
        for cp in r:
            ch = chr(cp)
            f = fold_chars(ch)
            if len(f) == 1 and f.isascii() and f.isalpha():
                members.setdefault(f, set()).add(ch)
                members[f].add(ch.upper() if len(ch.upper()) == 1 else ch)
    return {f: "".join(sorted(chars)) for f, chars in members.items()}


def _word_pattern(word: str) -> str:
    classes = _classes()
    parts = []
    for ch in word:
        chars = classes.get(ch)
        parts.append(f"[{re.escape(chars)}]" if chars else re.escape(ch))
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """The pattern of ``words`` (longest first, each in its own group) and the word of each
    group (a match's ``lastindex`` names the word without folding the matched text)."""
    alternatives = tuple(sorted({w for w in words if w}, key=len, reverse=True))
    if not alternatives:
        return None
    body = "|".join(f"({_word_pattern(w)})" for w in alternatives)
    return re.compile(rf"(?<!{_WORD})(?:{body})(?!{_WORD})"), ("", *alternatives)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    word: str


def _hits(text: str, words: Sequence[str], limit: int = 2000) -> list[_Hit]:
    compiled = _pattern(tuple(words))
    if compiled is None:
        return []
    pattern, names = compiled
    out = []
    for m in pattern.finditer(text):
        out.append(_Hit(m.start(), m.end(), names[m.lastindex]))
        if len(out) >= limit:
            break
    return out


def _merge(hits: list[_Hit], text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for h in hits:
        if spans:
            s, e = spans[-1]
            gap = text[e:h.start]
            if len(gap) <= _MERGE_GAP and not re.search(_WORD, gap):
                spans[-1] = (s, h.end)
                continue
        spans.append((h.start, h.end))
    return spans


def _escape(text: str) -> str:
    """markupsafe's escaping (same entities), on plain text: a snippet escapes dozens of short
    pieces, and building a Markup for each cost more than finding the words."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    out = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out += (_escape(text[pos:s]), "<mark>", _escape(text[s:e]), "</mark>")
        pos = e
    out.append(_escape(text[pos:end]))
    # Every piece is escaped text or one of the two tags.
    return Markup("".join(out))  # noqa: S704


def _normal(text: str | None) -> str:
    # NFC so that decomposed input ("e" + combining marks) matches as one character per letter;
    # runs of whitespace (line breaks of extracted text) shown as one space.
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def highlight(text: str | None, words: Sequence[str]) -> Markup:
    """The whole ``text``, escaped, with the query words marked."""
    text = _normal(text)
    return _render(text, _merge(_hits(text, words), text), 0, len(text))


def snippet(text: str | None, words: Sequence[str], *, width: int = 240) -> Markup | None:
    """About ``width`` characters of ``text`` around the densest group of query words (most
    distinct words, then most hits), marked and escaped; None when no word occurs."""
    text = _normal((text or "")[:SCAN_CHARS])
    hits = _hits(text, words)
    if not hits:
        return None
    best, best_key = 0, (-1, -1)
    j = 0
    for i, h in enumerate(hits):  # window of hits starting at hits[i]
        j = max(j, i)
        while j + 1 < len(hits) and hits[j + 1].end - h.start <= width:
            j += 1
        window = hits[i:j + 1]
        key = (len({w.word for w in window}), len(window))
        if key > best_key:
            best, best_key = i, key
    first = hits[best]
    last_end = max(h.end for h in hits[best:best + best_key[1]])
    slack = max(0, width - (last_end - first.start))
    start = max(0, first.start - slack // 3)
    end = min(len(text), max(last_end, start + width))
    start = _word_start(text, start)
    end = _word_end(text, end)
    body = _render(text, _merge(hits, text), start, end)
    return (Markup("… ") if start > 0 else Markup("")) + body + \
        (Markup(" …") if end < len(text) else Markup(""))


def _word_start(text: str, i: int) -> int:
    if i <= 0:
        return 0
    space = text.rfind(" ", max(0, i - 20), i)
    return space + 1 if space >= 0 else i


def _word_end(text: str, i: int) -> int:
    if i >= len(text):
        return len(text)
    space = text.find(" ", i, i + 20)
    return space if space >= 0 else i


def lead(text: str | None, *, width: int = 240) -> Markup:
    """The start of ``text``, escaped (a snippet when no query word occurs)."""
    text = _normal((text or "")[: width * 4])
    if len(text) <= width:
        return escape(text)
    return escape(text[:_word_end(text, width)]) + Markup(" …")
