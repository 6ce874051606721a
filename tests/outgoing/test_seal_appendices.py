"""Decree 30: the clerk's agency signature covers every appendix filed as a separate PDF (top
right of its first page, no image, the document's number and notation and the signing time);
appendices in other formats are dispatched as they are."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from edoc.audit.models import AuditEntry
from edoc.documents.models import Document, FileKind
from signing import TrustSettings, verify_pdf
from tests.outgoing.conftest import SEAL_SECRET, SIGNER_SECRET, _spec, new_upload, ok
from tests.records.helpers import make_pdf


def _issued_with_appendices(api, org, draft_pdf, appendices: list[tuple[bytes, str]]) -> dict:
    doc = new_upload(api, org, draft_pdf)
    for data, name in appendices:
        doc = ok(api.upload(org.drafter, f"/outgoing/{doc['id']}/appendices", data, name), 201)
    ok(api.post(org.drafter, f"/outgoing/{doc['id']}/submit", {"reviewer_ids": [org.head.id]}))
    ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    return ok(api.post(org.clerk, f"/outgoing/{doc['id']}/issue"))


def _signature_rect(pdf: bytes) -> tuple[int, list[float], tuple[float, float]]:
    """(page index, widget rectangle, page size) of the only signature field."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or annot.get("/Parent", {}).get("/FT") == "/Sig":
                box = page.mediabox
                found.append((index, [float(v) for v in annot["/Rect"]],
                              (float(box.width), float(box.height))))
    assert len(found) == 1, found
    return found[0]


def test_sealing_signs_each_pdf_appendix(app, db, api, org, keys, draft_pdf, test_ca):
    from edoc.documents.files import read_file
    from edoc.drafting import render_draft
    from edoc.exchange.mapping import attachments
    from edoc.records.locking import archival_files

    appendix_pdf = make_pdf("PHỤ LỤC I. DANH SÁCH THÀNH VIÊN TỔ CÔNG TÁC", lines=3)
    appendix_docx = render_draft(_spec("cong_van"))
    doc = _issued_with_appendices(api, org, draft_pdf, [(appendix_pdf, "phu-luc-1.pdf"),
                                                         (appendix_docx, "phu-luc-2.docx")])
    before = {f["name"]: f for f in doc["appendices"]}
    assert set(before) == {"phu-luc-1.pdf", "phu-luc-2.docx"}

    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/seal", {"secret": SEAL_SECRET}))
    assert doc["state"] == "sealed" and doc["file"]["kind"] == "sealed"
    after = {f["name"]: f for f in doc["appendices"]}
    assert set(after) == {"phu-luc-1.sealed.pdf", "phu-luc-2.docx"}
    # The DOCX is dispatched unchanged; the PDF's sealed copy keeps its place in the list.
    assert after["phu-luc-2.docx"] == before["phu-luc-2.docx"]
    assert after["phu-luc-1.sealed.pdf"]["revision"] == before["phu-luc-1.pdf"]["revision"]

    row = db.session.get(Document, doc["id"])
    sealed_appendix = next(f for f in row.files if f.name == "phu-luc-1.sealed.pdf")
    sealed_bytes = read_file(sealed_appendix)
    # The agency's signature, valid and trusted, made by the seal key, not the signer's.
    report = verify_pdf(sealed_bytes, trust=TrustSettings(trust_roots=(test_ca.certificate,)))
    [sig] = report.signatures
    assert (report.verdict, sig.verdict, sig.intact, sig.trusted) == ("valid", "valid", True,
                                                                      True)
    assert sig.certificate.common_name == org.agency.name != org.signer.full_name
    # Top right of the first page.
    page, (x1, y1, x2, y2), (width, height) = _signature_rect(sealed_bytes)
    assert page == 0 and x1 > width / 2 and y1 > height / 2 and x2 <= width and y2 <= height
    # The file as filed stays, unchanged, as the state before the seal (an incremental update:
    # its bytes are where the sealed file starts).
    [unsealed] = [f for f in row.files if f.kind == FileKind.APPENDIX_UNSEALED]
    assert unsealed.sha256 == before["phu-luc-1.pdf"]["sha256"]
    assert sealed_bytes.startswith(read_file(unsealed))
    # What leaves the agency and what the archive keeps are the sealed appendix and the DOCX.
    sent = [a.name for a in attachments(row)]
    assert sent[1:] == ["phu-luc-2.docx", "phu-luc-1.sealed.pdf"]
    kept = {f.name for f in archival_files(row)}
    assert {"phu-luc-1.sealed.pdf", "phu-luc-2.docx"} <= kept and "phu-luc-1.pdf" not in kept
    audited = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "signature.appendix_sealed")).all()
    assert [a.details["file_id"] for a in audited] == [sealed_appendix.id]
    assert audited[0].details["source_file_id"] == unsealed.id


def test_without_pdf_appendices_sealing_is_as_before(app, db, api, org, keys, draft_pdf):
    from edoc.drafting import render_draft

    doc = _issued_with_appendices(api, org, draft_pdf,
                                  [(render_draft(_spec("cong_van")), "phu-luc.docx")])
    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/seal", {"secret": SEAL_SECRET}))
    assert [f["name"] for f in doc["appendices"]] == ["phu-luc.docx"]
    row = db.session.get(Document, doc["id"])
    assert not [f for f in row.files if f.kind == FileKind.APPENDIX_UNSEALED]


def test_a_broken_pdf_appendix_refuses_the_seal_and_stores_nothing(app, db, api, org, keys,
                                                                   draft_pdf):
    from edoc.documents.files import attach_file
    from edoc.storage.models import StoredObject

    doc = _issued_with_appendices(api, org, draft_pdf, [])
    row = db.session.get(Document, doc["id"])
    # A file that says it is a PDF but is not one (say, truncated in transit).
    attach_file(row, b"not a pdf at all", kind=FileKind.APPENDIX, name="phu-luc-hong.pdf",
                content_type="application/pdf")
    db.session.commit()
    files_before = [(f.id, f.kind) for f in row.files]
    objects_before = db.session.scalar(select(StoredObject.id).order_by(
        StoredObject.id.desc()).limit(1))
    r = api.post(org.clerk, f"/outgoing/{doc['id']}/seal", {"secret": SEAL_SECRET})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "pdf_corrupt"
    assert r.get_json()["error"]["details"]["file_id"] == files_before[-1][0]
    db.session.expire_all()
    row = db.session.get(Document, doc["id"])
    assert row.state == "issued"
    assert [(f.id, f.kind) for f in row.files] == files_before
    assert db.session.scalar(select(StoredObject.id).order_by(
        StoredObject.id.desc()).limit(1)) == objects_before
