"""Tables of the file plan, records, their documents and events, and transfers to the archive.

The archive's own tables (holdings, packages, access, disposal, fixity, search index) are in
:mod:`edoc.records.archive_models`. Retention is stored as {permanent | N years | other text}
(spec §4.2: not a closed enum) in three columns, converted by :mod:`edoc.records.retention`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.db import Base, intpk, utcnow

__all__ = [
    "FilePlanEntry",
    "Record",
    "RecordDocument",
    "RecordEvent",
    "Transfer",
    "TransferItem",
]

_RETENTION_CHECK = "retention_kind in ('permanent', 'years', 'other')"


class FilePlanEntry(Base):
    """One line of an agency's file plan (danh mục hồ sơ) for a year (Decree 30 Phụ lục V)."""

    __tablename__ = "file_plan_entries"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "code", name="uq_file_plan_entries_code"),
        CheckConstraint(_RETENTION_CHECK, name="retention_kind"),
        Index("ix_file_plan_entries_agency_year", "agency_id", "year", "position"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    #: main heading ("I. TỔNG HỢP") or sub-heading the entry sits under
    heading: Mapped[str] = mapped_column(String(255), default="")
    #: số và ký hiệu hồ sơ, e.g. ``01.TCCB``
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(1000))
    retention_kind: Mapped[str] = mapped_column(String(10))
    retention_years: Mapped[int | None]
    retention_text: Mapped[str] = mapped_column(String(100), default="")
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    #: the entry of the previous year this one was copied from
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("file_plan_entries.id"))
    version_id: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    responsible_unit = relationship("OrgUnit")
    responsible_user = relationship("User", foreign_keys=[responsible_user_id])


class Record(Base):
    """A record (hồ sơ): metadata of Decree 30 Phụ lục VI / TT 05/2025 (spec §4.1).

    States: open → closed → transferred → archived → disposed; a transfer may be returned
    (back to closed). From ``archived`` on the record is frozen (:mod:`edoc.records.freeze`).
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "notation", name="uq_records_notation"),
        CheckConstraint(_RETENTION_CHECK, name="retention_kind"),
        CheckConstraint("doc_total >= 0 AND page_total >= 0", name="totals_not_negative"),
        Index("ix_records_agency_state", "agency_id", "state"),
        Index("ix_records_agency_unit", "agency_id", "unit_id"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    file_plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("file_plan_entries.id"))
    #: FileCatalog: the year the record was formed
    year: Mapped[int]
    #: FileNotation: số và ký hiệu hồ sơ, e.g. ``01.TCCB``
    notation: Mapped[str] = mapped_column(String(40))
    #: FileCode: mã hồ sơ = organ id + year + notation, e.g. ``000.00.31.H44.2025.01.TCCB``
    code: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    heading: Mapped[str] = mapped_column(String(255), default="")
    retention_kind: Mapped[str] = mapped_column(String(10))
    retention_years: Mapped[int | None]
    retention_text: Mapped[str] = mapped_column(String(100), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    #: code lists of spec §4.2 (archive.codes): language, chế độ sử dụng, mức độ tin cậy
    language: Mapped[str] = mapped_column(String(10), default="01")
    mode: Mapped[str] = mapped_column(String(10), default="01")
    confidence_level: Mapped[str] = mapped_column(String(10), default="01")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    doc_total: Mapped[int] = mapped_column(default=0)
    page_total: Mapped[int] = mapped_column(default=0)
    #: người lập hồ sơ
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    state: Mapped[str] = mapped_column(String(20), default="open")
    version_id: Mapped[int] = mapped_column(default=1)

    closed_at: Mapped[datetime | None]
    transferred_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: last day the record must be kept (None: permanent, or not archived yet)
    retention_until: Mapped[date | None] = mapped_column(Date)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    legal_hold_reason: Mapped[str] = mapped_column(Text, default="")
    disposed_at: Mapped[datetime | None]
    disposal_id: Mapped[int | None] = mapped_column(ForeignKey("disposals.id"))
    #: created by importing an archival package
    imported: Mapped[bool] = mapped_column(default=False)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    creator = relationship("User", foreign_keys=[creator_id])
    archived_by = relationship("User", foreign_keys=[archived_by_id])
    unit = relationship("OrgUnit")
    file_plan_entry: Mapped[FilePlanEntry | None] = relationship()
    items: Mapped[list[RecordDocument]] = relationship(
        back_populates="record", order_by="RecordDocument.position", lazy="selectin")

    @property
    def documents(self) -> list[Any]:
        return [item.document for item in self.items]

    def __repr__(self) -> str:
        return f"<Record {self.id} {self.code} {self.state}>"


class RecordDocument(Base):
    """A document filed in a record. A document belongs to at most one record."""

    __tablename__ = "record_documents"
    __table_args__ = (UniqueConstraint("document_id", name="uq_record_documents_document"),)

    id: Mapped[intpk]
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    position: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    record: Mapped[Record] = relationship(back_populates="items")
    document = relationship("Document", lazy="joined")


class RecordEvent(Base):
    """Append-only timeline of a record: who did what, when, from which state to which."""

    __tablename__ = "record_events"

    id: Mapped[intpk]
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User")


class Transfer(Base):
    """A hand-over (nộp lưu) of closed records by a unit, with its transfer list."""

    __tablename__ = "transfers"
    __table_args__ = (Index("ix_transfers_agency_state", "agency_id", "state"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    #: submitted (some record waits for the archivist) | done
    state: Mapped[str] = mapped_column(String(20), default="submitted")

    submitted_by = relationship("User")
    unit = relationship("OrgUnit")
    items: Mapped[list[TransferItem]] = relationship(
        back_populates="transfer", order_by="TransferItem.id", lazy="selectin")


class TransferItem(Base):
    __tablename__ = "transfer_items"
    __table_args__ = (UniqueConstraint("transfer_id", "record_id", name="uq_transfer_items"),)

    id: Mapped[intpk]
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    #: pending | accepted | returned
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    transfer: Mapped[Transfer] = relationship(back_populates="items")
    record: Mapped[Record] = relationship(lazy="joined")
    decided_by = relationship("User")
