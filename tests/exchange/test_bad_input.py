"""Hostile and broken messages arriving over the axis: each is refused with its reason kept on
the inbox row (with the raw package), acknowledged as ``fail`` on the axis, and nothing else is
created (no document, no file, no status reply)."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile

import pytest
from sqlalchemy import func, select

from connectors.edxml import (
    Attachment,
    DocumentCode,
    EdocMessage,
    Organization,
    PromulgationInfo,
    ResponseFor,
    StatusMessage,
    build_document,
    build_status,
    make_document_id,
)
from tests.connectors.samples import tiny_pdf
from tests.exchange.conftest import PROVINCE_ORGAN, WARD_ORGAN, work

PROVINCE = Organization(organ_id=PROVINCE_ORGAN, name="UBND tỉnh Phú Thọ")
WARD = Organization(organ_id=WARD_ORGAN, name="UBND phường Vĩnh Phúc")
DATE = dt.date(2025, 3, 5)


def document(*, to: Organization = WARD, data: bytes | None = None) -> bytes:
    code = DocumentCode(number="21", notation="QĐ-UBND")
    return build_document(EdocMessage(
        sender=PROVINCE, receivers=(to,), document_id=make_document_id(PROVINCE_ORGAN, DATE, code),
        code=code, subject="Về việc thử nghiệm gói tin", promulgation=PromulgationInfo(date=DATE),
        attachments=(Attachment(name="21-QD-UBND.pdf", content_type="application/pdf",
                                data=data or tiny_pdf("Quyet dinh 21")),)))


_PAYLOAD = re.compile(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]*)(<)")


def with_payload(raw: bytes) -> bytes:
    """The valid document with its attachment's base64 text replaced by ``raw``."""
    return _PAYLOAD.sub(lambda m: m.group(1) + raw + m.group(3), document(), count=1)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buf.getvalue()


_LOL = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))

BAD = {
    "malformed": (b'<?xml version="1.0"?><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
                  b"<edXML:edXMLEnvelope>", "xml_malformed"),
    "xxe": (b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML>',
            "dtd_forbidden"),
    "entity_bomb": (f'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY l0 "lol">{_LOL}]>\n'
                    '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&l9;</edXML>'
                    .encode(), "dtd_forbidden"),
    "wrong_namespace": (document().replace(b"http://www.mic.gov.vn/TBT/QCVN_102_2016",
                                           b"http://example.org/not-qcvn"), "wrong_namespace"),
    "missing_subject": (re.sub(rb"<edXML:Subject>[^<]*</edXML:Subject>", b"", document()),
                        "missing_field"),
    "missing_document_id": (re.sub(rb"<edXML:DocumentId>[^<]*</edXML:DocumentId>", b"",
                                   document(), count=1), "missing_field"),
    "broken_base64": (with_payload(b"!!!this is not base64***"), "attachment_base64_invalid"),
    "broken_zip": (with_payload(base64.b64encode(b"PK\x03\x04" + b"\x00garbage" * 40)),
                   "attachment_zip_invalid"),
    "zip_bomb": (with_payload(base64.b64encode(_zip({"a.pdf": b"\0" * (40 * 1024 * 1024)}))),
                 "attachment_zip_bomb"),
    "another_agency": (document(to=Organization(organ_id="000.00.99.H44", name="UBND xã khác")),
                       "not_addressed_to_us"),
    "not_a_pdf": (document(data=b"MZ\x90\x00 this is an executable, not a PDF" * 10),
                  "attachment_refused"),
}


def inject(sim, body: bytes, *, message_type: str = "edoc") -> str:
    """Put raw bytes into B's axis inbox as if A had sent them (the simulator itself refuses
    invalid messages at send, so they are written to its store directly)."""
    sha = hashlib.sha256(body).hexdigest()
    stored = sim.store().add_message(
        sender_system=sim.province.system_id, sender_organ=PROVINCE_ORGAN,
        client_message_id=uuid.uuid4().hex, message_type=message_type, document_id="",
        title="", notation="", received_sha256=sha, body=body, body_sha256=sha,
        receivers=[WARD_ORGAN], now=dt.datetime.now(dt.UTC))
    return stored.id


def _transport_status(sim, message_id: str) -> tuple[str, str]:
    rows = sim.store().sent(PROVINCE_ORGAN, "edoc", message_id) or \
        sim.store().sent(PROVINCE_ORGAN, "status", message_id)
    return rows[0].status, rows[0].description


def _counts(party) -> dict[str, int]:
    from edoc.documents.models import Document, DocumentFile
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    with party.ctx():
        return {
            "documents": db.session.scalar(select(func.count()).select_from(Document)),
            "files": db.session.scalar(select(func.count()).select_from(DocumentFile)),
            "outbox": db.session.scalar(select(func.count()).select_from(ExchangeMessage)
                                        .where(ExchangeMessage.direction == "out")),
        }


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_message_is_refused_with_reason_and_acked_fail(case, ward, sim):
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    body, code = BAD[case]
    message_id = inject(sim, body)
    report = work(ward)
    assert report.rejected == 1 and report.received == 0
    with ward.ctx():
        row = db.session.scalar(select(ExchangeMessage))
        assert (row.direction, row.state, row.error_code) == ("in", "rejected", code)
        assert row.ack_state == "fail" and row.acked_at is not None
        assert row.last_error
        from edoc.exchange.outbox import read_raw

        assert read_raw(row) == body  # the evidence is kept as received (plus nothing)
    assert _counts(ward) == {"documents": 0, "files": 0, "outbox": 0}
    status, description = _transport_status(sim, message_id)
    assert status == "fail" and description.startswith(code)
    # Nothing waits any more, and a second poll does not touch it again.
    assert sim.client(sim.ward).list_received(message_type="edoc") == ()
    assert work(ward).rejected == 0


def test_status_for_an_unknown_document_is_refused(ward, sim):
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    status = build_status(StatusMessage(
        sender=PROVINCE, response_for=ResponseFor(
            organ_id=WARD_ORGAN, code="99/QĐ-UBND", promulgation_date=DATE,
            document_id=f"{WARD_ORGAN},2025/03/05,99/QĐ-UBND"),
        status_code="03", timestamp=dt.datetime(2025, 3, 5, 9, 0, tzinfo=dt.UTC)))
    receipt = sim.client(sim.province).send(status)  # a real, valid status over the axis
    report = work(ward)
    assert report.rejected == 1
    with ward.ctx():
        row = db.session.scalar(select(ExchangeMessage))
        assert (row.kind, row.action, row.state, row.error_code, row.ack_state) == (
            "status", "03", "rejected", "unknown_document", "fail")
        assert row.edxml_document_id == f"{WARD_ORGAN},2025/03/05,99/QĐ-UBND"
    assert _counts(ward) == {"documents": 0, "files": 0, "outbox": 0}
    assert _transport_status(sim, receipt.doc_id)[0] == "fail"


def test_revocation_of_an_unknown_document_is_refused(ward, sim):
    from connectors.edxml import Business, BusinessType, parse_message

    msg = parse_message(document())
    from dataclasses import replace

    revoke = replace(msg, attachments=(), business=Business(
        business_type=BusinessType.REVOKE, reason="Thu hồi"))
    sim.client(sim.province).send(build_document(revoke))
    assert work(ward).rejected == 1
    assert _counts(ward) == {"documents": 0, "files": 0, "outbox": 0}


def test_sender_must_match_the_axis_sender(ward, sim):
    """A message whose From is another agency than the system that sent it."""
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    forged = document().replace(PROVINCE_ORGAN.encode(), b"000.00.77.H44", 1)
    inject(sim, forged)
    work(ward)
    with ward.ctx():
        assert db.session.scalar(select(ExchangeMessage.error_code)) == "sender_mismatch"
    assert _counts(ward)["documents"] == 0


def test_a_failure_on_our_side_is_retried_not_refused(ward, sim, monkeypatch):
    """The object store down while applying: the message stays on the axis (no ack), the row
    says ``error``, and the next poll applies it."""
    import edoc.documents.incoming.capture as capture_module
    from edoc.errors import ServiceUnavailable
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    inject(sim, document())

    original = capture_module.capture_incoming

    def store_down(*args, **kwargs):
        raise ServiceUnavailable(code="storage_unavailable")

    monkeypatch.setattr(capture_module, "capture_incoming", store_down)
    report = work(ward)
    assert (report.received, report.rejected, report.retry_later) == (0, 0, 1)
    with ward.ctx():
        row = db.session.scalar(select(ExchangeMessage))
        assert (row.state, row.error_code, row.ack_state, row.attempts) == (
            "error", "storage_unavailable", "", 1)
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1
    assert _counts(ward)["documents"] == 0

    monkeypatch.setattr(capture_module, "capture_incoming", original)
    work(ward)
    with ward.ctx():
        row = db.session.scalar(select(ExchangeMessage))
        assert (row.state, row.ack_state, row.attempts) == ("processed", "done", 2)
    assert _counts(ward)["documents"] == 1
    assert sim.client(sim.ward).list_received(message_type="edoc") == ()
