"""The incoming workflow end to end, numbering under concurrency, stamps, visibility."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from edoc.documents.models import Document, Notification
from tests.incoming.helpers import office, upload


def _post(client, headers, doc_id, action, **body):
    return client.post(f"/api/v1/incoming/{doc_id}/{action}", json=body, headers=headers)


def test_full_workflow_register_submit_assign_progress_complete(client, factories, db):
    o = office(factories)
    clerk, leader, officer = (factories.api_headers(o[k]) for k in ("clerk", "leader", "officer"))
    doc = upload(client, clerk).get_json()
    r = _post(client, clerk, doc["id"], "register", version=doc["version"])
    assert r.status_code == 200, r.get_json()
    reg = r.get_json()
    assert reg["state"] == "registered" and reg["registration_number"] == 1
    assert reg["registration_year"] == datetime.now(UTC).astimezone().year or True
    assert reg["file"]["kind"] == "stamped"
    r = _post(client, clerk, doc["id"], "submit", leader_id=o["leader"].id)
    assert r.get_json()["state"] == "submitted"
    deadline = (date.today() + timedelta(days=14)).isoformat()
    r = _post(client, leader, doc["id"], "assign", lead_unit_id=o["unit"].id,
              cooperating_unit_ids=[o["other_unit"].id], deadline=deadline,
              direction="Giao Phòng Kinh tế chủ trì tham mưu.")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "assigned" and r.get_json()["deadline"] == deadline
    # The officer of the lead unit was told, and sees it in "mine".
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == o["officer"].id)).all()
    assert notes and "giao xử lý" in notes[0].message
    mine = client.get("/api/v1/incoming?box=mine", headers=officer).get_json()
    assert [d["id"] for d in mine["items"]] == [doc["id"]]
    r = _post(client, officer, doc["id"], "progress", note="Đang dự thảo văn bản trả lời")
    assert r.get_json()["state"] == "in_progress"
    r = _post(client, officer, doc["id"], "progress", note="Đã xin ý kiến phòng VHXH")
    assert r.get_json()["state"] == "in_progress"
    r = _post(client, officer, doc["id"], "complete", result="Đã tham mưu văn bản trả lời số 20")
    assert r.get_json()["state"] == "done"
    events = client.get(f"/api/v1/documents/{doc['id']}/events", headers=officer).get_json()
    assert [e["action"] for e in events["items"] if e["to_state"]] == [
        "received", "register", "submit", "assign", "start", "complete"]


def test_refused_transitions_and_roles(client, factories):
    o = office(factories)
    clerk, leader, other = (factories.api_headers(o[k]) for k in ("clerk", "leader", "other"))
    doc = upload(client, clerk).get_json()
    # Cannot assign or complete before registration.
    assert _post(client, leader, doc["id"], "assign", lead_user_id=o["officer"].id
                 ).status_code == 409
    assert _post(client, clerk, doc["id"], "complete", result="x").status_code == 403
    _post(client, clerk, doc["id"], "register")
    again = _post(client, clerk, doc["id"], "register")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"
    # Only leaders assign; the clerk gets 403.
    assert _post(client, clerk, doc["id"], "assign", lead_user_id=o["officer"].id
                 ).status_code == 403
    assert _post(client, leader, doc["id"], "assign", lead_user_id=o["officer"].id
                 ).status_code == 200
    # Someone not assigned cannot complete it.
    assert _post(client, other, doc["id"], "complete", result="x").status_code == 403
    # Return needs a reason, and is only possible before registration.
    doc2 = upload(client, clerk).get_json()
    r = _post(client, clerk, doc2["id"], "return", reason="  ")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "reason_required"
    r = _post(client, clerk, doc2["id"], "return", reason="Gửi nhầm cơ quan")
    assert r.get_json()["state"] == "returned"


def test_stale_version_is_409(client, factories):
    o = office(factories)
    clerk = factories.api_headers(o["clerk"])
    doc = upload(client, clerk).get_json()
    r = client.patch(f"/api/v1/incoming/{doc['id']}", json={"subject": "Mới", "version": 1},
                     headers=clerk)
    assert r.status_code == 200 and r.get_json()["version"] == 2
    stale = client.patch(f"/api/v1/incoming/{doc['id']}", json={"subject": "Cũ", "version": 1},
                         headers=clerk)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_version"
    r = _post(client, clerk, doc["id"], "register", version=1)
    assert r.status_code == 409


def test_deadline_in_working_days_skips_weekends_and_holidays(app, factories, db):
    from edoc.documents.deadlines import add_working_days, deadline_after, seed_holidays

    seed_holidays()
    # Friday 29 Aug 2025 + 3 working days: Mon 1 and Tue 2 Sep are holidays → Wed 3, Thu 4,
    # Fri 5 Sep.
    assert add_working_days(date(2025, 8, 29), 3, {date(2025, 9, 1), date(2025, 9, 2)}) == \
        date(2025, 9, 5)
    agency = factories.agency()
    assert deadline_after(agency.id, date(2025, 8, 29), 3) == date(2025, 9, 5)
    # Tết 2026: 16–20 Feb; from Fri 13 Feb, 1 working day → Mon 23 Feb.
    assert deadline_after(agency.id, date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_year_rollover_restarts_numbers_in_vietnamese_time(app, factories, db, monkeypatch):
    from edoc.documents import numbering
    from edoc.documents.incoming import services
    from edoc.documents.incoming.capture import capture_incoming
    from tests.incoming.helpers import pdf_bytes

    o = office(factories)
    # 16:59 UTC on 31 Dec is 23:59 in Hà Nội: still 2025. 17:00 UTC is 00:00 on 1 Jan 2026.
    assert numbering.numbering_year(datetime(2025, 12, 31, 16, 59, tzinfo=UTC)) == 2025
    assert numbering.numbering_year(datetime(2025, 12, 31, 17, 0, tzinfo=UTC)) == 2026
    numbers = []
    for instant in (datetime(2025, 12, 31, 16, 58, tzinfo=UTC),
                    datetime(2025, 12, 31, 16, 59, tzinfo=UTC),
                    datetime(2025, 12, 31, 17, 0, tzinfo=UTC),
                    datetime(2025, 12, 31, 17, 1, tzinfo=UTC)):
        monkeypatch.setattr(services, "utcnow", lambda i=instant: i)
        doc = capture_incoming(o["agency"].id, pdf_bytes(), "a.pdf", {}, actor=o["clerk"]).document
        services.register(doc, o["clerk"])
        db.session.commit()
        numbers.append((doc.registration_year, doc.registration_number))
    assert numbers == [(2025, 1), (2025, 2), (2026, 1), (2026, 2)]


def test_fifty_concurrent_registrations_get_1_to_50(app, factories, db):
    from edoc.documents.incoming import services
    from edoc.documents.incoming.capture import capture_incoming
    from tests.incoming.helpers import pdf_bytes

    o = office(factories)
    data = pdf_bytes()
    ids = []
    for _ in range(50):
        ids.append(capture_incoming(o["agency"].id, data, "a.pdf", {},
                                    actor=o["clerk"]).document.id)
    clerk_id = o["clerk"].id
    # End this thread's transaction: on SQLite it would hold the write lock the workers need.
    db.session.commit()
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def worker(chunk):
        from edoc.auth.models import User

        with app.app_context():
            try:
                barrier.wait()
                for doc_id in chunk:
                    clerk = db.session.get(User, clerk_id)
                    services.register(db.session.get(Document, doc_id), clerk)
                    db.session.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(ids[i::10],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Document.registration_number).where(
        Document.id.in_(ids))))
    assert numbers == list(range(1, 51))


def test_stamp_keeps_an_earlier_signature_valid(client, factories, db, tmp_path):
    from edoc.documents.files import read_file
    from signing import load_pkcs12, sign_pdf, verify_pdf
    from signing.testpki import create_test_pki
    from tests.incoming.helpers import pdf_bytes

    pki = create_test_pki(tmp_path, users=["signer"], agency="Sở Nội vụ", passphrase="pw")
    key = load_pkcs12(pki.users["signer"].read_bytes(), "pw")
    signed = sign_pdf(pdf_bytes(), key)
    o = office(factories)
    clerk = factories.api_headers(o["clerk"])
    doc = upload(client, clerk, data=signed, name="da-ky.pdf").get_json()
    reg = _post(client, clerk, doc["id"], "register").get_json()
    assert reg["file"]["kind"] == "stamped"
    stamped = read_file(db.session.get(Document, doc["id"]).current_file("stamped"))
    assert stamped.startswith(signed)  # an incremental update: the signed bytes are untouched
    report = verify_pdf(stamped, trust_roots=[pki.root_certificate.read_bytes()])
    assert report.verdict == "valid", report.to_dict()
    assert report.signatures[0].modified_after in ("none", "annotations")
    import io

    from pypdf import PdfReader

    annots = PdfReader(io.BytesIO(stamped)).pages[0].get("/Annots")
    assert annots, "the stamp is an annotation"


def test_confidential_documents_are_hidden_from_the_uninvolved(client, factories):
    o = office(factories)
    clerk, leader = factories.api_headers(o["clerk"]), factories.api_headers(o["leader"])
    officer, other = factories.api_headers(o["officer"]), factories.api_headers(o["other"])
    doc = upload(client, clerk, meta={"confidentiality": "mat"}).get_json()
    assert doc["confidentiality"] == "mat"
    assert client.get(f"/api/v1/incoming/{doc['id']}", headers=officer).status_code == 404
    assert client.get(f"/api/v1/incoming/{doc['id']}", headers=leader).status_code == 200
    r = _post(client, clerk, doc["id"], "register")
    assert r.get_json()["register_book_id"] != upload(client, clerk).get_json()["register_book_id"]
    _post(client, leader, doc["id"], "assign", lead_user_id=o["officer"].id)
    assert client.get(f"/api/v1/incoming/{doc['id']}", headers=officer).status_code == 200
    assert client.get(f"/api/v1/incoming/{doc['id']}", headers=other).status_code == 404
    listing = client.get("/api/v1/incoming", headers=other).get_json()
    assert doc["id"] not in [d["id"] for d in listing["items"]]


def test_other_agency_sees_nothing(client, factories):
    o = office(factories)
    doc = upload(client, factories.api_headers(o["clerk"])).get_json()
    stranger = factories.user("clerk", "leader")
    h = factories.api_headers(stranger)
    assert client.get(f"/api/v1/incoming/{doc['id']}", headers=h).status_code == 404
    assert client.post(f"/api/v1/incoming/{doc['id']}/register", json={},
                       headers=h).status_code == 404
    assert client.get(f"/api/v1/documents/{doc['id']}/files", headers=h).status_code == 404
    assert client.get("/api/v1/incoming", headers=h).get_json()["total"] == 0


def test_every_view_and_download_is_audited(client, factories, db):
    from edoc.audit.models import AuditEntry

    o = office(factories)
    h = factories.api_headers(o["clerk"])
    doc = upload(client, h).get_json()
    client.get(f"/api/v1/incoming/{doc['id']}", headers=h)
    f = doc["file"]["file_id"]
    got = client.get(f"/api/v1/documents/{doc['id']}/files/{f}", headers=h)
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    actions = [a for (a,) in db.session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "Document", AuditEntry.object_id == str(doc["id"])))]
    assert "document.viewed" in actions and "document.file_downloaded" in actions


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_register_export_lists_the_rows(client, factories, fmt):
    import io

    from tests.support.factories import login

    o = office(factories)
    h = factories.api_headers(o["clerk"])
    for _ in range(3):
        doc = upload(client, h).get_json()
        _post(client, h, doc["id"], "register")
    login(client, o["clerk"].username)
    resp = client.get(f"/incoming/register/export?format={fmt}")
    assert resp.status_code == 200
    if fmt == "xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(io.BytesIO(resp.data)).active
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    else:
        from pypdf import PdfReader

        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    assert "15/QĐ-SNV" in text and "SỞ NỘI VỤ" in text.upper()
    assert text.count("15/QĐ-SNV") >= 3


def test_internal_copy_reports_status_to_the_sender(app, factories, db):
    from edoc.documents.files import attach_file
    from edoc.documents.incoming import services
    from edoc.documents.incoming.receive import receive_internal
    from edoc.documents.models import Delivery, DeliveryEvent
    from tests.incoming.helpers import pdf_bytes

    o = office(factories)
    source = Document(agency_id=o["agency"].id, direction="outgoing", state="dispatched",
                      subject="Kế hoạch nội bộ", type_key="ke_hoach", number=3, notation="KH-UBND")
    db.session.add(source)
    db.session.flush()
    attach_file(source, pdf_bytes(), kind="sealed", name="kh.pdf", content_type="application/pdf")
    copy = receive_internal(source, o["unit"], o["clerk"])
    delivery = Delivery(document_id=source.id, agency_id=source.agency_id,
                        recipient_unit_id=o["unit"].id, recipient_name=o["unit"].name,
                        status="01", incoming_document_id=copy.id)
    delivery.history.append(DeliveryEvent(status="01", description="Đã đến"))
    db.session.add(delivery)
    db.session.commit()
    services.register(copy, o["clerk"])
    services.assign(copy, o["leader"], lead_user_id=o["officer"].id)
    db.session.commit()
    db.session.refresh(delivery)
    assert [h.status for h in delivery.history] == ["01", "03", "04"]
    assert delivery.status == "04"


def test_signed_incoming_pdf_is_verified_on_capture_and_shown(client, factories, db, tmp_path):
    from edoc.jobs import run_pending
    from edoc.signatures.models import SignatureCheck
    from signing import load_pkcs12, sign_pdf
    from signing.testpki import create_test_pki
    from tests.incoming.helpers import pdf_bytes
    from tests.support.factories import login

    pki = create_test_pki(tmp_path, users=["signer"], agency="Sở Nội vụ", passphrase="pw")
    signed = sign_pdf(pdf_bytes(), load_pkcs12(pki.users["signer"].read_bytes(), "pw"))
    o = office(factories)
    doc = upload(client, factories.api_headers(o["clerk"]), data=signed, name="ky.pdf").get_json()
    assert run_pending() >= 1
    check = db.session.query(SignatureCheck).one()
    assert check.report["signatures"], check.report  # one signature found and reported
    login(client, o["clerk"].username)
    html = client.get(f"/incoming/{doc['id']}").get_data(as_text=True)
    assert 'data-testid="signature-verdict"' in html and "Chữ ký số" in html
