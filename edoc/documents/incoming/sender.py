"""Telling the sender what became of its document (status codes 02..06 of the edXML status
message). Internal copies update the sender's delivery row at once; documents that came over the
axis get a status message through the exchange outbox, sent after this transaction commits."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from edoc.db import utcnow
from edoc.documents.models import Delivery, DeliveryEvent, Document
from edoc.extensions import db
from edoc.jobs import enqueue

STATUS_TEXT = {
    "01": "Đã đến", "02": "Từ chối tiếp nhận", "03": "Đã tiếp nhận (vào sổ)",
    "04": "Đã phân công", "05": "Đang xử lý", "06": "Đã hoàn thành",
}


def notify_sender(doc: Document, code: str, actor: Any = None, *, note: str = "") -> None:
    if doc.source_document_id is not None:
        delivery = db.session.scalar(select(Delivery).where(
            Delivery.document_id == doc.source_document_id,
            Delivery.incoming_document_id == doc.id))
        if delivery is not None:
            record_delivery_status(delivery, code, note or STATUS_TEXT.get(code, ""))
    elif doc.received_via == "axis":
        enqueue("exchange.send_status", {"document_id": doc.id, "status": code, "note": note,
                                         "actor_id": getattr(actor, "id", None)})


def record_delivery_status(delivery: Delivery, code: str, description: str) -> None:
    delivery.status = code
    delivery.updated_at = utcnow()
    delivery.history.append(DeliveryEvent(status=code, description=description))
