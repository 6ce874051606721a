"""Update, replace, take-back, return, and the confidentiality rule, through the simulator."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from .conftest import WARD_ORGAN, dispatch_to, sealed_decision, work
from .test_end_to_end import _codes, _history, _incoming


def _received(province, ward, sealed_pdf, **kw):
    """A decision dispatched by A and received by B (A saw 01). Returns (doc id, delivery id)."""
    doc = sealed_decision(province, sealed_pdf, **kw)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    work(province)
    work(ward)
    work(province)
    assert _codes(delivery_id) == ["01"]
    return doc.id, delivery_id


def _ward_doc(ward):
    """B's latest incoming document (call inside ``ward.ctx()``)."""
    from edoc.documents.models import Document
    from edoc.extensions import db

    return db.session.scalars(select(Document).where(
        Document.agency_id == ward.agency_id, Document.direction == "incoming")
        .order_by(Document.id.desc())).first()


def test_update_is_applied_to_the_copy_and_agreed(province, ward, sealed_pdf):
    from edoc.documents.models import Document, DocumentEvent
    from edoc.documents.outgoing.followups import update
    from edoc.extensions import db

    doc_id, delivery_id = _received(province, ward, sealed_pdf)
    update(db.session.get(Document, doc_id), province.user("clerk"), "Sửa trích yếu cho đúng",
           changes={"subject": "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2025 (sửa đổi)",
                    "urgency": "thuong_khan"})
    db.session.commit()
    work(province)
    work(ward)
    with ward.ctx():
        copy = _ward_doc(ward)
        assert copy.subject.endswith("(sửa đổi)") and copy.urgency == "thuong_khan"
        event = db.session.scalar(select(DocumentEvent).where(
            DocumentEvent.document_id == copy.id, DocumentEvent.action == "updated_by_sender"))
        assert event.note == "Sửa trích yếu cho đúng"
        assert sorted(event.data["fields"]) == ["subject", "urgency"]
    assert len(_incoming(ward)) == 1  # applied to the copy, not a new document
    work(province)
    assert _codes(delivery_id) == ["01", "15"]


def test_replace_links_the_new_document_and_cancels_the_old(province, ward, sealed_pdf):
    from edoc.documents.models import Document, DocumentLink
    from edoc.documents.outgoing.followups import replace
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    old_id, old_delivery_id = _received(province, ward, sealed_pdf)
    new = sealed_decision(province, sealed_pdf, number=17,
                          subject="Về việc phê duyệt Kế hoạch chuyển đổi số (thay thế)")
    replace(db.session.get(Document, old_id), province.user("clerk"), "Thay thế do sai sót",
            replacement_id=new.id)
    db.session.commit()
    work(province)
    out = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.kind == "edoc")
        .order_by(ExchangeMessage.id)).all()
    assert [(m.action, m.state) for m in out] == [("new", "sent"), ("replace", "sent")]
    work(ward)
    rows = _incoming(ward)
    assert [r[1] for r in rows] == ["cancelled", "received"]
    with ward.ctx():
        link = db.session.scalar(select(DocumentLink))
        assert (link.from_id, link.to_id, link.kind) == (rows[1][0], rows[0][0], "replaces")
        assert db.session.get(Document, rows[1][0]).number == 17
    work(province)
    new_delivery_id = db.session.scalar(select(ExchangeMessage.delivery_id).where(
        ExchangeMessage.action == "replace"))
    assert _codes(new_delivery_id) == ["01"]
    assert _codes(old_delivery_id) == ["01", "15"]


@pytest.mark.parametrize("handled", [False, True])
def test_take_back_is_answered(province, ward, sealed_pdf, client, factories, handled):
    from edoc.documents.incoming import services as incoming
    from edoc.extensions import db

    _doc_id, delivery_id = _received(province, ward, sealed_pdf)
    if handled:  # B already assigned it: the request is refused (16)
        with ward.ctx():
            copy = _ward_doc(ward)
            incoming.register(copy, ward.user("clerk"))
            incoming.assign(copy, ward.user("leader"), lead_unit_id=ward.people["unit"])
            db.session.commit()
        work(ward)
    headers = factories.api_headers(province.user("clerk"))
    resp = client.post(f"/api/v1/exchange/deliveries/{delivery_id}/take-back", headers=headers,
                       json={"reason": "Văn bản gửi nhầm nơi nhận"})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert resp.get_json()["message"]["action"] == "13"
    work(province)
    work(ward)
    work(province)
    state = _incoming(ward)[0][1]
    if handled:
        assert state == "assigned"
        assert _codes(delivery_id) == ["01", "03", "04", "16"]
    else:
        assert state == "cancelled"
        assert _codes(delivery_id) == ["01", "15"]


def test_take_back_needs_a_reason_and_a_clerk(province, sealed_pdf, client, factories, sim):
    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    clerk = factories.api_headers(province.user("clerk"))
    path = f"/api/v1/exchange/deliveries/{delivery_id}/take-back"
    resp = client.post(path, headers=clerk, json={"reason": "  "})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "reason_required"
    officer = factories.api_headers(province.user("officer"))
    assert client.post(path, headers=officer, json={"reason": "x"}).status_code == 403


def test_returned_document_reports_02_with_the_reason(province, ward, sealed_pdf):
    from edoc.documents.incoming import services as incoming
    from edoc.documents.models import Delivery
    from edoc.extensions import db

    _doc_id, delivery_id = _received(province, ward, sealed_pdf)
    with ward.ctx():
        incoming.return_to_sender(_ward_doc(ward), ward.user("clerk"),
                                  "Gửi nhầm cơ quan, đề nghị gửi UBND xã khác")
        db.session.commit()
    work(ward)
    work(province)
    assert _codes(delivery_id) == ["01", "02"]
    last = db.session.get(Delivery, delivery_id).history[-1]
    assert last.description == "Gửi nhầm cơ quan, đề nghị gửi UBND xã khác"


def test_confidential_document_never_goes_over_the_axis(province, sealed_pdf, sim):
    """Dispatch refuses it (422); and should a job for one exist, nothing is sent."""
    from edoc.documents.models import Delivery, DeliveryEvent
    from edoc.documents.outgoing.dispatch import dispatch
    from edoc.errors import ValidationError
    from edoc.exchange.actions import send_document
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    doc = sealed_decision(province, sealed_pdf, confidentiality="mat")
    with pytest.raises(ValidationError) as refused:
        dispatch(doc, province.user("clerk"), external_organ_ids=[WARD_ORGAN])
    assert refused.value.status == 422
    db.session.rollback()
    d = Delivery(document_id=doc.id, agency_id=province.agency_id, recipient_organ_id=WARD_ORGAN,
                 recipient_name="UBND phường Vĩnh Phúc", status="pending")
    d.history.append(DeliveryEvent(status="pending", description=""))
    db.session.add(d)
    db.session.commit()
    row = send_document(doc.id, d.id)
    db.session.commit()
    assert (row.state, row.error_code, row.stored_object_id) == ("cancelled", "confidential",
                                                                 None)
    assert work(province).sent == 0
    assert sim.client(sim.ward).list_received(message_type="edoc") == ()
    assert db.session.scalar(select(ExchangeMessage.state)) == "cancelled"
    assert _history(d.id)[-1] == "pending"


def test_send_jobs_are_idempotent(province, sealed_pdf, sim):
    """A job run twice (a worker died after its commit) queues one message."""
    from edoc.exchange.actions import send_action, send_document
    from edoc.extensions import db

    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    first = send_document(doc.id, delivery_id)
    db.session.commit()
    assert send_document(doc.id, delivery_id).id == first.id
    revoke_1 = send_action(doc.id, "revoke", "Lý do", delivery_id)
    db.session.commit()
    assert send_action(doc.id, "revoke", "Lý do", delivery_id).id == revoke_1.id
    assert send_action(doc.id, "replace", "Lý do", delivery_id) is None
