"""The search index tables: one entry per searchable object, plus its notation keys.

``search_entries`` carries what filters and lists need (agency, kind, direction, state, type,
dates, the display title and number/notation); the folded words live in the full-text structure
of each backend: an FTS5 table ``search_fts`` on SQLite (created by :mod:`edoc.search.ddl`, rowid =
entry id) and the ``tsv`` column with a GIN index on PostgreSQL. ``search_keys`` holds the folded
notation keys of an entry (``15/qd-ubnd``, ``qd-ubnd``) for exact number/notation hits, and
those of the notations its text cites.

The entry id is also the recency order of the index: candidates of broad queries are the newest
entries (highest ids), so a full reindex inserts entries oldest first.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from edoc.db import Base, intpk

__all__ = ["SearchEntry", "SearchKey", "SearchSpan"]

#: entry kinds
DOCUMENT = "document"
RECORD = "record"


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", name="uq_search_entries_object"),
        # Newest-first walks within an agency, of all its entries or of one type; the id range
        # of a date filter (edoc.search.backends.PostgresBackend).
        Index("ix_search_entries_agency_id", "agency_id", "id"),
        Index("ix_search_entries_agency_type", "agency_id", "type_key", "id"),
        # ... of one direction and type (the search page's scope + type filters): walking the
        # type alone visited the other direction's entries too (1M entries: p95 of the filtered
        # queries 111 -> 66-75 ms, the whole mix 48.9-50.8 -> 42.5 ms).
        Index("ix_search_entries_agency_direction_type", "agency_id", "direction", "type_key",
              "id"),
        Index("ix_search_entries_agency_date", "agency_id", "date", "id"),
        # On SQLite tsv is an always-NULL TEXT column (FTS5 does the work) and this is a plain,
        # tiny index; declaring it here keeps Alembic's autogenerate in step on both databases.
        Index("ix_search_entries_tsv", "tsv", postgresql_using="gin"),
    )

    id: Mapped[intpk]
    #: document | record
    kind: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: incoming | outgoing for documents, None for records
    direction: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default="")
    type_key: Mapped[str] = mapped_column(String(40), default="")
    urgency: Mapped[str] = mapped_column(String(20), default="")
    confidentiality: Mapped[str] = mapped_column(String(20), default="")
    #: the document's date (or when it arrived / was created); a record's start date
    date: Mapped[date] = mapped_column(Date)
    #: as displayed: a document's subject, a record's title
    title: Mapped[str] = mapped_column(Text, default="")
    #: ``15/QĐ-UBND`` for documents, the record code (``01.TCCB``) for records
    number_notation: Mapped[str] = mapped_column(String(160), default="")
    # The document columns the visibility rule reads, mirrored so that search applies that very
    # rule to the entry without visiting the documents table (edoc.search.access).
    drafter_id: Mapped[int | None] = mapped_column(BigInteger())
    signer_id: Mapped[int | None] = mapped_column(BigInteger())
    created_by_id: Mapped[int | None] = mapped_column(BigInteger())
    submitted_to_id: Mapped[int | None] = mapped_column(BigInteger())
    #: PostgreSQL: weighted tsvector of the folded words (A title, B metadata, D body)
    tsv: Mapped[Any | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"),
                                            deferred=True)


class SearchKey(Base):
    """A folded notation key of an entry, its own (``cited`` False: this document is 15/QĐ-UBND)
    or one its title or text cites (``căn cứ Quyết định số 15/QĐ-UBND``); looked up by
    (agency, key, cited), newest entry first."""

    __tablename__ = "search_keys"
    __table_args__ = (Index("ix_search_keys_lookup", "agency_id", "key", "cited", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    cited: Mapped[bool] = mapped_column(default=False)


class SearchSpan(Base):
    """The id range of an agency's entries dated in a month.

    Only ever widened (an entry written extends the range of its month; nothing shrinks it
    until a reindex rebuilds the table), so it never excludes an entry: PostgreSQL turns a date
    filter into an id range with it (edoc.search.backends.PostgresBackend._newest_first).
    """

    __tablename__ = "search_spans"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True,
                                           autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    min_id: Mapped[int] = mapped_column(BigInteger)
    max_id: Mapped[int] = mapped_column(BigInteger)


def _install_ddl_events() -> None:
    # create_all (tests, `flask db` free setups) creates the FTS5 table with the entries table;
    # the Alembic migration calls edoc.search.ddl.create_search_objects itself.
    from edoc.search import ddl

    table = SearchEntry.__table__
    event.listen(table, "after_create", lambda _t, conn, **_kw: ddl.create_search_objects(conn))
    event.listen(table, "before_drop", lambda _t, conn, **_kw: ddl.drop_search_objects(conn))


_install_ddl_events()
