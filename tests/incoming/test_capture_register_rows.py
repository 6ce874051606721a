"""What capture + registration leave behind, row by row: files, jobs, events, audit entries and
duplicate warnings (the service path the throughput benchmark drives)."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from edoc.documents.models import Document, DocumentEvent, DocumentFile, DocumentText
from tests.capture.samples import decree30_docx
from tests.incoming.helpers import QUYET_DINH, office, pdf_bytes


def _capture(o, data: bytes, name: str = "qd.pdf"):
    from edoc.documents.incoming.capture import capture_incoming

    return capture_incoming(o["agency"].id, data, name, {}, actor=o["clerk"])


def _audit(db, doc_id: int) -> list:
    from edoc.audit.models import AuditEntry

    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "Document", AuditEntry.object_id == str(doc_id))
        .order_by(AuditEntry.seq)))


def test_capture_and_register_in_one_transaction(app, factories, db):
    from edoc.documents.incoming import services
    from edoc.jobs.models import Job

    o = office(factories)
    doc = _capture(o, pdf_bytes()).document
    services.register(doc, o["clerk"])
    db.session.commit()
    db.session.expire_all()

    doc = db.session.get(Document, doc.id)
    assert (doc.state, doc.registration_number, doc.version_id) == ("registered", 1, 3)
    files = db.session.scalars(select(DocumentFile).where(DocumentFile.document_id == doc.id)
                               .order_by(DocumentFile.id)).all()
    assert [(f.kind, f.revision) for f in files] == [("original", 1), ("stamped", 1)]
    assert db.session.get(DocumentText, doc.id).content.startswith("UBND TỈNH PHÚ THỌ")
    jobs = db.session.scalars(select(Job).where(Job.dedupe_key == f"verify:{doc.id}")).all()
    assert [j.kind for j in jobs] == ["documents.verify_signatures"]
    events = db.session.scalars(select(DocumentEvent.action).where(
        DocumentEvent.document_id == doc.id).order_by(DocumentEvent.id)).all()
    assert events == ["received", "register"]
    entries = _audit(db, doc.id)
    assert [e.action for e in entries] == [
        "document.file_added", "document.received", "document.register", "document.file_added"]
    # The file ids did not exist when the entries were queued: they are filled in at commit.
    assert [e.details["file_id"] for e in entries if e.action == "document.file_added"] == \
        [f.id for f in files]
    assert entries[0].details["sha256"] == files[0].sha256


def test_same_bytes_again_are_a_duplicate_in_the_same_and_a_later_transaction(app, factories,
                                                                              db):
    o = office(factories)
    data = pdf_bytes()
    first = _capture(o, data).document
    second = _capture(o, data)  # same transaction
    assert [d.document_id for d in second.duplicates] == [first.id]
    db.session.commit()
    later = _capture(o, data)
    assert {d.document_id for d in later.duplicates} == {first.id, second.document.id}


def test_same_file_is_found_without_a_matching_number(app, factories, db):
    o = office(factories)
    data = pdf_bytes()
    first = _capture(o, data).document
    first.number = None  # the clerk corrected it: only the file is the same now
    db.session.commit()
    dups = _capture(o, data).duplicates
    assert [(d.document_id, d.reason) for d in dups] == [(first.id, "same_file")]


def test_new_bytes_with_another_number_are_no_duplicate(app, factories, db):
    from tests.capture.samples import decree30_pdf

    o = office(factories)
    _capture(o, pdf_bytes())
    db.session.commit()
    other = decree30_pdf(replace(QUYET_DINH, number_line="Số: 16/QĐ-SNV"))
    assert _capture(o, other).duplicates == []


def test_docx_is_registered_without_a_stamp(app, factories, db):
    from edoc.documents.incoming import services

    o = office(factories)
    doc = _capture(o, decree30_docx(QUYET_DINH), "qd.docx").document
    services.register(doc, o["clerk"])
    db.session.commit()
    events = db.session.scalars(select(DocumentEvent.action).where(
        DocumentEvent.document_id == doc.id).order_by(DocumentEvent.id)).all()
    assert events == ["received", "register", "stamp_skipped"]
    assert [f.kind for f in doc.files] == ["original"]


def test_on_postgresql_the_document_and_its_rows_go_in_with_one_flush(app, factories, db):
    """The id is taken from the sequence first, so per-flush hooks (search index, records guard)
    see the new document, its text and files once, together."""
    from sqlalchemy import event

    from edoc.jobs.models import Job

    o = office(factories)
    flushes: list[set[str]] = []

    def note(session, _ctx, _instances):
        flushes.append({type(obj).__name__ for obj in session.new})

    event.listen(db.session, "before_flush", note)
    try:
        doc = _capture(o, pdf_bytes()).document
    finally:
        event.remove(db.session, "before_flush", note)
    with_doc = [f for f in flushes if "Document" in f]
    assert len(with_doc) == 1
    if db.engine.dialect.name == "postgresql":
        assert {"Document", "DocumentFile", "DocumentText", "DocumentEvent",
                Job.__name__} <= with_doc[0]
    db.session.commit()
    assert db.session.get(DocumentText, doc.id) is not None


def test_a_captured_document_is_indexed_once_with_its_text(app, factories, db, monkeypatch):
    """SQLite inserts the document before its text (the text needs the id): that first flush
    must not index it without the text only to index it again with it."""
    from edoc.search import indexer
    from edoc.search.backends import backend_for
    from edoc.search.entries import DOCUMENT, document_entry

    o = office(factories)
    db.session.commit()
    written: list = []
    backend = type(backend_for(db.session.get_bind()))
    real_write = backend.write

    def write(self, conn, entries):
        written.extend(e for e in entries if e.kind == DOCUMENT)
        return real_write(self, conn, entries)

    monkeypatch.setattr(backend, "write", write)
    doc = _capture(o, pdf_bytes()).document
    db.session.commit()
    assert [e.object_id for e in written] == [doc.id]
    # The entry written is the one the tables give, text included.
    row = indexer._document_rows(db.session.connection(), [doc.id])[0]
    assert written[0] == document_entry(row, row["content"])
    assert "ubnd tinh phu tho" in written[0].body_words


def test_a_capture_done_ahead_is_used_only_for_the_same_bytes_and_name(app, factories, db,
                                                                        monkeypatch):
    from edoc.capture import capture
    from edoc.documents.incoming import capture as capture_module

    o = office(factories)
    data = pdf_bytes()
    ahead = capture(data, "qd.pdf")
    calls: list[str] = []
    real = capture_module.capture

    def counting(data, filename, **kwargs):
        calls.append(filename)
        return real(data, filename, **kwargs)

    monkeypatch.setattr(capture_module, "capture", counting)
    cap = capture_module.capture_incoming
    assert cap(o["agency"].id, data, "qd.pdf", {}, captured=ahead).captured is ahead
    assert calls == []
    # Other bytes, or another name: captured again.
    other = cap(o["agency"].id, data + b"\n", "qd.pdf", {}, captured=ahead)
    renamed = cap(o["agency"].id, data, "khac.pdf", {}, captured=ahead)
    assert calls == ["qd.pdf", "khac.pdf"]
    assert other.captured.sha256 != ahead.sha256 and renamed.document.files[0].name == "khac.pdf"


def test_ids_taken_up_front_are_the_ones_the_database_gives(app, factories, db):
    """The document's id is taken before its INSERT (one flush for all its rows): the next one,
    also after a document of the caller's still pending in the session."""
    from edoc.db import utcnow

    o = office(factories)
    first = _capture(o, pdf_bytes()).document
    db.session.commit()
    pending = Document(agency_id=o["agency"].id, direction="incoming", state="received",
                       type_key="cong_van", subject="Chờ", received_at=utcnow(), files=[])
    db.session.add(pending)
    second = _capture(o, pdf_bytes() + b"\n").document
    db.session.commit()
    # (PostgreSQL's sequence hands the pending document its id at the flush, after the second)
    assert {pending.id, second.id} == {first.id + 1, first.id + 2}
    if db.session.get_bind().dialect.name == "sqlite":
        assert pending.id == first.id + 1
