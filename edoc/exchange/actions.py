"""Revoke (thu hồi), update (cập nhật), replace (thay thế) and take back (lấy lại), both ways
(vn-standards §2.4).

Outgoing: the outgoing module enqueues ``exchange.send_document`` per external delivery and
``exchange.send_action`` per delivery and action; the handlers here build the edXML packet
(BussinessDocType 0..3) and queue it. A replacement travels as ONE packet: the new document with
``ReplacementInfo`` naming the replaced one (so the ``replace`` action itself sends nothing).
A take-back is a status 13 sent by our clerk.

Incoming: a revocation cancels our copy (Decree 30 Điều 18.4.b) and is answered with 15 (16 if
the copy can no longer be cancelled); an update is applied to our copy (metadata, receivers)
or, when it carries a new DocumentId and a file, received as a new document linked ``updates``;
a replacement is received as a new document linked ``replaces``, the replaced copy cancelled and
the sender told 15 about it.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from connectors.edxml import (
    Business,
    BusinessDocumentInfo,
    BusinessType,
    EdocMessage,
    Receiver,
    ReceiverType,
    ReplacementInfo,
)
from edoc import audit
from edoc.auth import permissions as perm
from edoc.auth.models import Agency
from edoc.documents.events import add_event
from edoc.documents.models import Delivery, DeliveryEvent, Document, DocumentEvent, DocumentLink
from edoc.errors import Conflict, InvalidTransition, NotFound, ValidationError
from edoc.exchange import outbox
from edoc.exchange.envelope import build
from edoc.exchange.errors import ExchangeRefused, Rejected
from edoc.exchange.mapping import (
    check_sendable,
    document_message,
    edxml_document_id,
    organization_for,
    response_for,
    urgency_for,
)
from edoc.exchange.models import ExchangeMessage
from edoc.exchange.receive import receive_document
from edoc.exchange.status import AGREE, REFUSE, find_incoming, queue_status, reply_ref
from edoc.extensions import db

__all__ = [
    "apply_replace",
    "apply_revoke",
    "apply_update",
    "request_take_back",
    "send_action",
    "send_document",
]

logger = logging.getLogger(__name__)

MAX_REASON = 2000


# --------------------------------------------------------------------------- outgoing


def original_id(doc: Document, agency: Agency, delivery: Delivery | None) -> str:
    """The DocumentId we sent the document under (to this recipient), else the computed one."""
    if delivery is not None:
        row = outbox.find_by_key(agency.id, f"doc:{delivery.id}")
        if row is not None and row.edxml_document_id:
            return row.edxml_document_id
    return edxml_document_id(doc, agency)


def _refuse(agency: Agency, delivery: Delivery, doc: Document, action: str, key: str,
            code: str) -> ExchangeMessage:
    delivery.history.append(DeliveryEvent(
        status=delivery.status, description="Không gửi qua trục liên thông: văn bản có độ mật"))
    return outbox.cancel(agency, kind="edoc", action=action, receiver=delivery.recipient_organ_id,
                         edxml_document_id="", reason_code=code, document_id=doc.id,
                         delivery_id=delivery.id, dedupe_key=key)


def _load(document_id: Any, delivery_id: Any) -> tuple[Document, Delivery, Agency] | None:
    doc = db.session.get(Document, int(document_id))
    delivery = db.session.get(Delivery, int(delivery_id)) if delivery_id else None
    if doc is None or delivery is None or not delivery.recipient_organ_id:
        return None
    return doc, delivery, db.session.get(Agency, doc.agency_id)


def _replace_reason(old: Document) -> str:
    note = db.session.scalar(select(DocumentEvent.note).where(
        DocumentEvent.document_id == old.id, DocumentEvent.action == "replace")
        .order_by(DocumentEvent.id.desc()))
    return (note or "").strip() or "Văn bản thay thế"


def send_document(document_id: Any, delivery_id: Any, *, replaces_document_id: Any = None,
                  actor: Any = None) -> ExchangeMessage | None:
    """Queue the document for one external recipient (BussinessDocType 0, or 3 with the
    replaced document when it replaces one). Idempotent per delivery."""
    loaded = _load(document_id, delivery_id)
    if loaded is None:
        return None
    doc, delivery, agency = loaded
    key = f"doc:{delivery.id}"
    existing = outbox.find_by_key(agency.id, key)
    if existing is not None:
        return existing
    action = "replace" if replaces_document_id else "new"
    try:
        check_sendable(doc)
    except ExchangeRefused:
        return _refuse(agency, delivery, doc, action, key, "confidential")
    receiver = organization_for(delivery.recipient_organ_id, delivery.recipient_name)
    business = Business()
    if replaces_document_id:
        old = db.session.get(Document, int(replaces_document_id))
        if old is not None and old.agency_id == agency.id:
            old_delivery = db.session.scalar(select(Delivery).where(
                Delivery.document_id == old.id,
                Delivery.recipient_organ_id == delivery.recipient_organ_id))
            business = Business(
                business_type=BusinessType.REPLACE, reason=_replace_reason(old),
                replacements=(ReplacementInfo(document_id=original_id(old, agency, old_delivery),
                                              organ_ids=(receiver.organ_id,)),))
        else:
            action = "new"
    msg = document_message(doc, agency, [receiver], business=business, actor=actor)
    return outbox.queue(agency, build(msg), kind="edoc", action=action,
                        receiver=receiver.organ_id, edxml_document_id=msg.document_id,
                        document_id=doc.id, delivery_id=delivery.id, dedupe_key=key,
                        info={"subject": doc.subject[:300], "code": str(msg.code),
                              "attachments": [a.name for a in msg.attachments]})


def send_action(document_id: Any, action: str, reason: str, delivery_id: Any, *,
                fields: list[str] | None = None, added_delivery_ids: list[Any] | None = None,
                **_extra: Any) -> ExchangeMessage | None:
    """Queue a revocation (1) or an update (2) for one recipient; a replacement sends nothing
    here (its packet is the replacing document's, see :func:`send_document`)."""
    if action == "replace":
        return None
    if action not in ("revoke", "update"):
        raise ValueError(f"unknown exchange action {action!r}")
    loaded = _load(document_id, delivery_id)
    if loaded is None:
        return None
    doc, delivery, agency = loaded
    reason = (reason or "").strip()[:MAX_REASON] or (
        "Thu hồi văn bản điện tử" if action == "revoke" else "Cập nhật văn bản điện tử")
    original = original_id(doc, agency, delivery)
    if action == "revoke":
        key = f"revoke:{delivery.id}"
        business = Business(business_type=BusinessType.REVOKE, reason=reason)
    else:
        added = [d.recipient_organ_id for d in (db.session.get(Delivery, int(i))
                                                for i in added_delivery_ids or ())
                 if d is not None and d.recipient_organ_id]
        values = {f: str(getattr(doc, f, "")) for f in sorted(fields or ())}
        digest = hashlib.sha256(json.dumps([reason, values, added], ensure_ascii=False)
                                .encode("utf-8")).hexdigest()[:16]
        key = f"update:{delivery.id}:{digest}"
        business = Business(
            business_type=BusinessType.UPDATE, reason=reason, document_id=original,
            document_info=BusinessDocumentInfo(
                document_info="1" if fields else "0", document_receiver="1" if added else "0",
                receivers=tuple(Receiver(organ_id=o, receiver_type=ReceiverType.ADDED)
                                for o in added)))
    existing = outbox.find_by_key(agency.id, key)
    if existing is not None:
        return existing
    try:
        check_sendable(doc)
    except ExchangeRefused:
        return _refuse(agency, delivery, doc, action, key, "confidential")
    receiver = organization_for(delivery.recipient_organ_id, delivery.recipient_name)
    msg = document_message(doc, agency, [receiver], business=business, document_id=original,
                           with_files=False)
    return outbox.queue(agency, build(msg), kind="edoc", action=action,
                        receiver=receiver.organ_id, edxml_document_id=original,
                        document_id=doc.id, delivery_id=delivery.id, dedupe_key=key,
                        info={"subject": doc.subject[:300], "code": str(msg.code),
                              "reason": reason[:500]})


def request_take_back(delivery: Delivery, actor: Any, reason: Any) -> ExchangeMessage:
    """Lấy lại: our clerk asks a recipient to give a dispatched document back (status 13).
    The recipient answers 15 (agreed, its copy cancelled) or 16 (refused)."""
    from edoc.documents.outgoing import permissions as can

    doc = db.session.get(Document, delivery.document_id)
    if doc is None or doc.agency_id != actor.agency_id:
        raise NotFound()
    perm.require(can.can_follow_up(actor), _l("Chỉ văn thư được yêu cầu lấy lại văn bản."))
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError(_l("Cần ghi rõ lý do."), code="reason_required", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(_l("Lý do quá dài."), code="invalid_field", field="reason")
    if not delivery.recipient_organ_id:
        raise ValidationError(_l("Chỉ lấy lại được văn bản gửi qua trục liên thông."),
                              code="not_external")
    if doc.direction != "outgoing" or doc.state != "dispatched":
        raise Conflict(_l("Chỉ lấy lại được văn bản đã phát hành."), code="invalid_state",
                       state=doc.state)
    check_sendable(doc)
    agency = db.session.get(Agency, doc.agency_id)
    ref = response_for(doc, agency, original_id(doc, agency, delivery))
    row = queue_status(agency, ref, "13", text, receiver=delivery.recipient_organ_id,
                       document_id=doc.id, delivery_id=delivery.id, actor=actor)
    delivery.history.append(DeliveryEvent(status=delivery.status,
                                          description=f"Đã gửi yêu cầu lấy lại: {text}"))
    add_event(doc, "take_back_requested", actor, note=text,
              data={"delivery_id": delivery.id, "organ_id": delivery.recipient_organ_id})
    db.session.flush()
    return row


# --------------------------------------------------------------------------- incoming


def _target(agency: Agency, msg: EdocMessage, document_id: str) -> Document:
    doc = find_incoming(agency, document_id, msg.sender.organ_id)
    if doc is None:
        raise Rejected("unknown_document", f"no incoming document {document_id!r} from "
                                           f"{msg.sender.organ_id}")
    return doc


def _cancel(doc: Document, reason: str) -> bool:
    from edoc.documents.incoming.services import cancel_by_sender

    if doc.state == "cancelled":
        return True
    try:
        cancel_by_sender(doc, reason)
    except InvalidTransition:
        return False
    return True


def _reason(msg: EdocMessage, default: str) -> str:
    return (msg.business.reason or default).strip()[:MAX_REASON]


def apply_revoke(agency: Agency, msg: EdocMessage, row: ExchangeMessage) -> Document:
    doc = _target(agency, msg, msg.document_id)
    row.document_id = doc.id
    reason = _reason(msg, "Cơ quan gửi thu hồi văn bản")
    if _cancel(doc, reason):
        answer, note = AGREE, f"Đã hủy văn bản theo yêu cầu thu hồi: {reason}"
    else:
        answer, note = REFUSE, "Văn bản đã kết thúc xử lý hoặc đã trả lại, không hủy được."
    row.info = {**row.info, "answer": answer}
    queue_status(agency, reply_ref(doc), answer, note, receiver=msg.sender.organ_id,
                 document_id=doc.id)
    return doc


#: edXML header fields an update may change on our copy (the file never changes)
def _updated_values(doc: Document, msg: EdocMessage) -> dict[str, Any]:
    values: dict[str, Any] = {"subject": msg.subject[:10000],
                              "urgency": urgency_for(msg.other_info.priority)}
    if msg.other_info.page_amount:
        values["pages"] = msg.other_info.page_amount
    return {k: v for k, v in values.items() if getattr(doc, k) != v}


def apply_update(agency: Agency, msg: EdocMessage, row: ExchangeMessage) -> Document:
    target_id = msg.business.document_id or msg.document_id
    doc = _target(agency, msg, target_id)
    reason = _reason(msg, "Cơ quan gửi cập nhật văn bản")
    if msg.document_id != target_id and msg.attachments:
        # A corrected document of its own, sent as an update of the earlier one.
        new = receive_document(agency, msg, row)
        if not db.session.scalar(select(DocumentLink.id).where(
                DocumentLink.from_id == new.id, DocumentLink.to_id == doc.id)):
            db.session.add(DocumentLink(from_id=new.id, to_id=doc.id, kind="updates"))
        add_event(doc, "updated_by_sender", None, note=reason, data={"by_document_id": new.id})
        queue_status(agency, reply_ref(doc), AGREE, reason, receiver=msg.sender.organ_id,
                     document_id=doc.id)
        return new
    row.document_id = doc.id
    if doc.state == "cancelled":
        row.info = {**row.info, "answer": REFUSE}
        queue_status(agency, reply_ref(doc), REFUSE, "Văn bản đã bị hủy, không cập nhật được.",
                     receiver=msg.sender.organ_id, document_id=doc.id)
        return doc
    changed = _updated_values(doc, msg)
    for key, value in changed.items():
        setattr(doc, key, value)
    info = msg.business.document_info
    removed = info is not None and any(
        r.organ_id.strip() == agency.organ_id and r.receiver_type == ReceiverType.REMOVED
        for r in info.receivers)
    add_event(doc, "updated_by_sender", None, note=reason,
              data={"fields": sorted(changed), "removed_from_receivers": removed})
    if removed:
        _cancel(doc, f"Cơ quan gửi bỏ cơ quan khỏi danh sách nơi nhận: {reason}")
    row.info = {**row.info, "answer": AGREE, "fields": sorted(changed)}
    queue_status(agency, reply_ref(doc), AGREE, f"Đã cập nhật văn bản: {reason}",
                 receiver=msg.sender.organ_id, document_id=doc.id)
    audit.record("exchange.update_applied", obj=doc, agency_id=agency.id,
                 details={"fields": sorted(changed)})
    return doc


def apply_replace(agency: Agency, msg: EdocMessage, row: ExchangeMessage) -> Document:
    new = receive_document(agency, msg, row)
    reason = _reason(msg, "Văn bản thay thế")
    replaced = []
    for rep in msg.business.replacements:
        old = find_incoming(agency, rep.document_id, msg.sender.organ_id)
        if old is None or old.id == new.id:
            continue
        replaced.append(old.id)
        if not db.session.scalar(select(DocumentLink.id).where(
                DocumentLink.from_id == new.id, DocumentLink.to_id == old.id)):
            db.session.add(DocumentLink(from_id=new.id, to_id=old.id, kind="replaces"))
        cancelled = _cancel(old, f"Được thay thế bằng văn bản {msg.code}: {reason}")
        queue_status(agency, reply_ref(old), AGREE if cancelled else REFUSE,
                     f"Đã nhận văn bản thay thế {msg.code}"
                     if cancelled else "Văn bản bị thay thế đã kết thúc xử lý.",
                     receiver=msg.sender.organ_id, document_id=old.id)
    row.info = {**row.info, "replaced_document_ids": replaced}
    return new
