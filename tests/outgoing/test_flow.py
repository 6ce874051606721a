"""The whole outgoing flow: draft → review → return → revise → approve → sign → issue → seal →
internal dispatch, and what the issued PDF proves afterwards."""
from __future__ import annotations

import io

from pypdf import PdfReader

from edoc.documents.models import Document, FileKind
from signing import TrustSettings, verify_pdf
from tests.outgoing.conftest import SEAL_SECRET, SIGNER_SECRET, new_upload, ok


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_full_flow_to_internal_dispatch(app, db, api, org, keys, draft_pdf, test_ca):
    from edoc.documents.files import read_file
    from edoc.i18n import local_today

    doc = new_upload(api, org, draft_pdf)
    doc_id = doc["id"]
    assert doc["state"] == "draft" and doc["rendition_status"] == "ready"
    assert doc["file"]["kind"] == "rendition"

    # Two reviewers in order; the first returns it with a comment.
    doc = ok(api.post(org.drafter, f"/outgoing/{doc_id}/submit",
                      {"reviewer_ids": [org.head.id, org.chief.id], "version": doc["version"]}))
    assert doc["state"] == "in_review"
    assert doc["review"]["current_reviewer_id"] == org.head.id
    doc = ok(api.post(org.head, f"/outgoing/{doc_id}/return",
                      {"comment": "Sửa lại Điều 2 cho rõ trách nhiệm thi hành."}))
    assert doc["state"] == "draft"
    assert [c["body"] for c in doc["comments"]] == ["Sửa lại Điều 2 cho rõ trách nhiệm thi hành."]

    # The drafter uploads a corrected file: a new version, the old one kept.
    doc = ok(api.upload(org.drafter, f"/outgoing/{doc_id}", draft_pdf, "du-thao-2.pdf",
                        {"subject": "Về việc thành lập Tổ công tác chuyển đổi số huyện"},
                        method="patch"))
    drafts = [f for f in ok(api.get(org.drafter, f"/documents/{doc_id}/files"))["items"]
              if f["kind"] == "draft"]
    assert [f["revision"] for f in drafts] == [1, 2]

    # Resubmitted without naming the reviewers: the same list, in a new round.
    doc = ok(api.post(org.drafter, f"/outgoing/{doc_id}/submit"))
    assert doc["review"]["round"] == 2
    doc = ok(api.post(org.head, f"/outgoing/{doc_id}/approve", {"comment": "Đồng ý."}))
    assert doc["state"] == "in_review" and doc["review"]["current_reviewer_id"] == org.chief.id
    doc = ok(api.post(org.chief, f"/outgoing/{doc_id}/approve"))
    assert doc["state"] == "approved"

    doc = ok(api.post(org.signer, f"/outgoing/{doc_id}/sign", {"secret": SIGNER_SECRET}))
    assert doc["state"] == "signed" and doc["file"]["kind"] == "signed"

    doc = ok(api.post(org.clerk, f"/outgoing/{doc_id}/issue", {"version": doc["version"]}))
    assert doc["state"] == "issued"
    assert (doc["number"], doc["notation"], doc["number_notation"]) == (1, "QĐ-UBND",
                                                                        "01/QĐ-UBND")
    assert doc["document_date"] == local_today().isoformat()

    doc = ok(api.post(org.clerk, f"/outgoing/{doc_id}/seal", {"secret": SEAL_SECRET}))
    assert doc["state"] == "sealed" and doc["file"]["kind"] == "sealed"

    doc = ok(api.post(org.clerk, f"/outgoing/{doc_id}/dispatch",
                      {"internal_unit_ids": [org.other_unit.id]}))
    assert doc["state"] == "dispatched"
    [delivery] = doc["deliveries"]
    assert delivery["recipient"] == {"unit_id": org.other_unit.id, "name": "Phòng Nội vụ"}
    assert delivery["status"] == "01" and delivery["history"][0]["status"] == "01"

    # The unit has it as an incoming document, with the sealed PDF.
    copy = db.session.get(Document, delivery["incoming_document_id"])
    assert (copy.direction, copy.state, copy.received_via) == ("incoming", "received",
                                                               "internal")
    assert copy.receiving_unit_id == org.other_unit.id and copy.source_document_id == doc_id
    assert copy.number_notation == "01/QĐ-UBND"
    source = db.session.get(Document, doc_id)
    assert copy.files[0].sha256 == source.current_file(FileKind.SEALED).sha256

    # Both signatures validate; after the signer's, the only change is form filling.
    sealed_pdf = read_file(source.current_file(FileKind.SEALED))
    report = verify_pdf(sealed_pdf, trust=TrustSettings(trust_roots=(test_ca.certificate,)))
    assert report.verdict == "valid", report
    signer_sig, seal_sig = report.signatures
    assert signer_sig.signer == "Trần Thị Bình"
    assert (signer_sig.verdict, signer_sig.intact, signer_sig.trusted) == ("valid", True, True)
    assert signer_sig.modified_after == "form_filling"
    assert (seal_sig.verdict, seal_sig.modified_after) == ("valid", "none")

    issued_pdf = read_file(source.current_file(FileKind.ISSUED))
    issued_report = verify_pdf(issued_pdf,
                               trust=TrustSettings(trust_roots=(test_ca.certificate,)))
    [only] = issued_report.signatures
    assert (only.verdict, only.modified_after) == ("valid", "form_filling")
    # The number and date are in the PDF's fields, written after the signature.
    fields = PdfReader(io.BytesIO(issued_pdf)).get_fields()
    assert fields["so_ky_hieu"]["/V"] == "Số: 01/QĐ-UBND"
    assert fields["ngay_ban_hanh"]["/V"].startswith("Vĩnh Phúc, ngày ")

    # The timeline has every step.
    events = [e["action"] for e in ok(api.get(org.clerk, f"/documents/{doc_id}/events"))["items"]]
    for action in ("created", "submit", "return", "revise", "approve_step", "approve_final",
                   "sign", "issue", "seal", "dispatch"):
        assert action in events
