"""``flask exchange`` commands, credentials at rest, the directory sync and the demo hooks."""
from __future__ import annotations

from sqlalchemy import select, text

from .conftest import PROVINCE_ORGAN, WARD_ORGAN, dispatch_to, sealed_decision
from .test_bad_input import BAD, document


def test_validate_command(runner, exchange_app, tmp_path):
    good = tmp_path / "good.edxml"
    good.write_bytes(document())
    result = runner.invoke(args=["exchange", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VALID edoc")
    assert "21/QĐ-UBND" in result.output and "21-QD-UBND.pdf (application/pdf" in result.output

    bomb = tmp_path / "bomb.edxml"
    bomb.write_bytes(BAD["entity_bomb"][0])
    result = runner.invoke(args=["exchange", "validate", str(bomb)])
    assert result.exit_code == 1
    assert result.output.startswith("INVALID dtd_forbidden")


def test_sync_command_sends_and_receives(runner, province, sealed_pdf, sim):
    doc = sealed_decision(province, sealed_pdf)
    dispatch_to(province, doc, WARD_ORGAN)
    result = runner.invoke(args=["exchange", "sync"])
    assert result.exit_code == 0, result.output
    assert "jobs=1 sent=1" in result.output
    assert len(sim.client(sim.ward).list_received(message_type="edoc")) == 1


def test_sync_reports_an_unreachable_axis(runner, province, sim):
    sim.stop()
    result = runner.invoke(args=["exchange", "sync"])
    assert result.exit_code == 0
    assert f"error: {PROVINCE_ORGAN}: connection_failed" in result.output


def test_credentials_are_encrypted_at_rest(runner, province, sim, db, monkeypatch):
    from edoc.exchange.credentials import credentials_for
    from edoc.exchange.models import AxisAccount

    monkeypatch.setenv("NEW_AXIS_SECRET", "s3cr3t-rotated-value")
    result = runner.invoke(args=["exchange", "credentials", PROVINCE_ORGAN, "--system-id",
                                 "edoc.phutho.tinh", "--secret-env", "NEW_AXIS_SECRET"])
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output
    stored = db.session.execute(text("SELECT secret_encrypted FROM exchange_axis_accounts")
                                ).scalar_one()
    assert "s3cr3t" not in stored
    account = db.session.scalar(select(AxisAccount))
    assert "s3cr3t" not in repr(account)
    creds = credentials_for(province.agency())
    assert (creds.system_id, creds.secret, creds.source) == (
        "edoc.phutho.tinh", "s3cr3t-rotated-value", "database")
    assert "s3cr3t" not in repr(creds)
    # The axis now refuses the new secret: polling says so without leaking it.
    result = runner.invoke(args=["exchange", "sync"])
    assert "bad_signature" in result.output and "s3cr3t" not in result.output


def test_config_credentials_for_a_single_agency(province, sim, exchange_app, db):
    from edoc.exchange.credentials import credentials_for
    from edoc.exchange.models import AxisAccount

    db.session.query(AxisAccount).delete()
    db.session.commit()
    assert credentials_for(province.agency()) is None
    exchange_app.config.update(AXIS_SYSTEM_ID=sim.province.system_id,
                               AXIS_SECRET=sim.province.secret)
    creds = credentials_for(province.agency())
    assert creds.source == "config" and creds.system_id == sim.province.system_id
    exchange_app.config["AXIS_ORGAN_ID"] = "000.00.01.H99"
    assert credentials_for(province.agency()) is None


def test_directory_sync_adds_axis_agencies(runner, province, sim, db):
    from connectors.simulator import Agency as SimAgency
    from edoc.auth.models import Agency

    sim.store().upsert_agencies([SimAgency(organ_id="000.00.12.H44", name="Sở Nội vụ tỉnh Phú Thọ",
                                           system_id="edoc.phutho.snv", secret="x" * 32,
                                           parent_id=PROVINCE_ORGAN)])
    result = runner.invoke(args=["exchange", "sync", "--directory"])
    assert result.exit_code == 0, result.output
    added = db.session.scalar(select(Agency).where(Agency.organ_id == "000.00.12.H44"))
    assert added is not None and not added.hosted and added.name == "Sở Nội vụ tỉnh Phú Thọ"
    assert added.parent_id == province.agency_id
    hosted = db.session.scalar(select(Agency).where(Agency.organ_id == PROVINCE_ORGAN))
    assert hosted.hosted and hosted.name == "UBND tỉnh Phú Thọ"  # never changed by the sync


def test_demo_hooks_register_the_simulator_agencies(exchange_app, db, tmp_path):
    """``make run``: prepare registers both demo agencies in the simulator's database with
    stable secrets, the seeder gives the demo agencies the same credentials."""
    from connectors.simulator import SimulatorStore
    from edoc.demo import seed_demo
    from edoc.exchange import demo
    from edoc.exchange.credentials import credentials_for

    exchange_app.instance_path = str(tmp_path / "instance")
    exchange_app.config["AXIS_URL"] = "http://127.0.0.1:5999"
    assert demo.prepare in exchange_app.extensions["edoc.demo_prepare"]
    assert demo.start in exchange_app.extensions["edoc.demo_background"]
    demo.prepare(exchange_app)
    demo.prepare(exchange_app)  # idempotent
    sim_agencies = {a.organ_id: a for a in SimulatorStore(tmp_path / "instance" /
                                                          "axis.sqlite3").agencies()}
    assert set(sim_agencies) == {PROVINCE_ORGAN, WARD_ORGAN}
    seeded = seed_demo("demo-password-1")
    db.session.commit()
    for party in (seeded.province, seeded.ward):
        creds = credentials_for(party.agency)
        assert creds.secret == sim_agencies[party.agency.organ_id].secret


def test_demo_background_runs_the_simulator_and_the_worker(exchange_app, db, tmp_path,
                                                           sealed_pdf):
    """``make run``: the simulator as a process on AXIS_URL's port, the worker in a thread, and
    the demo province's document reaching the demo ward (both hosted here) through it."""
    import socket
    import time

    from edoc.demo import seed_demo
    from edoc.documents.models import Delivery, Document
    from edoc.exchange import demo

    from .conftest import Party

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exchange_app.instance_path = str(tmp_path / "instance")
    exchange_app.config["AXIS_URL"] = f"http://127.0.0.1:{port}"
    demo.prepare(exchange_app)
    seeded = seed_demo("demo-password-1")
    db.session.commit()
    province = Party(exchange_app, seeded.province.agency.id, PROVINCE_ORGAN,
                     {"leader": seeded.province.users["lanhdao"].id,
                      "clerk": seeded.province.users["vanthu"].id})
    doc = sealed_decision(province, sealed_pdf)
    delivery_id = dispatch_to(province, doc, WARD_ORGAN).id
    ward_id = seeded.ward.agency.id
    db.session.commit()
    stop = demo.start(exchange_app)
    try:
        deadline = time.monotonic() + 60
        while True:
            db.session.rollback()
            received = db.session.scalar(select(Document).where(
                Document.agency_id == ward_id, Document.direction == "incoming",
                Document.received_via == "axis"))
            status = db.session.get(Delivery, delivery_id).status
            db.session.commit()
            if received is not None and status == "01":
                break
            assert time.monotonic() < deadline, f"not exchanged in time (delivery {status})"
            time.sleep(0.2)
    finally:
        stop()
    assert not demo._listening("127.0.0.1", port)  # the simulator process was stopped


def test_outgoing_envelopes_can_carry_an_xml_signature(exchange_app, exchange_ca, tmp_path):
    """AXIS_SIGN_XML: the envelope is signed (enveloped XML-DSig) with the configured key."""
    from cryptography.hazmat.primitives import serialization

    from connectors.edxml import parse_message, verify_envelope
    from edoc.exchange.envelope import build

    issued = exchange_ca.issue("Văn thư UBND tỉnh Phú Thọ", organization="UBND tỉnh Phú Thọ")
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_file.write_bytes(issued.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"mat-khau-xml")))
    cert_file.write_bytes(issued.certificate_pem)
    exchange_app.config.update(AXIS_SIGN_XML=True, AXIS_XML_KEY_FILE=str(key_file),
                               AXIS_XML_CERT_FILE=str(cert_file),
                               AXIS_XML_KEY_PASSPHRASE="mat-khau-xml")
    msg = parse_message(document())
    signed = build(msg)
    assert parse_message(signed).has_signature
    verified = verify_envelope(signed, cert=issued.certificate_pem)
    assert "Văn thư UBND tỉnh Phú Thọ" in verified.subject
