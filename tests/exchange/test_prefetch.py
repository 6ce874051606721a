"""Receiving a long inbox with the fetching and parsing done by a worker process: the same
outcome as with threads (documents, refusals, acknowledgements), the bytes pre-stored by the
worker, and a transport error in the worker reaching the poller."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import select

from tests.exchange.conftest import PROVINCE_ORGAN, WARD_ORGAN, make_app, setup_party


def _envelope(pdf: bytes, number: int) -> bytes:
    from connectors.edxml import (
        Attachment,
        DocumentCode,
        EdocMessage,
        Organization,
        PromulgationInfo,
        build_document,
        make_document_id,
    )

    date = dt.date(2025, 3, 5)
    code = DocumentCode(number=str(number), notation="QĐ-UBND")
    return build_document(EdocMessage(
        sender=Organization(organ_id=PROVINCE_ORGAN, name="UBND tỉnh Phú Thọ"),
        receivers=(Organization(organ_id=WARD_ORGAN, name="UBND phường Vĩnh Phúc"),),
        document_id=make_document_id(PROVINCE_ORGAN, date, code), code=code,
        promulgation=PromulgationInfo(place="Phú Thọ", date=date),
        subject=f"Về việc phê duyệt Kế hoạch số {number}",
        attachments=(Attachment(name=f"{number}-QD-UBND.pdf", content_type="application/pdf",
                                data=pdf),)))


def _put(sim, body: bytes) -> None:
    sha = hashlib.sha256(body).hexdigest()
    sim.store().add_message(
        sender_system=sim.province.system_id, sender_organ=PROVINCE_ORGAN,
        client_message_id=uuid.uuid4().hex, message_type="edoc", document_id="", title="",
        notation="", received_sha256=sha, body=body, body_sha256=sha, receivers=[WARD_ORGAN],
        now=dt.datetime.now(dt.UTC))


@pytest.fixture
def ward_fs(tmp_path, sim, config_overrides, monkeypatch):
    """The ward on a filesystem store (which worker processes can fill), one worker process,
    worker processes used from the first message."""
    from edoc.exchange import prefetch

    monkeypatch.setattr(prefetch, "PROCESS_BATCH", 1)
    app = make_app(tmp_path, "ward", {
        **config_overrides, "AXIS_URL": sim.base_url, "AXIS_PREFETCH_PROCESSES": 1,
        "STORAGE_BACKEND": "filesystem", "ALLOW_FILESYSTEM_STORE": True})
    party = setup_party(app, organ_id=WARD_ORGAN, name="UBND phường Vĩnh Phúc",
                        other=(PROVINCE_ORGAN, "UBND tỉnh Phú Thọ"), sim_agency=sim.ward,
                        own_context=True)
    yield party
    prefetch.shutdown_pools()
    with app.app_context():
        from edoc.extensions import db

        db.engine.dispose()


def _poll(party):
    from edoc.exchange.client import client_for
    from edoc.exchange.poller import poll

    with party.ctx(), client_for(party.agency()) as client:
        return poll(party.agency(), client, kinds=("edoc",))


def test_worker_process_fetches_parses_and_prestores(ward_fs, sim, sealed_pdf):
    from edoc.documents.models import Document
    from edoc.exchange import prefetch
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db
    from edoc.storage import get_store
    from edoc.storage.base import key_for

    good = [_envelope(sealed_pdf, n) for n in (1, 2)]
    broken = good[0].replace(b"<edXML:Subject>", b"<edXML:Subject><broken>", 1)
    for body in (good[0], broken, good[1]):
        _put(sim, body)
    report = _poll(ward_fs)
    assert len(prefetch._pools) == 1  # the worker process did the fetching
    assert (report.received, report.rejected, report.errors, report.acknowledged) == (2, 1, 0, 3)
    with ward_fs.ctx():
        rows = db.session.scalars(select(ExchangeMessage).where(
            ExchangeMessage.direction == "in").order_by(ExchangeMessage.id)).all()
        assert [(r.state, r.ack_state) for r in rows] == [
            ("processed", "done"), ("rejected", "fail"), ("processed", "done")]
        assert rows[1].error_code == "xml_malformed"
        docs = db.session.scalars(select(Document).where(
            Document.agency_id == ward_fs.agency_id)).all()
        assert len(docs) == 2
        store = get_store()
        for body in good:  # raw packages and the PDF, written once by the worker
            assert store.stat(key_for(hashlib.sha256(body).hexdigest())).size == len(body)
        assert store.stat(key_for(hashlib.sha256(sealed_pdf).hexdigest())).size == len(sealed_pdf)
    assert sim.client(sim.ward).list_received(message_type="edoc") == ()
    # Polled again: nothing left, nothing applied twice.
    assert _poll(ward_fs).received == 0


def test_transport_error_in_the_worker_reaches_the_poller(ward_fs, sim, sealed_pdf):
    from connectors import TransportError
    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    _put(sim, _envelope(sealed_pdf, 1))
    sim.faults.fail_next(10, status=503, path="/getEdoc")
    with pytest.raises(TransportError) as caught:
        _poll(ward_fs)
    assert caught.value.code == "server_error" and caught.value.http_status == 503
    with ward_fs.ctx():
        assert db.session.scalars(select(ExchangeMessage)).all() == []
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1


def test_the_worker_captures_the_main_file_and_the_apply_uses_it(ward_fs, sim, sealed_pdf,
                                                                  monkeypatch):
    """The type checks, the text and the suggestion come from the worker process: the applying
    process does not capture the file again (its capture is made to fail here), and the
    document holds what a capture in place would have given."""
    from edoc.capture import capture
    from edoc.documents.incoming import capture as capture_module
    from edoc.documents.models import Document, DocumentText
    from edoc.extensions import db

    def no_capture(*_args, **_kwargs):
        raise AssertionError("captured again in the applying process")

    monkeypatch.setattr(capture_module, "capture", no_capture)
    _put(sim, _envelope(sealed_pdf, 7))
    report = _poll(ward_fs)
    assert (report.received, report.rejected, report.errors) == (1, 0, 0)
    expected = capture(sealed_pdf, "7-QD-UBND.pdf")
    with ward_fs.ctx():
        doc = db.session.scalars(select(Document).where(
            Document.agency_id == ward_fs.agency_id)).one()
        assert doc.pages == expected.page_count
        assert db.session.get(DocumentText, doc.id).content == expected.extract.text
        assert [(f.kind, f.sha256) for f in doc.files] == [("original", expected.sha256)]


def test_capture_and_store_returns_once_every_object_is_stored(tmp_path):
    """The capture runs while two threads put the package and the attachment: when it
    returns, both are stored and synced (marked done), and the capture is the one made in
    place."""
    from pathlib import Path

    from connectors.edxml import DEFAULT_CONFIG, parse_message
    from edoc.capture import capture
    from edoc.exchange import prefetch
    from edoc.storage.base import key_for
    from edoc.storage.filesystem import FilesystemStore

    data = (Path(__file__).parents[1] / "data" / "edxml" / "doc_new.edxml").read_bytes()
    parsed = parse_message(data, config=DEFAULT_CONFIG)
    store = FilesystemStore(tmp_path / "objects")
    captured = prefetch.capture_and_store(store, data, parsed)
    main = parsed.attachments[0]
    assert captured == capture(main.data, main.name)
    for body in (data, main.data):
        path = store.root / key_for(hashlib.sha256(body).hexdigest())
        assert path.read_bytes() == body and path.stat().st_mode & 0o777 == 0o444
    assert prefetch.capture_and_store(None, data, parsed) == captured


def test_a_new_document_costs_no_row_update_and_no_reload(ward_fs, sim, sealed_pdf):
    """The inbox row of a new document is inserted once, already pointing at its document (not
    inserted, then updated), and the poller acknowledges from what it read before the commit
    (the committed row is not loaded again)."""
    from sqlalchemy import event

    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    _put(sim, _envelope(sealed_pdf, 11))
    statements: list[str] = []
    with ward_fs.ctx():
        engine = db.engine

    def log(_conn, _cursor, stmt, *_args):
        statements.append(" ".join(stmt.split()))

    event.listen(engine, "before_cursor_execute", log)
    try:
        report = _poll(ward_fs)
    finally:
        event.remove(engine, "before_cursor_execute", log)
    assert (report.received, report.acknowledged) == (1, 1)
    inserts = [s for s in statements if s.startswith("INSERT INTO exchange_messages")]
    assert len(inserts) == 2  # the message and its status 01 reply
    updates = [s for s in statements if s.startswith("UPDATE exchange_messages")]
    assert len(updates) == 1 and "ack_state" in updates[0]  # only the acknowledgement
    reloads = [s for s in statements if s.startswith("SELECT exchange_messages.id, "
                                                     "exchange_messages.agency_id")]
    assert reloads == []
    with ward_fs.ctx():
        row = db.session.scalar(select(ExchangeMessage).where(ExchangeMessage.direction == "in"))
        assert (row.state, row.ack_state) == ("processed", "done") and row.document_id


def test_the_worker_checks_the_signatures_and_the_check_comes_with_the_document(
        ward_fs, sim, sealed_pdf):
    """The prefetch process verifies the PDF it holds: the check is recorded in the document's
    own transaction (valid against the configured trust), and no check job is queued."""
    from edoc.documents.models import Document, FileKind
    from edoc.extensions import db
    from edoc.jobs.models import Job
    from edoc.signatures.models import SignatureCheck

    _put(sim, _envelope(sealed_pdf, 21))
    assert _poll(ward_fs).received == 1
    with ward_fs.ctx():
        doc = db.session.scalar(select(Document))
        checks = db.session.scalars(select(SignatureCheck)).all()
        assert [c.document_file_id for c in checks] == [doc.current_file(FileKind.ORIGINAL).id]
        assert checks[0].verdict == "valid"
        assert len(checks[0].report["signatures"]) == 2
        kinds = db.session.scalars(select(Job.kind)).all()
        assert "documents.verify_signatures" not in kinds


def test_a_report_about_other_bytes_is_not_recorded(app, db, factories):
    """A report made ahead counts only for the very bytes it checked: otherwise the job is
    queued, as for any received PDF."""
    from edoc.documents.incoming.capture import capture_incoming
    from edoc.jobs.models import Job
    from edoc.signatures.models import SignatureCheck
    from edoc.signatures.verification import Prechecked
    from tests.incoming.helpers import pdf_bytes

    agency = factories.agency()
    forged = Prechecked("0" * 64, {"verdict": "valid", "signatures": [], "reasons": []})
    capture_incoming(agency.id, pdf_bytes(), "a.pdf", {}, checked=forged)
    db.session.commit()
    assert db.session.scalars(select(SignatureCheck)).all() == []
    assert db.session.scalars(select(Job.kind)).all().count("documents.verify_signatures") == 1
