"""End to end through the axis simulator: A (province, the suite's database) dispatches a signed
and sealed decision to B (ward, its own SQLite database); statuses travel back; revocation;
a worker killed between fetch and acknowledgement; the axis down while A sends."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.exchange.conftest import WARD_ORGAN, dispatch_to, sealed_decision, work


def _incoming(party):
    from edoc.documents.models import Document
    from edoc.extensions import db

    with party.ctx():
        return [(d.id, d.state, d.exchange_document_id, d.issuing_organ_id, d.received_via)
                for d in db.session.scalars(select(Document).where(
                    Document.agency_id == party.agency_id, Document.direction == "incoming")
                    .order_by(Document.id))]


def _history(delivery_id: int) -> list[str]:
    from edoc.documents.models import Delivery
    from edoc.extensions import db

    db.session.expire_all()
    return [h.status for h in db.session.get(Delivery, delivery_id).history]


def _codes(delivery_id: int) -> list[str]:
    """The status codes the delivery went through (history lines that only add a note keep
    the current status: consecutive repeats are one step)."""
    out: list[str] = []
    for status in _history(delivery_id):
        if status.isdigit() and (not out or out[-1] != status):
            out.append(status)
    return out


def test_dispatch_statuses_and_revoke_between_two_databases(province, ward, sealed_pdf, sim):
    from edoc.documents.incoming import services as incoming
    from edoc.documents.models import Document, DocumentFile
    from edoc.documents.outgoing.followups import revoke
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db
    from edoc.signatures.models import SignatureCheck

    doc = sealed_decision(province, sealed_pdf)
    delivery = dispatch_to(province, doc, WARD_ORGAN)
    delivery_id = delivery.id
    assert delivery.status == "pending"

    report = work(province, receive=False)
    assert report.sent == 1
    assert _history(delivery_id) == ["pending", "sent"]

    work(ward)  # B receives: the document, then 01 goes back at once
    docs = _incoming(ward)
    assert len(docs) == 1
    b_doc_id, state, exchange_id, issuer, via = docs[0]
    assert (state, issuer, via) == ("received", "000.00.00.H44", "axis")
    assert exchange_id.startswith("000.00.00.H44,") and exchange_id.endswith(",15/QĐ-UBND")
    with ward.ctx():
        b_doc = db.session.get(Document, b_doc_id)
        assert b_doc.subject == "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2025"
        assert (b_doc.type_key, b_doc.number, b_doc.notation, b_doc.urgency) == (
            "quyet_dinh", 15, "QĐ-UBND", "khan")
        original = b_doc.current_file("original")
        assert original.sha256 == __import__("hashlib").sha256(sealed_pdf).hexdigest()
        # The PDF signatures were verified (E4): both signatures valid against the test CA.
        check = db.session.scalar(select(SignatureCheck).where(
            SignatureCheck.document_file_id == original.id))
        assert check is not None and check.verdict == "valid"
        assert len(check.report["signatures"]) == 2
        # The raw package is kept.
        inbox = db.session.scalar(select(ExchangeMessage).where(
            ExchangeMessage.direction == "in", ExchangeMessage.kind == "edoc"))
        assert inbox.state == "processed" and inbox.ack_state == "done"
        from edoc.exchange.envelope import parse
        from edoc.exchange.outbox import read_raw

        kept = parse(read_raw(inbox))
        assert kept.attachments[0].data == sealed_pdf
        assert kept.trace_headers  # as routed by the axis, with its TraceHeader

    work(province)
    assert _codes(delivery_id) == ["01"]

    with ward.ctx():  # B registers (03), assigns (04), completes (06)
        b_doc = db.session.get(Document, b_doc_id)
        incoming.register(b_doc, ward.user("clerk"))
        db.session.commit()
        incoming.assign(b_doc, ward.user("leader"), lead_unit_id=ward.people["unit"],
                        direction="Phòng Kinh tế chủ trì thực hiện")
        db.session.commit()
        incoming.complete(b_doc, ward.user("officer"), "Đã triển khai")
        db.session.commit()
    work(ward)
    work(province)
    assert _codes(delivery_id) == ["01", "03", "04", "06"]
    from edoc.documents.models import Delivery

    assert db.session.get(Delivery, delivery_id).status == "06"

    # A second decision, revoked before B handles it: B's copy is cancelled, A hears 15.
    doc2 = sealed_decision(province, sealed_pdf, number=16, subject="Về việc thu hồi thử")
    delivery2_id = dispatch_to(province, doc2, WARD_ORGAN).id
    work(province)
    work(ward)
    work(province)
    assert _codes(delivery2_id) == ["01"]
    revoke(db.session.get(Document, doc2.id), province.user("clerk"), "Ban hành nhầm đối tượng")
    db.session.commit()
    work(province)
    work(ward)
    docs = _incoming(ward)
    assert [d[1] for d in docs] == ["done", "cancelled"]
    work(province)
    assert _codes(delivery2_id) == ["01", "15"]
    assert db.session.get(Document, doc2.id).state == "revoked"
    with ward.ctx():
        # the revocation created nothing: one original per document
        assert db.session.scalar(select(func.count()).select_from(DocumentFile)
                                 .where(DocumentFile.kind == "original")) == 2


class Killed(BaseException):
    """The worker process dies here (nothing after this line runs)."""


def test_worker_killed_between_fetch_and_ack_loses_nothing(province, ward, sealed_pdf, sim,
                                                           monkeypatch):
    from connectors.client import AxisClient
    from edoc.exchange import inbound
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    work(province)

    # 1. Killed after the document was created, before the commit.
    real = inbound.receive_document

    def die_after_create(*args, **kwargs):
        real(*args, **kwargs)
        db.session.flush()
        raise Killed()

    monkeypatch.setattr(inbound, "receive_document", die_after_create)
    with pytest.raises(Killed):
        work(ward)
    monkeypatch.setattr(inbound, "receive_document", real)
    assert _incoming(ward) == []
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1

    # 2. Killed after the commit, before the transport acknowledgement.
    calls = {"n": 0}
    real_ack = AxisClient.acknowledge

    def die_on_first_ack(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Killed()
        return real_ack(self, *args, **kwargs)

    monkeypatch.setattr(AxisClient, "acknowledge", die_on_first_ack)
    with pytest.raises(Killed):
        work(ward)
    assert len(_incoming(ward)) == 1
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1  # not acked yet

    # Restarted: no second document, the message acknowledged, 01 sent exactly once.
    work(ward)
    work(ward)
    assert len(_incoming(ward)) == 1
    assert sim.client(sim.ward).list_received(message_type="edoc") == ()
    with ward.ctx():
        rows = db.session.scalars(select(ExchangeMessage).where(
            ExchangeMessage.direction == "in")).all()
        assert [(r.state, r.ack_state) for r in rows] == [("processed", "done")]
    work(province)
    assert _codes(delivery_id) == ["01"]


def test_axis_down_messages_wait_in_the_outbox(province, ward, sealed_pdf, sim):
    from edoc.db import utcnow
    from edoc.exchange import outbox
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    sim.stop()
    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    report = work(province, receive=False)
    assert report.sent == 0 and report.waiting == 1
    row = db.session.scalar(select(ExchangeMessage))
    assert (row.state, row.attempts, row.error_code) == ("pending", 1, "connection_failed")
    assert row.next_attempt_at > utcnow()
    assert _history(delivery_id) == ["pending"]
    # Still down: it waits longer (the backoff doubles).
    first_due = row.next_attempt_at
    outbox.flush(now=first_due + timedelta(seconds=1))
    db.session.expire_all()
    row = db.session.scalar(select(ExchangeMessage))
    assert row.attempts == 2 and row.state == "pending"
    assert row.next_attempt_at - utcnow() > timedelta(seconds=1.5)

    sim.restart()
    assert outbox.flush().sent == 0  # not due yet
    assert outbox.flush(now=utcnow() + timedelta(hours=1)).sent == 1
    db.session.expire_all()
    row = db.session.scalar(select(ExchangeMessage))
    assert (row.state, row.attempts, row.error_code) == ("sent", 3, "")
    assert _history(delivery_id) == ["pending", "sent"]
    work(ward)
    assert len(_incoming(ward)) == 1
    work(province)
    assert _codes(delivery_id) == ["01"]


def test_axis_failing_after_storing_delivers_once(province, ward, sealed_pdf, sim):
    """The axis stores the message but answers 500 (twice): the outbox tries again later with
    the same message id, the axis recognises it, and B receives one document."""
    from edoc.db import utcnow
    from edoc.exchange import outbox
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    sim.faults.fail_next(2, status=500, path="/sendEdoc", after_processing=True)
    report = work(province, receive=False)
    assert report.sent == 0 and report.errors == ["server_error"]
    assert sim.faults.seen.count("/sendEdoc") == 2  # the client's own immediate retry
    assert outbox.flush(now=utcnow() + timedelta(hours=1)).sent == 1
    row = db.session.scalar(select(ExchangeMessage))
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1
    work(ward)
    assert len(_incoming(ward)) == 1
    work(province)
    assert _codes(delivery_id) == ["01"]


def test_the_same_document_arriving_twice_makes_one(province, ward, sealed_pdf, sim):
    """The sender sends the same packet again as a new axis message (another message id): B
    applies both messages, keeps one document, and says 01 once."""
    from edoc.exchange.models import ExchangeMessage
    from edoc.exchange.outbox import read_raw
    from edoc.extensions import db

    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    work(province)
    sent = read_raw(db.session.scalar(select(ExchangeMessage)))
    sim.client(sim.province).send(sent, message_id="resent-by-hand")
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 2
    work(ward)
    assert len(_incoming(ward)) == 1
    with ward.ctx():
        rows = db.session.scalars(select(ExchangeMessage).where(
            ExchangeMessage.direction == "in").order_by(ExchangeMessage.id)).all()
        assert [(r.state, r.ack_state, r.document_id) for r in rows] == [
            ("processed", "done", rows[0].document_id)] * 2
        assert rows[1].info["duplicate_of"] == rows[0].document_id
    work(province)
    assert _codes(delivery_id) == ["01"]
