"""Internal delivery: an outgoing document of the agency becomes an incoming one of a unit."""
from __future__ import annotations

from typing import Any

from edoc.auth.models import OrgUnit
from edoc.db import utcnow
from edoc.documents.events import add_event
from edoc.documents.files import attach_file, read_file
from edoc.documents.models import Direction, Document, DocumentText, FileKind
from edoc.documents.states import InState
from edoc.extensions import db


def receive_internal(source: Document, unit: OrgUnit, actor: Any) -> Document:
    """Create the unit's incoming copy of ``source`` (state received, the sealed PDF attached)."""
    main = source.current_file(FileKind.SEALED, FileKind.ISSUED, FileKind.SIGNED,
                               FileKind.RENDITION)
    doc = Document(
        agency_id=unit.agency_id, direction=Direction.INCOMING, state=InState.RECEIVED,
        type_key=source.type_key, subject=source.subject, urgency=source.urgency,
        confidentiality=source.confidentiality, number=source.number, notation=source.notation,
        document_date=source.document_date, issuing_agency=_agency_name(source),
        pages=source.pages, received_at=utcnow(), received_via="internal",
        source_document_id=source.id, receiving_unit_id=unit.id,
        created_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    if main is not None:
        attach_file(doc, read_file(main), kind=FileKind.ORIGINAL, name=main.name,
                    content_type=main.content_type, actor=actor)
    source_text = db.session.get(DocumentText, source.id)
    db.session.add(DocumentText(document_id=doc.id,
                                content=source_text.content if source_text else ""))
    add_event(doc, "received", actor, to_state=InState.RECEIVED,
              data={"via": "internal", "source_document_id": source.id, "unit_id": unit.id})
    return doc


def _agency_name(doc: Document) -> str:
    from edoc.auth.models import Agency

    agency = db.session.get(Agency, doc.agency_id)
    return agency.name if agency else ""
