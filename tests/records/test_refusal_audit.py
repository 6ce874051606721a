"""A refused change to an archived record stays in the audit log however the attempt's
transaction ends: rolled back by the error handler, a job runner or a script, rolled back only
as far as a SAVEPOINT while the rest commits, or simply closed without an explicit rollback."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from edoc.audit.models import AuditEntry
from edoc.documents.models import Document
from edoc.records.errors import RecordFrozen
from edoc.records.models import Record
from tests.records.helpers import archived_record, error_code


def _refusals(db, record_id: int) -> list[AuditEntry]:
    db.session.rollback()  # a fresh look at what was committed
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "record.change_refused",
        AuditEntry.object_id == str(record_id)).order_by(AuditEntry.id)))


def _archived_doc(client, office, make_document, db) -> tuple[Document, dict]:
    doc = make_document()
    record = archived_record(client, office, [doc])
    db.session.expire_all()
    return db.session.get(Document, doc.id), record


def test_refusal_through_another_modules_api_is_audited_with_its_actor(client, office,
                                                                       make_document, db):
    """The incoming API's own service, not the records module, attempts the change: the
    guard refuses it. (Only someone who is both clerk and archivist still reaches an archived
    document through the incoming pages.)"""
    from edoc.auth.roles import Role

    doc, record = _archived_doc(client, office, make_document, db)
    both = office.factories.user(Role.CLERK, Role.ARCHIVIST, agency=office.agency,
                                 username="vanthu-luutru")
    r = client.patch(f"/api/v1/incoming/{doc.id}", headers=office.factories.api_headers(both),
                     json={"subject": "Trích yếu bị sửa"})
    assert r.status_code == 409 and error_code(r) == "record_archived"
    [entry] = _refusals(db, record["id"])
    assert entry.details["attempt"] == "document.update"
    assert entry.details["document_id"] == doc.id and "subject" in entry.details["fields"]
    assert (entry.actor_id, entry.actor_name) == (both.id, "vanthu-luutru")
    assert entry.chain == office.agency.id and entry.object_type == "Record"
    assert db.session.get(Document, doc.id).subject != "Trích yếu bị sửa"


def test_refusal_rolled_back_explicitly_is_audited(client, office, make_document, db):
    doc, record = _archived_doc(client, office, make_document, db)
    doc.subject = "Sửa trực tiếp"
    with pytest.raises(RecordFrozen):
        db.session.flush()
    db.session.rollback()
    assert [e.details["attempt"] for e in _refusals(db, record["id"])] == ["document.update"]


def test_refusal_inside_a_savepoint_is_audited_when_the_rest_commits(client, office,
                                                                     make_document, db):
    """A batch that tries each item in a SAVEPOINT (as batch signing does) goes on after the
    refused item and commits the others: the refusal must not wait for a rollback that never
    comes."""
    doc, record = _archived_doc(client, office, make_document, db)
    loose = make_document("Văn bản chưa lưu trữ", number=99)
    with pytest.raises(RecordFrozen), db.session.begin_nested():
        doc.subject = "Sửa trong lô"
        db.session.flush()
    loose = db.session.get(Document, loose.id)
    loose.subject = "Văn bản chưa lưu trữ (đã sửa)"
    db.session.commit()
    entries = _refusals(db, record["id"])
    assert [e.details["attempt"] for e in entries] == ["document.update"]
    assert db.session.get(Document, loose.id).subject == "Văn bản chưa lưu trữ (đã sửa)"
    assert db.session.get(Document, doc.id).subject != "Sửa trong lô"


def test_refusal_when_the_session_is_closed_without_rollback(client, office, make_document,
                                                            db):
    """A script (or a request torn down after an unexpected error) that just ends: the session
    is closed, which discards the transaction without a rollback event."""
    doc, record = _archived_doc(client, office, make_document, db)
    doc.subject = "Sửa rồi bỏ dở"
    with pytest.raises(RecordFrozen):
        db.session.flush()
    db.session.close()
    assert [e.details["attempt"] for e in _refusals(db, record["id"])] == ["document.update"]


def test_refusal_in_a_job_is_audited(client, office, make_document, db):
    from edoc.jobs import service as jobs

    doc, record = _archived_doc(client, office, make_document, db)

    @jobs.handler("test.edit_archived_document", max_attempts=1)
    def _edit(payload):
        target = db.session.get(Document, payload["document_id"])
        target.subject = "Sửa bởi tác vụ nền"
        db.session.flush()

    jobs.enqueue("test.edit_archived_document", {"document_id": doc.id})
    db.session.commit()
    assert jobs.run_one({"test.edit_archived_document"})
    [entry] = _refusals(db, record["id"])
    assert entry.details["attempt"] == "document.update" and entry.actor_id is None


def test_a_refusal_is_audited_once(client, office, make_document, db):
    """Caught and retried on the same pending change, then rolled back: one attempt, one
    entry."""
    doc, record = _archived_doc(client, office, make_document, db)
    doc.subject = "Sửa hai lần"
    for _ in range(2):
        with pytest.raises(RecordFrozen):
            db.session.flush()
    db.session.rollback()
    assert len(_refusals(db, record["id"])) == 1
    assert db.session.get(Record, record["id"]).state == "archived"
