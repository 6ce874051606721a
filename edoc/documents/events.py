"""Moving a document through its state machine, with an event row and an audit entry."""
from __future__ import annotations

import logging
from typing import Any

from edoc import audit
from edoc.documents.models import Document, DocumentEvent
from edoc.documents.states import next_state
from edoc.errors import StaleVersion
from edoc.extensions import db

logger = logging.getLogger(__name__)


def check_version(doc: Document, expected: int | None) -> None:
    """Refuse a change made against an old copy of the document (a double click, a race)."""
    if expected is not None and expected != doc.version_id:
        raise StaleVersion(current_version=doc.version_id, expected_version=expected)


def transition(doc: Document, action: str, actor: Any, *, note: str = "",
               data: dict[str, Any] | None = None, expected_version: int | None = None) -> str:
    """Apply ``action``: the new state comes from the transition table. Returns the new state."""
    check_version(doc, expected_version)
    old = doc.state
    new = next_state(doc.direction, old, action)
    doc.state = new
    add_event(doc, action, actor, from_state=old, to_state=new, note=note, data=data)
    logger.info("document %s: %s -> %s by %s", doc.id, old, new,
                getattr(actor, "username", "system"))
    return new


def add_event(doc: Document, action: str, actor: Any, *, from_state: str | None = None,
              to_state: str | None = None, note: str = "",
              data: dict[str, Any] | None = None) -> DocumentEvent:
    """Record something that happened to a document without changing its state."""
    event = DocumentEvent(document_id=doc.id, agency_id=doc.agency_id,
                          actor_id=getattr(actor, "id", None), action=action,
                          from_state=from_state, to_state=to_state, note=note or "",
                          data=dict(data or {}))
    db.session.add(event)
    audit.record(f"document.{action}", actor=actor, obj=doc,
                 details={"from": from_state, "to": to_state, **(data or {})})
    return event


def touch(doc: Document) -> None:
    """Bump the version of a document whose own columns did not change (new file, new party)."""
    from edoc.db import utcnow

    doc.updated_at = utcnow()
