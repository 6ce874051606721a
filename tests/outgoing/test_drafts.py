"""Uploaded drafts: DOCX converted in the background, PDFs prepared at once, bad files refused,
appendices as separate files, metadata and recipients checked."""
from __future__ import annotations

import io

from pypdf import PdfReader

from edoc.documents.models import Document, FileKind
from edoc.jobs import run_pending
from tests.outgoing.conftest import SIGNER_SECRET, approved, new_upload, ok


def _code(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()["error"]["code"]


def test_uploaded_docx_is_converted_in_the_background(app, db, api, org):
    from edoc.documents.files import read_file
    from edoc.drafting import render_draft
    from tests.outgoing.conftest import _spec

    docx = render_draft(_spec("ke_hoach"))
    doc = ok(api.upload(org.drafter, "/outgoing", docx, "ke-hoach.docx",
                        {"signer_id": org.signer.id}), 201)
    # Type and subject were read from the file.
    assert doc["type"] == "ke_hoach"
    assert doc["subject"].startswith("Về việc thành lập Tổ công tác")
    assert doc["rendition_status"] == "pending" and doc["generated"] is False
    run_pending()
    row = db.session.get(Document, doc["id"])
    assert row.rendition_status == "ready"
    pdf = read_file(row.current_file(FileKind.RENDITION))
    assert set(PdfReader(io.BytesIO(pdf)).get_fields()) == {"so_ky_hieu", "ngay_ban_hanh"}
    assert row.pages == 1


def test_uploaded_pdf_gets_its_fields_at_once(app, db, api, org, draft_pdf):
    from edoc.documents.files import read_file

    doc = new_upload(api, org, draft_pdf)
    row = db.session.get(Document, doc["id"])
    pdf = read_file(row.current_file(FileKind.RENDITION))
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert set(fields) == {"so_ky_hieu", "ngay_ban_hanh"}
    # The place was read from the draft's own date line.
    assert row.date_place == "Vĩnh Phúc"
    # The drafter's file is kept unchanged as the draft version.
    assert read_file(row.current_file(FileKind.DRAFT)) == draft_pdf


def test_bad_files_are_refused(app, db, api, org, keys, draft_pdf):
    from PIL import Image

    from edoc.documents.files import read_file

    png = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(png, format="PNG")
    assert _code(api.upload(org.drafter, "/outgoing", png.getvalue(), "a.png", {}),
                 415) == "unsupported_draft_type"
    assert _code(api.upload(org.drafter, "/outgoing", b"hello", "a.txt", {}),
                 415) == "unsupported_file_type"
    assert _code(api.upload(org.drafter, "/outgoing", b"%PDF-1.4 broken", "a.pdf", {}),
                 422) in ("pdf_corrupt", "invalid_pdf")
    # A PDF that already carries a signature cannot become a draft: numbering would break it.
    doc = approved(api, org, draft_pdf)
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    signed = read_file(db.session.get(Document, doc["id"]).current_file(FileKind.SIGNED))
    assert _code(api.upload(org.drafter, "/outgoing", signed, "da-ky.pdf", {}),
                 422) == "draft_already_signed"
    assert db.session.query(Document).count() == 1


def test_appendices_are_separate_files_and_restart_the_review(app, db, api, org, draft_pdf):
    doc = new_upload(api, org, draft_pdf)
    added = ok(api.upload(org.drafter, f"/outgoing/{doc['id']}/appendices", draft_pdf,
                          "phu-luc-1.pdf"), 201)
    assert [f["name"] for f in added["appendices"]] == ["phu-luc-1.pdf"]
    assert added["file"]["kind"] == "rendition"  # the main document is unchanged
    ok(api.post(org.drafter, f"/outgoing/{doc['id']}/submit", {"reviewer_ids": [org.head.id]}))
    doc = ok(api.upload(org.drafter, f"/outgoing/{doc['id']}/appendices", draft_pdf,
                        "phu-luc-2.pdf"), 201)
    assert doc["state"] == "draft" and len(doc["appendices"]) == 2
    assert _code(api.upload(org.head, f"/outgoing/{doc['id']}/appendices", draft_pdf, "x.pdf"),
                 403) == "forbidden"


def test_recipients_are_checked_against_the_directory(app, db, api, org, draft_pdf, factories):
    other_agency = factories.agency()
    foreign_unit = factories.unit(other_agency, "Phòng khác")
    resp = api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf",
                      {"recipients": {"unit_ids": [foreign_unit.id]}})
    assert _code(resp, 422) == "invalid_field"
    resp = api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf",
                      {"recipients": {"organ_ids": ["000.00.99.Z99"]}})
    assert _code(resp, 422) == "invalid_field"
    resp = api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf",
                      {"recipients": {"emails": ["x@y"]}})
    assert _code(resp, 422) == "invalid_field"
    doc = ok(api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf", {
        "recipients": {"organ_ids": [org.external.organ_id], "user_ids": [org.chief.id],
                       "names": "Như trên\nLưu: VT"}}), 201)
    assert doc["recipients"] == {"unit_ids": [], "user_ids": [org.chief.id],
                                 "organ_ids": [org.external.organ_id],
                                 "names": ["Như trên", "Lưu: VT"]}


def test_metadata_is_validated(app, db, api, org, draft_pdf):
    for meta in ({"type": "khong_co"}, {"urgency": "rat_khan"}, {"confidentiality": "x"},
                 {"signing_capacity": "XX."}, {"type": "ban_sao_y"}, {"pages": "0"}):
        resp = api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf", meta)
        assert resp.status_code == 422, meta
    doc = ok(api.upload(org.drafter, "/outgoing", draft_pdf, "a.pdf", {
        "signing_capacity": "kt", "capacity_holder": "Chủ tịch", "signer_id": org.signer.id,
        "drafter_notation": "VP(NVA)", "pages": 2, "urgency": "hoa_toc"}), 201)
    assert (doc["signing_capacity"], doc["signer_position"], doc["drafter_notation"],
            doc["pages"], doc["urgency"]) == ("KT.", "Phó Chủ tịch", "VP(NVA)", 2, "hoa_toc")
