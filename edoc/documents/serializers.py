"""The JSON shape of documents, files, events and deliveries (docs/api.md)."""
from __future__ import annotations

from typing import Any

from edoc.documents.models import Delivery, Document, DocumentEvent, DocumentFile


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def document_json(doc: Document, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": doc.id, "direction": doc.direction, "state": doc.state,
        "agency_id": doc.agency_id, "version": doc.version_id,
        "type": doc.type_key, "subject": doc.subject, "urgency": doc.urgency,
        "confidentiality": doc.confidentiality, "number": doc.number,
        "notation": doc.notation, "number_notation": doc.number_notation or None,
        "document_date": _iso(doc.document_date), "issuing_agency": doc.issuing_agency,
        "issuing_organ_id": doc.issuing_organ_id, "pages": doc.pages, "notes": doc.notes,
        "created_at": _iso(doc.created_at), "updated_at": _iso(doc.updated_at),
    }
    if doc.direction == "incoming":
        data.update({
            "received_at": _iso(doc.received_at), "received_via": doc.received_via,
            "register_book_id": doc.register_book_id,
            "registration_number": doc.registration_number,
            "registration_year": doc.registration_year,
            "registered_at": _iso(doc.registered_at), "deadline": _iso(doc.deadline),
            "direction_note": doc.direction_note, "result": doc.result,
            "submitted_to_id": doc.submitted_to_id, "completed_at": _iso(doc.completed_at),
            "receiving_unit_id": doc.receiving_unit_id,
            "source_document_id": doc.source_document_id,
        })
    else:
        data.update({
            "drafter_id": doc.drafter_id, "drafting_unit_id": doc.drafting_unit_id,
            "signer_id": doc.signer_id, "signing_capacity": doc.signing_capacity,
            "signer_position": doc.signer_position, "issued_at": _iso(doc.issued_at),
            "register_book_id": doc.register_book_id, "recipients": doc.planned_recipients,
        })
    main = doc.current_file()
    data["file"] = file_json(main) if main else None
    if extra:
        data.update(extra)
    return data


def file_json(f: DocumentFile) -> dict[str, Any]:
    return {"file_id": f.id, "kind": f.kind, "revision": f.revision, "name": f.name,
            "content_type": f.content_type, "sha256": f.sha256, "size": f.size,
            "created_at": _iso(f.created_at)}


def event_json(e: DocumentEvent) -> dict[str, Any]:
    return {"id": e.id, "at": _iso(e.at), "action": e.action, "from_state": e.from_state,
            "to_state": e.to_state, "note": e.note, "data": e.data,
            "actor": ({"id": e.actor.id, "name": e.actor.full_name} if e.actor else None)}


def delivery_json(d: Delivery) -> dict[str, Any]:
    recipient: dict[str, Any] = {"name": d.recipient_name}
    if d.recipient_organ_id:
        recipient["organ_id"] = d.recipient_organ_id
    if d.recipient_unit_id:
        recipient["unit_id"] = d.recipient_unit_id
    return {"id": d.id, "recipient": recipient, "status": d.status,
            "incoming_document_id": d.incoming_document_id,
            "history": [{"status": h.status, "at": _iso(h.at), "description": h.description}
                        for h in d.history]}
