"""Tables of the exchange: the outbox/inbox of edXML messages, and each agency's axis account.

``exchange_messages`` is both the outbox (``direction='out'``: written in the transaction that
decided to send, sent by the worker after that commit) and the inbox log (``direction='in'``:
one row per message fetched from the axis or imported, written in the transaction that applied
it, before the transport acknowledgement). The raw edXML bytes live in the object store; the row
keeps the pointer (DESIGN rule 5).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.db import Base, intpk, utcnow


class Direction:
    IN = "in"
    OUT = "out"


class OutState:
    PENDING = "pending"  # waiting in the outbox (first try or a retry after backoff)
    SENT = "sent"        # the axis accepted it (axis_doc_id set)
    FAILED = "failed"    # the axis refused it for good; a person may retry
    CANCELLED = "cancelled"  # never sent (e.g. a confidential document)


class InState:
    PROCESSED = "processed"  # applied (document created, status recorded ...)
    REJECTED = "rejected"    # refused with a reason (acknowledged as fail on the axis)
    ERROR = "error"          # failed for a reason on our side; tried again on the next poll


class ExchangeMessage(Base):
    __tablename__ = "exchange_messages"
    __table_args__ = (
        UniqueConstraint("agency_id", "dedupe_key", name="uq_exchange_messages_dedupe"),
        Index("ix_exchange_messages_due", "direction", "state", "next_attempt_at"),
        Index("ix_exchange_messages_agency_created", "agency_id", "created_at"),
        Index("ix_exchange_messages_edxml", "agency_id", "edxml_document_id"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: in | out
    direction: Mapped[str] = mapped_column(String(3))
    #: edoc | status (the axis' message type)
    kind: Mapped[str] = mapped_column(String(10))
    #: edoc: new | revoke | update | replace; status: the two-digit code
    action: Mapped[str] = mapped_column(String(10))
    #: out: pending | sent | failed | cancelled; in: processed | rejected | error
    state: Mapped[str] = mapped_column(String(10))
    #: what makes the message unique for its agency (one outbox row per delivery and action,
    #: one inbox row per axis message); NULL: no such key
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    #: our stable id of an outgoing message: the axis deduplicates retries on it
    message_uid: Mapped[str] = mapped_column(String(64), default="")
    #: the axis' id (VXP DocId) of the message
    axis_doc_id: Mapped[str] = mapped_column(String(100), default="")
    #: the other agency: receiver of an outgoing message, sender of an incoming one
    counterpart: Mapped[str] = mapped_column(String(35), default="")
    #: the edXML DocumentId concerned (ResponseFor/DocumentId for a status)
    edxml_document_id: Mapped[str] = mapped_column(String(255), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    #: the raw edXML package (sent or received), kept as evidence
    stored_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    #: import | axis (incoming only)
    source: Mapped[str] = mapped_column(String(10), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    #: stable snake_case reason of the last failure or of the rejection
    error_code: Mapped[str] = mapped_column(String(60), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: transport acknowledgement of an incoming message: "" (none needed), pending, done, fail
    ack_state: Mapped[str] = mapped_column(String(10), default="")
    acked_at: Mapped[datetime | None]
    #: what the log shows without opening the package: subject, code, reason, description ...
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: when it went out (out) or was applied or refused (in)
    done_at: Mapped[datetime | None]

    stored = relationship("StoredObject", lazy="joined")

    def __repr__(self) -> str:
        return (f"<ExchangeMessage {self.id} {self.direction} {self.kind}/{self.action} "
                f"{self.state}>")


class AxisAccount(Base):
    """The system id and secret one hosted agency uses on the axis.

    The secret is stored encrypted (Fernet, key derived from SECRET_KEY) and never logged; it can
    also come from the config instead (AXIS_SYSTEM_ID / AXIS_SECRET).
    """

    __tablename__ = "exchange_axis_accounts"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), unique=True)
    system_id: Mapped[str] = mapped_column(String(100))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_poll_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:  # the secret stays out of logs
        return f"<AxisAccount agency={self.agency_id} system_id={self.system_id!r}>"
