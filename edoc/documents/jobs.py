"""Background work on documents: OCR of scans, signature checks of received PDFs."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from edoc.documents.models import Document, DocumentFile, DocumentText, FileKind
from edoc.extensions import db
from edoc.jobs import enqueue, handler

logger = logging.getLogger(__name__)


def enqueue_ocr(doc: Document, *, new: bool = False) -> None:
    """``new``: the document was created in this transaction (no such job can be pending)."""
    enqueue("documents.ocr", {"document_id": doc.id}, dedupe_key=f"ocr:{doc.id}", fresh=new)


def enqueue_signature_check(doc: Document, *, new: bool = False) -> None:
    enqueue("documents.verify_signatures", {"document_id": doc.id},
            dedupe_key=f"verify:{doc.id}", fresh=new)


@handler("documents.ocr", max_attempts=3)
def run_ocr(payload: dict[str, Any]) -> None:
    """Add a Vietnamese text layer to a scan (a new file; the original stays untouched)."""
    from edoc.capture import extract_pdf, ocr_pdf
    from edoc.documents.files import attach_file, read_file

    doc = db.session.get(Document, payload["document_id"])
    if doc is None:
        return
    source = doc.current_file(FileKind.RENDITION, FileKind.ORIGINAL)
    if source is None or source.content_type != "application/pdf":
        return
    with tempfile.TemporaryDirectory(prefix="edoc-ocr-") as tmp:
        src, dst = Path(tmp, "in.pdf"), Path(tmp, "out.pdf")
        src.write_bytes(read_file(source))
        ocr_pdf(src, dst)
        data = dst.read_bytes()
    attach_file(doc, data, kind=FileKind.OCR, name=Path(source.name).stem + "-ocr.pdf",
                content_type="application/pdf")
    text = extract_pdf(data).text
    row = db.session.get(DocumentText, doc.id) or DocumentText(document_id=doc.id)
    row.content, row.needs_ocr = text, False
    db.session.add(row)
    logger.info("OCR of document %s: %d characters", doc.id, len(text))


@handler("documents.verify_signatures", max_attempts=3)
def verify_signatures(payload: dict[str, Any]) -> None:
    """Check the digital signatures of a received PDF (E4), keeping the report with the file.

    Three steps, so that no transaction is open while pyHanko checks the file (~10-25 ms of
    CPU): on SQLite every transaction begins IMMEDIATE and holds the one write lock, for which
    the receiving and registering workers would queue. The rows are read and the read
    transaction ended (the worker's session is clean when a handler starts: the claim was
    committed); the bytes are read and checked outside any transaction; the check is recorded
    in a last short transaction, which the worker commits together with the job's "done" mark.
    Retries are as before: the check is added only in that last transaction, so a failure or a
    crash before its commit records nothing and the retry checks again; once it commits, the
    job is done and is not run again.
    """
    from edoc.signatures.verification import record_report, stored_report
    from edoc.storage import get_store

    doc = db.session.get(Document, payload["document_id"])
    if doc is None:
        return
    f = doc.current_file(FileKind.ORIGINAL)
    if f is None or f.content_type != "application/pdf":
        return
    file_id, key = f.id, f.stored.key
    _end_read_transaction()
    with get_store().open(key) as reader:
        data = reader.read()
    report = stored_report(data)
    f = db.session.get(DocumentFile, file_id)
    if f is None:  # deleted meanwhile: nothing to keep the report with
        return
    record_report(f, report)


def _end_read_transaction() -> None:
    """End the handler's read-only transaction. Nothing is pending in a worker (the claim was
    committed before the handler ran); pending changes mean another caller, whose transaction
    is left to it (the check is then made inside it, as it always was)."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        return
    session.commit()
