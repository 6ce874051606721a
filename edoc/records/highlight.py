"""Highlighting search terms in Vietnamese text, accent-insensitively.

The terms are folded words (:func:`edoc.search.text.tokens`); the text is folded character by
character (:func:`edoc.search.text.fold_chars`, which keeps positions), so a match found in the
folded text marks the same characters of the original, accents and all.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from edoc.search.text import fold_chars

__all__ = ["highlight", "snippet"]


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    folded = fold_chars(text).lower()
    spans: list[tuple[int, int]] = []
    for term in {t for t in terms if t}:
        for m in re.finditer(r"(?<!\w)" + re.escape(term), folded):
            spans.append(m.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str | None, terms: Iterable[str]) -> Markup:
    """``text`` escaped, with every word starting with a term wrapped in ``<mark>``."""
    text = text or ""
    out, pos = [], 0
    for s, e in _spans(text, terms):
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def snippet(text: str | None, terms: Iterable[str], *, width: int = 90) -> Markup:
    """A short highlighted extract around the first match (empty when nothing matches)."""
    text = " ".join((text or "").split())
    spans = _spans(text, list(terms))
    if not spans:
        return Markup("")
    start = max(0, spans[0][0] - width)
    end = min(len(text), spans[0][1] + width)
    piece = highlight(text[start:end], terms)
    return (Markup("…") if start else Markup("")) + piece + (Markup("…") if end < len(text)
                                                              else Markup(""))
