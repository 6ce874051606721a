"""Tables of the agency archive: holdings (locked objects), packages, access, disposal,
fixity, and the search index."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.db import Base, intpk, utcnow

__all__ = [
    "AccessLog",
    "AccessRequest",
    "ArchiveEntry",
    "ArchiveHolding",
    "Disposal",
    "DisposalItem",
    "FixityProblem",
    "FixityRun",
    "RecordPackage",
]


class ArchiveHolding(Base):
    """An object the archive holds for a record: a document file or a package.

    Content-addressed objects may be shared (the same bytes in two documents), so one object
    can have several holdings; its lock is the longest any of them needs.
    """

    __tablename__ = "archive_holdings"
    __table_args__ = (
        UniqueConstraint("record_id", "stored_object_id", name="uq_archive_holdings_object"),
        Index("ix_archive_holdings_fixity", "last_fixity_at"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    stored_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    #: file | package
    kind: Mapped[str] = mapped_column(String(10), default="file")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_fixity_at: Mapped[datetime | None]
    last_fixity_ok: Mapped[bool | None]

    stored = relationship("StoredObject", lazy="joined")


class RecordPackage(Base):
    """An archival package (BagIt zip with METS) built for a record, kept in the object store."""

    __tablename__ = "record_packages"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    stored_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"))
    objid: Mapped[str] = mapped_column(String(120))
    #: digest of the zip: verify_package(expected_sha256=...) catches a re-made package
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    renditions: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stored = relationship("StoredObject", lazy="joined")


class AccessRequest(Base):
    """A request to consult an archived record (khai thác): reason and period, then a decision."""

    __tablename__ = "access_requests"
    __table_args__ = (Index("ix_access_requests_agency_state", "agency_id", "state"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_until: Mapped[date] = mapped_column(Date)
    #: pending | approved | refused
    state: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    #: last day (inclusive, local time) the access is valid
    granted_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    record = relationship("Record")
    requester = relationship("User", foreign_keys=[requester_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class AccessLog(Base):
    """Every consultation of an archived record: who, when, what, under which grant."""

    __tablename__ = "access_logs"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    access_request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: view | file | export
    action: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    file_id: Mapped[int | None]

    user = relationship("User")


class Disposal(Base):
    """A disposal (tiêu hủy): proposed list, approved decision, what was deleted (spec §4.5)."""

    __tablename__ = "disposals"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: proposed | approved | cancelled
    state: Mapped[str] = mapped_column(String(20), default="proposed")
    title: Mapped[str] = mapped_column(String(500), default="")
    #: thuyết minh: why these records have no further value
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_signer: Mapped[str] = mapped_column(String(255), default="")
    decision_text: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    files_deleted: Mapped[int] = mapped_column(default=0)
    bytes_deleted: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the files destroyed (name, sha256, size, document): kept with the decision
    manifest: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    items: Mapped[list[DisposalItem]] = relationship(
        back_populates="disposal", order_by="DisposalItem.id", lazy="selectin")


class DisposalItem(Base):
    __tablename__ = "disposal_items"
    __table_args__ = (UniqueConstraint("disposal_id", "record_id", name="uq_disposal_items"),)

    id: Mapped[intpk]
    disposal_id: Mapped[int] = mapped_column(ForeignKey("disposals.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    #: proposed | disposed | excluded
    outcome: Mapped[str] = mapped_column(String(20), default="proposed")
    note: Mapped[str] = mapped_column(Text, default="")

    disposal: Mapped[Disposal] = relationship(back_populates="items")
    record = relationship("Record", lazy="joined")


class FixityRun(Base):
    """One run of the fixity check over archived objects."""

    __tablename__ = "fixity_runs"

    id: Mapped[intpk]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: job | cli | web
    trigger: Mapped[str] = mapped_column(String(10), default="job")
    checked: Mapped[int] = mapped_column(default=0)
    ok_count: Mapped[int] = mapped_column(default=0)
    bytes_checked: Mapped[int] = mapped_column(BigInteger, default=0)
    mismatches: Mapped[int] = mapped_column(default=0)
    missing: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)

    problems: Mapped[list[FixityProblem]] = relationship(
        back_populates="run", order_by="FixityProblem.id", lazy="selectin")

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing or self.errors)


class FixityProblem(Base):
    __tablename__ = "fixity_problems"

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("fixity_runs.id"), index=True)
    stored_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"))
    key: Mapped[str] = mapped_column(String(255))
    #: checksum_mismatch | size_mismatch | missing | error
    kind: Mapped[str] = mapped_column(String(30))
    expected: Mapped[str] = mapped_column(String(100), default="")
    actual: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    #: the agencies and records holding the object
    agency_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    record_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    run: Mapped[FixityRun] = relationship(back_populates="problems")


class ArchiveEntry(Base):
    """The archive search index: one row per archived record and per archived document.

    ``folded`` holds the index tokens (:func:`edoc.records.search_index.searchable`: folded
    words and word pairs, space-separated). PostgreSQL searches them through a GIN index on the
    stored generated column ``folded_tsv``; SQLite through an FTS5 table kept in step by
    triggers.
    Both are created with the table (DDL below) and must be in the Alembic migration.
    """

    __tablename__ = "archive_entries"
    __table_args__ = (
        Index("ix_archive_entries_agency_date", "agency_id", "entry_date", "id"),
        Index("ix_archive_entries_agency_notation", "agency_id", "notation_key"),
        # newest first within a symbol or a type: the index gives the order, no sort
        Index("ix_archive_entries_agency_symbol", "agency_id", "notation_symbol", "entry_date",
              "id"),
        Index("ix_archive_entries_agency_type", "agency_id", "type_key", "entry_date", "id"),
        # code_folded is in the C collation on PostgreSQL: a prefix LIKE and ORDER BY code
        # both use this index
        Index("ix_archive_entries_agency_code", "agency_id", "code_folded"),
        Index("ix_archive_entries_record", "record_id"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: record | document
    kind: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    code: Mapped[str] = mapped_column(String(100))
    code_folded: Mapped[str] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"))
    title: Mapped[str] = mapped_column(Text)
    #: "15/QĐ-UBND" as printed, and its keys from edoc.search.text.notation_keys
    notation: Mapped[str] = mapped_column(String(120), default="")
    notation_key: Mapped[str | None] = mapped_column(String(120))
    notation_symbol: Mapped[str | None] = mapped_column(String(100))
    type_key: Mapped[str | None] = mapped_column(String(40))
    entry_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    retention_kind: Mapped[str] = mapped_column(String(10))
    retention_years: Mapped[int | None]
    #: chế độ sử dụng of the record ("03" Mật is hidden from non-archivists)
    mode: Mapped[str] = mapped_column(String(10), default="01")
    folded: Mapped[str] = mapped_column(Text)


# --- full-text index DDL (not expressible as SQLAlchemy Index objects) -------------------------

#: PostgreSQL keeps the tsvector in a stored generated column: filters (a walk of the date index
#: that tests each row) then read it instead of rebuilding it (~30 µs a row). The tokens are
#: taken as they are (``array_to_tsvector``): they are already folded and split, word pairs
#: included, exactly as FTS5 sees them. Not mapped: the database computes it.
#: Both text columns live out of line (TOAST) from 128 bytes on: the rows that searches fetch
#: (bitmap scans for matches, pages of results) stay narrow, ~300 bytes instead of kilobytes.
PG_SEARCH_DDL = (
    "ALTER TABLE archive_entries ADD COLUMN IF NOT EXISTS folded_tsv tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(folded, ' '))) STORED",
    "ALTER TABLE archive_entries ALTER COLUMN folded SET STORAGE EXTERNAL, "
    "ALTER COLUMN folded_tsv SET STORAGE EXTERNAL",
    "ALTER TABLE archive_entries SET (toast_tuple_target = 128)",
    "CREATE INDEX IF NOT EXISTS ix_archive_entries_fts ON archive_entries USING gin (folded_tsv)",
)

SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS archive_entries_fts USING fts5("
    "folded, content='archive_entries', content_rowid='id', "
    "tokenize=\"unicode61 tokenchars '_'\")",
    "CREATE TRIGGER IF NOT EXISTS archive_entries_ai AFTER INSERT ON archive_entries BEGIN "
    "INSERT INTO archive_entries_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER IF NOT EXISTS archive_entries_ad AFTER DELETE ON archive_entries BEGIN "
    "INSERT INTO archive_entries_fts(archive_entries_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER IF NOT EXISTS archive_entries_au AFTER UPDATE ON archive_entries BEGIN "
    "INSERT INTO archive_entries_fts(archive_entries_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); "
    "INSERT INTO archive_entries_fts(rowid, folded) VALUES (new.id, new.folded); END",
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS archive_entries_au",
    "DROP TRIGGER IF EXISTS archive_entries_ad",
    "DROP TRIGGER IF EXISTS archive_entries_ai",
    "DROP TABLE IF EXISTS archive_entries_fts",
)

_table = ArchiveEntry.__table__
for _stmt in PG_SEARCH_DDL:
    event.listen(_table, "after_create", DDL(_stmt).execute_if(dialect="postgresql"))
for _stmt in SQLITE_FTS_DDL:
    event.listen(_table, "after_create", DDL(_stmt).execute_if(dialect="sqlite"))
for _stmt in SQLITE_FTS_DROP:
    event.listen(_table, "before_drop", DDL(_stmt).execute_if(dialect="sqlite"))
