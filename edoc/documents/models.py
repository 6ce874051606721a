"""The document domain's tables.

One ``documents`` table holds incoming and outgoing documents (``direction``); their state
machines live in :mod:`edoc.documents.states`. Files are pointers to ``stored_objects``; every state
change is a ``document_events`` row; ``version_id`` turns concurrent changes into a clear 409.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.db import Base, intpk, utcnow


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("register_book_id", "registration_year", "registration_number",
                         name="uq_documents_registration"),
        CheckConstraint("direction in ('incoming', 'outgoing')", name="direction"),
        Index("ix_documents_agency_direction_state", "agency_id", "direction", "state"),
        Index("ix_documents_agency_direction_created", "agency_id", "direction", "created_at"),
        # The lists' default order (newest first): read in index order, the first page stops
        # after 25 rows; without it SQLite sorted every document of the agency (136 ms at 100k).
        Index("ix_documents_agency_direction_id", "agency_id", "direction", "id"),
        Index("ix_documents_agency_deadline", "agency_id", "deadline"),
        Index("ix_documents_exchange_id", "agency_id", "exchange_document_id"),
        # Outgoing numbers: the counter guarantees them; this index is the database's backstop.
        Index("uq_documents_outgoing_number", "register_book_id", "registration_year", "number",
              unique=True, postgresql_where=text("direction = 'outgoing'"),
              sqlite_where=text("direction = 'outgoing'")),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    direction: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    version_id: Mapped[int] = mapped_column(default=1)

    # --- metadata common to both directions (Decree 30, Phụ lục VI) ---
    #: key of edoc.documents.doctypes (``quyet_dinh``, ``cong_van`` ...)
    type_key: Mapped[str] = mapped_column(String(40), default="cong_van")
    #: trích yếu
    subject: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(20), default="thuong")
    confidentiality: Mapped[str] = mapped_column(String(20), default="thuong")
    #: số: the issuer's running number (ours, for outgoing documents once issued)
    number: Mapped[int | None]
    #: ký hiệu without the number, e.g. ``QĐ-UBND``
    notation: Mapped[str] = mapped_column(String(80), default="")
    document_date: Mapped[date | None] = mapped_column(Date)
    #: tác giả / cơ quan ban hành, as printed
    issuing_agency: Mapped[str] = mapped_column(String(255), default="")
    issuing_organ_id: Mapped[str | None] = mapped_column(String(35))
    pages: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    # --- incoming ---
    received_at: Mapped[datetime | None]
    #: upload | scan | axis | internal | paper | email
    received_via: Mapped[str] = mapped_column(String(20), default="")
    register_book_id: Mapped[int | None] = mapped_column(ForeignKey("register_books.id"))
    registration_year: Mapped[int | None]
    #: số đến
    registration_number: Mapped[int | None]
    registered_at: Mapped[datetime | None]
    #: the leader the clerk handed it to
    submitted_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: hạn xử lý
    deadline: Mapped[date | None] = mapped_column(Date)
    #: ý kiến chỉ đạo
    direction_note: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None]
    #: the outgoing document this one is the internal copy of
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    #: edXML DocumentId of a document received over the axis (idempotent ingest)
    exchange_document_id: Mapped[str | None] = mapped_column(String(255))
    #: the unit this document was addressed to (internal dispatch)
    receiving_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))

    # --- outgoing ---
    drafter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drafting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: KT. | TL. | TM. | Q. | "" (the signer signs in their own name)
    signing_capacity: Mapped[str] = mapped_column(String(10), default="")
    signer_position: Mapped[str] = mapped_column(String(255), default="")
    issued_at: Mapped[datetime | None]
    #: recipients named on the document ("Nơi nhận"), as planned by the drafter
    planned_recipients: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: who holds the capacity the signer signs for, e.g. ``Chủ tịch`` in "KT. CHỦ TỊCH"
    capacity_holder: Mapped[str] = mapped_column(String(255), default="")
    #: ký hiệu of the drafting unit and drafter after "Lưu: VT," (e.g. ``VP(NVA)``)
    drafter_notation: Mapped[str] = mapped_column(String(40), default="")
    #: the template inputs of a draft generated from a template (None: uploaded draft)
    draft_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the PDF to sign of the latest draft: "" none, pending, ready, failed
    rendition_status: Mapped[str] = mapped_column(String(20), default="")
    #: place printed before the date on the draft, when read from an uploaded PDF
    date_place: Mapped[str | None] = mapped_column(String(100))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    files: Mapped[list[DocumentFile]] = relationship(
        back_populates="document", order_by="DocumentFile.id", lazy="selectin")
    register_book: Mapped[RegisterBook | None] = relationship()
    submitted_to = relationship("User", foreign_keys=[submitted_to_id])
    drafter = relationship("User", foreign_keys=[drafter_id])
    signer = relationship("User", foreign_keys=[signer_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    receiving_unit = relationship("OrgUnit", foreign_keys=[receiving_unit_id])
    drafting_unit = relationship("OrgUnit", foreign_keys=[drafting_unit_id])

    @property
    def number_notation(self) -> str:
        """``15/QĐ-UBND`` (numbers below 10 get a leading zero, Decree 30 Phụ lục I)."""
        if self.number is None:
            return self.notation
        return f"{self.number:02d}/{self.notation}" if self.notation else f"{self.number:02d}"

    def current_file(self, *kinds: str) -> DocumentFile | None:
        wanted = kinds or MAIN_KINDS
        for kind in wanted:
            for f in reversed(self.files):
                if f.kind == kind:
                    return f
        return None


class FileKind(StrEnum):
    ORIGINAL = "original"      # as received or uploaded, never changed
    STAMPED = "stamped"        # incoming PDF with the "ĐẾN" stamp (incremental update)
    DRAFT = "draft"            # outgoing draft (DOCX or PDF), one per revision
    RENDITION = "rendition"    # PDF made from a DOCX draft
    SIGNED = "signed"          # after the signer's signature
    ISSUED = "issued"          # number and date filled in
    SEALED = "sealed"          # with the agency's signature: the document as dispatched
    APPENDIX = "appendix"      # separately filed appendix (once sealed: its sealed PDF)
    #: a PDF appendix as filed before the clerk sealed it; its sealed copy is the ``appendix``
    APPENDIX_UNSEALED = "appendix_unsealed"
    RESULT = "result"          # files attached when an assignment is completed
    OCR = "ocr"                # OCR'd copy of a scan (text layer added)


#: the kinds that can be "the document" itself, most final first
MAIN_KINDS = ("sealed", "issued", "signed", "rendition", "stamped", "ocr", "original", "draft")


class DocumentFile(Base):
    __tablename__ = "document_files"
    __table_args__ = (Index("ix_document_files_document", "document_id", "kind"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    stored_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: revision number among files of the same kind (drafts 1, 2, 3 ...)
    revision: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship(back_populates="files")
    stored = relationship("StoredObject", lazy="joined")

    @property
    def sha256(self) -> str:
        return self.stored.sha256

    @property
    def size(self) -> int:
        return self.stored.size


class DocumentText(Base):
    """Extracted text of a document's main file, for search and suggestions."""

    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True,
                                             autoincrement=False)
    content: Mapped[str] = mapped_column(Text, default="")
    #: set while a scan waits for OCR in the background
    needs_ocr: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DocumentEvent(Base):
    """Append-only timeline of a document: who did what, when, from which state to which."""

    __tablename__ = "document_events"

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User")


class DocumentLink(Base):
    """Relations between documents: an update or replacement of an earlier one, a reply."""

    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id", "kind", name="uq_document_links"),)

    id: Mapped[intpk]
    from_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    #: updates | replaces | revokes | replies_to
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- registers ----------------------------------------------------------------------------------

class RegisterBook(Base):
    """A register book (sổ đăng ký): numbers restart at 1 every 1 January."""

    __tablename__ = "register_books"
    __table_args__ = (UniqueConstraint("agency_id", "direction", "name",
                                       name="uq_register_books_name"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255))
    #: restricts the book to these document types (None: any type)
    type_keys: Mapped[list[str] | None] = mapped_column(JSON)
    #: a separate series for confidential documents (Decree 30 Điều 15)
    confidential: Mapped[bool] = mapped_column(default=False)
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class RegisterCounter(Base):
    """The last number taken in a book for a year. Taking a number locks this row."""

    __tablename__ = "register_counters"

    book_id: Mapped[int] = mapped_column(ForeignKey("register_books.id"), primary_key=True,
                                         autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


# --- assignment (incoming) ----------------------------------------------------------------------

class Assignment(Base):
    """A leader's assignment of an incoming document. A reassignment deactivates the previous."""

    __tablename__ = "assignments"

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[date | None] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    parties: Mapped[list[AssignmentParty]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", lazy="selectin")
    assigned_by = relationship("User")


class PartyRole(StrEnum):
    LEAD = "lead"            # chủ trì
    COOPERATE = "cooperate"  # phối hợp
    INFORM = "inform"        # để biết


class AssignmentParty(Base):
    __tablename__ = "assignment_parties"
    __table_args__ = (
        CheckConstraint("(unit_id IS NOT NULL) OR (user_id IS NOT NULL)", name="unit_or_user"),
        Index("ix_assignment_parties_user", "user_id"),
        Index("ix_assignment_parties_unit", "unit_id"),
    )

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                               index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="parties")
    unit = relationship("OrgUnit")
    user = relationship("User")


# --- review (outgoing) --------------------------------------------------------------------------

class ReviewStep(Base):
    """One reviewer's place in the ordered review of an outgoing draft, for one round.

    Changing the file after an approval starts a new round: every reviewer approves again.
    """

    __tablename__ = "review_steps"
    __table_args__ = (UniqueConstraint("document_id", "round", "position",
                                       name="uq_review_steps_position"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    position: Mapped[int]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: pending | approved | returned | superseded
    decision: Mapped[str] = mapped_column(String(20), default="pending")
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    reviewer = relationship("User")


class Comment(Base):
    """The comment thread on a document (review remarks, questions, answers)."""

    __tablename__ = "comments"

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    #: the draft revision the comment was made on
    file_revision: Mapped[int | None]

    author = relationship("User")


# --- dispatch (outgoing) ------------------------------------------------------------------------

class Delivery(Base):
    """One recipient of a dispatched document and what became of it there."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("(recipient_unit_id IS NOT NULL) OR (recipient_organ_id IS NOT NULL)",
                        name="unit_or_organ"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    recipient_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    recipient_organ_id: Mapped[str | None] = mapped_column(String(35))
    recipient_name: Mapped[str] = mapped_column(String(255))
    #: pending | sent | 01 .. 16 (edXML status codes)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: the incoming document created for an internal recipient
    incoming_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    history: Mapped[list[DeliveryEvent]] = relationship(
        back_populates="delivery", order_by="DeliveryEvent.id", lazy="selectin",
        cascade="all, delete-orphan")


class DeliveryEvent(Base):
    __tablename__ = "delivery_events"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"),
                                             index=True)
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    description: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[Delivery] = relationship(back_populates="history")


# --- deadlines and notifications ----------------------------------------------------------------

class Holiday(Base):
    """A public holiday (data, editable by the admin). agency_id None: applies to every agency."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("agency_id", "day", name="uq_holidays_day"),)

    id: Mapped[intpk]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(255))


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
