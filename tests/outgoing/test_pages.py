"""The outgoing pages: list, new draft, the document page with each role's buttons, the register."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from edoc.documents.models import Document
from tests.outgoing.conftest import SIGNER_SECRET, approved, new_upload, ok, sealed
from tests.support.factories import csrf_token_from, login


def _page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def _post(client, url: str, page_html: str, data: dict, **kw):
    return client.post(url, data={"csrf_token": csrf_token_from(page_html), **data}, **kw)


def _testids(html: str) -> set[str]:
    return set(re.findall(r'data-testid="([^"]+)"', html))


def test_new_draft_by_upload_then_submit_and_approve_with_forms(app, db, client, org,
                                                                 draft_pdf):
    login(client, org.drafter.username)
    html = _page(client, "/outgoing/new")
    assert {"upload-form", "template-form", "create-upload", "create-template"} <= _testids(html)
    resp = _post(client, "/outgoing/new", html, {
        "mode": "upload", "file": (io.BytesIO(draft_pdf), "du-thao.pdf"), "type": "quyet_dinh",
        "subject": "Về việc thành lập Tổ công tác", "signer_id": str(org.signer.id),
        "recipients_present": "1", "recipient_unit_ids": [str(org.other_unit.id)]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    doc_url = resp.headers["Location"]
    doc_id = int(doc_url.rstrip("/").split("/")[-1])
    html = _page(client, doc_url)
    ids = _testids(html)
    assert {"pdf-preview", "submit-form", "edit-form", "timeline", "files"} <= ids
    assert "approve" not in ids and "sign" not in ids
    # The PDF preview is served by the shared file route.
    preview = re.search(r'<object class="edoc-pdf" data="([^"]+)"', html).group(1)
    assert client.get(preview).headers["Content-Type"] == "application/pdf"

    resp = _post(client, f"/outgoing/{doc_id}/submit", html,
                 {"reviewer_ids": [str(org.head.id), ""], "version": re.search(
                     r'name="version" value="(\d+)"', html).group(1)})
    assert resp.status_code == 302
    assert db.session.get(Document, doc_id).state == "in_review"

    client.post("/logout", data={"csrf_token": csrf_token_from(_page(client, "/"))})
    login(client, org.head.username)
    html = _page(client, f"/outgoing/{doc_id}")
    assert {"approve", "return", "review-comment"} <= _testids(html)
    resp = _post(client, f"/outgoing/{doc_id}/approve", html, {"comment": "Đồng ý."})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, doc_id).state == "approved"
    # Approving again from the same (now stale) page: a flash message, not an error page.
    resp = _post(client, f"/outgoing/{doc_id}/approve", html, {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1)})
    assert resp.status_code == 302
    assert "alert-danger" in _page(client, resp.headers["Location"])


def test_each_role_sees_its_buttons(app, db, client, api, org, keys, draft_pdf):
    doc = approved(api, org, draft_pdf)
    login(client, org.signer.username)
    assert {"sign-form", "sign-secret", "sign"} <= _testids(_page(client, f"/outgoing/{doc['id']}"))
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    client.post("/logout", data={"csrf_token": csrf_token_from(_page(client, "/"))})
    login(client, org.clerk.username)
    html = _page(client, f"/outgoing/{doc['id']}")
    assert {"issue-form", "issue-book", "issue-date", "issue"} <= _testids(html)
    resp = _post(client, f"/outgoing/{doc['id']}/issue", html, {})
    assert resp.status_code == 302
    html = _page(client, f"/outgoing/{doc['id']}")
    assert "01/QĐ-UBND" in html and "seal" in _testids(html)


def test_dispatch_form_and_deliveries(app, db, client, api, org, keys, draft_pdf):
    doc = sealed(api, org, draft_pdf)
    login(client, org.clerk.username)
    html = _page(client, f"/outgoing/{doc['id']}")
    assert {"dispatch-form", "dispatch-units", "dispatch-organs", "dispatch"} <= _testids(html)
    # The planned recipient unit is preselected.
    assert re.search(rf'<option value="{org.other_unit.id}" selected>', html)
    resp = _post(client, f"/outgoing/{doc['id']}/dispatch", html, {
        "internal_unit_ids": [str(org.other_unit.id)],
        "external_organ_ids": [org.external.organ_id]})
    assert resp.status_code == 302
    html = _page(client, f"/outgoing/{doc['id']}")
    assert {"deliveries", "followups", "revoke", "update", "replace"} <= _testids(html)
    assert "Sở Nội vụ tỉnh Vĩnh Phúc" in html and "Chờ gửi" in html and "Đã đến" in html


def test_list_filters_and_boxes(app, db, client, api, org, draft_pdf):
    first = new_upload(api, org, draft_pdf, subject="Kế hoạch chuyển đổi số")
    new_upload(api, org, draft_pdf, subject="Báo cáo văn thư", type="bao_cao")
    ok(api.post(org.drafter, f"/outgoing/{first['id']}/submit", {"reviewer_ids": [org.head.id]}))
    login(client, org.drafter.username)
    html = _page(client, "/outgoing")
    assert "Kế hoạch chuyển đổi số" in html and "Báo cáo văn thư" in html
    assert {"box-my_drafts", "box-to_review", "new-outgoing"} <= _testids(html)
    html = _page(client, "/outgoing?type=bao_cao")
    assert "Báo cáo văn thư" in html and "Kế hoạch chuyển đổi số" not in html
    html = _page(client, "/outgoing?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i")
    assert "Kế hoạch chuyển đổi số" in html and "Báo cáo văn thư" not in html
    html = _page(client, "/outgoing?state=in_review")
    assert "Kế hoạch chuyển đổi số" in html and "Báo cáo văn thư" not in html
    client.post("/logout", data={"csrf_token": csrf_token_from(_page(client, "/"))})
    login(client, org.head.username)
    html = _page(client, "/outgoing?box=to_review")
    assert "Kế hoạch chuyển đổi số" in html and "Báo cáo văn thư" not in html
    # The home page shows the reviewer's box with its count.
    home = _page(client, "/")
    assert "Chờ tôi duyệt" in home
    api_list = ok(api.get(org.head, "/outgoing?box=to_review"))
    assert [d["id"] for d in api_list["items"]] == [first["id"]] and api_list["total"] == 1


def test_register_page_and_exports(app, db, client, api, org, keys, draft_pdf):
    first = sealed(api, org, draft_pdf)
    ok(api.post(org.clerk, f"/outgoing/{first['id']}/dispatch",
                {"internal_unit_ids": [org.other_unit.id]}))
    sealed(api, org, draft_pdf, subject="Về việc kiện toàn Ban chỉ đạo", type="cong_van")
    login(client, org.clerk.username)
    html = _page(client, "/registers/outgoing")
    assert {"register-table", "register-export-pdf", "register-export-xlsx"} <= _testids(html)
    assert "01/QĐ-UBND" in html and "02/UBND-VP" in html and "Phòng Nội vụ" in html

    resp = api.get(org.clerk, "/registers/outgoing/export?format=xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in flat and "Số, ký hiệu văn bản" in flat
    assert "01/QĐ-UBND" in flat and "02/UBND-VP" in flat
    assert "Quyết định: Về việc thành lập Tổ công tác chuyển đổi số" in flat

    resp = client.get("/registers/outgoing/export?format=pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    # Officers do not keep the register.
    assert api.get(org.drafter, "/registers/outgoing/export").status_code == 403


def test_new_draft_from_the_template_form(app, db, client, org):
    login(client, org.drafter.username)
    html = _page(client, "/outgoing/new")
    resp = _post(client, "/outgoing/new", html, {
        "mode": "template", "type": "to_trinh", "subject": "Về việc phê duyệt dự toán",
        "signer_id": str(org.signer.id), "recipients_present": "1",
        "recipient_names": "Ủy ban nhân dân tỉnh Vĩnh Phúc",
        "body": "Kính trình phê duyệt.\nTrân trọng.", "invitation_time": ""})
    assert resp.status_code == 302, _page(client, "/outgoing/new")
    doc = db.session.get(Document, int(resp.headers["Location"].rstrip("/").split("/")[-1]))
    assert doc.type_key == "to_trinh" and doc.rendition_status == "pending"
    assert doc.draft_inputs["body"] == ["Kính trình phê duyệt.", "Trân trọng."]
    assert doc.planned_recipients["names"] == ["Ủy ban nhân dân tỉnh Vĩnh Phúc"]
    html = _page(client, resp.headers["Location"])
    assert "rendition-pending" in _testids(html)
    # A missing subject comes back to the form with the message and the typed values.
    resp = _post(client, "/outgoing/new", html, {"mode": "template", "type": "to_trinh",
                                                 "body": "Nội dung giữ lại"})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Cần nhập trích yếu" in page and "Nội dung giữ lại" in page
