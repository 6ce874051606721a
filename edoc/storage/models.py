"""``stored_objects``: pointers to and integrity data of stored files, never the bytes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, String, false
from sqlalchemy.orm import Mapped, mapped_column

from edoc.db import Base, UTCDateTime, intpk, utcnow

__all__ = ["StoredObject"]


class StoredObject(Base):
    """One object in the object store. Domain tables (document files, archive packages)
    reference ``stored_objects.id``; a row is only ever created after its bytes are stored."""

    __tablename__ = "stored_objects"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(255), unique=True)
    backend: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retention_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<StoredObject {self.id} {self.key} {self.size}B>"
