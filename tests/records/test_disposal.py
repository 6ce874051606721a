"""Disposal: eligible list, approved decision, files destroyed, metadata kept; refusals."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from edoc.documents.models import Document, DocumentFile
from edoc.records.archive_models import Disposal
from edoc.records.models import Record
from edoc.storage import get_store
from edoc.storage.models import StoredObject
from tests.records.helpers import archived_record, error_code, ok, post

OLD = date(2000, 3, 5)
DECISION = {"number": "12/QĐ-UBND", "date": "2026-01-15", "signer": "Lê Văn Hùng"}


def _old_record(client, office, make_document, notation="01.VP", retention="5", **kw):
    doc = make_document(f"Văn bản cũ {notation}", day=OLD, number=int(notation[:2]))
    return archived_record(client, office, [doc], notation=notation, year=2000,
                           retention=retention, **kw), doc


@pytest.mark.config(STORAGE_BACKEND="filesystem")
def test_dispose_destroys_files_and_keeps_metadata(client, office, make_document, db, app):
    from edoc.jobs import run_pending

    record, doc = _old_record(client, office, make_document)
    keep, _ = _old_record(client, office, make_document, notation="02.VP")
    run_pending(kinds={"records.build_package"})
    archivist, leader = office.headers("archivist"), office.headers("leader")
    eligible = ok(client.get("/api/v1/disposals/eligible", headers=archivist))
    assert {r["id"] for r in eligible["items"]} == {record["id"], keep["id"]}
    assert eligible["items"][0]["retention_until"] == "2005-12-31"
    proposal = ok(post(client, "/disposals", archivist, record_ids=[record["id"], keep["id"]],
                       reason="Tài liệu hết giá trị"), 201)
    keys = [f.stored.key for f in db.session.get(Document, doc.id).files]
    # A leader approves for one of the two records, with the decision.
    r = post(client, f"/disposals/{proposal['id']}/approve", leader, record_ids=[record["id"]])
    assert r.status_code == 422 and error_code(r) == "decision_required"
    r = post(client, f"/disposals/{proposal['id']}/approve", archivist,
             record_ids=[record["id"]], decision=DECISION)
    assert r.status_code == 403  # the head of the agency decides
    done = ok(post(client, f"/disposals/{proposal['id']}/approve", leader,
                   record_ids=[record["id"]], decision=DECISION))
    assert done["state"] == "approved" and done["decision"]["number"] == "12/QĐ-UBND"
    assert {i["record_id"]: i["outcome"] for i in done["items"]} == {
        record["id"]: "disposed", keep["id"]: "excluded"}
    assert done["files_deleted"] == 2  # the document's PDF and the record's package
    db.session.expire_all()
    gone = db.session.get(Record, record["id"])
    assert gone.state == "disposed" and gone.title == record["title"]
    assert gone.disposal_id == proposal["id"]
    assert db.session.get(Document, doc.id).subject == doc.subject  # metadata kept
    assert db.session.scalars(select(DocumentFile).where(
        DocumentFile.document_id == doc.id)).all() == []
    assert db.session.scalar(select(StoredObject).where(StoredObject.key.in_(keys))) is None
    # The bytes go once the disposal committed, through the job.
    assert all(get_store().exists(k) for k in keys)
    run_pending(kinds={"records.delete_objects"})
    assert not any(get_store().exists(k) for k in keys)
    # The untouched record is still archived and locked.
    assert db.session.get(Record, keep["id"]).state == "archived"
    d = db.session.get(Disposal, proposal["id"])
    assert d.manifest[0]["sha256"] and d.decision_date == date(2026, 1, 15)


def test_disposing_before_the_retention_ends_is_refused(client, office, make_document):
    record = archived_record(client, office, [make_document()], retention="10")  # to 2030
    r = post(client, "/disposals", office.headers("archivist"), record_ids=[record["id"]])
    assert r.status_code == 409 and error_code(r) == "retention_not_ended"
    assert "31/12/2030" in r.get_json()["error"]["message"]


def test_permanent_records_are_never_disposed(client, office, make_document):
    record, _ = _old_record(client, office, make_document, retention="permanent")
    r = post(client, "/disposals", office.headers("archivist"), record_ids=[record["id"]])
    assert r.status_code == 409 and error_code(r) == "permanent"


def test_a_legal_hold_blocks_disposal_even_after_the_proposal(client, office, make_document):
    record, _ = _old_record(client, office, make_document)
    archivist, leader = office.headers("archivist"), office.headers("leader")
    ok(post(client, f"/records/{record['id']}/legal-hold", leader, on=True, reason="Khiếu nại"))
    r = post(client, "/disposals", archivist, record_ids=[record["id"]])
    assert r.status_code == 409 and error_code(r) == "legal_hold"
    assert "phong tỏa" in r.get_json()["error"]["message"]
    ok(post(client, f"/records/{record['id']}/legal-hold", leader, on=False))
    proposal = ok(post(client, "/disposals", archivist, record_ids=[record["id"]]), 201)
    ok(post(client, f"/records/{record['id']}/legal-hold", leader, on=True, reason="Thanh tra"))
    r = post(client, f"/disposals/{proposal['id']}/approve", leader, decision=DECISION)
    assert r.status_code == 409 and error_code(r) == "legal_hold"
    assert ok(client.get(f"/api/v1/disposals/{proposal['id']}",
                         headers=archivist))["state"] == "proposed"


def test_proposals_do_not_overlap_and_can_be_cancelled(client, office, make_document):
    record, _ = _old_record(client, office, make_document)
    archivist = office.headers("archivist")
    first = ok(post(client, "/disposals", archivist, record_ids=[record["id"]]), 201)
    r = post(client, "/disposals", archivist, record_ids=[record["id"]])
    assert r.status_code == 409 and error_code(r) == "in_other_disposal"
    assert ok(client.get("/api/v1/disposals/eligible", headers=archivist))["total"] == 0
    ok(post(client, f"/disposals/{first['id']}/cancel", archivist, reason="Lập lại"))
    ok(post(client, "/disposals", archivist, record_ids=[record["id"]]), 201)


def test_shared_bytes_survive_the_disposal_of_one_holder(client, office, make_document, db):
    from edoc.jobs import run_pending
    from tests.records.helpers import make_pdf

    data = make_pdf("Bản sao dùng chung")
    old = archived_record(client, office, [make_document("Cũ", data=data, day=OLD)],
                          notation="01.VP", year=2000, retention="5")
    young = archived_record(client, office, [make_document("Mới", data=data, number=2)],
                            notation="02.VP")
    proposal = ok(post(client, "/disposals", office.headers("archivist"),
                       record_ids=[old["id"]]), 201)
    ok(post(client, f"/disposals/{proposal['id']}/approve", office.headers("leader"),
            decision=DECISION))
    run_pending(kinds={"records.delete_objects"})
    db.session.expire_all()
    young_doc = db.session.get(Record, young["id"]).documents[0]
    assert get_store().exists(young_doc.current_file().stored.key)
