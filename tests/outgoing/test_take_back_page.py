"""Lấy lại (take back, edXML status 13) from the outgoing document page: the clerk asks an
external recipient to give a dispatched document back, with a reason, through the same service
as the API (edoc.exchange.actions.request_take_back)."""
from __future__ import annotations

import re

from sqlalchemy import select

from edoc.documents.models import Delivery, DocumentEvent
from edoc.exchange.models import ExchangeMessage
from tests.outgoing.conftest import ok, sealed
from tests.support.factories import csrf_token_from, login


def _dispatched(api, org, draft_pdf) -> tuple[dict, dict, dict]:
    doc = sealed(api, org, draft_pdf)
    doc = ok(api.post(org.clerk, f"/outgoing/{doc['id']}/dispatch",
                      {"internal_unit_ids": [org.other_unit.id],
                       "external_organ_ids": [org.external.organ_id]}))
    internal, external = doc["deliveries"]
    return doc, internal, external


def _forms(html: str) -> list[str]:
    return re.findall(r'action="(/exchange/deliveries/\d+/take-back)"', html)


def _take_backs(db) -> list[ExchangeMessage]:
    return list(db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.kind == "status", ExchangeMessage.action == "13")))


def test_clerk_takes_back_an_external_delivery_from_the_page(app, db, client, api, org, keys,
                                                             draft_pdf):
    doc, _internal, external = _dispatched(api, org, draft_pdf)
    login(client, org.clerk.username)
    page = f"/outgoing/{doc['id']}"
    html = client.get(page).get_data(as_text=True)
    # One form, on the external delivery only: internal copies are not on the axis.
    assert _forms(html) == [f"/exchange/deliveries/{external['id']}/take-back"]
    action = _forms(html)[0]

    # Without a reason: refused on the page, nothing queued.
    resp = client.post(action, data={"csrf_token": csrf_token_from(html), "reason": "  "},
                       follow_redirects=True)
    assert resp.request.path == page
    assert "Cần ghi rõ lý do." in resp.get_data(as_text=True)
    assert _take_backs(db) == []

    resp = client.post(action, data={"csrf_token": csrf_token_from(html),
                                     "reason": "Gửi nhầm nơi nhận"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(page)
    [message] = _take_backs(db)
    assert (message.delivery_id, message.document_id) == (external["id"], doc["id"])
    assert message.counterpart == org.external.organ_id
    assert message.info["description"] == "Gửi nhầm nơi nhận"
    delivery = db.session.get(Delivery, external["id"])
    assert "Gửi nhầm nơi nhận" in delivery.history[-1].description
    event = db.session.scalar(select(DocumentEvent).where(
        DocumentEvent.document_id == doc["id"], DocumentEvent.action == "take_back_requested"))
    assert event.note == "Gửi nhầm nơi nhận" and event.actor_id == org.clerk.id
    html = client.get(page).get_data(as_text=True)
    assert "Đã gửi yêu cầu lấy lại văn bản tới Sở Nội vụ tỉnh Vĩnh Phúc." in html


def test_only_the_clerk_sees_and_may_use_it(app, db, client, api, org, keys, draft_pdf):
    doc, _internal, external = _dispatched(api, org, draft_pdf)
    for who in (org.drafter, org.signer):
        other = app.test_client()
        login(other, who.username)
        html = other.get(f"/outgoing/{doc['id']}").get_data(as_text=True)
        assert _forms(html) == [], who.username
        resp = other.post(f"/exchange/deliveries/{external['id']}/take-back",
                          data={"csrf_token": csrf_token_from(html), "reason": "Thử"},
                          follow_redirects=True)
        assert "Chỉ văn thư được yêu cầu lấy lại văn bản." in resp.get_data(as_text=True)
    assert _take_backs(db) == []


def test_another_agencys_delivery_is_not_found(app, db, client, api, org, keys, draft_pdf,
                                               factories):
    from edoc.auth.roles import Role

    _doc, _internal, external = _dispatched(api, org, draft_pdf)
    stranger = factories.user(Role.CLERK)
    login(client, stranger.username)
    html = client.get("/").get_data(as_text=True)
    resp = client.post(f"/exchange/deliveries/{external['id']}/take-back",
                       data={"csrf_token": csrf_token_from(html), "reason": "Thử"})
    assert resp.status_code == 404
    assert _take_backs(db) == []
