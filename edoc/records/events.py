"""Record timeline rows and their audit entries, and the optimistic-version check."""
from __future__ import annotations

from typing import Any

from edoc import audit
from edoc.errors import StaleVersion
from edoc.extensions import db
from edoc.records.models import Record, RecordEvent
from edoc.records.states import next_state

__all__ = ["add_event", "check_version", "transition"]


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse a change made against an old copy (a double click, a race): 409."""
    if expected is not None and expected != obj.version_id:
        raise StaleVersion(current_version=obj.version_id, expected_version=expected)


def add_event(record: Record, action: str, actor: Any, *, from_state: str | None = None,
              to_state: str | None = None, note: str = "",
              data: dict[str, Any] | None = None) -> RecordEvent:
    event = RecordEvent(record_id=record.id, agency_id=record.agency_id,
                        actor_id=getattr(actor, "id", None), action=action,
                        from_state=from_state, to_state=to_state, note=note or "",
                        data=dict(data or {}))
    db.session.add(event)
    audit.record(f"record.{action}", actor=actor, obj=record,
                 details={"code": record.code, "from": from_state, "to": to_state,
                          **({"note": note} if note else {}), **(data or {})})
    return event


def transition(record: Record, action: str, actor: Any, *, note: str = "",
               data: dict[str, Any] | None = None, expected_version: int | None = None) -> str:
    """Move ``record`` by ``action`` through the transition table, with an event row."""
    check_version(record, expected_version)
    old = record.state
    new = next_state(old, action)
    record.state = new
    add_event(record, action, actor, from_state=old, to_state=new, note=note, data=data)
    return new
