"""Status messages (vn-standards §1.9, §2.3): the ones we send about documents we received, and
the ones we receive about documents we sent (kept on the per-recipient delivery rows).

Sending: 01 when a document arrives (queued in the transaction that created it), then 02..06 as
the clerk, leader and officer act (``edoc.documents.incoming.sender`` enqueues
``exchange.send_status``), 15/16 to answer a revocation, update or take-back request.
Receiving: 01..06 and 15/16 are appended to the delivery's history; 13 (the sender wants its
document back) is answered with 15 when the document has not been assigned yet (its copy here
is cancelled) and with 16 otherwise.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from connectors.edxml import DEFAULT_STATUS_CODES, ResponseFor, StaffInfo, StatusMessage
from edoc.auth.models import Agency
from edoc.db import utcnow
from edoc.documents.models import Delivery, DeliveryEvent, Document
from edoc.errors import InvalidTransition
from edoc.exchange import outbox
from edoc.exchange.envelope import build
from edoc.exchange.errors import Rejected
from edoc.exchange.mapping import organization
from edoc.exchange.models import Direction, ExchangeMessage, InState, OutState
from edoc.extensions import db

__all__ = [
    "AGREE",
    "REFUSE",
    "apply_status",
    "find_incoming",
    "queue_status",
    "reply_ref",
    "send_status_for",
]

logger = logging.getLogger(__name__)

#: answers to a revocation, update or take-back request (VPCP sample texts, P; §5.2 item 1)
AGREE, REFUSE = "15", "16"
#: a take-back (13) is agreed while the document is not yet being handled
TAKE_BACK_STATES = ("received", "registered", "submitted")


def ref_dict(ref: ResponseFor) -> dict[str, Any]:
    return {"organ_id": ref.organ_id, "code": ref.code, "document_id": ref.document_id,
            "promulgation_date": ref.promulgation_date.isoformat()
            if ref.promulgation_date else None}


def ref_from_dict(data: dict[str, Any]) -> ResponseFor:
    date = data.get("promulgation_date")
    return ResponseFor(organ_id=data.get("organ_id") or "", code=data.get("code") or "",
                       document_id=data.get("document_id") or "",
                       promulgation_date=dt.date.fromisoformat(date) if date else None)


def reply_ref(doc: Document) -> ResponseFor:
    """What a status about one of our incoming documents points at: the received message's
    header (kept on its inbox row), or the document's own columns."""
    row = db.session.scalar(
        select(ExchangeMessage).where(
            ExchangeMessage.agency_id == doc.agency_id,
            ExchangeMessage.direction == Direction.IN, ExchangeMessage.kind == "edoc",
            ExchangeMessage.document_id == doc.id, ExchangeMessage.state == InState.PROCESSED)
        .order_by(ExchangeMessage.id))
    if row is not None and row.info.get("response_for"):
        return ref_from_dict(row.info["response_for"])
    return ResponseFor(organ_id=doc.issuing_organ_id or "", code=doc.number_notation,
                       promulgation_date=doc.document_date,
                       document_id=doc.exchange_document_id or "")


def _staff(actor: Any) -> dict[str, str] | None:
    if actor is None:
        return None
    unit = getattr(actor, "unit", None)
    return {"department": unit.name if unit else "", "staff": actor.full_name,
            "email": actor.email or ""}


def _message(agency: Agency, data: dict[str, Any]) -> StatusMessage:
    staff = data.get("staff")
    return StatusMessage(
        sender=organization(agency), response_for=ref_from_dict(data["response_for"]),
        status_code=data["code"], timestamp=dt.datetime.fromisoformat(data["timestamp"]),
        description=data["description"], staff_info=StaffInfo(**staff) if staff else None)


def build_queued(row: ExchangeMessage) -> bytes:
    """The bytes of a status queued by :func:`queue_status` (built when first sent)."""
    return build(_message(db.session.get(Agency, row.agency_id), row.info["status"]))


def queue_status(agency: Agency, ref: ResponseFor, code: str, description: str = "", *,
                 receiver: str | None = None, document_id: int | None = None,
                 delivery_id: int | None = None, actor: Any = None,
                 dedupe_key: str | None = None, flush: bool = True) -> ExchangeMessage:
    """Put a status message in the outbox (sent after this transaction). It is checked now
    (XSD) and stored as a file when first sent. ``flush``: as for :func:`outbox.queue`."""
    info = DEFAULT_STATUS_CODES.get(code)
    text = (description or "").strip() or (info.vi if info else "")
    data = {"code": code, "description": text[:2000], "timestamp": utcnow().isoformat(),
            "response_for": ref_dict(ref), "staff": _staff(actor)}
    build(_message(agency, data))  # refuse a bad status here, not when the worker sends it
    return outbox.queue(agency, None, kind="status", action=code,
                        receiver=receiver or ref.organ_id, edxml_document_id=ref.document_id,
                        document_id=document_id, delivery_id=delivery_id, dedupe_key=dedupe_key,
                        info={"description": text[:500], "code": ref.code, "status": data},
                        flush=flush)


def send_status_for(doc: Document, code: str, note: str = "", actor: Any = None
                    ) -> ExchangeMessage | None:
    """The status of one of our incoming documents, to the agency that sent it to us."""
    if code not in DEFAULT_STATUS_CODES:
        raise ValueError(f"unknown status code {code!r}")
    ref = reply_ref(doc)
    if not ref.organ_id or not ref.document_id:
        logger.warning("exchange: document %s has no sender reference, status %s not sent",
                       doc.id, code)
        return None
    agency = db.session.get(Agency, doc.agency_id)
    return queue_status(agency, ref, code, note, document_id=doc.id, actor=actor)


# --------------------------------------------------------------------------- receiving


def find_incoming(agency: Agency, document_id: str, sender: str) -> Document | None:
    """Our copy of a document ``sender`` sent us (by its edXML DocumentId)."""
    if not document_id:
        return None
    return db.session.scalar(
        select(Document).where(Document.agency_id == agency.id,
                               Document.direction == "incoming",
                               Document.exchange_document_id == document_id,
                               Document.issuing_organ_id == sender)
        .order_by(Document.id))


def find_delivery(agency: Agency, ref: ResponseFor, receiver: str) -> Delivery | None:
    """The delivery of one of our documents to ``receiver``, by the DocumentId we sent."""
    row = db.session.scalar(
        select(ExchangeMessage).where(
            ExchangeMessage.agency_id == agency.id, ExchangeMessage.direction == Direction.OUT,
            ExchangeMessage.kind == "edoc", ExchangeMessage.edxml_document_id == ref.document_id,
            ExchangeMessage.counterpart == receiver, ExchangeMessage.delivery_id.is_not(None),
            ExchangeMessage.state != OutState.CANCELLED)
        .order_by(ExchangeMessage.id))
    if row is not None:
        return db.session.get(Delivery, row.delivery_id)
    return None


def _record(delivery: Delivery, msg: StatusMessage) -> None:
    info = DEFAULT_STATUS_CODES.get(msg.status_code)
    description = msg.description or (info.vi if info else msg.status_code)
    delivery.status = msg.status_code
    delivery.updated_at = utcnow()
    delivery.history.append(DeliveryEvent(status=msg.status_code, at=msg.timestamp,
                                          description=description[:2000]))


def _take_back(agency: Agency, msg: StatusMessage, row: ExchangeMessage) -> None:
    from edoc.documents.incoming.services import cancel_by_sender

    ref = msg.response_for
    doc = find_incoming(agency, ref.document_id, msg.sender.organ_id)
    if doc is None:
        raise Rejected("unknown_document", f"no incoming document {ref.document_id!r}")
    row.document_id = doc.id
    reason = msg.description or "Cơ quan gửi yêu cầu lấy lại văn bản"
    if doc.state == "cancelled":
        answer, note = AGREE, ""
    elif doc.state in TAKE_BACK_STATES:
        try:
            cancel_by_sender(doc, f"Cơ quan gửi lấy lại văn bản: {reason}")
            answer, note = AGREE, ""
        except InvalidTransition:
            answer, note = REFUSE, "Văn bản không còn ở trạng thái cho phép lấy lại."
    else:
        answer, note = REFUSE, "Văn bản đã được phân công xử lý, không thể lấy lại."
    row.info = {**row.info, "answer": answer}
    queue_status(agency, reply_ref(doc), answer, note, receiver=msg.sender.organ_id,
                 document_id=doc.id)


def apply_status(agency: Agency, msg: StatusMessage, row: ExchangeMessage) -> None:
    """Apply a received status message (raise Rejected for one about an unknown document)."""
    if msg.status_code == "13":
        _take_back(agency, msg, row)
        return
    ref = msg.response_for
    if ref.organ_id and ref.organ_id != agency.organ_id:
        raise Rejected("not_addressed_to_us", "the status is about another agency's document")
    delivery = find_delivery(agency, ref, msg.sender.organ_id)
    if delivery is None:
        raise Rejected("unknown_document", f"no document {ref.document_id!r} sent to "
                                           f"{msg.sender.organ_id}")
    row.delivery_id, row.document_id = delivery.id, delivery.document_id
    _record(delivery, msg)
