"""The JSON API: batch signing, a document's signatures, verifying an uploaded PDF."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from edoc.documents.models import Document, DocumentFile
from edoc.storage.models import StoredObject
from tests.signatures.conftest import PASSPHRASE, make_pdf

CONTRACT_KEYS = {"signer", "organization", "signed_at", "verdict", "reasons", "trusted",
                 "intact", "modified_after", "timestamp"}


def test_batch_signs_the_good_documents_and_reports_the_bad_one(client, db, factories,
                                                                provisioned, make_doc, leader):
    from edoc.audit.models import AuditEntry

    good1, good2 = make_doc(), make_doc()
    docx = make_doc(b"PK\x03\x04 word", name="du-thao.docx", kind="rendition",
                    content_type="application/vnd.openxmlformats-officedocument"
                                 ".wordprocessingml.document")
    ids = [good1.id, docx.id, good2.id]
    resp = client.post("/api/v1/sign/batch", json={"document_ids": ids, "secret": PASSPHRASE},
                       headers=factories.api_headers(leader))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["signed"], body["failed"]) == (2, 1)
    results = {r["document_id"]: r for r in body["results"]}
    assert [r["document_id"] for r in body["results"]] == ids
    assert results[docx.id]["ok"] is False
    assert results[docx.id]["error"]["code"] == "no_pdf"
    assert "PDF" in results[docx.id]["error"]["message"]
    for doc in (good1, good2):
        assert results[doc.id]["ok"] is True and results[doc.id]["state"] == "signed"
    db.session.expire_all()
    states = {d.id: (d.state, d.current_file("signed")) for d in
              db.session.scalars(select(Document).where(Document.id.in_(ids)))}
    assert states[docx.id] == ("approved", None)
    assert states[good1.id][0] == states[good2.id][0] == "signed"
    assert states[good1.id][1].id == results[good1.id]["file_id"]
    # The failure in the middle did not erase the audit trail of the document signed before it.
    signed_entries = db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "signature.signed"))
    assert signed_entries == 2


def test_batch_opens_the_key_once(client, db, factories, provisioned, make_doc, leader,
                                  monkeypatch):
    import edoc.signatures.keys as keys

    calls = []
    real = keys.load_pkcs12

    def counting(data, passphrase):
        calls.append(1)
        return real(data, passphrase)

    monkeypatch.setattr(keys, "load_pkcs12", counting)
    ids = [make_doc().id for _ in range(3)]
    resp = client.post("/api/v1/sign/batch", json={"document_ids": ids, "secret": PASSPHRASE},
                       headers=factories.api_headers(leader))
    assert resp.get_json()["signed"] == 3
    assert len(calls) == 1


def test_batch_with_wrong_passphrase_is_422_and_stores_nothing(client, db, factories,
                                                               provisioned, make_doc, leader):
    ids = [make_doc().id, make_doc().id]
    before = (db.session.scalar(select(func.count(DocumentFile.id))),
              db.session.scalar(select(func.count(StoredObject.id))))
    resp = client.post("/api/v1/sign/batch", json={"document_ids": ids, "secret": "wrong"},
                       headers=factories.api_headers(leader))
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "wrong_secret"
    assert "không đúng" in error["message"]
    after = (db.session.scalar(select(func.count(DocumentFile.id))),
             db.session.scalar(select(func.count(StoredObject.id))))
    assert after == before
    assert {d.state for d in db.session.scalars(select(Document))} == {"approved"}


def test_batch_input_is_checked(client, factories, provisioned, leader):
    headers = factories.api_headers(leader)
    for body, code in (({"document_ids": [], "secret": "x"}, "no_documents"),
                       ({"document_ids": ["abc"], "secret": "x"}, "bad_document_id"),
                       ({"document_ids": list(range(1, 300)), "secret": "x"}, "batch_too_large"),
                       ({"document_ids": [1], "secret": 1234}, "bad_secret")):
        resp = client.post("/api/v1/sign/batch", json=body, headers=headers)
        assert resp.status_code == 422
        assert resp.get_json()["error"]["code"] == code
    assert client.post("/api/v1/sign/batch", json={"document_ids": [1]}).status_code == 401


def test_document_signatures_report_and_visibility(client, db, factories, provisioned,
                                                   make_doc, leader):
    from edoc.auth.roles import Role
    from edoc.signatures.services import apply_signer_signature

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    db.session.commit()
    resp = client.get(f"/api/v1/documents/{doc.id}/signatures",
                      headers=factories.api_headers(leader))
    assert resp.status_code == 200
    report = resp.get_json()
    assert report["verdict"] == "valid"
    (sig,) = report["signatures"]
    assert set(sig) >= CONTRACT_KEYS
    assert sig["messages"] == [] and report["messages"] == []
    outsider = factories.user(Role.LEADER)
    resp = client.get(f"/api/v1/documents/{doc.id}/signatures",
                      headers=factories.api_headers(outsider))
    assert resp.status_code == 404


def _tamper(pdf: bytes) -> bytes:
    # Change one byte inside the original revision (covered by the signature).
    pos = pdf.index(b"/MediaBox")
    return pdf[:pos + 1] + (b"m" if pdf[pos + 1:pos + 2] != b"m" else b"M") + pdf[pos + 2:]


def test_verify_endpoint_reports_a_tampered_pdf_invalid(client, db, factories, provisioned,
                                                        make_doc, leader):
    from edoc.documents.files import read_file
    from edoc.signatures.services import apply_signer_signature

    doc = make_doc()
    signed = read_file(apply_signer_signature(doc, leader, PASSPHRASE))
    db.session.commit()
    headers = factories.api_headers(leader)
    stored_before = db.session.scalar(select(func.count(StoredObject.id)))

    ok = client.post("/api/v1/verify", data={"file": (io.BytesIO(signed), "a.pdf")},
                     headers=headers)
    assert ok.status_code == 200 and ok.get_json()["verdict"] == "valid"

    bad = client.post("/api/v1/verify", data={"file": (io.BytesIO(_tamper(signed)), "a.pdf")},
                      headers=headers)
    assert bad.status_code == 200
    report = bad.get_json()
    assert report["verdict"] == "invalid"
    (sig,) = report["signatures"]
    assert sig["intact"] is False and "integrity_failed" in sig["reasons"]
    assert any("thay đổi" in m for m in sig["messages"])
    assert db.session.scalar(select(func.count(StoredObject.id))) == stored_before


def test_verify_endpoint_refuses_non_pdf_corrupt_and_encrypted(client, factories, leader):
    from pypdf import PdfReader, PdfWriter

    headers = factories.api_headers(leader)

    def post(data: bytes):
        return client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "x.pdf")},
                           headers=headers)

    resp = post(b"\x89PNG\r\n\x1a\n not a pdf")
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (415, "not_pdf")
    resp = post(b"%PDF-1.7\n1 0 obj garbage")
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (422, "pdf_corrupt")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("secret", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    resp = post(buf.getvalue())
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (422, "pdf_encrypted")
    resp = client.post("/api/v1/verify", data={}, headers=headers)
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (400, "file_missing")


def test_unsigned_pdf_is_indeterminate_with_a_vietnamese_message(client, factories, leader):
    resp = client.post("/api/v1/verify", data={"file": (io.BytesIO(make_pdf()), "x.pdf")},
                       headers=factories.api_headers(leader))
    report = resp.get_json()
    assert (report["verdict"], report["reasons"]) == ("indeterminate", ["no_signatures"])
    assert report["messages"] == ["Tệp không có chữ ký số."]


def test_my_signing_profile(client, factories, provisioned, leader):
    body = client.get("/api/v1/me/signing", headers=factories.api_headers(leader)).get_json()
    assert body["credential"]["common_name"] == "Lê Văn Hùng"
    assert body["credential"]["status"] == "valid" and body["credential"]["needs_secret"]
    assert body["signature_image"]["generated"] is True
