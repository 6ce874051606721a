"""The exchange log: who may see it, filters, and the JSON shape of a message."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from edoc.auth.roles import Role
from edoc.errors import NotFound, ValidationError
from edoc.exchange.errors import reason_message
from edoc.exchange.models import Direction, ExchangeMessage, InState, OutState
from edoc.extensions import db

__all__ = ["can_import", "can_view_log", "get_message", "message_json", "message_list"]

DIRECTIONS = {Direction.IN, Direction.OUT}
STATES = {OutState.PENDING, OutState.SENT, OutState.FAILED, OutState.CANCELLED,
          InState.PROCESSED, InState.REJECTED, InState.ERROR}
KINDS = {"edoc", "status"}


def can_view_log(user: Any) -> bool:
    return user.has_role(Role.CLERK, Role.ADMIN)


def can_import(user: Any) -> bool:
    return user.has_role(Role.CLERK)


def message_list(agency_id: int, *, direction: str | None = None, state: str | None = None,
                 kind: str | None = None) -> Select:
    stmt = select(ExchangeMessage).where(ExchangeMessage.agency_id == agency_id)
    for name, value, allowed, column in (
            ("direction", direction, DIRECTIONS, ExchangeMessage.direction),
            ("state", state, STATES, ExchangeMessage.state),
            ("kind", kind, KINDS, ExchangeMessage.kind)):
        if value:
            if value not in allowed:
                raise ValidationError(code="invalid_filter", field=name)
            stmt = stmt.where(column == value)
    return stmt.order_by(ExchangeMessage.id.desc())


def get_message(user: Any, message_id: int) -> ExchangeMessage:
    row = db.session.get(ExchangeMessage, message_id)
    if row is None or row.agency_id != user.agency_id:
        raise NotFound()
    return row


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def message_json(row: ExchangeMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "direction": row.direction,
        "kind": row.kind,
        "action": row.action,
        "state": row.state,
        "counterpart": row.counterpart,
        "edxml_document_id": row.edxml_document_id,
        "document_id": row.document_id,
        "delivery_id": row.delivery_id,
        "axis_doc_id": row.axis_doc_id,
        "source": row.source,
        "attempts": row.attempts,
        "next_attempt_at": _iso(row.next_attempt_at),
        "last_error": {"code": row.error_code, "message": reason_message(row.error_code),
                       "detail": row.last_error} if row.error_code else None,
        "ack_state": row.ack_state,
        "acked_at": _iso(row.acked_at),
        "sha256": row.stored.sha256 if row.stored is not None else None,
        "size": row.stored.size if row.stored is not None else None,
        "info": row.info or {},
        "created_at": _iso(row.created_at),
        "done_at": _iso(row.done_at),
    }
