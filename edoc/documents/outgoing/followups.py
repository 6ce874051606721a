"""After dispatch: revoke (thu hồi), update (cập nhật) and replace (thay thế), each with a reason.

Each action goes to every recipient: external ones through an ``exchange.send_action`` job per
delivery (the exchange module builds the edXML packet: BussinessDocType 1, 2 or 3, §2.4);
internal ones are applied at once to the unit's incoming copy. A revoked document is frozen on
our side (state ``revoked``, metadata kept) and the internal copies are cancelled (Decree 30
Điều 18.4.b, Phụ lục VI III.8).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from edoc.auth import permissions as perm
from edoc.auth.models import User
from edoc.documents.events import add_event, check_version
from edoc.documents.metadata import parse_metadata
from edoc.documents.models import Delivery, Document, DocumentLink
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing.dispatch import (
    SEND_ACTION_JOB,
    deliveries,
    note_delivery,
    resolve_recipients,
    send_to,
)
from edoc.documents.outgoing.metadata import as_id
from edoc.documents.outgoing.workflow import lock, move
from edoc.documents.states import OutAction, OutState, next_state
from edoc.errors import Conflict, InvalidTransition, NotFound, ValidationError
from edoc.extensions import db
from edoc.jobs import enqueue

#: metadata an update may change (the signed file itself never changes)
UPDATABLE = ("subject", "urgency", "pages", "notes")
MAX_REASON = 2000


def _reason(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(_l("Cần ghi rõ lý do."), code="reason_required", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(_l("Lý do quá dài."), code="invalid_field", field="reason")
    return text


def _begin(doc: Document, actor: User, action: str, expected_version: int | None) -> None:
    lock(doc)
    perm.require(can.can_follow_up(actor), _l("Chỉ văn thư được thu hồi, cập nhật hoặc thay thế "
                                              "văn bản đã phát hành."))
    check_version(doc, expected_version)
    next_state(doc.direction, doc.state, action)


def _send_action(doc: Document, d: Delivery, action: str, reason: str,
                 **extra: Any) -> None:
    enqueue(SEND_ACTION_JOB, {"document_id": doc.id, "action": action, "reason": reason,
                              "delivery_id": d.id, **extra},
            dedupe_key=f"exchange.action:{d.id}:{action}:{doc.version_id}")


def _linked(doc: Document, other_id: Any, field: str) -> Document:
    other = db.session.get(Document, as_id(other_id, field))
    if other is None or other.agency_id != doc.agency_id or other.id == doc.id:
        raise NotFound()
    return other


def _cancel_copy(d: Delivery, reason: str, actor: User) -> None:
    from edoc.documents.incoming.services import cancel_by_sender

    copy = db.session.get(Document, d.incoming_document_id) if d.incoming_document_id else None
    if copy is None:
        return
    try:
        cancel_by_sender(copy, reason, actor)
    except InvalidTransition:
        # Already finished (or cancelled) there: the table does not allow a cancellation.
        note_delivery(d, _("Văn bản đến tại đơn vị nhận đã kết thúc, không hủy được."))
        return
    note_delivery(d, _("Đã hủy văn bản đến tại đơn vị nhận: %(r)s", r=reason))


def revoke(doc: Document, actor: User, reason: Any, *, linked_document_id: Any = None,
           expected_version: int | None = None) -> Document:
    """Thu hồi: freeze the document here, cancel internal copies, tell external recipients."""
    _begin(doc, actor, OutAction.REVOKE, expected_version)
    text = _reason(reason)
    if linked_document_id not in (None, ""):
        other = _linked(doc, linked_document_id, "linked_document_id")
        db.session.add(DocumentLink(from_id=other.id, to_id=doc.id, kind="revokes"))
    for d in deliveries(doc):
        if d.recipient_organ_id:
            _send_action(doc, d, "revoke", text)
            note_delivery(d, _("Đã gửi yêu cầu thu hồi: %(r)s", r=text))
        else:
            _cancel_copy(d, text, actor)
    move(doc, OutAction.REVOKE, actor, note=text,
         data={"linked_document_id": linked_document_id or None})
    db.session.flush()
    return doc


def _update_copy(d: Delivery, changes: dict[str, Any], reason: str, actor: User) -> None:
    copy = db.session.get(Document, d.incoming_document_id) if d.incoming_document_id else None
    if copy is None:
        return
    for key, value in changes.items():
        setattr(copy, key, value)
    add_event(copy, "updated_by_sender", actor, note=reason, data={"fields": sorted(changes)})
    note_delivery(d, _("Đã cập nhật thông tin văn bản tại đơn vị nhận: %(r)s", r=reason))


def update(doc: Document, actor: User, reason: Any, *, changes: dict[str, Any] | None = None,
           internal_unit_ids: Any = None, external_organ_ids: Any = None,
           expected_version: int | None = None) -> Document:
    """Cập nhật: corrected metadata and/or more recipients, told to every recipient."""
    _begin(doc, actor, OutAction.UPDATE, expected_version)
    text = _reason(reason)
    raw = changes or {}
    if not isinstance(raw, dict) or set(raw) - set(UPDATABLE):
        raise ValidationError(_l("Chỉ cập nhật được trích yếu, độ khẩn, số trang và ghi chú."),
                              code="invalid_field", field="changes")
    values = parse_metadata(raw)
    changed = {k: v for k, v in values.items() if getattr(doc, k) != v}
    units, organs = resolve_recipients(doc, internal_unit_ids, external_organ_ids)
    existing = deliveries(doc)
    for key, value in changed.items():
        setattr(doc, key, value)
    added = send_to(doc, actor, units, organs)
    if not changed and not added:
        raise ValidationError(_l("Không có thay đổi nào để cập nhật."), code="nothing_to_update")
    for d in existing:
        if d.recipient_organ_id:
            _send_action(doc, d, "update", text, fields=sorted(changed),
                         added_delivery_ids=[a.id for a in added])
            note_delivery(d, _("Đã gửi thông tin cập nhật: %(r)s", r=text))
        else:
            _update_copy(d, changed, text, actor)
    move(doc, OutAction.UPDATE, actor, note=text,
         data={"fields": sorted(changed), "added_delivery_ids": [a.id for a in added]})
    db.session.flush()
    return doc


def replace(doc: Document, actor: User, reason: Any, *, replacement_id: Any,
            expected_version: int | None = None) -> Document:
    """Thay thế: a new sealed document replaces this one, for the same recipients.

    The replacement is dispatched now to every recipient of this document; this one is revoked;
    internal copies of it are cancelled and linked to their replacements.
    """
    from edoc.documents.outgoing.dispatch import dispatch

    _begin(doc, actor, OutAction.REPLACE, expected_version)
    text = _reason(reason)
    new = _linked(doc, replacement_id, "replacement_id")
    if new.direction != "outgoing" or new.state != OutState.SEALED:
        raise Conflict(_l("Văn bản thay thế phải là văn bản đi đã cấp số và ký số cơ quan, chưa "
                          "phát hành."), code="replacement_not_ready", state=new.state)
    old_deliveries = deliveries(doc)
    made = dispatch(new, actor,
                    internal_unit_ids=[d.recipient_unit_id for d in old_deliveries
                                       if d.recipient_unit_id],
                    external_organ_ids=[d.recipient_organ_id for d in old_deliveries
                                        if d.recipient_organ_id],
                    extra={"replaces_document_id": doc.id})
    db.session.add(DocumentLink(from_id=new.id, to_id=doc.id, kind="replaces"))
    new_by_unit = {d.recipient_unit_id: d for d in made if d.recipient_unit_id}
    new_by_organ = {d.recipient_organ_id: d for d in made if d.recipient_organ_id}
    for d in old_deliveries:
        if d.recipient_organ_id:
            _send_action(doc, d, "replace", text, replacement_document_id=new.id,
                         replacement_delivery_id=new_by_organ[d.recipient_organ_id].id)
            note_delivery(d, _("Đã gửi thông báo thay thế bằng văn bản %(n)s: %(r)s",
                               n=new.number_notation, r=text))
            continue
        _cancel_copy(d, text, actor)
        new_copy = new_by_unit[d.recipient_unit_id].incoming_document_id
        if d.incoming_document_id and new_copy:
            db.session.add(DocumentLink(from_id=new_copy, to_id=d.incoming_document_id,
                                        kind="replaces"))
    move(doc, OutAction.REPLACE, actor, note=text,
         data={"replacement_id": new.id, "replacement": new.number_notation})
    db.session.flush()
    return doc
