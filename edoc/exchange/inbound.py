"""Receiving: keep the raw package, parse and validate, apply, commit (the transport side,
poll/fetch/acknowledge, is :mod:`edoc.exchange.poller`).

One message is applied in one transaction: its inbox row (with the pointer to the raw package),
the document it creates or changes, the status replies it queues. Then the transaction commits,
then the axis hears ``done``. A worker killed anywhere in between loses nothing: before the
commit nothing exists and the message is still in the axis inbox; after it, the next poll finds
the inbox row (unique per agency and axis id) and only acknowledges again. A refused message
(malformed, unsafe, not for us, about an unknown document ...) is rolled back entirely, then
recorded with its reason and acknowledged as ``fail``. A failure on our side (database, object
store) is recorded as ``error`` and tried again on the next poll.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from connectors import EnvelopeInvalid
from connectors.edxml import BusinessType, EdocMessage, StatusMessage, is_addressed_to
from connectors.protocol import ReceivedItem
from edoc import audit
from edoc.auth.models import Agency
from edoc.capture import CapturedFile
from edoc.db import utcnow
from edoc.documents.models import Document
from edoc.errors import EdocError, ServiceUnavailable
from edoc.exchange import actions, outbox
from edoc.exchange.envelope import parse
from edoc.exchange.errors import Rejected, reason_message
from edoc.exchange.models import Direction, ExchangeMessage, InState
from edoc.exchange.receive import receive_document, response_info
from edoc.exchange.settings import setting
from edoc.exchange.status import apply_status
from edoc.extensions import db
from edoc.signatures.verification import Prechecked

__all__ = ["Outcome", "imported_document", "ingest", "outcome", "reprocess"]

logger = logging.getLogger(__name__)

Parsed = EdocMessage | StatusMessage | EnvelopeInvalid

ACTIONS = {BusinessType.NEW: "new", BusinessType.REVOKE: "revoke",
           BusinessType.UPDATE: "update", BusinessType.REPLACE: "replace"}


@dataclass(frozen=True)
class Outcome:
    """What the poller needs of an applied message's row, read before the commit that expires
    it (reading the row afterwards would load it again)."""
    id: int
    state: str
    ack_state: str
    axis_doc_id: str
    error_code: str
    last_error: str

    @classmethod
    def of(cls, row: ExchangeMessage) -> Outcome:
        return cls(row.id, row.state, row.ack_state, row.axis_doc_id, row.error_code,
                   row.last_error)


def outcome(row: ExchangeMessage) -> Outcome:
    """The row's :class:`Outcome` as :func:`ingest` committed it (or as it is now)."""
    kept = row.__dict__.get("outcome")
    return kept if isinstance(kept, Outcome) else Outcome.of(row)


def _commit(row: ExchangeMessage) -> None:
    db.session.flush()
    row.outcome = Outcome.of(row)  # a plain attribute: not expired by the commit
    db.session.commit()


# --------------------------------------------------------------------------- applying


def _check_route(agency: Agency, msg: EdocMessage | StatusMessage,
                 item: ReceivedItem | None) -> None:
    if item is not None:
        if msg.kind != item.message_type:
            raise Rejected("message_type_mismatch",
                           f"the axis says {item.message_type!r}, the message is {msg.kind!r}")
        if item.sender and msg.sender.organ_id.strip() != item.sender.strip():
            raise Rejected("sender_mismatch", f"From/OrganId {msg.sender.organ_id!r} but the "
                                              f"axis sender is {item.sender!r}")
    # A take-back request (13) names no receiver: it is checked against our documents instead.
    if msg.receiver_organ_ids and not is_addressed_to(msg, agency.organ_id):
        raise Rejected("not_addressed_to_us",
                       f"addressed to {', '.join(msg.receiver_organ_ids)}, "
                       f"not {agency.organ_id}")


def _summary(msg: EdocMessage | StatusMessage) -> dict[str, Any]:
    if isinstance(msg, StatusMessage):
        return {"code": msg.response_for.code, "status": msg.status_code,
                "description": msg.description[:500], "has_signature": msg.has_signature}
    return {"subject": msg.subject[:300], "code": str(msg.code),
            "reason": msg.business.reason[:500],
            "attachments": [a.name for a in msg.attachments],
            "has_signature": msg.has_signature, **response_info(msg)}


def _apply(agency: Agency, data: bytes, *, source: str, dedupe_key: str | None,
           item: ReceivedItem | None, row: ExchangeMessage | None,
           parsed: Parsed | None = None, captured: CapturedFile | None = None,
           checked: Prechecked | None = None) -> ExchangeMessage:
    """Apply one message (flushes, raises Rejected/EnvelopeInvalid; the caller commits)."""
    stored = outbox.store_raw(data)  # the evidence first (DESIGN rule 5)
    if isinstance(parsed, EnvelopeInvalid):
        raise parsed
    msg = parsed if parsed is not None else parse(data)
    _check_route(agency, msg, item)
    new_document = (isinstance(msg, EdocMessage)
                    and msg.business.business_type == BusinessType.NEW)
    if row is None:
        row = ExchangeMessage(agency_id=agency.id, direction=Direction.IN, dedupe_key=dedupe_key,
                              attempts=0, info={})
        if not new_document:
            db.session.add(row)
    row.kind = msg.kind
    row.action = (msg.status_code if isinstance(msg, StatusMessage)
                  else ACTIONS[msg.business.business_type])
    row.state, row.source = InState.PROCESSED, source
    row.axis_doc_id = item.doc_id if item is not None else ""
    row.counterpart = msg.sender.organ_id[:35]
    row.edxml_document_id = (msg.referenced_document_id if isinstance(msg, StatusMessage)
                             else msg.document_id)[:255]
    row.stored_object_id, row.stored = stored.id, stored
    row.attempts += 1
    row.error_code, row.last_error = "", ""
    row.ack_state = "pending" if item is not None else ""
    row.info = _summary(msg)
    row.done_at = utcnow()
    if row in db.session:
        db.session.flush()
    # else a new row for a new document: it joins the session after the document is made, so
    # that it is inserted once, with its document_id, in the flush that ends applying the
    # message (with the status 01 row), not inserted first and updated after. A concurrent
    # worker applying the same axis message still fails on its unique key, in that flush.
    if isinstance(msg, StatusMessage):
        apply_status(agency, msg, row)
    elif msg.business.business_type == BusinessType.REVOKE:
        actions.apply_revoke(agency, msg, row)
    elif msg.business.business_type == BusinessType.UPDATE:
        actions.apply_update(agency, msg, row)
    elif msg.business.business_type == BusinessType.REPLACE:
        actions.apply_replace(agency, msg, row)
    else:
        receive_document(agency, msg, row, captured=captured, checked=checked)
        db.session.add(row)
    db.session.flush()
    audit.record("exchange.received", obj=row, agency_id=agency.id,
                 details={"kind": row.kind, "action": row.action, "from": row.counterpart,
                          "edxml_document_id": row.edxml_document_id,
                          "document_id": row.document_id, "sha256": stored.sha256})
    return row


def _record_failure(agency: Agency, data: bytes, *, source: str, dedupe_key: str | None,
                    item: ReceivedItem | None, code: str, message: str,
                    permanent: bool, details: dict[str, Any] | None = None,
                    msg: EdocMessage | StatusMessage | None = None) -> ExchangeMessage:
    """After the rollback: the refusal (or our failure) with its reason and the raw package."""
    row = outbox.find_by_key(agency.id, dedupe_key) if dedupe_key else None
    if row is None:
        row = ExchangeMessage(agency_id=agency.id, direction=Direction.IN, kind="",
                              action="", dedupe_key=dedupe_key, attempts=0, info={})
        db.session.add(row)
    if msg is not None:  # parsed, then refused: say what it was
        row.kind = msg.kind
        row.action = (msg.status_code if isinstance(msg, StatusMessage)
                      else ACTIONS[msg.business.business_type])
        row.counterpart = msg.sender.organ_id[:35]
        row.edxml_document_id = (msg.referenced_document_id if isinstance(msg, StatusMessage)
                                 else msg.document_id)[:255]
        row.info = {**_summary(msg), **(row.info or {})}
    else:
        row.kind = row.kind or (item.message_type if item is not None else "edoc")
        row.counterpart = (item.sender if item is not None else row.counterpart or "")[:35]
    row.action = row.action or ""
    row.source = source
    row.axis_doc_id = item.doc_id if item is not None else ""
    row.attempts += 1
    if not permanent and row.attempts >= int(setting("AXIS_INBOUND_MAX_ATTEMPTS")):
        permanent, message = True, f"{reason_message('too_many_attempts')} ({code}: {message})"
        code = "too_many_attempts"
    row.state = InState.REJECTED if permanent else InState.ERROR
    row.error_code, row.last_error = code[:60], message[:4000]
    row.ack_state = ("pending" if permanent else "") if item is not None else ""
    row.info = {**(row.info or {}), **({"details": details} if details else {})}
    row.done_at = utcnow() if permanent else None
    try:
        stored = outbox.store_raw(data)
        row.stored_object_id, row.stored = stored.id, stored
    except EdocError:  # the store is down: the reason is still recorded
        logger.warning("exchange: raw package of a refused message not stored")
    db.session.flush()
    audit.record("exchange.rejected" if permanent else "exchange.receive_failed", obj=row,
                 agency_id=agency.id, details={"code": row.error_code, "from": row.counterpart,
                                               "axis_doc_id": row.axis_doc_id})
    return row


def ingest(agency: Agency, data: bytes, *, source: str = "axis",
           dedupe_key: str | None = None, item: ReceivedItem | None = None,
           parsed: Parsed | None = None, unseen: bool = False,
           captured: CapturedFile | None = None,
           checked: Prechecked | None = None) -> ExchangeMessage:
    """Apply one received message and commit; a refusal (or a failure on our side) is rolled
    back entirely, then recorded with its reason and committed instead.

    ``parsed``: the message already parsed from ``data`` (or the EnvelopeInvalid it raised), so
    that a poller parsing ahead in another thread does not parse twice. ``unseen``: the caller
    looked ``dedupe_key`` up already and found no row (one that another worker inserts since
    makes the insert fail, and that row is used). ``captured``: the capture of a new document's
    main file done ahead (:func:`edoc.exchange.receive.prepare_capture`); ``checked``: the
    signature report of that file made ahead (recorded if it is about the same bytes)."""
    agency_id = agency.id
    if parsed is None:
        try:
            parsed = parse(data)
        except EnvelopeInvalid as exc:
            parsed = exc
    existing = outbox.find_by_key(agency_id, dedupe_key) if dedupe_key and not unseen else None
    try:
        row = _apply(agency, data, source=source, dedupe_key=dedupe_key, item=item, row=existing,
                     parsed=parsed, captured=captured, checked=checked)
        logger.info("exchange: received message %s (%s/%s) for agency %s", row.id, row.kind,
                    row.action, agency_id)
        _commit(row)
        return row
    except (Rejected, EnvelopeInvalid) as exc:
        db.session.rollback()
        code, message, details, permanent = exc.code, exc.message, dict(exc.details), True
    except IntegrityError:
        # Another worker applied the same axis message first: use its row.
        db.session.rollback()
        row = outbox.find_by_key(agency_id, dedupe_key) if dedupe_key else None
        if row is None:
            raise
        return row
    except ServiceUnavailable as exc:  # our object store or database: try again later
        db.session.rollback()
        code, message, details, permanent = exc.code, str(exc.message), {}, False
    except Exception as exc:  # a bug or a database hiccup: keep the message for the next poll
        db.session.rollback()
        logger.exception("exchange: applying a message for agency %s failed", agency_id)
        code, message, details, permanent = (
            "internal_error", f"{type(exc).__name__}: {exc}", {}, False)
    agency = db.session.get(Agency, agency_id)
    row = _record_failure(agency, data, source=source, dedupe_key=dedupe_key, item=item,
                          code=code, message=message, permanent=permanent, details=details,
                          msg=None if isinstance(parsed, EnvelopeInvalid) else parsed)
    logger.warning("exchange: message %s for agency %s %s: %s", row.id, agency_id,
                   "refused" if permanent else "failed", code)
    _commit(row)
    return row


def reprocess(row: ExchangeMessage, *, actor: Any = None) -> ExchangeMessage:
    """Apply a refused or failed incoming message again from its kept package (no transport:
    its acknowledgement was already given or is given by the next poll)."""
    from edoc.errors import Conflict

    if row.direction != Direction.IN or row.state == InState.PROCESSED or row.stored is None:
        raise Conflict(code="exchange_not_retryable", state=row.state)
    data = outbox.read_raw(row)
    agency = db.session.get(Agency, row.agency_id)
    audit.record("exchange.reprocess", actor=actor, obj=row, agency_id=agency.id)
    item = None
    if row.axis_doc_id:
        item = ReceivedItem(doc_id=row.axis_doc_id, message_type=row.kind or "edoc",
                            sender=row.counterpart, receiver=agency.organ_id, status="",
                            created_at=row.created_at, updated_at=row.created_at,
                            content_sha256="", content_length=len(data))
    ack = row.ack_state
    result = ingest(agency, data, source=row.source or "axis", dedupe_key=row.dedupe_key,
                    item=item)
    if ack in ("done", "fail"):  # already acknowledged on the axis: nothing more to say there
        result.ack_state = ack
        db.session.commit()
    return result


def imported_document(row: ExchangeMessage) -> Document | None:
    return db.session.get(Document, row.document_id) if row.document_id else None

