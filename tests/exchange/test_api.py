"""``POST /api/v1/exchange/import`` and ``GET /api/v1/exchange/messages``, the log page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.exchange.test_bad_input import BAD, document
from tests.support.factories import login

from .conftest import PROVINCE_ORGAN, WARD_ORGAN, dispatch_to, sealed_decision, work


@pytest.fixture
def ward_here(exchange_app, factories):
    """The ward hosted on the suite's database (no axis needed for an import)."""
    from edoc.auth.roles import Role
    from edoc.auth.services import create_agency
    from edoc.documents.numbering import ensure_default_books
    from edoc.extensions import db

    agency = factories.agency("UBND phường Vĩnh Phúc", organ_id=WARD_ORGAN)
    create_agency(organ_id=PROVINCE_ORGAN, name="UBND tỉnh Phú Thọ", hosted=False)
    ensure_default_books(agency.id)
    db.session.commit()
    return {"agency": agency,
            "clerk": factories.user(Role.CLERK, agency=agency, username="vanthu.vp"),
            "officer": factories.user(Role.OFFICER, agency=agency, username="cv.vp"),
            "admin": factories.user(Role.ADMIN, agency=agency, username="qt.vp")}


def _import(client, headers, data: bytes, name: str = "goi-tin.edxml"):
    return client.post("/api/v1/exchange/import", headers=headers,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_creates_the_incoming_document_once(client, factories, ward_here):
    from edoc.documents.models import Document
    from edoc.extensions import db

    headers = factories.api_headers(ward_here["clerk"])
    resp = _import(client, headers, document())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    doc = body["document"]
    assert (doc["direction"], doc["state"], doc["agency_id"]) == (
        "incoming", "received", ward_here["agency"].id)
    assert doc["subject"] == "Về việc thử nghiệm gói tin"
    message = body["message"]
    assert (message["direction"], message["kind"], message["action"], message["state"],
            message["source"], message["attempts"]) == ("in", "edoc", "new", "processed",
                                                        "import", 1)
    assert message["sha256"] and message["last_error"] is None
    # The same file again: the same document, no second one.
    again = _import(client, headers, document())
    assert again.status_code == 200
    assert again.get_json()["document"]["id"] == doc["id"]
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1
    # Status 01 waits in the outbox for the sender (the axis is not configured here).
    listed = client.get("/api/v1/exchange/messages?direction=out", headers=headers).get_json()
    assert [(m["kind"], m["action"], m["state"], m["counterpart"]) for m in listed["items"]] == [
        ("status", "01", "pending", PROVINCE_ORGAN)]


@pytest.mark.parametrize("case", ["xxe", "zip_bomb", "another_agency", "missing_subject"])
def test_import_refuses_bad_files_with_the_reason(client, factories, ward_here, case):
    from edoc.documents.models import Document
    from edoc.extensions import db

    body, code = BAD[case]
    headers = factories.api_headers(ward_here["clerk"])
    resp = _import(client, headers, body)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == code
    assert error["message"] and error["details"]["message_id"]
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    listed = client.get("/api/v1/exchange/messages?state=rejected", headers=headers).get_json()
    assert [m["last_error"]["code"] for m in listed["items"]] == [code]
    assert listed["items"][0]["ack_state"] == ""  # nothing to acknowledge on an import


def test_import_and_log_need_the_right_role(client, factories, ward_here):
    officer = factories.api_headers(ward_here["officer"])
    assert _import(client, officer, document()).status_code == 403
    assert client.get("/api/v1/exchange/messages", headers=officer).status_code == 403
    admin = factories.api_headers(ward_here["admin"])
    assert client.get("/api/v1/exchange/messages", headers=admin).status_code == 200
    assert client.post("/api/v1/exchange/import").status_code == 401


def test_message_filters(client, factories, ward_here):
    headers = factories.api_headers(ward_here["clerk"])
    _import(client, headers, document())
    _import(client, headers, BAD["malformed"][0])

    def listed(query: str):
        resp = client.get(f"/api/v1/exchange/messages?{query}", headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return [(m["direction"], m["kind"], m["state"]) for m in resp.get_json()["items"]]

    assert listed("direction=in") == [("in", "edoc", "rejected"), ("in", "edoc", "processed")]
    assert listed("kind=status") == [("out", "status", "pending")]
    assert listed("direction=in&state=processed") == [("in", "edoc", "processed")]
    assert listed("state=sent") == []
    bad = client.get("/api/v1/exchange/messages?state=nonsense", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_filter"


def test_other_agencies_do_not_see_the_messages(client, factories, ward_here):
    from edoc.auth.roles import Role

    headers = factories.api_headers(ward_here["clerk"])
    message_id = _import(client, headers, document()).get_json()["message"]["id"]
    stranger = factories.api_headers(factories.user(Role.CLERK))
    assert client.get(f"/api/v1/exchange/messages/{message_id}",
                      headers=stranger).status_code == 404
    assert client.get("/api/v1/exchange/messages", headers=stranger).get_json()["total"] == 0


def test_log_page_lists_messages_and_retries(client, province, sealed_pdf, sim):
    """The clerk's exchange log: a message that could not go out, then retried by hand."""
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    sim.stop()
    doc = sealed_decision(province, sealed_pdf)
    dispatch_to(province, doc, WARD_ORGAN)
    work(province, receive=False)
    row = db.session.scalar(select(ExchangeMessage).where(ExchangeMessage.direction == "out"))
    assert row.state == "pending" and row.attempts == 1
    clerk = province.user("clerk")
    assert login(client, clerk.username).status_code == 302
    page = client.get("/exchange")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-message-id="{row.id}"' in html
    assert "Không kết nối được trục liên thông" in html  # the last error, in Vietnamese
    assert 'data-testid="retry"' in html
    assert f'href="/outgoing/{doc.id}"' in html
    assert client.get(f"/exchange/messages/{row.id}/package").data.startswith(b"<?xml")

    sim.restart()
    from tests.support.factories import csrf_token_from

    token = csrf_token_from(html)
    resp = client.post(f"/exchange/messages/{row.id}/retry", data={"csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExchangeMessage, row.id).next_attempt_at is not None
    work(province, receive=False)  # the retried message is due at once
    db.session.expire_all()
    assert db.session.get(ExchangeMessage, row.id).state == "sent"
