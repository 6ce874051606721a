"""Creating an incoming document from a file: the one path for upload, scan, API and axis."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from edoc import audit
from edoc.capture import CapturedFile, capture
from edoc.capture.filenames import safe_filename
from edoc.db import utcnow
from edoc.documents import jobs as document_jobs
from edoc.documents.events import add_event
from edoc.documents.files import add_file, store_bytes
from edoc.documents.incoming.duplicates import Duplicate, find_duplicates
from edoc.documents.metadata import parse_metadata
from edoc.documents.models import Direction, Document, DocumentText, FileKind
from edoc.documents.states import InState
from edoc.extensions import db
from edoc.signatures.verification import Prechecked, record_report

logger = logging.getLogger(__name__)


@dataclass
class CaptureResult:
    document: Document
    captured: CapturedFile
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def suggested(self) -> dict[str, Any]:
        return self.captured.suggestion.as_dict()


def _fill_from_suggestion(values: dict[str, Any], captured: CapturedFile) -> dict[str, Any]:
    """Metadata the clerk did not give is taken from what the first page says."""
    s = captured.suggestion
    out = dict(values)
    out.setdefault("type_key", s.type_key or "cong_van")
    out.setdefault("subject", s.subject or "")
    out.setdefault("issuing_agency", s.issuing_agency or "")
    if "number" not in out and s.number and s.number.isdigit():
        out["number"] = int(s.number)
    out.setdefault("notation", s.notation or "")
    out.setdefault("document_date", s.document_date)
    out.setdefault("urgency", s.urgency_key or "thuong")
    out.setdefault("confidentiality", s.confidentiality_key or "thuong")
    out.setdefault("pages", captured.page_count or None)
    return out


def _next_document_id() -> int | None:
    """The new document's id taken up front, so that the document, its files, text, event and
    jobs go in with one flush (one INSERT per table, and hooks that run per flush, such as the
    search index, run once, with the text). PostgreSQL: from its sequence. SQLite: the id its
    INSERT would give (the largest + 1): this transaction holds SQLite's only write lock (the
    app begins every transaction IMMEDIATE, and the stored object's INSERT has just run), so no
    other connection can take it before the flush. Elsewhere None: the INSERT gives it."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return db.session.connection().execute(_NEXT_ID).scalar()
    if dialect == "sqlite":
        if db.session.new or db.session.dirty or db.session.deleted:
            # A pending document of the caller's would take the same id at the flush.
            db.session.flush()
        return db.session.connection().execute(_NEXT_ROWID).scalar()
    return None


def _capture_of(captured: CapturedFile | None, data: bytes, filename: str) -> bool:
    if captured is None:
        return False
    same = captured.original is data or captured.original == data
    return same and captured.filename == safe_filename(filename)


_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence(Document.__tablename__, "id")))
_NEXT_ROWID = select(func.coalesce(func.max(Document.id), 0) + 1)


def capture_incoming(agency_id: int, data: bytes, filename: str, meta: dict[str, Any], *,
                     actor: Any = None, received_via: str = "upload",
                     received_at: datetime | None = None,
                     extra: dict[str, Any] | None = None,
                     captured: CapturedFile | None = None,
                     checked: Prechecked | None = None) -> CaptureResult:
    """Check the file, store it, create the document in state ``received``.

    Everything that can refuse the file (type, size, corruption, encryption, zip bombs, names)
    runs before anything is stored or any row exists.

    ``captured``: ``capture(data, filename)`` already computed (by the exchange's prefetch
    worker, in another process, so that only database work is left here); used only when it is
    the capture of these very bytes under this name, else the file is captured again.
    ``checked``: the signature report of these bytes made ahead (by the same worker): recorded
    with the document instead of queueing the check job, when it is about the original PDF.
    """
    if not _capture_of(captured, data, filename):
        captured = capture(data, filename)
    values = _fill_from_suggestion(parse_metadata(meta), captured)
    values.setdefault("received_via", received_via)
    # Bytes first (DESIGN rule 5): a store failure raises before any document row exists.
    # The capture hashed the bytes already (here or in the exchange's prefetch process).
    original = store_bytes(captured.original, captured.mime_type, sha256=captured.sha256)
    rendition = None
    if captured.pdf is not None and captured.pdf_sha256 != captured.sha256:
        rendition = store_bytes(captured.pdf, "application/pdf",
                                sha256=captured.pdf_sha256).obj
    doc = Document(id=_next_document_id(), agency_id=agency_id, direction=Direction.INCOMING,
                   state=InState.RECEIVED, received_at=received_at or utcnow(),
                   created_by_id=getattr(actor, "id", None), files=[], **values, **(extra or {}))
    db.session.add(doc)
    add_file(doc, original.obj, kind=FileKind.ORIGINAL, name=captured.filename,
             content_type=captured.mime_type, actor=actor)
    if rendition is not None:
        add_file(doc, rendition, kind=FileKind.RENDITION,
                 name=captured.pdf_filename or f"{captured.filename}.pdf",
                 content_type="application/pdf", actor=actor)
    if doc.id is None:
        db.session.flush()  # the document and its files: the rows below need its id
    db.session.add(DocumentText(document_id=doc.id, content=captured.extract.text,
                                needs_ocr=captured.needs_ocr))
    add_event(doc, "received", actor, to_state=InState.RECEIVED,
              data={"via": doc.received_via, "file": captured.filename})
    if captured.needs_ocr:
        document_jobs.enqueue_ocr(doc, new=True)
    prechecked = (checked is not None and checked.sha256 == captured.sha256
                  and captured.mime_type == "application/pdf")
    if captured.pdf is not None and not prechecked:
        document_jobs.enqueue_signature_check(doc, new=True)
    # Bytes stored for the first time in this transaction belong to no other document.
    duplicates = find_duplicates(doc, None if original.created else captured.sha256)
    if duplicates:
        audit.record("document.duplicate_warning", actor=actor, obj=doc,
                     details={"of": [d.document_id for d in duplicates]})
    db.session.flush()
    if prechecked:
        # With its id now: the check goes in with the caller's next flush.
        record_report(doc.current_file(FileKind.ORIGINAL), checked.report)
    logger.info("incoming document %s captured (%s, %d bytes)", doc.id, captured.kind,
                captured.size)
    return CaptureResult(doc, captured, duplicates)
