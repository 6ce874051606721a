"""Archive search: archived records and documents, accent-insensitive, by text, code, notation,
type, dates and retention.

Index: one ``archive_entries`` row per archived record and per archived document, with the
searchable text folded by :func:`edoc.search.text.fold`. PostgreSQL matches it through a GIN
index on ``to_tsvector('simple', folded)`` (the 'simple' configuration does no stemming, which
suits folded Vietnamese syllables); SQLite, the embedded default, through an FTS5 table kept in
step by triggers. Results are ordered newest first; the total is counted up to
:data:`COUNT_CAP` so a common word stays cheap on a million entries.

:func:`search_archive` is the one entry point, kept small so the unified search of E7 can call
it as the archive's part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, delete, func, or_, select, text
from sqlalchemy.sql import ColumnElement

from edoc.documents.doctypes import find_type
from edoc.documents.models import Document, DocumentText
from edoc.extensions import db
from edoc.records.archive_models import ArchiveEntry
from edoc.records.models import Record
from edoc.records.retention import record_retention
from edoc.records.settings import setting
from edoc.search.text import fold, looks_like_notation, notation_keys, tokens

__all__ = [
    "COUNT_CAP",
    "ArchiveQuery",
    "SearchPage",
    "entry_rows",
    "index_record",
    "search_archive",
    "searchable",
    "unindex_record",
]

COUNT_CAP = 1000
_NUMBERED_KEY = re.compile(r"^\d+/[^/]+$")


# --- indexing -----------------------------------------------------------------------------------

def _notation_parts(number_notation: str) -> tuple[str | None, str | None]:
    """(``15/qd-ubnd``, ``qd-ubnd``) for ``15/QĐ-UBND``; Nones when nothing is recognised."""
    keys = notation_keys(number_notation)
    numbered = sorted(k for k in keys if _NUMBERED_KEY.match(k))
    symbols = sorted(k for k in keys if "/" not in k)
    key = numbered[0] if numbered else None
    symbol = key.split("/", 1)[1] if key else (symbols[0] if symbols else None)
    return key, symbol


def searchable(*parts: str | None) -> str:
    """The folded words of ``parts`` separated by single spaces.

    Pre-splitting matters: PostgreSQL's parser would otherwise read ``15/qd-ubnd`` as one
    file-path token and ``000.00.31.h44`` as a host name, so "15" or "h44" would not match;
    FTS5 and tsvector now see the same words.
    """
    return " ".join(tokens(" ".join(p for p in parts if p)))


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
    """The index rows of a record and its documents, as column dicts (the benchmark builds the
    same rows in bulk)."""
    retention = record_retention(record)
    common = {"agency_id": record.agency_id, "record_id": record.id, "code": record.code,
              "code_folded": fold(record.code), "retention_kind": retention.kind,
              "retention_years": retention.years, "mode": record.mode}
    rows = [{**common, "kind": "record", "document_id": None, "title": record.title,
             "notation": record.notation, "notation_key": None, "notation_symbol": None,
             "type_key": None, "entry_date": record.start_date,
             "end_date": record.end_date or record.start_date,
             "folded": _record_text(record)}]
    limit = int(setting("ARCHIVE_INDEX_MAX_CHARS"))
    for doc in record.documents:
        text_row = db.session.get(DocumentText, doc.id)
        content = (text_row.content if text_row else "")[:limit]
        key, symbol = _notation_parts(doc.number_notation or "")
        day = doc.document_date or doc.created_at.date()
        rows.append({**common, "kind": "document", "document_id": doc.id, "title": doc.subject,
                     "notation": doc.number_notation or "", "notation_key": key,
                     "notation_symbol": symbol, "type_key": doc.type_key, "entry_date": day,
                     "end_date": day, "folded": _document_text(doc, content)})
    return rows


def unindex_record(record_id: int) -> None:
    db.session.execute(delete(ArchiveEntry).where(ArchiveEntry.record_id == record_id))


def index_record(record: Record) -> None:
    """(Re)build the entries of an archived record."""
    unindex_record(record.id)
    db.session.add_all(ArchiveEntry(**row) for row in entry_rows(record))
    db.session.flush()


# --- querying -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArchiveQuery:
    q: str = ""
    code: str = ""
    type_key: str = ""
    date_from: date | None = None
    date_to: date | None = None
    retention: str = ""  # "permanent" or a number of years
    kind: str = ""  # "record" | "document" | ""
    page: int = 1
    per_page: int = 50

    @property
    def empty(self) -> bool:
        return not (self.q.strip() or self.code.strip() or self.type_key or self.date_from
                    or self.date_to or self.retention or self.kind)


@dataclass(frozen=True)
class SearchPage:
    items: list[ArchiveEntry]
    total: int
    capped: bool  # total is at least COUNT_CAP
    page: int
    per_page: int
    terms: tuple[str, ...] = field(default_factory=tuple)  # folded words to highlight


def _text_condition(words: list[str]) -> ColumnElement[bool]:
    """All ``words`` (folded) present; the last one as a prefix when it has 3+ characters."""
    dialect = db.engine.dialect.name
    last = len(words) - 1
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" if i == last and len(w) >= 3 else w
                           for i, w in enumerate(words))
        return func.to_tsvector("simple", ArchiveEntry.folded).op("@@")(
            func.to_tsquery("simple", query))
    match = " ".join(f'"{w}"*' if i == last and len(w) >= 3 else f'"{w}"'
                     for i, w in enumerate(words))
    fts = (text("SELECT rowid FROM archive_entries_fts WHERE archive_entries_fts MATCH :m")
           .bindparams(m=match).columns(rowid=Integer).subquery())
    return ArchiveEntry.id.in_(select(fts.c.rowid))


# "số 15 QĐ-UBND", "15 qd-ubnd": a number, then a hyphenated symbol (folded)
_NUMBER_SYMBOL = re.compile(r"^(?:so\s*:?\s*)?0*(\d{1,7})\s+([a-z][a-z0-9]*(?:\s*-\s*[a-z0-9]+)+)$")


def _notation_query(q: str) -> set[str] | None:
    """The notation keys a query asks for, or None when it is not a notation."""
    if looks_like_notation(q):
        return notation_keys(q)
    m = _NUMBER_SYMBOL.match(fold(q))
    if m:
        symbol = re.sub(r"\s*-\s*", "-", m.group(2))
        return {f"{int(m.group(1))}/{symbol}", symbol}
    return None


def _notation_condition(keys: set[str]) -> ColumnElement[bool] | None:
    numbered = {k for k in keys if _NUMBERED_KEY.match(k)}
    if numbered:
        return ArchiveEntry.notation_key.in_(sorted(numbered))
    symbols = {k for k in keys if "/" not in k}
    if symbols:
        return ArchiveEntry.notation_symbol.in_(sorted(symbols))
    return None


def search_statement(agency_id: int, query: ArchiveQuery, *, confidential: bool):
    """The SELECT of the entries matching ``query`` (newest first), and the folded terms."""
    stmt = select(ArchiveEntry).where(ArchiveEntry.agency_id == agency_id)
    terms: list[str] = []
    if not confidential:
        stmt = stmt.where(ArchiveEntry.mode != "03")
    q = query.q.strip()
    if q:
        keys = _notation_query(q)
        condition = _notation_condition(keys) if keys else None
        words = tokens(q)
        if condition is None and words:
            condition = _text_condition(words[:12])
        terms = words
        if condition is not None:
            stmt = stmt.where(condition)
    if query.code.strip():
        code = fold(query.code)
        stmt = stmt.where(ArchiveEntry.code_folded.like(
            code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
            escape="\\"))
    if query.type_key:
        stmt = stmt.where(ArchiveEntry.type_key == query.type_key)
    if query.kind in ("record", "document"):
        stmt = stmt.where(ArchiveEntry.kind == query.kind)
    if query.date_from:
        stmt = stmt.where(func.coalesce(ArchiveEntry.end_date, ArchiveEntry.entry_date)
                          >= query.date_from)
    if query.date_to:
        stmt = stmt.where(ArchiveEntry.entry_date <= query.date_to)
    if query.retention == "permanent":
        stmt = stmt.where(ArchiveEntry.retention_kind == "permanent")
    elif query.retention.isdigit():
        stmt = stmt.where(and_(ArchiveEntry.retention_years == int(query.retention),
                               or_(ArchiveEntry.retention_kind == "years",
                                   ArchiveEntry.retention_kind == "other")))
    return stmt.order_by(ArchiveEntry.entry_date.desc(), ArchiveEntry.id.desc()), terms


def search_archive(agency_id: int, query: ArchiveQuery, *,
                   confidential: bool = False) -> SearchPage:
    """One page of archived records and documents of ``agency_id`` matching ``query``.

    ``confidential``: include records whose access mode is "03" (Mật); the caller decides
    (:func:`edoc.records.permissions.can_search_content`).
    """
    stmt, terms = search_statement(agency_id, query, confidential=confidential)
    per_page = max(1, min(query.per_page, 200))
    page = max(1, query.page)
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    if page == 1 and len(items) < per_page:
        total = len(items)
    else:
        capped_stmt = stmt.order_by(None).with_only_columns(ArchiveEntry.id).limit(COUNT_CAP)
        total = db.session.scalar(select(func.count()).select_from(capped_stmt.subquery())) or 0
    return SearchPage(items, total, total >= COUNT_CAP, page, per_page, tuple(terms))
