"""AxisClient against the real simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import time

import pytest
import urllib3

from connectors.client import AxisClient
from connectors.edxml import (
    DocumentCode,
    EnvelopeInvalid,
    Organization,
    build_document,
    build_status,
    parse_message,
    sign_envelope,
    verify_envelope,
)
from connectors.errors import RemoteRejected, TransportError
from connectors.protocol import AxisPaths, AxisProtocol, sign_request
from connectors.simulator.testing import start

from .samples import PROVINCE, WARD, new_document, status_message


def _doc(sim, **changes):
    fields = {
        "sender": dataclasses.replace(PROVINCE, organ_id=sim.province.organ_id),
        "receivers": (dataclasses.replace(WARD, organ_id=sim.ward.organ_id),),
        **changes,
    }
    msg = dataclasses.replace(new_document(), **fields)
    return msg, build_document(msg)


def _raw_post(sim, agency, path, body, *, headers=None):
    headers = headers or sign_request(
        protocol=AxisProtocol(),
        method="POST",
        path=path,
        body=body,
        system_id=agency.system_id,
        secret=agency.secret,
        timestamp=int(time.time()),
    )
    response = urllib3.request(
        "POST",
        sim.base_url + path,
        body=body,
        headers={"Content-Type": "application/json", **headers},
        retries=False,
        timeout=10,
    )
    return response.status, response.json() if response.data[:1] == b"{" else response.data


def test_send_list_fetch_and_ack_done(sim):
    msg, data = _doc(sim)
    province, ward = sim.client(sim.province), sim.client(sim.ward)
    receipt = province.send(data)
    assert not receipt.duplicate and receipt.message_id == hashlib.sha256(data).hexdigest()

    (item,) = ward.list_received()
    assert (item.sender, item.receiver, item.status, item.message_type) == (
        sim.province.organ_id,
        sim.ward.organ_id,
        "initial",
        "edoc",
    )
    assert province.list_received() == ()  # nothing for the sender

    body = ward.fetch(item.doc_id)
    assert hashlib.sha256(body).hexdigest() == item.content_sha256
    assert len(body) == item.content_length
    received = parse_message(body)
    # the hub appended its own TraceHeader (a Timestamp only, like the VXP hub)
    assert received.trace_headers[:-1] == msg.trace_headers
    assert received.trace_headers[-1].organ_id == ""
    assert received.trace_headers[-1].timestamp is not None
    assert dataclasses.replace(received, trace_headers=msg.trace_headers) == msg

    ward.ack_done(item.doc_id)
    assert ward.list_received() == ()
    (sent,) = province.list_sent()
    assert sent.sender_doc_id == receipt.doc_id and sent.receiver_doc_id == item.doc_id
    assert (sent.receive_status, sent.to_code, sent.title) == (
        "done",
        sim.ward.organ_id,
        msg.subject,
    )
    assert sent.notation == "15/QĐ-UBND" and sent.document_id == msg.document_id
    assert sent.received_at is not None
    assert province.list_sent(doc_id=receipt.doc_id) == (sent,)
    assert province.list_sent(doc_id="no-such-id") == ()


def test_ack_fail_and_processing(sim):
    _, data = _doc(sim)
    province, ward = sim.client(sim.province), sim.client(sim.ward)
    province.send(data)
    (item,) = ward.list_received()
    ward.acknowledge(item.doc_id, "processing")
    (still,) = ward.list_received()
    assert still.status == "processing"
    ward.ack_fail(item.doc_id, description="Không giải nén được tệp đính kèm")
    assert ward.list_received() == ()
    (sent,) = province.list_sent()
    assert sent.receive_status == "fail"
    assert sent.receive_status_desc == "Không giải nén được tệp đính kèm"
    ward.ack_fail(item.doc_id)  # repeating a final status is harmless
    with pytest.raises(RemoteRejected) as exc:
        ward.ack_done(item.doc_id)
    assert (exc.value.code, exc.value.http_status) == ("already_acknowledged", 409)
    with pytest.raises(ValueError):
        ward.acknowledge(item.doc_id, "finished")


def test_message_stays_until_acked_and_survives_restart(sim):
    _, data = _doc(sim)
    receipt = sim.client(sim.province).send(data)
    (item,) = sim.client(sim.ward).list_received()

    sim.restart()
    ward = sim.client(sim.ward)
    assert ward.list_received() == (item,)
    assert parse_message(ward.fetch(item.doc_id)).document_id == new_document().document_id
    ward.ack_done(item.doc_id)

    sim.restart()
    assert sim.client(sim.ward).list_received() == ()
    (sent,) = sim.client(sim.province).list_sent()
    assert (sent.sender_doc_id, sent.receive_status) == (receipt.doc_id, "done")
    # the dedup memory survived the restart too
    assert sim.client(sim.province).send(data).duplicate


def test_duplicate_send_is_deduplicated(sim):
    _, data = _doc(sim)
    province = sim.client(sim.province)
    first = province.send(data)
    again = province.send(data)
    assert again.duplicate and again.doc_id == first.doc_id
    assert len(sim.client(sim.ward).list_received()) == 1
    # the same stable id with other content is a client bug, not a duplicate
    _, other = _doc(sim, subject="Nội dung khác")
    with pytest.raises(RemoteRejected) as exc:
        province.send(other, message_id=first.message_id)
    assert (exc.value.code, exc.value.http_status) == ("message_id_conflict", 409)
    # an explicit id (e.g. the app's outbox id) dedupes a rebuilt message
    a = province.send(other, message_id="outbox-42")
    b = province.send(other, message_id="outbox-42")
    assert b.duplicate and a.doc_id == b.doc_id
    assert len(sim.client(sim.ward).list_received()) == 2


def test_agency_directory(sim):
    agencies = sim.client(sim.ward).agencies()
    assert {(a.organ_id, a.name) for a in agencies} == {
        (sim.province.organ_id, "UBND tỉnh Phú Thọ"),
        (sim.ward.organ_id, "UBND phường Vĩnh Phúc"),
    }
    ward = next(a for a in agencies if a.organ_id == sim.ward.organ_id)
    assert ward.parent_id == sim.province.organ_id
    status, raw = _raw_post(sim, sim.ward, "/getAgenciesList", b"{}")
    assert status == 200
    assert sim.province.secret not in json.dumps(raw) and "secret" not in json.dumps(raw)


def test_bad_hmac_is_refused_without_retry(sim):
    _, data = _doc(sim)
    wrong = AxisClient(sim.base_url, sim.province.system_id, "not-the-secret", backoff=0.001)
    with pytest.raises(RemoteRejected) as exc:
        wrong.send(data)
    assert (exc.value.code, exc.value.http_status) == ("bad_signature", 401)
    assert sim.faults.seen == ["/sendEdoc"]  # a 4xx is not retried
    unknown = AxisClient(sim.base_url, "no.such.system", "x", backoff=0.001)
    with pytest.raises(RemoteRejected) as exc:
        unknown.agencies()
    assert (exc.value.code, exc.value.http_status) == ("unknown_system", 401)
    status, reply = _raw_post(sim, sim.ward, "/getAgenciesList", b"{}", headers={"x": "y"})
    assert (status, reply["ErrorCode"]) == (401, "auth_missing")
    assert sim.client(sim.ward).list_received() == ()  # nothing was stored


def test_replayed_request_is_refused(sim):
    body = b'{"messagetype":"edoc"}'
    headers = sign_request(
        protocol=AxisProtocol(),
        method="POST",
        path="/getReceivedEdocList",
        body=body,
        system_id=sim.ward.system_id,
        secret=sim.ward.secret,
        timestamp=int(time.time()),
    )
    assert _raw_post(sim, sim.ward, "/getReceivedEdocList", body, headers=headers)[0] == 200
    status, reply = _raw_post(sim, sim.ward, "/getReceivedEdocList", body, headers=headers)
    assert (status, reply["ErrorCode"]) == (401, "replayed")
    # the same signature cannot be moved to another body either
    status, reply = _raw_post(
        sim, sim.ward, "/getReceivedEdocList", b'{"messagetype":"status"}', headers=headers
    )
    assert (status, reply["ErrorCode"]) == (401, "body_hash_mismatch")


@pytest.mark.parametrize("skew", [-1000, 1000])
def test_expired_or_future_timestamp_is_refused(sim, skew):
    client = sim.client(sim.ward, clock=lambda: time.time() + skew)
    with pytest.raises(RemoteRejected) as exc:
        client.list_received()
    assert (exc.value.code, exc.value.http_status) == ("timestamp_expired", 401)


def test_retries_on_5xx_with_backoff(sim):
    _, data = _doc(sim)
    sleeps: list[float] = []
    client = sim.client(sim.province, backoff=0.01, sleep=sleeps.append)
    sim.faults.fail_next(2, status=503, path="/sendEdoc")
    receipt = client.send(data)
    assert not receipt.duplicate
    assert sleeps == [0.01, 0.02]  # exponential
    assert sim.faults.seen == ["/sendEdoc"] * 3
    assert len(sim.client(sim.ward).list_received()) == 1


def test_retry_after_a_failure_past_commit_is_deduplicated(sim):
    _, data = _doc(sim)
    client = sim.client(sim.province, sleep=lambda s: None)
    sim.faults.fail_next(1, status=502, path="/sendEdoc", after_processing=True)
    receipt = client.send(data)
    assert receipt.duplicate  # stored by the first attempt, found again by the retry
    assert len(sim.client(sim.ward).list_received()) == 1


def test_gives_up_after_the_configured_retries(sim):
    sleeps: list[float] = []
    client = sim.client(sim.ward, retries=2, backoff=0.5, max_backoff=0.75, sleep=sleeps.append)
    sim.faults.fail_next(10, status=500)
    with pytest.raises(TransportError) as exc:
        client.list_received()
    assert (exc.value.code, exc.value.http_status) == ("server_error", 500)
    assert exc.value.details["attempts"] == 3
    assert sleeps == [0.5, 0.75]  # capped by max_backoff


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_retried_until_the_axis_is_up(sim):
    sim.stop()
    port = _free_port()
    started: list = []

    def sleep(seconds):
        if not started:  # the axis comes up during the first backoff
            started.append(start(str(sim.db_path), (), port=port))

    client = AxisClient(
        f"http://127.0.0.1:{port}", sim.ward.system_id, sim.ward.secret, backoff=0.001, sleep=sleep
    )
    try:
        assert client.list_received() == ()
        assert len(started) == 1
    finally:
        for _, stop in started:
            stop()


def test_connection_refused_gives_up(sim):
    port = _free_port()
    sleeps: list[float] = []
    client = AxisClient(
        f"http://127.0.0.1:{port}",
        "s",
        "x",
        retries=3,
        backoff=0.01,
        sleep=sleeps.append,
        connect_timeout=2,
    )
    with pytest.raises(TransportError) as exc:
        client.agencies()
    assert exc.value.code == "connection_failed"
    assert exc.value.details["attempts"] == 4
    assert sleeps == [0.01, 0.02, 0.04]


def test_fetching_someone_elses_message_is_refused(sim):
    _, data = _doc(sim)
    sim.client(sim.province).send(data)
    (item,) = sim.client(sim.ward).list_received()
    with pytest.raises(RemoteRejected) as exc:
        sim.client(sim.province).fetch(item.doc_id)
    assert (exc.value.code, exc.value.http_status) == ("not_found", 404)
    assert sim.faults.seen.count("/getEdoc") == 1
    with pytest.raises(RemoteRejected) as exc:
        sim.client(sim.province).ack_done(item.doc_id)
    assert exc.value.http_status == 404


def test_sender_must_be_the_authenticated_agency(sim):
    _, data = _doc(sim)  # From = province
    with pytest.raises(RemoteRejected) as exc:
        sim.client(sim.ward).send(data)
    assert (exc.value.code, exc.value.http_status) == ("sender_mismatch", 403)


def test_unregistered_receiver_is_refused(sim):
    _, data = _doc(sim, receivers=(Organization(organ_id="000.00.77.H44"),))
    with pytest.raises(RemoteRejected) as exc:
        sim.client(sim.province).send(data)
    assert (exc.value.code, exc.value.http_status) == ("unknown_receiver", 422)


def test_invalid_envelopes_are_refused_on_both_sides(sim):
    client = sim.client(sim.province)
    with pytest.raises(EnvelopeInvalid) as exc:
        client.send(b"<edXML/>")
    assert exc.value.code == "wrong_namespace"
    assert sim.faults.seen == []  # never sent
    unchecked = sim.client(sim.province, validate=False)
    with pytest.raises(RemoteRejected) as exc:
        unchecked.send(b"<edXML", message_type="edoc")
    assert (exc.value.code, exc.value.http_status) == ("xml_malformed", 400)
    _, data = _doc(sim)
    with pytest.raises(RemoteRejected) as exc:
        unchecked.send(data, message_type="status")
    assert exc.value.code == "message_type_mismatch"
    with pytest.raises(EnvelopeInvalid):
        client.send(data, message_type="status")


def test_status_messages_go_back_to_the_sender(sim):
    _, data = _doc(sim)
    province, ward = sim.client(sim.province), sim.client(sim.ward)
    province.send(data)
    status = dataclasses.replace(
        status_message("03"),
        sender=dataclasses.replace(WARD, organ_id=sim.ward.organ_id),
        response_for=dataclasses.replace(
            status_message("03").response_for, organ_id=sim.province.organ_id
        ),
    )
    ward.send(build_status(status))
    assert province.list_received() == ()  # documents only by default
    (item,) = province.list_received(message_type="status")
    received = parse_message(province.fetch(item.doc_id))
    assert received.status_code == "03"
    assert received.referenced_document_id == new_document().document_id
    province.ack_done(item.doc_id)
    (sent,) = ward.list_sent(message_type="status")
    assert sent.receive_status == "done" and sent.notation == "15/QĐ-UBND"


def test_take_back_request_needs_an_explicit_receiver(sim):
    province, ward = sim.client(sim.province), sim.client(sim.ward)
    take_back = dataclasses.replace(
        status_message("13"),
        sender=dataclasses.replace(PROVINCE, organ_id=sim.province.organ_id),
        response_for=dataclasses.replace(
            status_message("13").response_for, organ_id=sim.province.organ_id
        ),
    )
    data = build_status(take_back)
    with pytest.raises(RemoteRejected) as exc:
        province.send(data)
    assert (exc.value.code, exc.value.http_status) == ("no_receiver", 422)
    province.send(data, to=(sim.ward.organ_id,))
    (item,) = ward.list_received(message_type="status")
    assert parse_message(ward.fetch(item.doc_id)).status_code == "13"
    # a document's explicit receivers must be among its To
    _, doc = _doc(sim)
    with pytest.raises(RemoteRejected) as exc:
        province.send(doc, to=(sim.province.organ_id,))
    assert exc.value.code == "receiver_not_in_message"


def test_signed_messages_are_routed_untouched(sim, pki):
    _, data = _doc(sim)
    signed = sign_envelope(data, key=pki.key_pem, cert=pki.cert_pem)
    sim.client(sim.province).send(signed)
    ward = sim.client(sim.ward)
    (item,) = ward.list_received()
    body = ward.fetch(item.doc_id)
    assert body == signed  # no TraceHeader appended: it would break the signature
    verify_envelope(body, ca_pem_file=pki.ca_file)


def test_custom_paths_on_both_sides(tmp_path, sim):
    protocol = AxisProtocol(
        paths=AxisPaths(
            send="/v1/vanbans",
            list_received="/v1/inbox",
            fetch="/v1/fetch",
            update_status="/v1/ack",
            list_sent="/v1/sent",
            agencies="/v1/donvis",
        )
    )
    url, stop = start(str(tmp_path / "custom.sqlite3"), (sim.province, sim.ward), protocol=protocol)
    try:
        client = AxisClient(url, sim.ward.system_id, sim.ward.secret, protocol=protocol)
        assert len(client.agencies()) == 2
        default = AxisClient(url, sim.ward.system_id, sim.ward.secret, retries=0)
        with pytest.raises(RemoteRejected) as exc:
            default.agencies()
        assert exc.value.http_status == 404
    finally:
        stop()


def test_base_url_with_a_path_prefix(tmp_path, sim):
    import threading

    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import make_server

    from connectors.simulator import create_simulator_app

    app = create_simulator_app(str(tmp_path / "p.sqlite3"), agencies=(sim.province, sim.ward))
    mounted = DispatcherMiddleware(lambda e, s: s("404 NOT FOUND", []) or [b""], {"/axis": app})
    server = make_server("127.0.0.1", 0, mounted, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        client = AxisClient(
            f"http://127.0.0.1:{server.server_port}/axis/", sim.ward.system_id, sim.ward.secret
        )
        assert len(client.agencies()) == 2  # the signed path includes the prefix
    finally:
        server.shutdown()
        server.server_close()


def test_client_never_shows_its_secret(sim):
    client = sim.client(sim.ward)
    assert sim.ward.secret not in repr(client)
    assert sim.ward.secret not in repr(sim.ward)
    with pytest.raises(ValueError):
        AxisClient("ftp://example", "s", "x")


def test_document_code_helpers_used_by_the_sent_list():
    assert str(DocumentCode(number="15", notation="QĐ-UBND")) == "15/QĐ-UBND"
    assert str(DocumentCode(number="15")) == "15"
