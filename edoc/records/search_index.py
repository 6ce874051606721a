"""The archive search index: which words each archived record and document is found by.

Text is folded by :func:`edoc.search.text.fold` (accents, case and đ removed) and split into
words. Vietnamese words are mostly one-syllable and very common on their own ("hoa" is in half
the documents: hòa, hóa, hoa ...), so each pair of neighbouring syllables is indexed too, as
one token joined by "_" ("le_hoi", "den_hung"): a query of several words looks for its pairs,
which is both closer to what was meant (a phrase) and far more selective. Each entry also
carries its kind and period as tokens that no word can spell (``_record``, ``_y2025``,
``_m202503``), so those conditions can go into the same index lookup. SQLite (FTS5 with
``tokenchars '_'``) and PostgreSQL (``array_to_tsvector`` over the space-separated tokens, no
parser involved) index exactly the same tokens.
"""
from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import delete

from edoc.documents.doctypes import find_type
from edoc.documents.models import Document, DocumentText
from edoc.extensions import db
from edoc.records.archive_models import ArchiveEntry
from edoc.records.models import Record
from edoc.records.retention import record_retention
from edoc.records.settings import setting
from edoc.search.text import fold, notation_keys, tokens

__all__ = ["entry_rows", "index_record", "kind_token", "pairs", "period_token", "searchable",
           "time_tokens", "unindex_record"]

_NUMBERED_KEY = re.compile(r"^\d+/[^/]+$")


def pairs(words: list[str]) -> list[str]:
    """Neighbouring words joined: ["le", "hoi", "den"] -> ["le_hoi", "hoi_den"]."""
    return [f"{a}_{b}" for a, b in pairwise(words)]


def period_token(year: int, month: int | None = None) -> str:
    """``_y2015`` or ``_m201503``. Words never start with "_", so these cannot collide."""
    return f"_y{year}" if month is None else f"_m{year}{month:02d}"


def kind_token(kind: str) -> str:
    """``_record`` or ``_document``."""
    return f"_{kind}"


def time_tokens(day: date) -> list[str]:
    """The entry's year and month as tokens: a search can then take the matches of one period
    straight from the word index (see search_pg)."""
    return [period_token(day.year), period_token(day.year, day.month)]


def searchable(*parts: str | None) -> str:
    """The index tokens of ``parts``: folded words, then their pairs, separated by spaces.

    Words are split here rather than by a database parser: PostgreSQL's would read
    ``15/qd-ubnd`` as one file-path token and ``000.00.31.h44`` as a host name.
    """
    words = tokens(" ".join(p for p in parts if p))
    return " ".join(words + pairs(words))


def _notation_parts(number_notation: str) -> tuple[str | None, str | None]:
    """(``15/qd-ubnd``, ``qd-ubnd``) for ``15/QĐ-UBND``; Nones when nothing is recognised."""
    keys = notation_keys(number_notation)
    numbered = sorted(k for k in keys if _NUMBERED_KEY.match(k))
    symbols = sorted(k for k in keys if "/" not in k)
    key = numbered[0] if numbered else None
    symbol = key.split("/", 1)[1] if key else (symbols[0] if symbols else None)
    return key, symbol


def _record_text(record: Record) -> str:
    return searchable(record.code, record.notation, record.title, record.heading,
                      " ".join(record.keywords or []), record.description,
                      record_retention(record).label)


def _document_text(doc: Document, content: str) -> str:
    t = find_type(doc.type_key)
    signer = doc.signer.full_name if doc.signer_id and doc.signer else ""
    return searchable(doc.number_notation, t.name if t else "", doc.subject, doc.issuing_agency,
                      signer, doc.notes, content)


def entry_rows(record: Record) -> list[dict[str, Any]]:
    """The index rows of a record and its documents, as column dicts."""
    retention = record_retention(record)
    common = {"agency_id": record.agency_id, "record_id": record.id, "code": record.code,
              "code_folded": fold(record.code), "retention_kind": retention.kind,
              "retention_years": retention.years, "mode": record.mode}
    rows = [{**common, "kind": "record", "document_id": None, "title": record.title,
             "notation": record.notation, "notation_key": None, "notation_symbol": None,
             "type_key": None, "entry_date": record.start_date,
             "end_date": record.end_date or record.start_date,
             "folded": " ".join([_record_text(record), kind_token("record"),
                                 *time_tokens(record.start_date)])}]
    limit = int(setting("ARCHIVE_INDEX_MAX_CHARS"))
    for doc in record.documents:
        text_row = db.session.get(DocumentText, doc.id)
        content = (text_row.content if text_row else "")[:limit]
        key, symbol = _notation_parts(doc.number_notation or "")
        day = doc.document_date or doc.created_at.date()
        rows.append({**common, "kind": "document", "document_id": doc.id, "title": doc.subject,
                     "notation": doc.number_notation or "", "notation_key": key,
                     "notation_symbol": symbol, "type_key": doc.type_key, "entry_date": day,
                     "end_date": day,
                     "folded": " ".join([_document_text(doc, content), kind_token("document"),
                                         *time_tokens(day)])})
    return rows


def unindex_record(record_id: int) -> None:
    db.session.execute(delete(ArchiveEntry).where(ArchiveEntry.record_id == record_id))


def index_record(record: Record) -> None:
    """(Re)build the entries of an archived record."""
    unindex_record(record.id)
    db.session.add_all(ArchiveEntry(**row) for row in entry_rows(record))
    db.session.flush()
