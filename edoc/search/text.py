"""Vietnamese text folding for search, used the same way for indexing and for querying.

``fold`` makes search accent-insensitive: "quyet dinh" finds "Quyết định", and the old and new
tone placements ("hoà"/"hòa", "thuỷ"/"thủy") fold to the same text. ``notation_keys`` turns the
many ways people write a document's number and notation (``15/QĐ-UBND``, ``QĐ-UBND 15``,
``số 15 QĐ UBND``, ``15/qd-ubnd``) into comparable keys.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "fold",
    "fold_chars",
    "looks_like_notation",
    "notation_keys",
    "tokens",
]

# đ/Đ (U+0111/U+0110) do not decompose under NFD; Ð (U+00D0, Icelandic eth), ð, Ɖ and ɖ come
# from OCR and legacy fonts.
_D_MAP = str.maketrans({"\u0111": "d", "\u0110": "d", "\u00d0": "d", "\u00f0": "d",
                        "\u0189": "d", "\u0256": "d"})
_SPACE_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"[^\W_]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str | None) -> str:
    """Accent- and case-insensitive form: NFKD, combining marks removed, đ → d, lower case,
    whitespace collapsed to single spaces and trimmed."""
    if not text:
        return ""
    folded = _strip_marks(text.translate(_D_MAP)).translate(_D_MAP).casefold()
    return _SPACE_RE.sub(" ", folded).strip()


def fold_chars(text: str) -> str:
    """Fold each character on its own, keeping the length and positions of ``text``.

    For matching patterns on folded text and slicing the original with the same indices. Whitespace
    is kept as is; a character whose folding is not exactly one character is kept unchanged.
    """
    out = []
    for ch in text:
        f = _strip_marks(ch.translate(_D_MAP)).lower()
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def tokens(text: str | None) -> list[str]:
    """Folded words and numbers, in order (punctuation, "/" and "-" split tokens)."""
    return _TOKEN_RE.findall(fold(text))


# --- document notations (số, ký hiệu) ------------------------------------------------------------

# Type abbreviations of Decree 30 (folded), so "so 15 qd ubnd" typed in lower case is still read
# as a notation; kept here rather than imported so search stays independent of the domain.
_TYPE_ABBRS = frozenset({
    "nq", "qd", "ct", "qc", "qyd", "tc", "tb", "hd", "ctr", "kh", "pa", "da", "bc", "bb", "ttr",
    "cd", "bgn", "btt", "guq", "gm", "ggt", "gnp", "pg", "pc", "pb", "sy", "trs", "sl",
})
# Common Vietnamese function words that follow a number in ordinary text ("số 15 của UBND").
_NOT_SYMBOL = frozenset({
    "cua", "ve", "viec", "nam", "ngay", "thang", "va", "cac", "nhung", "tai", "theo", "tu",
    "den", "la", "cho", "voi", "trong", "nay", "do", "ban", "hanh",
})

# Every repetition is bounded (groups, separators, spaces): notation_keys may run on whole
# document texts, and unbounded nested repeats made a line of "QĐ - QĐ - ..." quadratic.
_GROUP = r"[a-z][a-z0-9]{0,15}"
_SEP = r"[ \t]{0,3}-[ \t]{0,3}"
_SP = r"[ \t]{0,3}"
_GROUPS = rf"{_GROUP}(?:{_SEP}[a-z0-9]{{1,16}}){{0,6}}"
_GROUPS2 = rf"{_GROUP}(?:{_SEP}[a-z0-9]{{1,16}}){{1,6}}"
# number / [year /] symbol   (15/QĐ-UBND, 123/2025/QĐ-UBND, 15 / QĐ - UBND)
_FULL_RE = re.compile(
    rf"(?<![\w/])(\d{{1,7}}){_SP}/{_SP}(?:(\d{{4}}){_SP}/{_SP})?({_GROUPS})(?![\w])")
# symbol then number   (QĐ-UBND 15, QĐ-UBND số 15)
_SYMBOL_NUMBER_RE = re.compile(
    rf"(?<![\w/-])({_GROUPS2})[ \t]{{1,3}}(?:so{_SP}:?{_SP})?(\d{{1,7}})(?![\w/])")
# symbol alone, with at least one hyphen   (qd-ubnd)
_SYMBOL_RE = re.compile(rf"(?<![\w/-])({_GROUPS2})(?![\w/-])")
# "số 15 QĐ UBND": number then space-separated groups (checked against the original case below)
_SPACED_RE = re.compile(
    rf"(?<!\w)(?:so{_SP}:?{_SP})?(\d{{1,7}})((?:[ \t]{{1,3}}[a-z][a-z0-9]{{0,9}}){{1,4}})(?!\w)")


def _symbol_key(raw: str) -> str:
    return "-".join(part for part in re.split(r"[\s-]+", raw) if part)


def _number_key(raw: str) -> str:
    return raw.lstrip("0") or "0"


def _add_keys(keys: set[str], number: str | None, year: str | None, symbol: str) -> None:
    keys.add(symbol)
    if year:
        keys.add(f"{year}/{symbol}")
    if number:
        n = _number_key(number)
        keys.add(f"{n}/{symbol}")
        if year:
            keys.add(f"{n}/{year}/{symbol}")


def _scan(text: str) -> tuple[set[str], list[tuple[int, int]], str]:
    """Keys, the spans they were read from, and the folded text the spans refer to."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    flat = fold_chars(text).replace("–", "-").replace("—", "-")
    keys: set[str] = set()
    spans: list[tuple[int, int]] = []

    def taken(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in spans)

    for m in _FULL_RE.finditer(flat):
        _add_keys(keys, m.group(1), m.group(2), _symbol_key(m.group(3)))
        spans.append(m.span())
    for m in _SYMBOL_NUMBER_RE.finditer(flat):
        if not taken(*m.span()):
            _add_keys(keys, m.group(2), None, _symbol_key(m.group(1)))
            spans.append(m.span())
    for m in _SYMBOL_RE.finditer(flat):
        if not taken(*m.span()):
            _add_keys(keys, None, None, _symbol_key(m.group(1)))
            spans.append(m.span())
    all_lower = text == text.lower()
    for m in _SPACED_RE.finditer(flat):
        if taken(*m.span()):
            continue
        groups: list[str] = []
        offset = m.start(2)
        end = m.end(1)
        for g in re.finditer(r"\S+", m.group(2)):
            original = text[offset + g.start(): offset + g.end()]
            word = g.group()
            upper = original.isupper() and len(word) >= 2
            lower_ok = all_lower and word not in _NOT_SYMBOL and (
                word in _TYPE_ABBRS if not groups else len(word) <= 6)
            if not (upper or lower_ok):
                break
            groups.append(word)
            end = offset + g.end()
        if groups and (len(groups) >= 2 or groups[0] in _TYPE_ABBRS):
            _add_keys(keys, m.group(1), None, "-".join(groups))
            spans.append((m.start(), end))
    return keys, spans, flat


def notation_keys(text: str | None) -> set[str]:
    """Comparable keys for the document notations found in ``text``.

    Each notation yields its folded symbol (``qd-ubnd``) and, when a number is present, the
    number with leading zeros dropped (``15/qd-ubnd``); a year segment adds ``2025/qd-ubnd`` and
    ``123/2025/qd-ubnd``. Index ``notation_keys(f"{number}/{notation}")`` with a document and
    match a query on the most specific key it yields (one containing the number when present).
    """
    if not text:
        return set()
    return _scan(text)[0]


def looks_like_notation(query: str | None) -> bool:
    """True when the query is essentially a notation (``15/QĐ-UBND``, ``số 15 QĐ UBND``), so the
    caller can search the notation keys instead of (or before) the full text."""
    if not query or not query.strip():
        return False
    keys, spans, flat = _scan(query)
    if not keys:
        return False
    rest = list(flat)
    for s, e in spans:
        rest[s:e] = [" "] * (e - s)
    leftover = re.sub(r"\bso\b|[\s:.,;#]", "", "".join(rest))
    return leftover == ""
