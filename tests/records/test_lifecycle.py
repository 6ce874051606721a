"""A record's life: open, documents, metadata, close, transfer, accept or return; refusals."""
from __future__ import annotations

from sqlalchemy import select

from edoc.audit.models import AuditEntry
from edoc.records.models import Record, Transfer
from tests.records.helpers import archived_record, closed_record, error_code, ok, open_record, post


def test_open_fill_close_transfer_accept(client, office, make_document, db):
    docs = [make_document("Về việc tổ chức Lễ hội Đền Hùng", pages=2),
            make_document("Kế hoạch tổ chức lễ hội", number=25, notation="KH-UBND",
                          type_key="ke_hoach", direction="outgoing", pages=3)]
    officer, archivist = office.headers("officer"), office.headers("archivist")
    record = open_record(client, office, keywords="lễ hội, Đền Hùng", mode="01")
    assert record["state"] == "open"
    assert record["code"] == "000.00.31.H44.2020.01.VHXH"
    assert record["retention"]["label"] == "10 năm" and record["retention"]["code"] == "06"
    assert record["keywords"] == ["lễ hội", "Đền Hùng"]
    rec = ok(post(client, f"/records/{record['id']}/documents", officer,
                  document_ids=[d.id for d in docs]))
    assert rec["doc_total"] == 2 and rec["page_total"] == 5
    rec = ok(client.patch(f"/api/v1/records/{record['id']}", headers=officer,
                          json={"description": "Hồ sơ đầy đủ", "language": "01",
                                "version": rec["version"]}))
    assert rec["description"] == "Hồ sơ đầy đủ"
    rec = ok(post(client, f"/records/{record['id']}/close", officer))
    assert rec["state"] == "closed" and rec["end_date"] == "2020-03-05"
    rec = ok(post(client, f"/records/{record['id']}/transfer", officer, reason="Nộp lưu 2021"))
    assert rec["state"] == "transferred" and rec["transfer_id"]
    inbox = ok(client.get("/api/v1/transfers?state=submitted", headers=archivist))
    assert [t["items"][0]["record_id"] for t in inbox["items"]] == [record["id"]]
    rec = ok(post(client, f"/records/{record['id']}/accept", archivist))
    assert rec["state"] == "archived"
    # Retention counts from 1 January after the end date: 10 years from 2021 -> 31/12/2030.
    assert rec["retention_until"] == "2030-12-31"
    transfer = db.session.get(Transfer, rec_transfer_id(db, record["id"]))
    assert transfer.state == "done" and transfer.items[0].outcome == "accepted"
    events = ok(client.get(f"/api/v1/records/{record['id']}/events", headers=archivist))
    assert [e["action"] for e in events["items"] if e["to_state"]] == [
        "opened", "close", "transfer", "accept"]


def rec_transfer_id(db, record_id: int) -> int:
    from edoc.records.models import TransferItem

    return db.session.scalar(select(TransferItem.transfer_id).where(
        TransferItem.record_id == record_id))


def test_open_from_file_plan_and_duplicate_code(client, office):
    archivist = office.headers("archivist")
    entry = ok(post(client, "/file-plans", archivist, year=2024, code="01.VHXH",
                    title="Hồ sơ lễ hội", retention="Vĩnh viễn", heading="III. VĂN HÓA",
                    responsible_unit_id=office.unit.id), 201)
    rec = ok(post(client, "/records", office.headers("officer"),
                  file_plan_entry_id=entry["id"]), 201)
    assert rec["title"] == "Hồ sơ lễ hội" and rec["year"] == 2024
    assert rec["retention"]["kind"] == "permanent" and rec["unit_id"] == office.unit.id
    again = post(client, "/records", office.headers("officer"), file_plan_entry_id=entry["id"])
    assert again.status_code == 409 and error_code(again) == "record_code_taken"
    # Outside the plan, notation, title and retention are required (Decree 30).
    r = post(client, "/records", office.headers("officer"), title="Không số")
    assert r.status_code == 422 and error_code(r) == "notation_required"


def test_transferring_an_open_record_is_refused(client, office, make_document):
    record = open_record(client, office)
    r = post(client, f"/records/{record['id']}/transfer", office.headers("officer"))
    assert r.status_code == 409 and error_code(r) == "record_not_closed"
    assert "kết thúc" in r.get_json()["error"]["message"]
    # Closing an empty record is refused too.
    r = post(client, f"/records/{record['id']}/close", office.headers("officer"))
    assert r.status_code == 422 and error_code(r) == "record_empty"


def test_short_retention_cannot_be_transferred(client, office, make_document):
    record = closed_record(client, office, [make_document()], retention="02 năm")
    r = post(client, f"/records/{record['id']}/transfer", office.headers("officer"))
    assert r.status_code == 422 and error_code(r) == "retention_too_short"


def test_return_needs_a_reason_and_goes_back_to_closed(client, office, make_document, db):
    record = closed_record(client, office, [make_document()])
    ok(post(client, f"/records/{record['id']}/transfer", office.headers("officer")))
    archivist = office.headers("archivist")
    r = post(client, f"/records/{record['id']}/reject", archivist, reason="  ")
    assert r.status_code == 422 and error_code(r) == "reason_required"
    # Only the archivist accepts or returns.
    r = post(client, f"/records/{record['id']}/accept", office.headers("officer"))
    assert r.status_code == 403
    rec = ok(post(client, f"/records/{record['id']}/reject", archivist,
                  reason="Thiếu văn bản số 25/KH-UBND"))
    assert rec["state"] == "closed"
    from edoc.documents.models import Notification

    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == office.officer.id)).all()
    assert any("Thiếu văn bản" in n.message for n in notes)
    r = post(client, f"/records/{record['id']}/accept", archivist)
    assert r.status_code == 409 and error_code(r) == "record_not_transferred"


def test_a_document_belongs_to_one_record(client, office, make_document):
    doc = make_document()
    first = open_record(client, office)
    second = open_record(client, office, notation="02.VHXH")
    headers = office.headers("officer")
    ok(post(client, f"/records/{first['id']}/documents", headers, document_ids=[doc.id]))
    r = post(client, f"/records/{second['id']}/documents", headers, document_ids=[doc.id])
    assert r.status_code == 409 and error_code(r) == "document_in_record"


def test_others_cannot_edit_and_other_agencies_see_nothing(client, office, factories):
    record = open_record(client, office)
    r = client.patch(f"/api/v1/records/{record['id']}", headers=office.headers("other"),
                     json={"title": "Sửa trái phép"})
    assert r.status_code == 403
    stranger = factories.user("archivist")
    r = client.get(f"/api/v1/records/{record['id']}",
                   headers=factories.api_headers(stranger))
    assert r.status_code == 404


def _refusals(db, record_id: int) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "record.change_refused",
        AuditEntry.object_id == str(record_id))).all()


def test_changes_to_an_archived_record_are_refused_and_audited(client, office, make_document,
                                                             db):
    doc, spare = make_document(), make_document("Văn bản khác", number=13)
    record = archived_record(client, office, [doc])
    archivist, officer = office.headers("archivist"), office.headers("officer")
    attempts = [
        client.patch(f"/api/v1/records/{record['id']}", headers=archivist,
                     json={"title": "Tiêu đề mới"}),
        post(client, f"/records/{record['id']}/documents", archivist, document_ids=[spare.id]),
        client.delete(f"/api/v1/records/{record['id']}/documents/{doc.id}", headers=archivist),
        post(client, f"/records/{record['id']}/close", officer),
        post(client, f"/records/{record['id']}/reopen", archivist),
        post(client, f"/records/{record['id']}/transfer", officer),
    ]
    for r in attempts:
        assert r.status_code == 409 and error_code(r) == "record_archived", r.get_json()
    entries = _refusals(db, record["id"])
    assert [e.details["attempt"] for e in entries] == [
        "record.update", "document.add", "document.remove", "record.close", "record.reopen",
        "record.transfer"]
    assert entries[0].actor_id == office.archivist.id
    assert db.session.get(Record, record["id"]).title == record["title"]


def test_documents_of_an_archived_record_are_frozen_everywhere(client, office, make_document,
                                                              db):
    """The guard also stops other modules: the incoming API, files added behind the services."""
    from edoc.auth.roles import Role

    doc = make_document()
    record = archived_record(client, office, [doc])
    # Archived documents are the archivist's (edoc.records.access): a clerk no longer finds it.
    r = client.patch(f"/api/v1/incoming/{doc.id}", headers=office.headers("clerk"),
                     json={"subject": "Trích yếu bị sửa"})
    assert r.status_code == 404
    both = office.factories.user(Role.CLERK, Role.ARCHIVIST, agency=office.agency)
    r = client.patch(f"/api/v1/incoming/{doc.id}", headers=office.factories.api_headers(both),
                     json={"subject": "Trích yếu bị sửa"})
    assert r.status_code == 409 and error_code(r) == "record_archived"
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document
    from edoc.records.errors import RecordFrozen

    fresh = db.session.get(Document, doc.id)
    try:
        attach_file(fresh, b"%PDF-1.4 forged", kind="signed", name="forged.pdf",
                    content_type="application/pdf", actor=office.clerk)
        db.session.flush()
    except RecordFrozen as exc:
        assert exc.code == "record_archived"
    else:
        raise AssertionError("a file was added to an archived document")
    db.session.rollback()  # as every request, job and command does on an error
    attempts = [e.details["attempt"] for e in _refusals(db, record["id"])]
    assert attempts == ["document.update", "file.add"]
    assert db.session.get(Document, doc.id).subject == doc.subject
    assert len(db.session.get(Document, doc.id).files) == 1
