"""Config safety, error mapping, health, audit chain, demo data, CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from edoc.auth.roles import Role
from edoc.config import ConfigError
from tests.support.factories import login


def _app(**cfg):
    from edoc import create_app

    base = {"DATABASE_URL": "sqlite:///:memory:", "STORAGE_BACKEND": "memory"}
    return create_app({**base, **cfg})


def test_production_refuses_default_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _app(ENV="production", STORAGE_BACKEND="minio")


def test_production_refuses_filesystem_store_unless_allowed(tmp_path):
    key = "x" * 40
    with pytest.raises(ConfigError, match="MinIO"):
        _app(ENV="production", SECRET_KEY=key, STORAGE_BACKEND="filesystem",
             STORAGE_PATH=str(tmp_path))
    app = _app(ENV="production", SECRET_KEY=key, STORAGE_BACKEND="filesystem",
               STORAGE_PATH=str(tmp_path), ALLOW_FILESYSTEM_STORE=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_demo_passwords(app, tmp_path):
    from edoc import create_app
    from edoc.demo import seed_demo
    from edoc.extensions import db

    seed_demo()
    db.session.commit()
    cfg = {"ENV": "production", "SECRET_KEY": "y" * 40, "STORAGE_BACKEND": "filesystem",
           "STORAGE_PATH": str(tmp_path), "ALLOW_FILESYSTEM_STORE": True,
           "DATABASE_URL": app.config["DATABASE_URL"]}
    with pytest.raises(ConfigError, match="default password"):
        create_app(cfg)
    create_app({**cfg, "ALLOW_DEFAULT_PASSWORDS": True})


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("EDOC_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("EDOC_MINIO_SECURE", "false")
    app = _app()
    assert app.config["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024
    assert app.config["MINIO_SECURE"] is False
    monkeypatch.setenv("EDOC_MAX_UPLOAD_MB", "many")
    with pytest.raises(ConfigError):
        _app()


def test_instance_file_is_read(monkeypatch, tmp_path):
    cfg = tmp_path / "edoc.cfg"
    cfg.write_text('LOGIN_MAX_FAILURES = 9\n')
    monkeypatch.setenv("EDOC_CONFIG_FILE", str(cfg))
    assert _app().config["LOGIN_MAX_FAILURES"] == 9


@pytest.mark.config(MAX_UPLOAD_MB=1)
def test_oversized_upload_gets_413_in_vietnamese(client, factories):
    user = factories.user(Role.CLERK)
    headers = factories.api_headers(user)
    big = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    resp = client.post("/api/v1/auth/token", data=big, headers=headers,
                       content_type="application/pdf")
    assert resp.status_code == 413
    err = resp.get_json()["error"]
    assert err["code"] == "payload_too_large"
    assert "vượt quá dung lượng" in err["message"]
    login(client, user.username)
    page = client.post("/login", data=big, content_type="application/octet-stream")
    assert page.status_code == 413
    assert "vượt quá dung lượng" in page.get_data(as_text=True)


def test_unknown_page_is_404_in_vietnamese(client, factories):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    user = factories.user(Role.CLERK)
    login(client, user.username)
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "Không tìm thấy" in html


def test_healthz_reports_database_and_store(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "checks": {"database": "ok", "object_store": "ok"}}


def test_healthz_is_503_when_the_store_is_down(app, client, monkeypatch):
    from edoc.storage import get_store
    from edoc.storage.base import StorageUnavailable

    def down():
        raise StorageUnavailable()

    monkeypatch.setattr(get_store(), "check", down)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["object_store"] == "unavailable"


def test_audit_chain_verifies_and_finds_an_edited_row(app, runner, factories, db):
    factories.user(Role.CLERK)  # creates an agency, a user: several audit entries
    factories.user(Role.LEADER)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    db.session.execute(text(
        "UPDATE audit_entries SET action = 'user.deleted' WHERE id = "
        "(SELECT min(id) FROM audit_entries WHERE action = 'user.created')"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "edited" in result.output


def test_audit_finds_deleted_and_inserted_rows(app, runner, factories, db):
    from edoc.audit.verify import verify_chains

    factories.user(Role.CLERK)
    factories.user(Role.CLERK)
    chain, last = db.session.execute(text(
        "SELECT chain, max(seq) FROM audit_entries GROUP BY chain ORDER BY 2 DESC")).first()
    db.session.execute(text("DELETE FROM audit_entries WHERE chain = :c AND seq = :s"),
                       {"c": chain, "s": last - 1})
    db.session.commit()
    kinds = {p.kind for p in verify_chains(db.session).problems}
    assert "missing" in kinds or "inserted_or_reordered" in kinds
    # Removing the newest entry is found through the head row.
    db.session.execute(text("DELETE FROM audit_entries WHERE chain = :c AND seq = :s"),
                       {"c": chain, "s": last})
    db.session.commit()
    assert any(p.kind == "missing" and p.seq == last for p in verify_chains(db.session).problems)


def test_audit_entries_roll_back_with_their_transaction(app, factories, db):
    from edoc.audit import record
    from edoc.audit.models import AuditEntry

    user = factories.user(Role.CLERK)
    before = db.session.query(AuditEntry).count()
    record("test.rolled_back", actor=user, obj=user)
    db.session.rollback()
    db.session.commit()
    assert db.session.query(AuditEntry).count() == before


def test_failed_logins_are_audited(client, factories, db):
    from edoc.audit.models import AuditEntry

    user = factories.user(Role.CLERK)
    login(client, user.username, "bad-password")
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert "auth.login_failed" in actions


def test_seed_demo_creates_every_login(app, runner, client):
    result = runner.invoke(args=["edoc", "seed-demo"])
    assert result.exit_code == 0, result.output
    for name in ("vanthu", "chuyenvien", "lanhdao", "luutru", "quantri"):
        assert name in result.output and f"{name}.tinh" in result.output
    again = runner.invoke(args=["edoc", "seed-demo"])  # idempotent
    assert again.exit_code == 0, again.output
    for name in ("vanthu", "lanhdao.tinh", "quantri"):
        assert login(client, name, "edoc-demo").status_code == 302, name
        client.post("/logout", data={"csrf_token": _token(client)})


def _token(client):
    from tests.support.factories import csrf_token_from

    return csrf_token_from(client.get("/").get_data(as_text=True))


def test_users_create_command(app, runner, factories):
    agency = factories.agency(organ_id="000.00.77.H48")
    result = runner.invoke(args=["users", "create", "--agency", "000.00.77.H48", "--username",
                                 "moi", "--full-name", "Người Mới", "--role", "clerk",
                                 "--password", "mat-khau-123"])
    assert result.exit_code == 0, result.output
    from edoc.auth.models import User
    from edoc.extensions import db

    user = db.session.query(User).filter_by(username="moi").one()
    assert user.agency_id == agency.id and user.roles == {Role.CLERK}


def test_settings_table_lists_every_setting(runner):
    from edoc.config import SETTINGS

    out = runner.invoke(args=["edoc", "settings-table"]).output
    for s in SETTINGS:
        assert f"`EDOC_{s.name}`" in out


def test_audit_entries_survive_a_rolled_back_savepoint(app, factories, db):
    from edoc.audit import record
    from edoc.audit.models import AuditEntry

    user = factories.user(Role.CLERK)
    before = db.session.query(AuditEntry).count()
    record("test.kept", actor=user, obj=user)
    try:
        with db.session.begin_nested():
            record("test.dropped", actor=user, obj=user)
            raise RuntimeError("undo the savepoint")
    except RuntimeError:
        pass
    db.session.commit()
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert len(actions) == before + 1
    assert actions[-1] == "test.kept"


def test_pages_carry_security_headers(client):
    resp = client.get("/login")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
