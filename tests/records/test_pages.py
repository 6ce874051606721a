"""The records and archive pages, driven like a browser (forms with CSRF tokens)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from edoc.audit.models import AuditEntry
from edoc.i18n import local_today
from edoc.records.archive_models import AccessRequest
from edoc.records.models import Record
from tests.records.helpers import archived_record, closed_record, ok, post
from tests.support.factories import csrf_token_from, login


def _follow(client, response):
    """Follow a redirect by hand (the test client's own following leaves the app context)."""
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])


def _form(client, page_url: str, action: str, data: dict):
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.get_data(as_text=True))
    return _follow(client, client.post(action, data={"csrf_token": token, **data}))


def test_file_plan_page(client, office):
    login(client, office.archivist.username)
    year = local_today().year
    r = _form(client, f"/archive/file-plan?year={year}", "/archive/file-plan",
              {"year": year, "heading": "I. TỔNG HỢP", "code": "01.TH",
               "title": "Hồ sơ hội nghị tổng kết", "retention": "20"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Hồ sơ hội nghị tổng kết" in html and "20 năm" in html
    assert 'data-testid="file-plan-entry"' in html
    r = _form(client, f"/archive/file-plan?year={year}", "/archive/file-plan/copy",
              {"year": year, "to_year": year + 1})
    assert "Đã sao chép 1 dòng" in r.get_data(as_text=True)
    # Refusals come back as a message on the page.
    r = _form(client, f"/archive/file-plan?year={year}", "/archive/file-plan",
              {"year": year, "code": "01.TH", "title": "Trùng", "retention": "10"})
    assert "đã có hồ sơ số 01.TH" in r.get_data(as_text=True)


def test_officer_builds_and_transfers_a_record_through_the_pages(client, office,
                                                                 make_document, db):
    docs = [make_document("Công văn về lễ hội"), make_document("Kế hoạch lễ hội", number=25)]
    login(client, office.officer.username)
    r = _form(client, "/records/new", "/records/new",
              {"year": 2020, "notation": "05.VHXH", "title": "Hồ sơ lễ hội năm 2020",
               "retention": "10", "start_date": "2020-01-05"})
    assert "Đã lập hồ sơ" in r.get_data(as_text=True)
    record = db.session.scalar(select(Record).where(Record.notation == "05.VHXH"))
    url = f"/records/{record.id}"
    page = client.get(url).get_data(as_text=True)
    assert page.count('data-testid="candidate-document"') == 2
    token = csrf_token_from(page)
    r = _follow(client, client.post(f"{url}/documents", data={
        "csrf_token": token, "document_ids": [d.id for d in docs]}))
    assert "Đã thêm 2 văn bản" in r.get_data(as_text=True)
    r = _form(client, url, f"{url}/close", {})
    assert "Đã kết thúc hồ sơ" in r.get_data(as_text=True)
    r = _form(client, url, f"{url}/transfer", {"note": "Nộp lưu năm 2021"})
    assert "chờ lưu trữ cơ quan tiếp nhận" in r.get_data(as_text=True)
    printable = client.get(f"{url}/transfer-list").get_data(as_text=True)
    assert "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU" in printable and "Thời hạn bảo quản" in printable
    assert "MỤC LỤC VĂN BẢN" in printable and "Kế hoạch lễ hội" in printable


def test_archivist_accepts_finds_unaccented_and_exports(client, office, make_document, db):
    record = closed_record(client, office, [make_document(
        "Về việc tổ chức Lễ hội Đền Hùng", text="Giỗ Tổ Hùng Vương mùng 10 tháng 3")])
    ok(post(client, f"/records/{record['id']}/transfer", office.headers("officer")))
    login(client, office.archivist.username)
    home = client.get("/").get_data(as_text=True)
    assert "Hồ sơ chờ tiếp nhận lưu trữ" in home
    inbox = client.get("/archive/inbox").get_data(as_text=True)
    assert f'data-testid="accept-record" data-record-id="{record["id"]}"' in inbox
    r = _form(client, "/archive/inbox", f"/records/{record['id']}/accept",
              {"next": "/archive/inbox"})
    assert "Đã tiếp nhận hồ sơ" in r.get_data(as_text=True)
    results = client.get("/archive/search?q=gio+to+hung").get_data(as_text=True)
    assert 'data-testid="archive-result"' in results
    assert "<mark>Giỗ</mark> <mark>Tổ</mark> <mark>Hùng</mark>" in results
    title_hit = client.get("/archive/search?q=le+hoi+den+hung").get_data(as_text=True)
    assert "<mark>Lễ</mark> <mark>hội</mark>" in title_hit
    r = client.get(f"/archive/records/{record['id']}/export")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert r.get_data()[:2] == b"PK"
    show = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert 'data-testid="frozen-notice"' in show and 'data-testid="record-export"' in show


def test_a_refused_edit_on_the_page_is_flashed_and_audited(client, office, make_document, db):
    record = archived_record(client, office, [make_document()])
    login(client, office.archivist.username)
    url = f"/records/{record['id']}"
    r = _form(client, url, f"{url}/edit", {"title": "Sửa sau lưu trữ"})
    assert "không thể thay đổi" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Record, record["id"]).title == record["title"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "record.change_refused"))
    assert entry.actor_id == office.archivist.id


def test_access_request_pages_and_expired_link(client, office, make_document, db, factories):
    record = archived_record(client, office, [make_document("Hồ sơ đất đai phường")],
                             title="Hồ sơ đất đai phường")
    login(client, office.officer.username)
    found = client.get("/archive/search?q=dat+dai").get_data(as_text=True)
    assert 'data-testid="request-access"' in found
    until = (local_today() + timedelta(days=5)).isoformat()
    r = _form(client, "/archive/search?q=dat+dai", "/archive/access",
              {"record_id": record["id"], "reason": "Giải quyết đơn thư", "until": until})
    assert "Đã gửi yêu cầu khai thác" in r.get_data(as_text=True)
    req = db.session.scalar(select(AccessRequest))

    archivist_client = client.application.test_client()
    login(archivist_client, office.archivist.username)
    page = archivist_client.get("/archive/access?state=pending").get_data(as_text=True)
    assert 'data-testid="access-approve"' in page
    token = csrf_token_from(page)
    r = _follow(archivist_client, archivist_client.post(
        f"/archive/access/{req.id}/approve",
        data={"csrf_token": token, "until": until, "version": req.version_id}))
    assert "Đã duyệt" in r.get_data(as_text=True)

    link = client.get(f"/archive/access/{req.id}")
    assert link.status_code == 200 and 'data-testid="access-file"' in link.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(AccessRequest, req.id)
    row.granted_until = local_today() - timedelta(days=1)
    db.session.commit()
    expired = client.get(f"/archive/access/{req.id}")
    assert expired.status_code == 403 and "hết hạn" in expired.get_data(as_text=True)


def test_disposal_fixity_and_package_pages_render(client, office, make_document):
    archived_record(client, office, [make_document()])
    login(client, office.archivist.username)
    assert "Hồ sơ hết thời hạn bảo quản" in client.get("/archive/disposals").get_data(
        as_text=True)
    r = _form(client, "/archive/fixity", "/archive/fixity", {})
    assert "Đã kiểm tra" in r.get_data(as_text=True)
    assert 'data-testid="fixity-run-row"' in r.get_data(as_text=True)
    assert 'data-testid="package-verify"' in client.get("/archive/packages").get_data(
        as_text=True)
    # Staff without the archivist role do not get the archivist's pages.
    officer = client.application.test_client()
    login(officer, office.officer.username)
    client = officer
    assert client.get("/archive/inbox").status_code == 403
    assert client.get("/archive/fixity").status_code == 403
    assert client.get("/archive").headers["Location"].endswith("/archive/search")
