"""What goes into the index for a document or a record: :class:`IndexEntry`.

Builders take plain mappings (a database row, or an ORM object's attributes), so the session
hook, the reindex command and the benchmark build entries the same way. Searchable text is split
into three weighted fields: the title (trích yếu / record title), metadata (number and notation,
issuing agency, type name, record code and keywords) and the body (extracted full text, notes).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from edoc.search.text import fold, notation_keys, tokens

__all__ = ["MAX_BODY_CHARS", "IndexEntry", "document_entry", "record_entry", "words"]

#: Only the start of very long texts is indexed: folding is linear in the length, and a
#: document's subject, metadata and first pages are what people search for.
MAX_BODY_CHARS = 200_000

DOCUMENT = "document"
RECORD = "record"

#: at most this many notations cited in one document's text are kept as keys
MAX_CITED_KEYS = 64

# A number/notation as cited in running text ("căn cứ Quyết định số 15/QĐ-UBND"), on folded
# text: a cheap pre-filter whose matches notation_keys() then reads properly.
_CITED_RE = re.compile(
    r"(?<![\w/])\d{1,7} ?/ ?(?:\d{4} ?/ ?)?[a-z][a-z0-9]{0,15}(?: ?[-–—] ?[a-z0-9]{1,16}){1,6}"
    r"(?![\w-])")
# tokens() on text that is already folded (fold is idempotent): folding once serves both.
_WORD_RE = re.compile(r"[^\W_]+")

#: Document columns whose change alters the indexed words
DOCUMENT_TEXT_FIELDS = ("subject", "number", "notation", "issuing_agency", "type_key", "notes",
                        "direction_note", "result")
#: Document columns that only alter filters and display
#: Document columns the visibility rule reads (mirrored on the entry, see edoc.search.access)
DOCUMENT_PEOPLE_FIELDS = ("drafter_id", "signer_id", "created_by_id", "submitted_to_id")
DOCUMENT_ATTR_FIELDS = ("agency_id", "direction", "state", "urgency", "confidentiality",
                        "document_date", "received_at", *DOCUMENT_PEOPLE_FIELDS)
#: Document columns an entry is built from (plus ``id``, ``created_at`` and the text content)
DOCUMENT_FIELDS = ("id", *DOCUMENT_TEXT_FIELDS, *DOCUMENT_ATTR_FIELDS, "created_at")

RECORD_TEXT_FIELDS = ("title", "notation", "code", "heading", "keywords", "description")
RECORD_ATTR_FIELDS = ("agency_id", "state", "start_date", "mode")
RECORD_FIELDS = ("id", *RECORD_TEXT_FIELDS, *RECORD_ATTR_FIELDS)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One row of the index. ``*_words`` are folded tokens joined by single spaces."""

    kind: str
    object_id: int
    agency_id: int
    date: date
    title: str = ""
    number_notation: str = ""
    direction: str | None = None
    state: str = ""
    type_key: str = ""
    urgency: str = ""
    confidentiality: str = ""
    drafter_id: int | None = None
    signer_id: int | None = None
    created_by_id: int | None = None
    submitted_to_id: int | None = None
    title_words: str = ""
    meta_words: str = ""
    body_words: str = ""
    keys: frozenset[str] = frozenset()
    #: notation keys of the numbers/notations the title or text cite (not the object's own)
    cited: frozenset[str] = frozenset()

    def attributes(self) -> dict[str, Any]:
        """The ``search_entries`` columns other than the full-text ones."""
        return {"kind": self.kind, "object_id": self.object_id, "agency_id": self.agency_id,
                "direction": self.direction, "state": self.state, "type_key": self.type_key,
                "urgency": self.urgency, "confidentiality": self.confidentiality,
                "date": self.date, "title": self.title, "number_notation": self.number_notation,
                "drafter_id": self.drafter_id, "signer_id": self.signer_id,
                "created_by_id": self.created_by_id, "submitted_to_id": self.submitted_to_id}


def words(*texts: str | None, limit: int | None = None) -> str:
    """Folded tokens of ``texts``, space separated (the form both backends index)."""
    out: list[str] = []
    for text in texts:
        if text:
            out.extend(tokens(text[:limit] if limit else text))
    return " ".join(out)


def folded_words(folded: str) -> str:
    """:func:`words` of text already folded with :func:`edoc.search.text.fold`."""
    return " ".join(_WORD_RE.findall(folded))


def cited_keys(*folded_texts: str) -> frozenset[str]:
    """Notation keys of the notations cited in already folded texts."""
    keys: set[str] = set()
    for folded in folded_texts:
        for m in _CITED_RE.finditer(folded or ""):
            keys |= notation_keys(m.group())
            if len(keys) >= MAX_CITED_KEYS:
                return frozenset(sorted(keys)[:MAX_CITED_KEYS])
    return frozenset(keys)


def number_notation(number: int | None, notation: str | None) -> str:
    """As :attr:`edoc.documents.models.Document.number_notation` prints it (``05/UBND-VP``)."""
    notation = notation or ""
    if number is None:
        return notation
    return f"{number:02d}/{notation}" if notation else f"{number:02d}"


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def document_entry(row: Mapping[str, Any], content: str | None = None) -> IndexEntry:
    """The entry of a document, from its columns (:data:`DOCUMENT_FIELDS`) and extracted text."""
    from edoc.documents.doctypes import find_type

    nn = number_notation(row["number"], row["notation"])
    doctype = find_type(row["type_key"])
    the_date = (_day(row["document_date"]) or _day(row["received_at"])
                or _day(row["created_at"]) or date.today())
    notes = "\n".join(t for t in (row["notes"], row["direction_note"], row["result"]) if t)
    subject = fold(row["subject"])
    body = fold(" ".join(t[:MAX_BODY_CHARS] for t in (content, notes) if t))
    own = frozenset(notation_keys(nn)) if row["notation"] else frozenset()
    return IndexEntry(
        kind=DOCUMENT, object_id=row["id"], agency_id=row["agency_id"], date=the_date,
        title=row["subject"] or "", number_notation=nn, direction=row["direction"],
        state=row["state"] or "", type_key=row["type_key"] or "",
        urgency=row["urgency"] or "", confidentiality=row["confidentiality"] or "",
        **{f: row.get(f) for f in DOCUMENT_PEOPLE_FIELDS},
        title_words=folded_words(subject),
        meta_words=words(nn, row["issuing_agency"], doctype.name if doctype else None),
        body_words=folded_words(body), keys=own, cited=cited_keys(subject, body) - own)


def record_entry(row: Mapping[str, Any]) -> IndexEntry:
    """The entry of a record (hồ sơ), from its columns (:data:`RECORD_FIELDS`)."""
    keywords = row["keywords"] or []
    if isinstance(keywords, str):
        keywords = [keywords]
    keys = {k for k in (_compact(row["notation"]), _compact(row["code"])) if k}
    title, description = fold(row["title"]), fold(row["description"])
    return IndexEntry(
        kind=RECORD, object_id=row["id"], agency_id=row["agency_id"],
        date=_day(row["start_date"]) or date.today(), title=row["title"] or "",
        number_notation=row["notation"] or row["code"] or "", state=row["state"] or "",
        confidentiality=row["mode"] or "",
        title_words=folded_words(title),
        meta_words=words(row["notation"], row["code"], row["heading"], " ".join(keywords)),
        body_words=folded_words(description[:MAX_BODY_CHARS]), keys=frozenset(keys),
        cited=cited_keys(title, description) - keys)


def _compact(text: str | None) -> str:
    """A whole code as one key: folded, without spaces (``01.TCCB`` -> ``01.tccb``)."""
    return fold(text).replace(" ", "")[:160]


def query_key(q: str) -> str:
    """The key a whole query is looked up under (matches :func:`_compact` codes)."""
    return _compact(q)
