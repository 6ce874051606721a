"""The outbox: edXML messages written in the transaction that decided to send them, sent by the
worker after that transaction committed (DESIGN rule 9).

:func:`queue` stores the built bytes (object store first, then the row) and flushes; it never
talks to the network. :func:`flush` sends what is due, one message at a time, each in its own
short transaction; no database transaction is open during a network call (on SQLite every
transaction holds the write lock). A message that cannot go out (axis down, no credentials)
stays ``pending`` and is tried again after a backoff that doubles up to
``AXIS_MAX_BACKOFF_SECONDS``; a message the axis refuses is ``failed`` until a person retries
it. Every try reuses the message's ``message_uid``, on which the axis deduplicates, so a message
sent whose result was lost is not delivered twice.
"""
from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from connectors import EnvelopeInvalid, RemoteRejected, TransportError
from edoc import audit
from edoc.auth.models import Agency
from edoc.db import utcnow
from edoc.documents.models import Delivery, DeliveryEvent
from edoc.errors import EdocError
from edoc.exchange.client import NotConfigured, client_for
from edoc.exchange.errors import reason_message
from edoc.exchange.models import Direction, ExchangeMessage, OutState
from edoc.exchange.settings import setting
from edoc.extensions import db
from edoc.storage.services import open_stored, save_stream

__all__ = ["FlushReport", "due_messages", "find_by_key", "flush", "queue", "retry"]

logger = logging.getLogger(__name__)

XML_TYPE = "application/xml"


def find_by_key(agency_id: int, dedupe_key: str) -> ExchangeMessage | None:
    return db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.agency_id == agency_id, ExchangeMessage.dedupe_key == dedupe_key))


def store_raw(data: bytes):
    return save_stream(io.BytesIO(data), content_type=XML_TYPE, size=len(data))


def read_raw(row: ExchangeMessage) -> bytes:
    with open_stored(row.stored) as reader:
        return reader.read()


def queue(agency: Agency, data: bytes | None, *, kind: str, action: str, receiver: str,
          edxml_document_id: str, document_id: int | None = None,
          delivery_id: int | None = None, dedupe_key: str | None = None,
          info: dict[str, Any] | None = None, flush: bool = True) -> ExchangeMessage:
    """Put a message in the outbox (flushes, never sends). A message with the same
    ``dedupe_key`` already queued for the agency is returned instead of a second one.
    ``flush=False``: the row goes in with the caller's next flush (which must come before the
    commit: the caller does not need its id now).

    ``data`` None: a status message, built from ``info["status"]`` and stored when it is
    first sent (everything it needs is in the row, so the outbox stays transactional, and the
    transaction that queues it writes no file)."""
    if dedupe_key is not None:
        existing = find_by_key(agency.id, dedupe_key)
        if existing is not None:
            return existing
    stored = store_raw(data) if data is not None else None
    row = ExchangeMessage(
        agency_id=agency.id, direction=Direction.OUT, kind=kind, action=action,
        state=OutState.PENDING, dedupe_key=dedupe_key, message_uid=uuid.uuid4().hex,
        counterpart=receiver, edxml_document_id=edxml_document_id, document_id=document_id,
        delivery_id=delivery_id, stored_object_id=stored.id if stored else None,
        next_attempt_at=utcnow(), attempts=0, info=dict(info or {}))
    row.stored = stored
    db.session.add(row)
    if flush:
        db.session.flush()
    audit.record("exchange.queued", obj=row, agency_id=agency.id,
                 details={"kind": kind, "action": action, "to": receiver,
                          "edxml_document_id": edxml_document_id,
                          "sha256": stored.sha256 if stored else None})
    return row


def _materialize(row: ExchangeMessage) -> bytes:
    """The bytes of a queued message, building and storing a deferred status first."""
    if row.stored is not None:
        return read_raw(row)
    from edoc.exchange.status import build_queued

    data = build_queued(row)
    stored = store_raw(data)
    row.stored_object_id, row.stored = stored.id, stored
    db.session.flush()
    return data


def cancel(agency: Agency, *, kind: str, action: str, receiver: str, edxml_document_id: str,
           reason_code: str, document_id: int | None = None, delivery_id: int | None = None,
           dedupe_key: str | None = None) -> ExchangeMessage:
    """Record a message that must not go out (its reason shows in the log)."""
    if dedupe_key is not None:
        existing = find_by_key(agency.id, dedupe_key)
        if existing is not None:
            return existing
    row = ExchangeMessage(
        agency_id=agency.id, direction=Direction.OUT, kind=kind, action=action,
        state=OutState.CANCELLED, dedupe_key=dedupe_key, counterpart=receiver,
        edxml_document_id=edxml_document_id, document_id=document_id, delivery_id=delivery_id,
        error_code=reason_code, last_error=reason_message(reason_code), done_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


# --------------------------------------------------------------------------- sending


@dataclass
class FlushReport:
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    base = max(1, int(setting("AXIS_BACKOFF_SECONDS")))
    cap = max(base, int(setting("AXIS_MAX_BACKOFF_SECONDS")))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def due_messages(*, agency_id: int | None = None, now: datetime | None = None,
                 limit: int = 200) -> list[int]:
    now = now or utcnow()
    stmt = (select(ExchangeMessage.id)
            .where(ExchangeMessage.direction == Direction.OUT,
                   ExchangeMessage.state == OutState.PENDING,
                   ExchangeMessage.next_attempt_at <= now)
            .order_by(ExchangeMessage.id).limit(limit))
    if agency_id is not None:
        stmt = stmt.where(ExchangeMessage.agency_id == agency_id)
    return list(db.session.scalars(stmt))


def _wait(row: ExchangeMessage, code: str, message: str) -> None:
    """Keep the message in the outbox and try again later."""
    row.attempts += 1
    row.error_code, row.last_error = code, message[:4000]
    row.next_attempt_at = utcnow() + _backoff(row.attempts)


def _delivery_note(row: ExchangeMessage, description: str, status: str | None = None) -> None:
    if row.delivery_id is None:
        return
    delivery = db.session.get(Delivery, row.delivery_id)
    if delivery is None:
        return
    if status is not None:
        delivery.status = status
        delivery.updated_at = utcnow()
    delivery.history.append(DeliveryEvent(status=delivery.status, description=description))


def _sent(row: ExchangeMessage, doc_id: str, duplicate: bool) -> None:
    row.state, row.axis_doc_id, row.done_at = OutState.SENT, doc_id, utcnow()
    row.attempts += 1
    row.error_code, row.last_error, row.next_attempt_at = "", "", None
    if row.kind == "edoc" and row.action in ("new", "replace"):
        delivery = db.session.get(Delivery, row.delivery_id) if row.delivery_id else None
        if delivery is not None and delivery.status == "pending":
            _delivery_note(row, "Đã gửi qua trục liên thông", "sent")
    audit.record("exchange.sent", obj=row, agency_id=row.agency_id,
                 details={"axis_doc_id": doc_id, "duplicate": duplicate, "to": row.counterpart})


def _failed(row: ExchangeMessage, code: str, message: str) -> None:
    row.attempts += 1
    row.state, row.error_code, row.last_error = OutState.FAILED, code, message[:4000]
    row.next_attempt_at = None
    _delivery_note(row, f"Trục liên thông từ chối gói tin: {reason_message(code, message)}")
    audit.record("exchange.send_failed", obj=row, agency_id=row.agency_id,
                 details={"code": code, "to": row.counterpart})


def _send_one(row_id: int, clients: dict[int, Any], blocked: set[int],
              report: FlushReport) -> None:
    row = db.session.get(ExchangeMessage, row_id)
    if row is None or row.state != OutState.PENDING or row.agency_id in blocked:
        db.session.rollback()
        return
    agency_id = row.agency_id
    try:
        client = clients.get(agency_id)
        if client is None:
            client = clients[agency_id] = client_for(db.session.get(Agency, agency_id))
    except NotConfigured as exc:
        _wait(row, exc.code, reason_message(exc.code))
        db.session.commit()
        blocked.add(agency_id)
        report.waiting += 1
        return
    data = _materialize(row)
    kind, action, uid, receiver = row.kind, row.action, row.message_uid, row.counterpart
    db.session.commit()  # no transaction stays open during the network call
    try:
        receipt = client.send(data, message_type=kind, message_id=uid, to=(receiver,))
    except TransportError as exc:
        _wait(db.session.get(ExchangeMessage, row_id), exc.code, exc.message)
        db.session.commit()
        blocked.add(agency_id)  # the axis is unreachable: the rest waits, in order
        report.waiting += 1
        report.errors.append(exc.code)
        return
    except RemoteRejected as exc:
        row = db.session.get(ExchangeMessage, row_id)
        if exc.http_status == 401:  # credentials or clock: fixable, keep the message
            _wait(row, exc.code, exc.message)
            blocked.add(agency_id)
            report.waiting += 1
        else:
            _failed(row, exc.code, exc.message)
            report.failed += 1
        report.errors.append(exc.code)
        db.session.commit()
        return
    except EnvelopeInvalid as exc:
        _failed(db.session.get(ExchangeMessage, row_id), exc.code, exc.message)
        db.session.commit()
        report.failed += 1
        report.errors.append(exc.code)
        return
    _sent(db.session.get(ExchangeMessage, row_id), receipt.doc_id, receipt.duplicate)
    db.session.commit()
    report.sent += 1
    logger.info("exchange: sent %s %s/%s to %s (axis id %s)", row_id, kind, action, receiver,
                receipt.doc_id)


def flush(*, agency_id: int | None = None, now: datetime | None = None,
          limit: int = 200) -> FlushReport:
    """Send the due messages of the outbox (commits after each one)."""
    report = FlushReport()
    ids = due_messages(agency_id=agency_id, now=now, limit=limit)
    db.session.commit()
    clients: dict[int, Any] = {}
    blocked: set[int] = set()
    try:
        for row_id in ids:
            try:
                _send_one(row_id, clients, blocked, report)
            except EdocError as exc:  # the object store is down: try the next time
                db.session.rollback()
                report.errors.append(exc.code)
                logger.warning("exchange: message %s not sent: %s", row_id, exc)
    finally:
        for client in clients.values():
            client.close()
    return report


def retry(row: ExchangeMessage, *, actor: Any = None) -> ExchangeMessage:
    """Put a failed (or waiting) outgoing message back in the outbox, due now."""
    if row.direction != Direction.OUT or row.state not in (OutState.FAILED, OutState.PENDING):
        from edoc.errors import Conflict

        raise Conflict(code="exchange_not_retryable", state=row.state)
    row.state, row.next_attempt_at = OutState.PENDING, utcnow()
    db.session.flush()
    audit.record("exchange.retry", actor=actor, obj=row, agency_id=row.agency_id)
    return row
