"""Metadata suggestion from the first page of a Decree 30 document, offered to the clerk.

The first page of an administrative document has a fixed layout (Decree 30, Phụ lục I):

    UBND TỈNH PHÚ THỌ                   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    SỞ NỘI VỤ                                Độc lập - Tự do - Hạnh phúc
    Số: 15/QĐ-SNV                       Phú Thọ, ngày 05 tháng 3 năm 2025
                                QUYẾT ĐỊNH
                 Về việc phê duyệt kế hoạch ... năm 2025

(a công văn has no type heading; its subject is a "V/v ..." line under the number). Extracted
text comes in varying orders: left column then right, right then left, or row by row with both
columns on one line, so everything here works on lines after removing the national motto, and
each field is located by its own pattern rather than by line position. Fields that are not found
are None with confidence 0.0; nothing here raises on odd input.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from edoc.documents.doctypes import DOCUMENT_TYPES, by_abbreviation
from edoc.search.text import fold, fold_chars

__all__ = ["Suggestion", "suggest_metadata"]

_MAX_CHARS = 20_000

FIELDS = ("number", "notation", "document_date", "place", "issuing_agency", "parent_agency",
          "type_key", "subject", "urgency_key", "confidentiality_key")


@dataclass(frozen=True, slots=True)
class Suggestion:
    number: str | None = None               # as printed, leading zero kept: "05"
    notation: str | None = None             # "QĐ-UBND"; with a year segment: "2025/QĐ-UBND"
    document_date: date | None = None
    place: str | None = None                # "Phú Thọ" in "Phú Thọ, ngày ..."
    issuing_agency: str | None = None       # "SỞ NỘI VỤ", as printed
    parent_agency: str | None = None        # "UBND TỈNH PHÚ THỌ" (cơ quan chủ quản), if printed
    type_key: str | None = None             # a key of edoc.documents.doctypes
    subject: str | None = None              # trích yếu as printed ("Về việc ...", "V/v ...")
    urgency_key: str | None = None          # None when no urgency mark is printed
    confidentiality_key: str | None = None  # None when no confidentiality mark is printed
    confidence: dict[str, float] = field(default_factory=dict)  # field name -> 0.0 .. 1.0

    @property
    def number_notation(self) -> str | None:
        if self.notation is None:
            return None
        return f"{self.number}/{self.notation}" if self.number else self.notation

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in FIELDS}
        out["document_date"] = self.document_date.isoformat() if self.document_date else None
        out["confidence"] = {name: self.confidence.get(name, 0.0) for name in FIELDS}
        return out


# --- text preparation --------------------------------------------------------------------------

class _FoldTable(dict):
    """:func:`fold_chars` as a ``str.translate`` table, each character folded on first use:
    fold_chars works character by character, and folding each one anew (a Unicode
    normalisation per character) was most of the time spent here."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_chars(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


#: fold() of the same short lines is asked for many times per document
_fold = functools.lru_cache(maxsize=4096)(fold)


def _fold_chars(text: str) -> str:
    """:func:`edoc.search.text.fold_chars`, same result."""
    return text.translate(_FOLD_TABLE)


_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u00a0": " ",
                         "\u00d0": "Đ", "\u200b": None, "\u200c": None, "\u200d": None,
                         "\ufeff": None})
_SEPARATOR_RE = re.compile(r"^[\s\-_=~*.·•—]{3,}$")
_MOTTO_RE = re.compile(
    r"cong\s*hoa\s*xa\s*hoi\s*chu\s*nghia\s*viet\s*nam"
    r"|doc\s*lap\s*[-,.]?\s*tu\s*do\s*[-,.]?\s*hanh\s*phuc"
    r"|dang\s*cong\s*san\s*viet\s*nam")


@dataclass(slots=True)
class _Line:
    index: int
    text: str          # cleaned original text, motto removed
    flat: str          # fold_chars(text): same length, for pattern matching
    separator: bool = False


def _prepare(text: str, max_lines: int) -> list[_Line]:
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    text = "\n".join(text.splitlines()[:max_lines * 2])
    # Blank out the motto, keeping the rest of its lines: row-wise extraction puts the agency and
    # the motto on one line, and a narrow column wraps the motto over two ("... CHỦ NGHĨA VIỆT" /
    # "NAM"), which is why this runs on the whole text with "\s" matching line breaks.
    chars = list(text)
    for m in _MOTTO_RE.finditer(_fold_chars(text)):
        for i in range(m.start(), m.end()):
            if chars[i] != "\n":
                chars[i] = " "
    lines: list[_Line] = []
    for raw in "".join(chars).splitlines():
        cleaned = " ".join(raw.split())
        if not cleaned:
            continue
        if _SEPARATOR_RE.match(cleaned):
            lines.append(_Line(len(lines), "", "", separator=True))
            continue
        # Strip separators glued to text ("SỞ NỘI VỤ ______").
        cleaned = " ".join(re.sub(r"[_=~]{3,}|-{4,}", " ", cleaned).split())
        if not cleaned:
            continue
        lines.append(_Line(len(lines), cleaned, _fold_chars(cleaned)))
        if len(lines) >= max_lines:
            break
    return lines


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _is_upper(text: str, ratio: float = 0.85) -> bool:
    letters = _letters(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= ratio * len(letters)


# --- number and notation -------------------------------------------------------------------------

# Repetitions are bounded so that no line, however long or odd, makes matching quadratic.
# (Lines have their whitespace collapsed by _prepare.)
_SP = r"\s{0,3}"
_YEAR = rf"(?:\d{{4}}{_SP}/{_SP})?"
_FIRST = r"[a-z][a-z0-9]{0,15}"
_MORE = rf"(?:{_SP}-{_SP}[a-z0-9]{{1,16}})"
_NUMBER_RE = re.compile(
    rf"(?<![a-z0-9])(so){_SP}(:)?{_SP}(\d{{1,7}})?{_SP}/{_SP}({_YEAR}{_FIRST}{_MORE}{{0,6}})")
_BARE_NUMBER_RE = re.compile(rf"^(\d{{1,7}}){_SP}/{_SP}({_YEAR}{_FIRST}{_MORE}{{1,6}})")


@dataclass(slots=True)
class _Number:
    line: int
    start: int
    end: int
    number: str | None
    notation: str
    score: float


def _find_number(lines: list[_Line], header_end: int) -> _Number | None:
    best: _Number | None = None
    for line in lines[:header_end]:
        if line.separator:
            continue
        for m in _NUMBER_RE.finditer(line.flat):
            notation = re.sub(r"\s+", "", line.text[m.start(4):m.end(4)])
            capital = line.text[m.start(1)] == "S"
            score = 0.9 if (capital and m.group(2)) else 0.8 if capital else 0.5
            cand = _Number(line.index, m.start(), m.end(), m.group(3), notation, score)
            if best is None or cand.score > best.score:
                best = cand
        m = _BARE_NUMBER_RE.match(line.flat)
        if m and (best is None or best.score < 0.6):
            notation = re.sub(r"\s+", "", line.text[m.start(2):m.end(2)])
            best = _Number(line.index, m.start(), m.end(), m.group(1), notation, 0.6)
    if best is not None and not _is_upper(best.notation, ratio=0.6):
        best.score = min(best.score, 0.4)  # symbols are printed in capitals
    return best


# --- date and place ----------------------------------------------------------------------------

_DATE_RES = (
    re.compile(r"ngay\s{0,9}(\d{1,2})\s{0,9}thang\s{0,9}(\d{1,2})\s{0,9}nam\s{0,9}(\d{4})"),
    re.compile(r"ngay\s{0,3}(\d{1,2})\s{0,3}[/.-]\s{0,3}(\d{1,2})\s{0,3}[/.-]\s{0,3}(\d{4})"),
)


@dataclass(slots=True)
class _Date:
    line: int
    start: int         # start of the place (or of "ngày" when there is no place)
    value: date
    place: str | None
    score: float


def _place_before(line: _Line, end: int, after: int = 0) -> tuple[str | None, int]:
    """The place name ending just before ``end`` ("Phú Thọ, ngày"), and where it starts."""
    prefix = line.text[after:end]
    m = re.search(r",\s*$", prefix)
    if not m:
        return None, end
    body = prefix[:m.start()].rstrip()
    if body and len(body) <= 40 and not re.search(r"\d|/", body):
        start = after + (len(prefix[:m.start()]) - len(prefix[:m.start()].lstrip()))
        return body.strip(), start
    # Something else shares the line ("V/v ... Phú Thọ, ngày"): take the trailing capitalised
    # words as the place.
    words = body.split(" ")
    taken: list[str] = []
    while words and words[-1][:1].isupper() and len(taken) < 6:
        taken.insert(0, words.pop())
    if not taken:
        return None, end
    place = " ".join(taken)
    return place, after + body.rfind(place)


def _find_date(lines: list[_Line], header_end: int, number: _Number | None) -> _Date | None:
    best: _Date | None = None
    for line in lines[:header_end]:
        if line.separator:
            continue
        for regex in _DATE_RES:
            for m in regex.finditer(line.flat):
                try:
                    value = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                except ValueError:
                    continue
                if not 1945 <= value.year <= 2100:
                    continue
                after = number.end if number and number.line == line.index else 0
                place, start = _place_before(line, m.start(), after)
                score = 0.9 if place else 0.7
                if best is None or score > best.score:
                    best = _Date(line.index, start if place else m.start(), value, place, score)
    return best


# --- type heading ------------------------------------------------------------------------------

def _squash(text: str) -> str:
    return re.sub(r"[\s:.]", "", _fold(text))


_HEADING_KEYS = {_squash(t.heading): t.key for t in DOCUMENT_TYPES
                 if not t.is_copy and t.key != "cong_van"}


@dataclass(slots=True)
class _Heading:
    line: int
    key: str
    rest: str | None   # subject text printed on the same line after the heading
    score: float


def _find_heading(lines: list[_Line]) -> _Heading | None:
    """The first type heading printed in capitals; a heading-like line in ordinary case only
    when there is none."""
    weak: _Heading | None = None
    for line in lines:
        if line.separator:
            continue
        key = _HEADING_KEYS.get(_squash(line.text))
        if key:
            if _is_upper(line.text):
                return _Heading(line.index, key, None, 0.9)
            weak = weak or _Heading(line.index, key, None, 0.5)
            continue
        # Heading and subject extracted onto one line: "KẾ HOẠCH Tổ chức hội nghị ...".
        words = line.text.split(" ")
        for n in (1, 2, 3):
            head, rest = " ".join(words[:n]), " ".join(words[n:])
            if rest and _is_upper(head, 1.0) and not _is_upper(rest, 0.5):
                key = _HEADING_KEYS.get(_squash(head))
                if key:
                    return _Heading(line.index, key, rest, 0.8)
    return weak


# --- subject -----------------------------------------------------------------------------------

_BODY_STARTS = tuple(_fold(s) for s in (
    "Căn cứ", "Kính gửi", "Thực hiện", "Theo", "Xét", "Nhằm", "Để", "Hôm nay", "Thành phần",
    "Nơi nhận", "Điều", "Phần", "Mục", "Chương", "Trân trọng", "Ngày", "Vào hồi", "Thời gian",
    "Địa điểm", "Sau khi"))
_ENUMERATION_RE = re.compile(r"^([IVX]+|\d+|[a-zđ])[.)]\s")
_VV_RE = re.compile(r"^(v\s*/\s*v|ve\s+viec)\b")


def _is_body_start(text: str) -> bool:
    if _ENUMERATION_RE.match(text):
        return True
    if not text[:1].isupper():  # a wrapped subject line goes on in lower case: "theo ..." is not
        return False            # the body's "Theo đề nghị ..."
    folded = _fold(text)
    return any(folded == s or folded.startswith((s + " ", s + ":")) for s in _BODY_STARTS)


def _collect_subject(lines: list[_Line], start: int, first: str | None,
                     cut: dict[int, int]) -> str | None:
    """Subject lines from ``start`` on: wrapped lines of one sentence, up to a separator, a body
    opening ("Căn cứ", "Kính gửi" ...), an authority line in capitals or a finished sentence."""
    parts: list[str] = [first] if first else []
    for line in lines[start:start + 5]:
        if line.separator:
            break
        text = line.text[:cut[line.index]].rstrip() if line.index in cut else line.text
        if not text:
            if parts:
                break
            continue
        if _is_body_start(text) or (_is_upper(text) and not _VV_RE.match(_fold(text))):
            break
        if parts and _VV_RE.match(_fold(text)):
            break
        parts.append(text)
        if text.endswith((".", ";", ":")) or len(" ".join(parts)) > 400:
            break
    subject = " ".join(parts).strip().rstrip(";:").strip()
    return subject or None


# --- urgency and confidentiality marks ---------------------------------------------------------

_MARKS = (
    ("hoa toc hen gio", "urgency", "hoa_toc"), ("hoa toc", "urgency", "hoa_toc"),
    ("thuong khan", "urgency", "thuong_khan"), ("khan", "urgency", "khan"),
    ("tuyet mat", "confidentiality", "tuyet_mat"), ("toi mat", "confidentiality", "toi_mat"),
    ("mat", "confidentiality", "mat"),
)
_URGENCY_RANK = {"khan": 1, "thuong_khan": 2, "hoa_toc": 3}
_SECRECY_RANK = {"mat": 1, "toi_mat": 2, "tuyet_mat": 3}


def _marks_in(text: str) -> list[tuple[str, str]] | None:
    """The marks a line consists of, or None if it holds anything else (marks are stamps)."""
    if not _is_upper(text, 1.0):
        return None
    rest = _fold(text)
    found: list[tuple[str, str]] = []
    while rest:
        for phrase, kind, key in _MARKS:
            if rest == phrase or rest.startswith(phrase + " "):
                found.append((kind, key))
                rest = rest[len(phrase):].strip(" ,-/")
                break
        else:
            return None
    return found


# --- issuing agency ----------------------------------------------------------------------------

_LOCATION_STARTS = tuple(_fold(s) + " " for s in (
    "tỉnh", "thành phố", "tp.", "tp", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường",
    "đặc khu", "và", "của", "-"))
_DANGLING_ENDS = tuple(" " + _fold(s) for s in ("và", "của", "nhân dân", "-"))
_NOT_AGENCY = {_fold(s) for s in ("DỰ THẢO", "BẢN SAO", "SAO Y", "SAO LỤC", "TRÍCH SAO",
                                 "XEM XONG TRẢ LẠI", "LƯU HÀNH NỘI BỘ", "TÀI LIỆU THU HỒI")}


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` continues the agency name on ``previous`` ("ỦY BAN NHÂN DÂN" /
    "TỈNH PHÚ THỌ") rather than naming the next agency ("UBND TỈNH PHÚ THỌ" / "SỞ NỘI VỤ")."""
    folded, prev = _fold(line) + " ", " " + _fold(previous)
    return folded.startswith(_LOCATION_STARTS) or prev.endswith(_DANGLING_ENDS)


def _agency_names(lines: list[_Line], header_end: int, number: _Number | None,
                  date_found: _Date | None, heading: _Heading | None) -> list[str]:
    # The agency block sits above the number in the left column, whatever the text order.
    limit = number.line + 1 if number else header_end
    names: list[str] = []
    previous_index = None
    for line in lines[:limit]:
        if line.separator or (heading and line.index >= heading.line):
            continue
        text = line.text
        if number and line.index == number.line:
            text = text[:number.start]
        if date_found and line.index == date_found.line:
            text = text[:date_found.start] if date_found.start < len(text) else text
        text = text.strip(" ,-")
        if not _is_upper(text) or _marks_in(text) is not None or _fold(text) in _NOT_AGENCY:
            continue
        if _VV_RE.match(_fold(text)):
            continue
        adjacent = previous_index is not None and line.index - previous_index <= 2
        if names and adjacent and _continues(names[-1], text):
            names[-1] = f"{names[-1]} {text}"
        else:
            names.append(text)
        previous_index = line.index
    return names


# --- putting it together -----------------------------------------------------------------------

def suggest_metadata(first_page_text: str | None, *, max_lines: int = 60) -> Suggestion:
    """Read number, notation, date, agency, type, subject and marks from a first page's text."""
    if not first_page_text or not first_page_text.strip():
        return Suggestion(confidence={name: 0.0 for name in FIELDS})
    # A first page holds a few thousand characters; the header is at its top.
    lines = _prepare(first_page_text[:_MAX_CHARS], max_lines)
    conf: dict[str, float] = {}

    heading = _find_heading(lines[:30])
    kinh_gui = next((ln.index for ln in lines if _fold(ln.text).startswith("kinh gui")), None)
    if heading is not None:
        header_end = heading.line
    elif kinh_gui is not None:
        header_end = kinh_gui
    else:
        header_end = min(len(lines), 14)

    number = _find_number(lines, header_end)
    found_date = _find_date(lines, header_end, number)
    names = _agency_names(lines, header_end, number, found_date, heading)

    # Subject: below the heading, or the "V/v" line of a công văn (cut where the date's place
    # starts when the row-wise extraction put both columns on one line).
    cut = {found_date.line: found_date.start} if found_date else {}
    subject = None
    vv_line = next((ln for ln in lines[:header_end + 1]
                    if not ln.separator and _VV_RE.match(_fold(ln.text))), None)
    if heading is not None:
        subject = _collect_subject(lines, heading.line + 1, heading.rest, cut)
        if subject:
            conf["subject"] = 0.8 if heading.score >= 0.8 else 0.5
    if subject is None and vv_line is not None:
        first = vv_line.text[:cut[vv_line.index]].rstrip() if vv_line.index in cut else None
        start = vv_line.index + (1 if first else 0)
        subject = _collect_subject(lines, start, first, cut)
        if subject:
            conf["subject"] = 0.8

    # Type: heading, else a công văn's V/v line, else the notation's first group.
    type_key = None
    abbr_type = None
    if number and "-" in number.notation:
        first_group = number.notation.split("/")[-1].split("-")[0]
        abbr_type = by_abbreviation(first_group)
    if heading is not None:
        type_key = heading.key
        agrees = abbr_type is None or abbr_type.key == heading.key
        conf["type_key"] = heading.score if agrees else min(heading.score, 0.6)
    elif vv_line is not None:
        type_key, conf["type_key"] = "cong_van", 0.8 if abbr_type is None else 0.5
    elif abbr_type is not None:
        type_key, conf["type_key"] = abbr_type.key, 0.6
    elif number and "-" in number.notation:
        type_key, conf["type_key"] = "cong_van", 0.4

    # Marks anywhere in the header or just under it.
    urgency = secrecy = None
    mark_end = (heading.line if heading else header_end) + 3
    for line in lines[:mark_end]:
        text = line.text
        if number and line.index == number.line:
            text = text[:number.start] + " " + text[number.end:]
        if found_date and line.index == found_date.line:
            text = text[:found_date.start]
        for kind, key in _marks_in(text.strip()) or ():
            if kind == "urgency" and _URGENCY_RANK[key] > _URGENCY_RANK.get(urgency or "", 0):
                urgency = key
            if kind == "confidentiality" and (
                    _SECRECY_RANK[key] > _SECRECY_RANK.get(secrecy or "", 0)):
                secrecy = key

    result = Suggestion(
        number=number.number if number else None,
        notation=number.notation if number else None,
        document_date=found_date.value if found_date else None,
        place=found_date.place if found_date else None,
        issuing_agency=names[-1] if names else None,
        parent_agency=names[-2] if len(names) >= 2 else None,
        type_key=type_key,
        subject=subject,
        urgency_key=urgency,
        confidentiality_key=secrecy,
    )
    if number:
        conf["notation"] = number.score
        conf["number"] = number.score if number.number else 0.0
    if found_date:
        conf["document_date"] = found_date.score
        conf["place"] = found_date.score if found_date.place else 0.0
    if names:
        conf["issuing_agency"] = 0.8 if number else 0.5
        conf["parent_agency"] = conf["issuing_agency"] - 0.1 if len(names) >= 2 else 0.0
    if urgency:
        conf["urgency_key"] = 0.8
    if secrecy:
        conf["confidentiality_key"] = 0.8
    confidence = {name: (round(conf.get(name, 0.0), 2) if getattr(result, name) else 0.0)
                  for name in FIELDS}
    return Suggestion(**{name: getattr(result, name) for name in FIELDS}, confidence=confidence)
