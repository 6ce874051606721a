"""Access to archived records: request, approve or refuse, expiry, logging."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from edoc.audit.models import AuditEntry
from edoc.i18n import local_today
from edoc.records.archive_models import AccessLog, AccessRequest
from tests.records.helpers import archived_record, closed_record, error_code, ok, post


def _until(days: int = 7) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def test_request_approve_consult_and_log(client, office, make_document, db):
    doc = make_document()
    record = archived_record(client, office, [doc])
    officer, archivist = office.headers("officer"), office.headers("archivist")
    # Without a grant the officer cannot open the archived record.
    r = client.get(f"/api/v1/records/{record['id']}", headers=officer)
    assert r.status_code == 403 and error_code(r) == "access_required"
    req = ok(post(client, "/access-requests", officer, record_id=record["id"],
                  reason="Tra cứu phục vụ báo cáo tổng kết", until=_until(10)), 201)
    assert req["state"] == "pending" and req["status"] == "pending"
    r = client.get(f"/api/v1/access-requests/{req['id']}/record", headers=officer)
    assert r.status_code == 403 and error_code(r) == "access_pending"
    # Only the archivist decides; the period may be shortened.
    r = post(client, f"/access-requests/{req['id']}/approve", officer)
    assert r.status_code == 403
    granted = ok(post(client, f"/access-requests/{req['id']}/approve", archivist,
                      until=_until(3)))
    assert granted["status"] == "active" and granted["granted_until"] == _until(3)
    seen = ok(client.get(f"/api/v1/access-requests/{req['id']}/record", headers=officer))
    assert seen["code"] == record["code"] and seen["access_until"] == _until(3)
    file_id = seen["documents"][0]["files"][0]["file_id"]
    r = client.get(f"/api/v1/access-requests/{req['id']}/files/{file_id}", headers=officer)
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    logs = db.session.scalars(select(AccessLog).where(AccessLog.record_id == record["id"])
                              .order_by(AccessLog.id)).all()
    assert [(log.user_id, log.action) for log in logs][-2:] == [
        (office.officer.id, "view"), (office.officer.id, "file")]
    assert logs[-1].access_request_id == req["id"] and logs[-1].file_id == file_id
    # A decided request cannot be decided again.
    r = post(client, f"/access-requests/{req['id']}/refuse", archivist, reason="Muộn")
    assert r.status_code == 409 and error_code(r) == "access_decided"


def test_an_access_link_after_it_expired_is_refused(client, office, make_document, db):
    record = archived_record(client, office, [make_document()])
    officer = office.headers("officer")
    req = ok(post(client, "/access-requests", officer, record_id=record["id"],
                  reason="Xác minh", until=_until(1)), 201)
    ok(post(client, f"/access-requests/{req['id']}/approve", office.headers("archivist")))
    ok(client.get(f"/api/v1/access-requests/{req['id']}/record", headers=officer))
    # Time passes: the grant's last day is behind us.
    row = db.session.get(AccessRequest, req["id"])
    row.granted_until = local_today() - timedelta(days=1)
    db.session.commit()
    r = client.get(f"/api/v1/access-requests/{req['id']}/record", headers=officer)
    assert r.status_code == 403 and error_code(r) == "access_expired"
    assert "hết hạn" in r.get_json()["error"]["message"]
    listed = ok(client.get("/api/v1/access-requests", headers=officer))
    assert listed["items"][0]["status"] == "expired"
    db.session.expire_all()
    refused = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "archive.access_expired_refused")).all()
    assert len(refused) == 1 and refused[0].actor_id == office.officer.id


def test_refusal_needs_a_reason_and_closes_the_link(client, office, make_document):
    record = archived_record(client, office, [make_document()])
    officer, archivist = office.headers("officer"), office.headers("archivist")
    req = ok(post(client, "/access-requests", officer, record_id=record["id"],
                  reason="Tò mò", until=_until()), 201)
    r = post(client, f"/access-requests/{req['id']}/refuse", archivist, reason="")
    assert r.status_code == 422 and error_code(r) == "reason_required"
    ok(post(client, f"/access-requests/{req['id']}/refuse", archivist,
            reason="Không phục vụ công việc"))
    r = client.get(f"/api/v1/access-requests/{req['id']}/record", headers=officer)
    assert r.status_code == 403 and error_code(r) == "access_refused"
    # Someone else's link is not theirs to use.
    r = client.get(f"/api/v1/access-requests/{req['id']}/record",
                   headers=office.headers("other"))
    assert r.status_code == 404


def test_bad_requests(client, office, make_document):
    officer = office.headers("officer")
    closed = closed_record(client, office, [make_document()])
    r = post(client, "/access-requests", officer, record_id=closed["id"], reason="x",
             until=_until())
    assert r.status_code == 409 and error_code(r) == "record_not_archived"
    record = archived_record(client, office, [make_document("B", number=2)], notation="02.VHXH")
    for body, code in [({"reason": "", "until": _until()}, "reason_required"),
                       ({"reason": "x", "until": "2001-01-01"}, "until_in_past"),
                       ({"reason": "x", "until": _until(400)}, "until_too_far"),
                       ({"reason": "x"}, "until_required")]:
        r = post(client, "/access-requests", officer, record_id=record["id"], **body)
        assert r.status_code == 422 and error_code(r) == code, body


def test_the_archivist_consults_directly_and_is_logged_too(client, office, make_document, db):
    record = archived_record(client, office, [make_document()])
    ok(client.get(f"/api/v1/records/{record['id']}", headers=office.headers("archivist")))
    log = db.session.scalar(select(AccessLog).where(AccessLog.record_id == record["id"]))
    assert log.user_id == office.archivist.id and log.access_request_id is None


def test_clause_hiding_archived_documents_from_ordinary_staff(client, office, make_document,
                                                              db):
    from edoc.documents.models import Document
    from edoc.records.access import archived_documents_hidden

    archived_doc, loose = make_document("Đã lưu trữ"), make_document("Chưa lưu", number=3)
    archived_record(client, office, [archived_doc])
    ids = lambda user: set(db.session.scalars(  # noqa: E731
        select(Document.id).where(archived_documents_hidden(user))))
    assert ids(office.officer) == {loose.id}
    assert ids(office.archivist) == {archived_doc.id, loose.id}
