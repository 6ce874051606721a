"""Drafts generated from the Decree 30 templates: DOCX → PDF in the background, with the layout
parts in the PDF's text, the number/date fields in place, and regeneration on change."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from edoc.documents.models import Document, FileKind
from edoc.jobs import run_pending
from tests.outgoing.conftest import SEAL_SECRET, SIGNER_SECRET, ok

COMMON_PARTS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "UBND TỈNH VĨNH PHÚC", "ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO", "Nơi nhận:",
                "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Bình", "- Lưu: VT, VP(NVA).")

CASES = {
    "quyet_dinh": ({"body": "Thành lập Tổ công tác chuyển đổi số của huyện Tam Đảo.\n"
                            "Quyết định này có hiệu lực kể từ ngày ký.",
                    "legal_bases": ["Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm "
                                    "2015"],
                    "proposal": "Chánh Văn phòng HĐND và UBND huyện"},
                   ("QUYẾT ĐỊNH", "Về việc thành lập Tổ công tác chuyển đổi số", "Điều 1.",
                    "Thành lập Tổ công tác chuyển đổi số của huyện Tam Đảo.", "Căn cứ Luật")),
    "cong_van": ({"body": ["Ủy ban nhân dân huyện đề nghị các phòng khẩn trương triển khai "
                           "phần mềm quản lý văn bản."]},
                 ("V/v", "Kính gửi", "Sở Nội vụ tỉnh Vĩnh Phúc", "khẩn trương triển khai")),
    "giay_moi": ({"body": "Đề nghị đại biểu đến đúng giờ.",
                  "invitation": {"invitees": "Đồng chí Trưởng phòng Nội vụ",
                                 "event": "Hội nghị triển khai chuyển đổi số năm 2025",
                                 "time": "2025-03-10T08:00", "venue": "Hội trường tầng 3"}},
                 ("GIẤY MỜI", "Hội nghị triển khai chuyển đổi số năm 2025", "Hội trường tầng 3",
                  "08 giờ 00 phút")),
}


def _generate(api, org, type_key: str, extra: dict) -> dict:
    body = {"template": type_key, "subject": "Về việc thành lập Tổ công tác chuyển đổi số",
            "signer_id": org.signer.id, "signing_capacity": "KT.", "capacity_holder": "Chủ tịch",
            "drafter_notation": "VP(NVA)",
            "recipients": {"organ_ids": [org.external.organ_id], "unit_ids": [org.other_unit.id],
                           "names": ["Lưu: hồ sơ"] if type_key == "giay_moi" else []},
            **extra}
    return ok(api.post(org.drafter, "/outgoing", body), 201)


def _text(pdf: bytes) -> str:
    """The PDF's text with line breaks folded (the layout wraps long lines)."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize("type_key", sorted(CASES))
def test_generated_docx_converts_to_pdf_with_the_layout(app, db, api, org, type_key):
    from edoc.documents.files import read_file

    extra, parts = CASES[type_key]
    doc = _generate(api, org, type_key, extra)
    assert (doc["state"], doc["rendition_status"], doc["generated"]) == ("draft", "pending", True)
    assert doc["draft_file"]["name"].endswith(".docx")
    assert doc["file"]["kind"] == "draft"  # no PDF yet: LibreOffice runs in the background

    assert run_pending() >= 1
    doc = ok(api.get(org.drafter, f"/outgoing/{doc['id']}"))
    assert doc["rendition_status"] == "ready" and doc["file"]["kind"] == "rendition"
    row = db.session.get(Document, doc["id"])
    pdf = read_file(row.current_file(FileKind.RENDITION))
    text = _text(pdf)
    for part in (*COMMON_PARTS, *parts):
        assert part in text, part
    assert "……" not in text  # the placeholders became form fields
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert set(fields) == {"so_ky_hieu", "ngay_ban_hanh"}
    assert doc["pages"] >= 1


def test_changing_a_generated_draft_regenerates_it(app, db, api, org):
    doc = _generate(api, org, "cong_van", {"body": "Nội dung thứ nhất."})
    run_pending()
    doc = ok(api.patch(org.drafter, f"/outgoing/{doc['id']}", {"body": "Nội dung thứ hai."}))
    assert doc["draft_file"]["revision"] == 2 and doc["rendition_status"] == "pending"
    assert doc["draft_inputs"]["body"] == ["Nội dung thứ hai."]
    run_pending()
    from edoc.documents.files import read_file

    row = db.session.get(Document, doc["id"])
    assert "Nội dung thứ hai." in _text(read_file(row.current_file(FileKind.RENDITION)))
    # While a new version is being converted the signer cannot sign the old PDF.
    ok(api.patch(org.drafter, f"/outgoing/{doc['id']}", {"body": "Nội dung thứ ba."}))
    assert ok(api.get(org.drafter, f"/outgoing/{doc['id']}"))["rendition_status"] == "pending"


def test_a_superseded_conversion_is_skipped(app, db, api, org):
    doc = _generate(api, org, "thong_bao", {"body": "Một."})
    ok(api.patch(org.drafter, f"/outgoing/{doc['id']}", {"body": "Hai."}))
    run_pending()
    row = db.session.get(Document, doc["id"])
    renditions = [f for f in row.files if f.kind == FileKind.RENDITION]
    assert len(renditions) == 1  # only the latest draft was converted


def test_generated_cong_van_is_signed_and_numbered_with_the_unit(app, db, api, org, keys):
    doc = _generate(api, org, "cong_van", {"body": "Đề nghị triển khai."})
    doc_id = doc["id"]
    # Signing before the PDF exists: a clear 409.
    ok(api.post(org.drafter, f"/outgoing/{doc_id}/submit", {"reviewer_ids": [org.chief.id]}))
    ok(api.post(org.chief, f"/outgoing/{doc_id}/approve"))
    resp = api.post(org.signer, f"/outgoing/{doc_id}/sign", {"secret": SIGNER_SECRET})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "rendition_pending"
    run_pending()
    resp = api.post(org.signer, f"/outgoing/{doc_id}/sign", {})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "secret_required"
    resp = api.post(org.signer, f"/outgoing/{doc_id}/sign", {"secret": "sai-mat-khau"})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "wrong_secret"
    ok(api.post(org.signer, f"/outgoing/{doc_id}/sign", {"secret": SIGNER_SECRET}))
    doc = ok(api.post(org.clerk, f"/outgoing/{doc_id}/issue"))
    assert doc["number_notation"] == "01/UBND-VP"
    doc = ok(api.post(org.clerk, f"/outgoing/{doc_id}/seal", {"secret": SEAL_SECRET}))
    assert doc["state"] == "sealed"


def test_template_must_match_the_type(api, org):
    resp = api.post(org.drafter, "/outgoing", {"template": "quyet_dinh", "type": "cong_van",
                                               "subject": "Thử", "signer_id": org.signer.id})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "invalid_template"
    resp = api.post(org.drafter, "/outgoing", {"template": "ban_sao_y", "subject": "Thử",
                                               "signer_id": org.signer.id})
    assert resp.status_code == 422
    resp = api.post(org.drafter, "/outgoing", {"template": "giay_moi", "subject": "Thử",
                                               "signer_id": org.signer.id})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"]["field"] == "invitation"
