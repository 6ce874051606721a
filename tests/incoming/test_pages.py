"""The incoming pages as a clerk, a leader and an officer use them."""
from __future__ import annotations

import io
import re

from tests.incoming.helpers import office, pdf_bytes
from tests.support.factories import csrf_token_from, login


def _form_post(client, url, page_url, data, **kw):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_clerk_leader_officer_journey_through_the_pages(client, factories, db):
    o = office(factories)
    login(client, o["clerk"].username)
    resp = _form_post(client, "/incoming/new", "/incoming/new",
                      {"file": (io.BytesIO(pdf_bytes()), "qd-15.pdf"), "received_via": "upload"},
                      content_type="multipart/form-data")
    assert resp.status_code == 302
    doc_url = resp.headers["Location"]
    page = client.get(doc_url).get_data(as_text=True)
    assert "Đã tiếp nhận văn bản" in page and "15" in page and "QĐ-SNV" in page
    assert 'data-testid="pdf-preview"' in page
    doc_id = int(doc_url.rstrip("/").split("/")[-1])
    resp = _form_post(client, f"/incoming/{doc_id}/register", doc_url,
                      {"version": _version(page)})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến, số đến 1" in page
    _form_post(client, f"/incoming/{doc_id}/submit", doc_url,
               {"version": _version(page), "leader_id": str(o["leader"].id)})
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(
        as_text=True))})

    login(client, o["leader"].username)
    home = client.get("/").get_data(as_text=True)
    assert "Văn bản chờ phân công" in home
    page = client.get(doc_url).get_data(as_text=True)
    assert 'data-testid="assign-form"' in page
    resp = _form_post(client, f"/incoming/{doc_id}/assign", doc_url, {
        "version": _version(page), "lead": f"unit:{o['unit'].id}", "deadline_days": "5",
        "direction": "Phòng Kinh tế chủ trì, báo cáo trước hạn."})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã phân công xử lý" in page and "Còn 5 ngày làm việc" in page
    client.post("/logout", data={"csrf_token": csrf_token_from(page)})

    login(client, o["officer"].username)
    mine = client.get("/incoming?box=mine").get_data(as_text=True)
    assert f"/incoming/{doc_id}" in mine
    page = client.get(doc_url).get_data(as_text=True)
    resp = _form_post(client, f"/incoming/{doc_id}/progress", doc_url,
                      {"version": _version(page), "note": ""})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã bắt đầu xử lý" in page
    resp = _form_post(client, f"/incoming/{doc_id}/complete", doc_url, {
        "version": _version(page), "result": "Đã trình văn bản trả lời",
        "result_files": (io.BytesIO(pdf_bytes()), "tra-loi.pdf")},
        content_type="multipart/form-data")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã hoàn thành xử lý văn bản" in page and "Hoàn thành" in page
    assert "Kết quả xử lý" in page


def test_bad_upload_gets_a_vietnamese_flash_and_nothing_is_created(client, factories, db):
    from sqlalchemy import func, select

    from edoc.documents.models import Document

    o = office(factories)
    login(client, o["clerk"].username)
    resp = _form_post(client, "/incoming/new", "/incoming/new",
                      {"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "alert-danger" in html and ("không" in html.lower())
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_refused_action_is_flashed_back_on_the_page(client, factories):
    o = office(factories)
    login(client, o["clerk"].username)
    resp = _form_post(client, "/incoming/new", "/incoming/new",
                      {"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                      content_type="multipart/form-data")
    doc_url = resp.headers["Location"]
    doc_id = int(doc_url.rstrip("/").split("/")[-1])
    resp = _form_post(client, f"/incoming/{doc_id}/return", doc_url, {"reason": " "})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Phải nêu lý do trả lại văn bản" in page


def test_stale_form_is_refused_with_a_reload_hint(client, factories):
    o = office(factories)
    login(client, o["clerk"].username)
    resp = _form_post(client, "/incoming/new", "/incoming/new",
                      {"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                      content_type="multipart/form-data")
    doc_url = resp.headers["Location"]
    doc_id = int(doc_url.rstrip("/").split("/")[-1])
    _form_post(client, f"/incoming/{doc_id}/metadata", doc_url, {"version": "1",
                                                                 "subject": "Lần một"})
    resp = _form_post(client, f"/incoming/{doc_id}/metadata", doc_url,
                      {"version": "1", "subject": "Lần hai từ trang cũ"})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Hãy tải lại trang" in page and "Lần một" in page


def test_list_filters_and_empty_state(client, factories):
    o = office(factories)
    login(client, o["clerk"].username)
    html = client.get("/incoming?state=done").get_data(as_text=True)
    assert "Không có văn bản nào phù hợp" in html
    html = client.get("/incoming?from=not-a-date").get_data(as_text=True)
    assert "Ngày lọc không hợp lệ" in html
    assert client.get("/incoming/register").status_code == 200
    assert client.get("/notifications").status_code == 200
