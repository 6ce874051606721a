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
    """On PostgreSQL, the new document's id taken from its sequence up front, so the document,
    its files, text, event and jobs go in with one flush (one INSERT per table, and hooks that
    run per flush, such as the search index, run once). Elsewhere None: the INSERT gives it."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.connection().execute(_NEXT_ID).scalar()


def _capture_of(captured: CapturedFile | None, data: bytes, filename: str) -> bool:
    if captured is None:
        return False
    same = captured.original is data or captured.original == data
    return same and captured.filename == safe_filename(filename)


#: the search indexer's switch in ``session.info`` (``edoc.search.indexer``)
_INDEXING = "edoc.search"


def _flush_unindexed() -> None:
    """Flush without indexing what the flush inserts (the next flush, adding the document's
    text, indexes it)."""
    session = db.session()
    before = session.info.get(_INDEXING, _MISSING)
    session.info[_INDEXING] = False
    try:
        session.flush()
    finally:
        if before is _MISSING:
            session.info.pop(_INDEXING, None)
        else:
            session.info[_INDEXING] = before


_MISSING = object()

_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence(Document.__tablename__, "id")))


def capture_incoming(agency_id: int, data: bytes, filename: str, meta: dict[str, Any], *,
                     actor: Any = None, received_via: str = "upload",
                     received_at: datetime | None = None,
                     extra: dict[str, Any] | None = None,
                     captured: CapturedFile | None = None) -> CaptureResult:
    """Check the file, store it, create the document in state ``received``.

    Everything that can refuse the file (type, size, corruption, encryption, zip bombs, names)
    runs before anything is stored or any row exists.

    ``captured``: ``capture(data, filename)`` already computed (by the exchange's prefetch
    worker, in another process, so that only database work is left here); used only when it is
    the capture of these very bytes under this name, else the file is captured again.
    """
    if not _capture_of(captured, data, filename):
        captured = capture(data, filename)
    values = _fill_from_suggestion(parse_metadata(meta), captured)
    values.setdefault("received_via", received_via)
    # Bytes first (DESIGN rule 5): a store failure raises before any document row exists.
    original = store_bytes(captured.original, captured.mime_type)
    rendition = None
    if captured.pdf is not None and captured.pdf_sha256 != captured.sha256:
        rendition = store_bytes(captured.pdf, "application/pdf").obj
    doc_id = _next_document_id()
    if doc_id is None and (db.session.new or db.session.dirty or db.session.deleted):
        db.session.flush()  # what the caller left pending is indexed as usual (see below)
    doc = Document(id=doc_id, agency_id=agency_id, direction=Direction.INCOMING,
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
        # The document and its files: the rows below need its id. Not indexed by this flush:
        # its text is not in yet, and the flush that adds it indexes the document whole (once,
        # instead of once without the text and again with it).
        _flush_unindexed()
    db.session.add(DocumentText(document_id=doc.id, content=captured.extract.text,
                                needs_ocr=captured.needs_ocr))
    add_event(doc, "received", actor, to_state=InState.RECEIVED,
              data={"via": doc.received_via, "file": captured.filename})
    if captured.needs_ocr:
        document_jobs.enqueue_ocr(doc, new=True)
    if captured.pdf is not None:
        document_jobs.enqueue_signature_check(doc, new=True)
    # Bytes stored for the first time in this transaction belong to no other document.
    duplicates = find_duplicates(doc, None if original.created else captured.sha256)
    if duplicates:
        audit.record("document.duplicate_warning", actor=actor, obj=doc,
                     details={"of": [d.document_id for d in duplicates]})
    db.session.flush()
    logger.info("incoming document %s captured (%s, %d bytes)", doc.id, captured.kind,
                captured.size)
    return CaptureResult(doc, captured, duplicates)
