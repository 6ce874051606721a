"""Dispatch (phát hành) of a sealed document: one delivery per recipient.

Internal units receive it at once, as an incoming document of their unit in the same
transaction. External agencies get it through the exchange module: a ``pending`` delivery and an
``exchange.send_document`` job, queued in this transaction and sent after it commits (transactional
outbox). Documents marked mật or above are never sent over the axis (Decree 30, QĐ 28/2018).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from edoc.auth import permissions as perm
from edoc.auth.models import Agency, OrgUnit, User
from edoc.documents.events import check_version
from edoc.documents.models import Delivery, DeliveryEvent, Document
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing.metadata import (
    as_id_list,
    directory_agencies,
    organ_id_list,
    units_in_agency,
)
from edoc.documents.outgoing.workflow import lock, move
from edoc.documents.states import OutAction, next_state
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.jobs import enqueue

SEND_DOCUMENT_JOB = "exchange.send_document"
SEND_ACTION_JOB = "exchange.send_action"

#: descriptions of the statuses set here (01..16 come from the recipients)
STATUS_TEXT = {"pending": _l("Chờ gửi qua trục liên thông"), "sent": _l("Đã gửi"),
               "01": _l("Đã đến")}


def deliveries(doc: Document) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(Delivery.document_id == doc.id)
                                   .order_by(Delivery.id)))


def note_delivery(delivery: Delivery, description: str, status: str | None = None) -> None:
    """Add a line to a delivery's history (and change its status when one is given)."""
    if status is not None:
        delivery.status = status
    delivery.history.append(DeliveryEvent(status=delivery.status, description=description))


def check_external_allowed(doc: Document, organs: list[Agency]) -> None:
    if organs and doc.confidentiality != "thuong":
        raise ValidationError(
            _l("Văn bản có độ mật không được gửi qua trục liên thông văn bản (Nghị định 30, "
               "Quyết định 28/2018/QĐ-TTg). Hãy gửi theo quy định về bảo vệ bí mật nhà nước."),
            code="confidential_external_dispatch")


def deliver_internal(doc: Document, unit: OrgUnit, actor: Any) -> Delivery:
    """The unit's incoming copy, made now; its delivery shows status 01 (arrived)."""
    from edoc.documents.incoming.receive import receive_internal

    copy = receive_internal(doc, unit, actor)
    d = Delivery(document_id=doc.id, agency_id=doc.agency_id, recipient_unit_id=unit.id,
                 recipient_name=unit.name, status="01", incoming_document_id=copy.id)
    d.history.append(DeliveryEvent(status="01", description=_("Đã đến đơn vị nhận (nội bộ)")))
    db.session.add(d)
    return d


def deliver_external(doc: Document, organ: Agency, *, extra: dict[str, Any] | None = None
                     ) -> Delivery:
    """A pending delivery and the exchange job that sends it once this transaction commits."""
    d = Delivery(document_id=doc.id, agency_id=doc.agency_id, recipient_organ_id=organ.organ_id,
                 recipient_name=organ.name, status="pending")
    d.history.append(DeliveryEvent(status="pending", description=str(STATUS_TEXT["pending"])))
    db.session.add(d)
    db.session.flush()
    enqueue(SEND_DOCUMENT_JOB, {"document_id": doc.id, "delivery_id": d.id, **(extra or {})},
            dedupe_key=f"exchange.send:{d.id}")
    return d


def resolve_recipients(doc: Document, internal_unit_ids: Any, external_organ_ids: Any
                       ) -> tuple[list[OrgUnit], list[Agency]]:
    units = units_in_agency(doc.agency_id, as_id_list(internal_unit_ids, "internal_unit_ids"),
                            "internal_unit_ids")
    organs = directory_agencies(organ_id_list(external_organ_ids, "external_organ_ids"),
                                own_agency_id=doc.agency_id, field="external_organ_ids")
    check_external_allowed(doc, organs)
    return units, organs


def send_to(doc: Document, actor: Any, units: list[OrgUnit], organs: list[Agency], *,
            extra: dict[str, Any] | None = None) -> list[Delivery]:
    """Deliveries to recipients not yet served (a recipient gets a document once)."""
    existing = deliveries(doc)
    have_units = {d.recipient_unit_id for d in existing}
    have_organs = {d.recipient_organ_id for d in existing}
    made = [deliver_internal(doc, u, actor) for u in units if u.id not in have_units]
    made += [deliver_external(doc, o, extra=extra) for o in organs
             if o.organ_id not in have_organs]
    db.session.flush()
    return made


def dispatch(doc: Document, actor: User, *, internal_unit_ids: Any = None,
             external_organ_ids: Any = None, expected_version: int | None = None,
             extra: dict[str, Any] | None = None) -> list[Delivery]:
    """Send the sealed document to internal units and external agencies."""
    lock(doc)
    perm.require(can.can_dispatch(actor), _l("Chỉ văn thư được phát hành văn bản."))
    check_version(doc, expected_version)
    next_state(doc.direction, doc.state, OutAction.DISPATCH)
    units, organs = resolve_recipients(doc, internal_unit_ids, external_organ_ids)
    if not units and not organs:
        raise ValidationError(_l("Cần chọn ít nhất một nơi nhận."), code="recipients_required",
                              field="internal_unit_ids")
    made = send_to(doc, actor, units, organs, extra=extra)
    move(doc, OutAction.DISPATCH, actor,
         data={"unit_ids": [u.id for u in units], "organ_ids": [o.organ_id for o in organs],
               **(extra or {})})
    db.session.flush()
    return made


def default_recipients(doc: Document) -> tuple[list[int], list[str]]:
    """The dispatch pickers' defaults: the planned units (and the units of planned people),
    the planned external agencies."""
    planned = doc.planned_recipients or {}
    unit_ids = list(planned.get("unit_ids") or [])
    for user_id in planned.get("user_ids") or []:
        user = db.session.get(User, user_id)
        if user is not None and user.unit_id and user.unit_id not in unit_ids:
            unit_ids.append(user.unit_id)
    return unit_ids, list(planned.get("organ_ids") or [])
