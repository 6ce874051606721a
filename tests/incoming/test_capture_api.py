"""Capturing incoming documents through the API, and everything it must refuse."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from edoc.documents.models import Document, DocumentFile
from edoc.storage.models import StoredObject
from tests.incoming.helpers import CONG_VAN, office, pdf_bytes, upload


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Document, DocumentFile, StoredObject))


def test_upload_pdf_creates_a_received_document_with_suggestions(client, factories, db):
    o = office(factories)
    resp = upload(client, factories.api_headers(o["clerk"]))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["direction"] == "incoming" and body["state"] == "received"
    assert body["version"] == 1 and body["agency_id"] == o["agency"].id
    s = body["suggested"]
    assert s["number"] == "15" and s["notation"] == "QĐ-SNV"
    assert s["document_date"] == "2025-03-05" and s["type_key"] == "quyet_dinh"
    assert "đào tạo" in s["subject"]
    # Missing metadata was filled from the suggestion.
    assert body["number_notation"] == "15/QĐ-SNV" and body["type"] == "quyet_dinh"
    assert body["document_date"] == "2025-03-05"
    assert body["file"]["kind"] == "original" and len(body["file"]["sha256"]) == 64


def test_given_metadata_wins_over_suggestions(client, factories):
    o = office(factories)
    resp = upload(client, factories.api_headers(o["clerk"]),
                  meta={"subject": "Trích yếu do văn thư nhập", "urgency": "khan",
                        "number": "16", "notation": "QĐ-SNV"})
    body = resp.get_json()
    assert body["subject"] == "Trích yếu do văn thư nhập"
    assert body["urgency"] == "khan" and body["number"] == 16


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    w.encrypt("secret")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _docx_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) +
                   b"</w:document>")
    return out.getvalue()


BAD = [
    ("not-a-pdf.pdf", b"GIF89a" + b"\x00" * 200, 415, "unsupported_file_type"),
    ("corrupt.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrash trash", 422, "pdf_corrupt"),
    ("encrypted.pdf", None, 422, "pdf_encrypted"),
    ("bomb.docx", None, 422, "docx_zip_bomb"),
    ("empty.pdf", b"", 422, "empty_file"),
    ("../../etc/passwd.pdf", b"%PDF", 422, "bad_filename"),
    ("bad\x07name.pdf", b"%PDF", 422, "bad_filename"),
]


@pytest.mark.parametrize(("name", "data", "status", "code"), BAD,
                         ids=[b[3] + ":" + str(i) for i, b in enumerate(BAD)])
def test_bad_files_are_refused_and_nothing_is_stored(client, factories, db, app, name, data,
                                                     status, code):
    from edoc.storage import get_store

    o = office(factories)
    if data is None:
        data = _encrypted_pdf() if code == "pdf_encrypted" else _docx_bomb()
    before, keys_before = _counts(db), sorted(k for k, _ in get_store().iter_keys())
    resp = upload(client, factories.api_headers(o["clerk"]), data=data, name=name)
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == code
    assert err["message"] and any(c in err["message"] for c in "ăâđêôơưáàảãạ")  # Vietnamese
    db.session.expire_all()
    assert _counts(db) == before
    assert sorted(k for k, _ in get_store().iter_keys()) == keys_before


def test_upload_without_file_is_400(client, factories):
    o = office(factories)
    resp = client.post("/api/v1/incoming", data={}, headers=factories.api_headers(o["clerk"]),
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "file_required"


def test_malformed_meta_is_400(client, factories):
    o = office(factories)
    resp = client.post("/api/v1/incoming", headers=factories.api_headers(o["clerk"]),
                       data={"file": (io.BytesIO(pdf_bytes()), "a.pdf"), "meta": "{oops"},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "malformed_meta"


def test_invalid_meta_value_is_422_naming_the_field(client, factories):
    o = office(factories)
    resp = upload(client, factories.api_headers(o["clerk"]), meta={"urgency": "very"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"]["field"] == "urgency"


def test_docx_upload_suggests_from_its_text(client, factories):
    from tests.capture.samples import decree30_docx

    o = office(factories)
    resp = upload(client, factories.api_headers(o["clerk"]), data=decree30_docx(CONG_VAN),
                  name="cong-van.docx")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["number_notation"] == "05/UBND-VP" and body["type"] == "cong_van"
    assert body["urgency"] == "khan"


def test_scanned_image_becomes_pdf_and_queues_ocr(client, factories, db):
    from edoc.jobs.models import Job
    from tests.capture.samples import QUYET_DINH, image_bytes, scan_page

    o = office(factories)
    png = image_bytes(scan_page(QUYET_DINH, dpi=150), "PNG")
    resp = upload(client, factories.api_headers(o["clerk"]), data=png, name="scan.png")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["file"]["kind"] == "rendition" and body["file"]["content_type"] == \
        "application/pdf"
    kinds = {j.kind for j in db.session.scalars(select(Job))}
    assert "documents.ocr" in kinds


def test_duplicate_is_a_warning_not_a_refusal(client, factories):
    o = office(factories)
    headers = factories.api_headers(o["clerk"])
    first = upload(client, headers).get_json()
    second = upload(client, headers)
    assert second.status_code == 201
    dups = second.get_json()["duplicates"]
    assert [d["document_id"] for d in dups] == [first["id"]]
    shown = client.get(f"/api/v1/incoming/{second.get_json()['id']}", headers=headers)
    assert shown.get_json()["duplicates"][0]["document_id"] == first["id"]


def test_officer_without_clerk_role_can_capture_but_not_register(client, factories):
    o = office(factories)
    headers = factories.api_headers(o["officer"])
    doc = upload(client, headers).get_json()
    resp = client.post(f"/api/v1/incoming/{doc['id']}/register", json={}, headers=headers)
    assert resp.status_code == 403
