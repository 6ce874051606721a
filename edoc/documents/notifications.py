"""In-app notifications to the people concerned by a document."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update

from edoc.db import utcnow
from edoc.documents.models import Document, Notification
from edoc.extensions import db


def notify(users: Iterable[Any], doc: Document | None, kind: str, message: str, *,
           skip: Any = None) -> None:
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or (skip is not None and user.id == skip.id):
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, agency_id=user.agency_id,
                                    document_id=doc.id if doc else None, kind=kind,
                                    message=message))


def unread_count(user: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(user: Any, limit: int = 30) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user: Any) -> None:
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
