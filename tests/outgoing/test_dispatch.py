"""Dispatch to internal units and external agencies; revoke, update and replace afterwards."""
from __future__ import annotations

from sqlalchemy import select

from edoc.documents.models import Document, DocumentLink, RegisterBook
from edoc.jobs.models import Job
from tests.outgoing.conftest import ok, sealed


def _jobs(db, kind: str) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def _code(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()["error"]["code"]


def _dispatched(api, org, draft_pdf, **meta) -> dict:
    doc = sealed(api, org, draft_pdf, **meta)
    return ok(api.post(org.clerk, f"/outgoing/{doc['id']}/dispatch",
                       {"internal_unit_ids": [org.other_unit.id],
                        "external_organ_ids": [org.external.organ_id]}))


def test_external_recipients_get_a_pending_delivery_and_a_send_job(app, db, api, org, keys,
                                                                   draft_pdf):
    doc = _dispatched(api, org, draft_pdf)
    internal, external = doc["deliveries"]
    assert internal["status"] == "01" and internal["incoming_document_id"]
    assert external["recipient"] == {"organ_id": "000.00.31.H62",
                                     "name": "Sở Nội vụ tỉnh Vĩnh Phúc"}
    assert external["status"] == "pending"
    assert [h["status"] for h in external["history"]] == ["pending"]
    [job] = _jobs(db, "exchange.send_document")
    assert job.payload == {"document_id": doc["id"], "delivery_id": external["id"]}
    assert job.dedupe_key == f"exchange.send:{external['id']}"
    listed = ok(api.get(org.drafter, f"/outgoing/{doc['id']}/deliveries"))["items"]
    assert [d["id"] for d in listed] == [internal["id"], external["id"]]


def test_confidential_documents_never_go_over_the_axis(app, db, api, org, keys, draft_pdf):
    doc = sealed(api, org, draft_pdf, confidentiality="mat")
    # Numbered in the separate series for secret documents.
    book = db.session.get(RegisterBook, doc["register_book_id"])
    assert book.confidential and doc["number"] == 1
    resp = api.post(org.clerk, f"/outgoing/{doc['id']}/dispatch",
                    {"internal_unit_ids": [org.other_unit.id],
                     "external_organ_ids": [org.external.organ_id]})
    assert _code(resp, 422) == "confidential_external_dispatch"
    assert "trục liên thông" in resp.get_json()["error"]["message"]
    assert _jobs(db, "exchange.send_document") == []
    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/dispatch",
                      {"internal_unit_ids": [org.other_unit.id]}))
    assert doc["state"] == "dispatched"


def test_dispatch_checks_its_recipients(app, db, api, org, keys, draft_pdf):
    doc = sealed(api, org, draft_pdf)
    path = f"/outgoing/{doc['id']}/dispatch"
    assert _code(api.post(org.clerk, path, {}), 422) == "recipients_required"
    assert _code(api.post(org.clerk, path, {"external_organ_ids": ["không-có"]}),
                 422) == "invalid_field"
    assert _code(api.post(org.clerk, path, {"external_organ_ids": [org.agency.organ_id]}),
                 422) == "invalid_field"
    assert _code(api.post(org.drafter, path, {"internal_unit_ids": [org.unit.id]}),
                 403) == "forbidden"


def test_revoke_cancels_internal_copies_and_tells_external_recipients(app, db, api, org, keys,
                                                                     draft_pdf):
    doc = _dispatched(api, org, draft_pdf)
    internal, external = doc["deliveries"]
    assert _code(api.post(org.clerk, f"/outgoing/{doc['id']}/revoke", {"reason": " "}),
                 422) == "reason_required"
    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/revoke",
                      {"reason": "Ban hành sai thẩm quyền."}))
    assert doc["state"] == "revoked"
    copy = db.session.get(Document, internal["incoming_document_id"])
    assert copy.state == "cancelled"
    [job] = _jobs(db, "exchange.send_action")
    assert job.payload == {"document_id": doc["id"], "action": "revoke",
                           "reason": "Ban hành sai thẩm quyền.", "delivery_id": external["id"]}
    deliveries = ok(api.get(org.clerk, f"/outgoing/{doc['id']}/deliveries"))["items"]
    assert "thu hồi" in deliveries[1]["history"][-1]["description"]
    assert "Đã hủy" in deliveries[0]["history"][-1]["description"]
    # Frozen: nothing more can happen to it.
    assert _code(api.post(org.clerk, f"/outgoing/{doc['id']}/update",
                          {"reason": "x", "changes": {"subject": "y"}}), 409) == \
        "invalid_transition"


def test_update_changes_metadata_everywhere_and_adds_recipients(app, db, api, org, keys,
                                                                draft_pdf, factories):
    doc = _dispatched(api, org, draft_pdf)
    internal, external = doc["deliveries"]
    third = factories.unit(org.agency, "Phòng Tài chính", notation="TC")
    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/update",
                      {"reason": "Sửa lỗi chính tả trong trích yếu.",
                       "changes": {"subject": "Về việc thành lập Tổ công tác chuyển đổi số huyện"},
                       "internal_unit_ids": [third.id]}))
    assert doc["state"] == "dispatched"
    assert doc["subject"] == "Về việc thành lập Tổ công tác chuyển đổi số huyện"
    assert len(doc["deliveries"]) == 3
    copy = db.session.get(Document, internal["incoming_document_id"])
    assert copy.subject == doc["subject"]
    [job] = _jobs(db, "exchange.send_action")
    assert job.payload["action"] == "update" and job.payload["delivery_id"] == external["id"]
    assert job.payload["fields"] == ["subject"]
    assert _code(api.post(org.clerk, f"/outgoing/{doc['id']}/update",
                          {"reason": "x", "changes": {}}), 422) == "nothing_to_update"
    assert _code(api.post(org.clerk, f"/outgoing/{doc['id']}/update",
                          {"reason": "x", "changes": {"number": 3}}), 422) == "invalid_field"


def test_replace_dispatches_the_new_document_to_the_same_recipients(app, db, api, org, keys,
                                                                   draft_pdf):
    old = _dispatched(api, org, draft_pdf)
    new = sealed(api, org, draft_pdf, subject="Về việc thành lập Tổ công tác (thay thế)")
    assert new["number"] == 2
    old_internal, old_external = old["deliveries"]
    old = ok(api.post(org.clerk, f"/outgoing/{old['id']}/replace",
                      {"reason": "Thay thế do sai thành phần.", "replacement_id": new["id"]}))
    assert old["state"] == "revoked"
    new = ok(api.get(org.clerk, f"/outgoing/{new['id']}"))
    assert new["state"] == "dispatched"
    new_deliveries = ok(api.get(org.clerk, f"/outgoing/{new['id']}/deliveries"))["items"]
    assert [(d["recipient"].get("unit_id"), d["recipient"].get("organ_id"))
            for d in new_deliveries] == [(org.other_unit.id, None), (None, "000.00.31.H62")]
    links = {(link.from_id, link.to_id, link.kind) for link in db.session.scalars(
        select(DocumentLink))}
    new_copy = new_deliveries[0]["incoming_document_id"]
    assert (new["id"], old["id"], "replaces") in links
    assert (new_copy, old_internal["incoming_document_id"], "replaces") in links
    assert db.session.get(Document, old_internal["incoming_document_id"]).state == "cancelled"
    [send] = [j for j in _jobs(db, "exchange.send_document")
              if j.payload["document_id"] == new["id"]]
    assert send.payload["replaces_document_id"] == old["id"]
    [action] = _jobs(db, "exchange.send_action")
    assert action.payload["action"] == "replace"
    assert action.payload["delivery_id"] == old_external["id"]
    assert action.payload["replacement_document_id"] == new["id"]


def test_replacement_must_be_sealed(app, db, api, org, keys, draft_pdf):
    from tests.outgoing.conftest import approved

    old = _dispatched(api, org, draft_pdf)
    draft = approved(api, org, draft_pdf)
    resp = api.post(org.clerk, f"/outgoing/{old['id']}/replace",
                    {"reason": "Thay thế.", "replacement_id": draft["id"]})
    assert _code(resp, 409) == "replacement_not_ready"


def test_issue_checks_book_and_date(app, db, api, org, keys, draft_pdf):
    from datetime import timedelta

    from edoc.i18n import local_today
    from tests.outgoing.conftest import SIGNER_SECRET, approved

    doc = approved(api, org, draft_pdf)
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    secret_book = db.session.scalar(select(RegisterBook).where(
        RegisterBook.agency_id == org.agency.id, RegisterBook.direction == "outgoing",
        RegisterBook.confidential.is_(True)))
    path = f"/outgoing/{doc['id']}/issue"
    assert _code(api.post(org.clerk, path, {"register_book_id": secret_book.id}),
                 422) == "register_book_mismatch"
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert _code(api.post(org.clerk, path, {"issued_on": tomorrow}), 422) == "invalid_field"
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    doc = ok(api.post(org.clerk, path, {"issued_on": yesterday}))
    assert doc["document_date"] == yesterday and doc["number"] == 1
