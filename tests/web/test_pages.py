"""The document pages in both languages: labels instead of codes, files told apart, a readable
signature report."""
from __future__ import annotations

import re

from flask import render_template

from tests.incoming.helpers import office, upload
from tests.support.factories import csrf_token_from, login


def _switch(client, code: str, page: str) -> None:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    assert client.post(f"/lang/{code}", data={"csrf_token": token, "next": page}).status_code == 302


def _registered(client, factories):
    o = office(factories)
    headers = factories.api_headers(o["clerk"])
    doc = upload(client, headers, name="cong-van-12.pdf",
                 meta={"type": "quyet_dinh", "urgency": "khan"}).get_json()
    r = client.post(f"/api/v1/incoming/{doc['id']}/register", json={"version": doc["version"]},
                    headers=headers)
    assert r.status_code == 200, r.get_json()
    login(client, o["clerk"].username)
    return o, doc["id"]


def _files(html: str) -> list[tuple[str, str]]:
    """(kind, shown name) of each row of the file list."""
    rows = re.findall(r'data-kind="(\w+)">.*?data-testid="file-name">([^<·]+)', html, re.S)
    return [(kind, name.strip()) for kind, name in rows]


def test_incoming_page_in_english_shows_labels_not_codes(client, factories):
    _o, doc_id = _registered(client, factories)
    _switch(client, "en", f"/incoming/{doc_id}")
    html = client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert re.search(r'<option value="quyet_dinh"\s+selected>Decision</option>', html)
    assert re.search(r'<option value="khan"\s+selected>Urgent</option>', html)
    assert re.search(r'<option value="thuong"\s+selected>Unclassified</option>', html)
    assert 'data-testid="urgency">Urgent</span>' in html
    timeline = html[html.index('data-testid="timeline"'):]
    assert "Received" in timeline and "Registered" in timeline
    assert "Tiếp nhận" not in timeline and "Vào sổ" not in timeline
    assert "Quyết định" not in html.replace("QUYẾT ĐỊNH", "")
    assert "Receipt-stamped copy" in html and "Original" in html

    _switch(client, "vi", f"/incoming/{doc_id}")
    html = client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert re.search(r'<option value="quyet_dinh"\s+selected>Quyết định</option>', html)
    assert 'data-testid="urgency">Khẩn</span>' in html
    assert "Tiếp nhận" in html and "Vào sổ" in html and "Bản có dấu đến" in html


def test_stamped_copy_and_original_are_told_apart(client, factories):
    _o, doc_id = _registered(client, factories)
    html = client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    files = _files(html)
    assert files == [("stamped", "cong-van-12-dau-den.pdf"), ("original", "cong-van-12.pdf")]
    assert "Bản có dấu đến" in html and "Bản gốc" in html
    # the preview says which copy it shows
    assert "Đang xem: Bản có dấu đến" in html
    file_list = html[html.index('data-testid="files"'):]
    file_list = file_list[:file_list.index("</ul>")]
    links = re.findall(rf'href="(/documents/{doc_id}/files/\d+\?download=1)"', file_list)
    names = [client.get(link).headers["Content-Disposition"] for link in links]
    assert names == ["attachment; filename*=UTF-8''cong-van-12-dau-den.pdf",
                     "attachment; filename*=UTF-8''cong-van-12.pdf"]


REPORT = {
    "verdict": "valid", "reasons": [], "checked_at": "2026-11-23T09:57:54+07:00",
    "signatures": [{
        "signer": "Lê Văn Hùng", "organization": "UBND phường Vĩnh Phúc",
        "signed_at": "2026-11-23T02:54:43+00:00", "verdict": "valid", "reasons": [],
        "trusted": True, "intact": True, "modified_after": "none",
        "timestamp": {"time": "2026-11-23T09:54:44+07:00"},
        "certificate": {"issuer": "edoc Test Root CA",
                        "serial_number": "66487ba32cc86a73242b877f6751cd0a58350b37"},
    }],
}


def test_signature_report_is_one_block_per_signature_with_local_times(app):
    with app.test_request_context("/"):
        html = render_template("signatures/_report.html", report=REPORT)
    assert "<table" not in html
    assert html.count('class="signature-item') == 1
    # times as the pages show them, in Vietnam's time zone; ISO only in the machine attribute
    assert "23/11/2026 09:54:43" in html and "23/11/2026 09:54:44" in html
    assert "23/11/2026 09:57:54" in html
    assert re.sub(r'datetime="[^"]*"', "", html).count("T09:") == 0
    assert "66487ba32cc86a73242b877f6751cd0a58350b37" in html  # the serial, breakable
    assert "Lê Văn Hùng" in html and "Hợp lệ" in html


def test_unparseable_signature_times_are_shown_as_they_are(app):
    report = {**REPORT, "checked_at": "không rõ",
              "signatures": [{**REPORT["signatures"][0], "signed_at": None, "timestamp": None}]}
    with app.test_request_context("/"):
        html = render_template("signatures/_report.html", report=report)
    assert "Kiểm tra lúc không rõ" in html and "(không rõ)" in html


def test_a_page_past_the_end_links_back_to_the_first(client, factories):
    _registered(client, factories)
    html = client.get("/incoming?page=99&state=registered").get_data(as_text=True)
    assert 'data-testid="page-beyond-end"' in html
    assert 'href="/incoming?state=registered"' in html
    assert "Không có văn bản nào phù hợp" not in html
    html = client.get("/incoming?page=1&state=done").get_data(as_text=True)
    assert "Không có văn bản nào phù hợp" in html and "page-beyond-end" not in html
    # an active filter keeps the phone's filter panel open
    assert re.search(r'id="more-filters"[^>]*checked', html)
    assert not re.search(r'id="more-filters"[^>]*checked',
                         client.get("/incoming").get_data(as_text=True))


def test_organ_codes_are_shown_by_their_directory_names(app, factories):
    from edoc.web import organ_name

    factories.agency("UBND tỉnh Thử", organ_id="000.00.00.T99")
    with app.test_request_context("/"):
        assert organ_name("000.00.00.T99") == "UBND tỉnh Thử"
        assert organ_name("000.00.00.X00") == "000.00.00.X00"  # not in the directory
        assert organ_name(None) == ""
