"""The append-only audit log: one hash chain per agency (chain 0 for deployment-wide events)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edoc.db import Base, intpk


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_audit_entries_chain_seq"),
        CheckConstraint("length(entry_hash) = 64", name="entry_hash_len"),
        Index("ix_audit_entries_object", "object_type", "object_id"),
    )

    id: Mapped[intpk]
    #: the chain this entry belongs to: the agency id, or 0 for deployment-wide events
    chain: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    #: position in the chain, 1, 2, 3 ... without gaps
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(80), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last entry of each chain. Appending locks this row, so chains never fork; comparing it
    with the entries finds entries deleted from the end of a chain."""

    __tablename__ = "audit_heads"

    chain: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                       primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))
