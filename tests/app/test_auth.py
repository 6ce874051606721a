"""Login, lockout, CSRF, API tokens and agency isolation."""
from __future__ import annotations

from datetime import timedelta

import pytest

from edoc.auth.roles import Role
from edoc.db import utcnow
from tests.support.factories import PASSWORD, csrf_token_from, login


def test_login_page_is_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_login_and_logout(client, factories):
    user = factories.user(Role.CLERK, full_name="Nguyễn Thị Thu")
    resp = login(client, user.username)
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Nguyễn Thị Thu" in home.get_data(as_text=True)
    token = csrf_token_from(home.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # back to login


def test_wrong_password_is_refused_in_vietnamese(client, factories):
    user = factories.user(Role.CLERK)
    resp = login(client, user.username, "wrong-password")
    assert resp.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_answer(client):
    resp = login(client, "nobody", "whatever-1")
    assert resp.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in resp.get_data(as_text=True)


@pytest.mark.config(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures(client, factories, db):
    user = factories.user(Role.CLERK)
    for _ in range(3):
        assert login(client, user.username, "bad-password").status_code == 401
    # Now even the right password is refused while the lock holds.
    resp = login(client, user.username, PASSWORD)
    assert resp.status_code == 401
    assert "tạm thời bị khóa" in resp.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is not None and user.locked_until > utcnow()
    # When the lock expires, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user.username, PASSWORD).status_code == 302


def test_form_without_csrf_token_is_refused(client, factories):
    user = factories.user(Role.CLERK)
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


def test_logout_without_csrf_token_is_refused(client, factories):
    user = factories.user(Role.CLERK)
    login(client, user.username)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_session_cookie_is_hardened(client, factories):
    user = factories.user(Role.CLERK)
    resp = login(client, user.username)
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_refused(client, factories):
    user = factories.user(Role.CLERK)
    page = client.get("/login")
    resp = client.post("/login?next=//evil.example/x", data={
        "username": user.username, "password": PASSWORD,
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


def test_api_token_flow(client, factories):
    user = factories.user(Role.LEADER, full_name="Lê Văn Hùng")
    resp = client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token"] and body["expires_at"].endswith("+00:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    data = me.get_json()
    assert data["user"]["full_name"] == "Lê Văn Hùng"
    assert data["roles"] == ["leader"]
    assert data["agency"]["id"] == user.agency_id


def test_api_errors_have_the_contract_shape(client, factories):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    err = resp.get_json()["error"]
    assert err["code"] == "missing_token" and err["message"] and "details" in err
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "invalid_token"
    user = factories.user(Role.CLERK)
    resp = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "invalid_credentials"
    resp = client.post("/api/v1/auth/token", data="{not json",
                       content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "malformed_json"


def test_expired_token_is_refused(client, factories, db):
    from edoc.auth.models import ApiToken

    user = factories.user(Role.CLERK)
    headers = factories.api_headers(user)
    token = db.session.query(ApiToken).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 401


def test_api_lists_only_own_agency_units_and_users(client, factories):
    a, b = factories.agency("UBND xã A"), factories.agency("UBND xã B")
    factories.unit(a, "Văn phòng A")
    factories.unit(b, "Văn phòng B")
    ua = factories.user(Role.CLERK, agency=a, full_name="Người A")
    factories.user(Role.CLERK, agency=b, full_name="Người B")
    headers = factories.api_headers(ua)
    units = client.get("/api/v1/units", headers=headers).get_json()
    assert [u["name"] for u in units["items"]] == ["Văn phòng A"]
    users = client.get("/api/v1/users", headers=headers).get_json()
    assert {u["full_name"] for u in users["items"]} == {"Người A"}
    agencies = client.get("/api/v1/agencies", headers=headers).get_json()
    assert {x["name"] for x in agencies["items"]} >= {"UBND xã A", "UBND xã B"}  # the directory
    assert agencies["total"] >= 2 and agencies["page"] == 1


def test_admin_cannot_see_or_change_another_agencys_users(client, factories):
    a, b = factories.agency(), factories.agency()
    admin_a = factories.user(Role.ADMIN, agency=a)
    other = factories.user(Role.CLERK, agency=b, full_name="Người cơ quan khác")
    login(client, admin_a.username)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Người cơ quan khác" not in page
    assert client.get(f"/admin/users/{other.id}").status_code == 404
    token = csrf_token_from(client.get("/admin/users/new").get_data(as_text=True))
    resp = client.post(f"/admin/users/{other.id}", data={
        "csrf_token": token, "full_name": "Đã bị sửa", "roles": ["admin"]})
    assert resp.status_code == 404


def test_non_admin_gets_403_on_admin_pages(client, factories):
    user = factories.user(Role.CLERK)
    login(client, user.username)
    resp = client.get("/admin/users")
    assert resp.status_code == 403
    assert "không có quyền" in resp.get_data(as_text=True)


def test_admin_creates_a_user_who_can_log_in(client, factories):
    agency = factories.agency()
    unit = factories.unit(agency, "Phòng Kinh tế", "KT")
    admin = factories.user(Role.ADMIN, agency=agency)
    login(client, admin.username)
    token = csrf_token_from(client.get("/admin/users/new").get_data(as_text=True))
    resp = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "chuyenvien2", "full_name": "Đỗ Thị Hoa",
        "position_title": "Chuyên viên", "roles": ["officer"], "unit_id": str(unit.id),
        "password": "mat-khau-moi-1", "active": "on"})
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": token})
    assert login(client, "chuyenvien2", "mat-khau-moi-1").status_code == 302
