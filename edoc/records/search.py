"""Archive search: archived records and documents, accent-insensitive, by words, code,
notation, type, dates and retention.

The index (:mod:`edoc.records.search_index`) holds one ``archive_entries`` row per archived
record and per archived document with its folded words and word pairs. A query of several
words looks for its pairs first (a phrase: "le hoi den hung"), then, if that finds nothing, for
all its words anywhere. Notations ("15/QĐ-UBND", "số 15 QĐ-UBND", "QĐ-UBND") and codes go to
their own columns. Results are newest first (by code, then newest first, when a code is
given); ``SearchPage.total`` is exact unless ``capped``,
then a lower bound ("at least"): counting every match of a common word would cost more than
the page itself.

PostgreSQL matches words through a GIN index on the stored ``folded_tsv`` column, with the
plan chosen in :mod:`edoc.records.search_pg`; SQLite, the embedded default, through FTS5.
:func:`search_archive` is the one entry point, kept small so that the unified search (E7) can
call it as the archive's part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, cast, func, literal, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import defer
from sqlalchemy.sql import ColumnElement

from edoc.extensions import db
from edoc.records.archive_models import ArchiveEntry
from edoc.records.search_index import (
    _NUMBERED_KEY,
    entry_rows,
    index_record,
    kind_token,
    pairs,
    searchable,
    unindex_record,
)
from edoc.search.text import fold, looks_like_notation, notation_keys, tokens

__all__ = [
    "ArchiveQuery",
    "SearchPage",
    "entry_rows",
    "index_record",
    "search_archive",
    "search_statement",
    "searchable",
    "unindex_record",
]

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
    capped: bool  # total is a lower bound ("at least"), not an exact count
    page: int
    per_page: int
    terms: tuple[str, ...] = field(default_factory=tuple)  # folded words to highlight


def _text_condition(lexemes: list[str]) -> ColumnElement[bool]:
    """Every lexeme (a folded word, or a word pair "le_hoi") present in the entry."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"'{lexeme}'" for lexeme in lexemes)  # [a-z0-9_] only: safe
        return literal_column("archive_entries.folded_tsv").op("@@")(cast(literal(query),
                                                                          TSQUERY))
    match = " ".join(f'"{lexeme}"' for lexeme in lexemes)
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


def _code_prefix(code: str) -> ColumnElement[bool]:
    """Codes starting with ``code``. PostgreSQL's default LIKE escape is the backslash; an
    explicit ESCAPE clause would stop it from using the text_pattern_ops index."""
    pattern = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if db.engine.dialect.name == "postgresql":
        return ArchiveEntry.code_folded.like(pattern)
    return ArchiveEntry.code_folded.like(pattern, escape="\\")


@dataclass(frozen=True)
class _Statement:
    base: Any  # every condition but the words, no order
    order: tuple[Any, ...]
    terms: list[str]
    lexemes: list[str]  # the word condition's tokens; empty when there is none
    phrase: bool
    words: int
    query: ArchiveQuery
    agency_id: int

    def with_words(self, extra: list[str] | None = None) -> Any:
        """The SELECT with the word condition (plus ``extra`` tokens such as a time bucket)."""
        stmt = self.base
        lexemes = self.lexemes + (extra or [])
        if lexemes:
            stmt = stmt.where(_text_condition(lexemes))
        return stmt.order_by(*self.order)


def search_statement(agency_id: int, query: ArchiveQuery, *, confidential: bool):
    """The SELECT of the entries matching ``query`` (newest first), and the folded terms."""
    built = _statement(agency_id, query, confidential=confidential)
    return built.with_words(), built.terms


def _statement(agency_id: int, query: ArchiveQuery, *, confidential: bool,
               phrase: bool = True) -> _Statement:
    # The token text is never shown; on PostgreSQL it lives out of line, so reading it for a
    # page would cost a TOAST fetch per row.
    stmt = (select(ArchiveEntry).options(defer(ArchiveEntry.folded))
            .where(ArchiveEntry.agency_id == agency_id))
    terms: list[str] = []
    lexemes: list[str] = []
    if not confidential:
        stmt = stmt.where(ArchiveEntry.mode != "03")
    q = query.q.strip()
    if q:
        keys = _notation_query(q)
        words = tokens(q)[:12]
        if keys:
            stmt = stmt.where(_notation_condition(keys))
        elif words:
            lexemes = pairs(words) if phrase and len(words) > 1 else words
        terms = words
    if query.code.strip():
        stmt = stmt.where(_code_prefix(fold(query.code)))
    if query.type_key:
        stmt = stmt.where(ArchiveEntry.type_key == query.type_key)
    if query.kind in ("record", "document"):
        stmt = stmt.where(ArchiveEntry.kind == query.kind)
        if lexemes:
            lexemes = [*lexemes, kind_token(query.kind)]  # the same index lookup
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
    order: tuple[Any, ...] = (ArchiveEntry.entry_date.desc(), ArchiveEntry.id.desc())
    if query.code.strip():
        # By code, records grouped: the code index gives that order (a year of codes holds
        # ~40,000 entries of a large archive; sorting them by date would cost more).
        order = (ArchiveEntry.code_folded, ArchiveEntry.kind.desc(), *order)
    return _Statement(stmt, order, terms, lexemes,
                      phrase and len(lexemes) > 0 and len(terms) > 1, len(terms), query,
                      agency_id)


def search_archive(agency_id: int, query: ArchiveQuery, *,
                   confidential: bool = False) -> SearchPage:
    """One page of archived records and documents of ``agency_id`` matching ``query``.

    ``confidential``: include records whose access mode is "03" (Mật); the caller decides
    (:func:`edoc.records.permissions.can_search_content`).
    """
    per_page = max(1, min(query.per_page, 200))
    page = max(1, query.page)
    built = _statement(agency_id, query, confidential=confidential)
    result = _run(built, page, per_page)
    if result.total == 0 and built.lexemes and built.words > 1:
        # Not as a phrase: then every word, anywhere in the entry.
        built = _statement(agency_id, query, confidential=confidential, phrase=False)
        result = _run(built, page, per_page)
    return result


def _run(built: _Statement, page: int, per_page: int) -> SearchPage:
    if built.lexemes and db.engine.dialect.name == "postgresql":
        from edoc.records.search_pg import words_page

        return words_page(built, page, per_page)
    return window(built.with_words(), page, per_page, tuple(built.terms))


def window(stmt: Any, page: int, per_page: int, terms: tuple[str, ...]) -> SearchPage:
    """One page of an ordered SELECT, and whether more follow (one row more is read; nothing
    is counted: counting every match of a common filter would cost more than the page)."""
    offset = (page - 1) * per_page
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset(offset)))
    more = len(rows) > per_page
    items = rows[:per_page]
    if more:
        return SearchPage(items, offset + per_page + 1, True, page, per_page, terms)
    if items or page == 1:
        return SearchPage(items, offset + len(items), False, page, per_page, terms)
    # A page past the end: how many there are is not known yet (at most ``offset``).
    bounded = stmt.order_by(None).with_only_columns(ArchiveEntry.id).limit(offset)
    total = db.session.scalar(select(func.count()).select_from(bounded.subquery())) or 0
    return SearchPage([], total, False, page, per_page, terms)
