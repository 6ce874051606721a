"""The test PKI command and demo step, and the three key sources (PKCS#12, PKCS#11, remote)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from edoc.errors import EdocError
from tests.signatures.conftest import PASSPHRASE


def _credentials(db):
    from edoc.signatures.models import SigningCredential

    return db.session.scalars(select(SigningCredential).order_by(SigningCredential.id)).all()


def test_test_pki_command_is_idempotent_and_registers_credentials(app, runner, db, factories,
                                                                  tmp_path, agency, leader,
                                                                  clerk):
    from edoc.signatures.models import SignatureImage
    from edoc.signatures.verification import verify_pdf_bytes

    pki = tmp_path / "pki"
    app.config["SIGNING_TEST_PKI_DIR"] = str(pki)
    result = runner.invoke(args=["signing", "test-pki"])
    assert result.exit_code == 0, result.output
    assert "root CA: created" in result.output
    assert f"issued  agency:{agency.organ_id}" in result.output
    assert "issued  user:lanhdao" in result.output
    assert "user:vanthu" not in result.output  # clerks sign with the agency's key
    first = [(c.id, c.purpose, c.user_id, c.active) for c in _credentials(db)]
    assert sorted((p, u) for _, p, u, _ in first) == [("seal", None), ("signer", leader.id)]
    for name in ("root-ca.pem", "root-ca.p12", "root-ca.crl", "user-lanhdao.p12"):
        assert (pki / name).is_file()
    root_pem = (pki / "root-ca.pem").read_bytes()
    images = db.session.scalar(select(func.count(SignatureImage.id)))
    assert images == 2

    again = runner.invoke(args=["signing", "test-pki"])
    assert again.exit_code == 0, again.output
    assert "root CA: kept" in again.output and "issued" not in again.output
    db.session.expire_all()
    assert [(c.id, c.purpose, c.user_id, c.active) for c in _credentials(db)] == first
    assert (pki / "root-ca.pem").read_bytes() == root_pem
    assert db.session.scalar(select(func.count(SignatureImage.id))) == images

    # A signature made with the registered key validates against the root just written.
    from edoc.signatures.services import sign_sample

    report = verify_pdf_bytes(sign_sample(actor=leader, secret=PASSPHRASE))
    assert report["verdict"] == "valid"
    assert report["signatures"][0]["trusted"] is True


def test_test_pki_replaces_keys_of_an_earlier_root(app, runner, db, tmp_path, agency, leader):
    app.config["SIGNING_TEST_PKI_DIR"] = str(tmp_path / "one")
    assert runner.invoke(args=["signing", "test-pki", "--key-type", "ec-p256"]).exit_code == 0
    old = {c.id for c in _credentials(db)}
    result = runner.invoke(args=["signing", "test-pki", "--key-type", "ec-p256", "--dir",
                                 str(tmp_path / "two")])
    assert result.exit_code == 0 and "root CA: created" in result.output
    assert "not this folder" in result.output
    db.session.expire_all()
    active = {c.id for c in _credentials(db) if c.active}
    assert len(active) == 2 and not active & old


def test_demo_province_gets_keys_and_images(app, db):
    from edoc.demo import seed_demo
    from edoc.signatures.demo import provision_demo
    from edoc.signatures.profile import seal_profile, signing_profile

    demo = seed_demo("demo-password-1")
    provision_demo(demo)
    db.session.commit()
    for agency in (demo.ward, demo.province):
        leader = agency.users["lanhdao"]
        profile = signing_profile(leader)
        assert profile["credential"]["common_name"] == leader.full_name
        assert profile["signature_image"]["generated"] is True
        seal = seal_profile(agency.agency.id)
        assert seal["credential"]["common_name"] == agency.agency.name
        assert seal["seal_image"] is not None
        assert signing_profile(agency.users["chuyenvien"])["credential"] is None


def test_demo_seeder_runs_only_in_development(app, db):
    from edoc.demo import seed_demo
    from edoc.signatures.demo import seed_signatures

    demo = seed_demo("demo-password-1")
    seed_signatures(demo)  # ENV is testing: nothing
    assert _credentials(db) == []


def test_remote_signing_credential(app, db, make_doc, leader, pki_dir):
    from edoc.signatures.images import default_signature_png, save_image
    from edoc.signatures.keys import register_remote, register_remote_service
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.testpki import load_or_create_root
    from edoc.signatures.verification import verify_document
    from signing import FakeRemoteSigningService, load_pkcs12

    root, _ = load_or_create_root(pki_dir)
    key = load_pkcs12(root.issue("Lê Văn Hùng", key_type="ec-p256").pkcs12("x"), "x")
    service = FakeRemoteSigningService({"hung-01": key})
    register_remote_service(app, "fake", service)
    with pytest.raises(EdocError) as caught:
        register_remote(service="nowhere", credential_id="hung-01", purpose="signer",
                        agency_id=leader.agency_id, user_id=leader.id)
    assert caught.value.code == "remote_service_unknown"
    cred = register_remote(service="fake", credential_id="hung-01", purpose="signer",
                           agency_id=leader.agency_id, user_id=leader.id)
    save_image(default_signature_png(leader.full_name), kind="signature",
               agency_id=leader.agency_id, user_id=leader.id)
    db.session.commit()
    assert cred.common_name == "Lê Văn Hùng"
    doc = make_doc()
    apply_signer_signature(doc, leader, None)  # the service authenticates the user itself
    db.session.commit()
    assert len(service.requests) == 1 and service.requests[0][0] == "hung-01"
    assert verify_document(doc)["verdict"] == "valid"


def test_a_new_credential_replaces_the_previous_one(app, db, provisioned, leader, pki_dir):
    from edoc.signatures.keys import active_credential, register_pkcs12
    from edoc.signatures.testpki import load_or_create_root

    old = active_credential("signer", agency_id=leader.agency_id, user_id=leader.id)
    root, _ = load_or_create_root(pki_dir)
    new = register_pkcs12(root.issue("Lê Văn Hùng", key_type="ec-p256").pkcs12("p"), "p",
                          purpose="signer", agency_id=leader.agency_id, user_id=leader.id)
    db.session.commit()
    assert active_credential("signer", agency_id=leader.agency_id, user_id=leader.id) == new
    assert old.active is False and old.deactivated_at is not None
    with pytest.raises(EdocError) as caught:
        register_pkcs12(b"not a key file", "p", purpose="signer", agency_id=leader.agency_id,
                        user_id=leader.id)
    assert caught.value.code == "key_unavailable"


# --- PKCS#11 through SoftHSM2 --------------------------------------------------------------------

SOFTHSM_LIB = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN = "edoc-signatures-test", "123456"


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, pki_dir):
    """A SoftHSM2 token holding a signer key and its certificate (labels ``hung``)."""
    if not (SOFTHSM_LIB.exists() and shutil.which("softhsm2-util")
            and shutil.which("pkcs11-tool")):
        pytest.fail("softhsm2 and opensc must be installed (scripts/system-deps.sh)")
    from edoc.signatures.testpki import load_or_create_root
    from tests.support.softhsm import shared_conf

    base = tmp_path_factory.mktemp("softhsm")
    conf = shared_conf()
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    root, _ = load_or_create_root(pki_dir)
    issued = root.issue("Lê Văn Hùng", organization="UBND xã Thử Nghiệm", key_type="ec-p256")
    key_pem = base / "key.pem"
    key_pem.write_bytes(issued.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert_der = base / "cert.der"
    cert_der.write_bytes(issued.certificate.public_bytes(serialization.Encoding.DER))
    run = lambda *args: subprocess.run(args, env=env, check=True, capture_output=True)  # noqa: E731
    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
        "--so-pin", "654321")
    run("softhsm2-util", "--import", str(key_pem), "--token", TOKEN, "--label", "hung",
        "--id", "01", "--pin", PIN)
    run("pkcs11-tool", "--module", str(SOFTHSM_LIB), "--token-label", TOKEN, "--login",
        "--pin", PIN, "--write-object", str(cert_der), "--type", "cert", "--id", "01",
        "--label", "hung")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        yield issued


@pytest.mark.config(SIGNING_PKCS11_LIBRARY=str(SOFTHSM_LIB))
def test_pkcs11_token_credential(app, db, softhsm_token, make_doc, leader, agency):
    from edoc.signatures.images import default_signature_png, save_image
    from edoc.signatures.keys import register_pkcs11
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.verification import verify_document

    with pytest.raises(EdocError) as caught:
        register_pkcs11(token_label=TOKEN, key_label="hung", pin="000000", purpose="signer",
                        agency_id=agency.id, user_id=leader.id)
    assert caught.value.code == "wrong_secret"
    chain = softhsm_token.chain[0].public_bytes(serialization.Encoding.PEM)
    cred = register_pkcs11(token_label=TOKEN, key_label="hung", pin=PIN, purpose="signer",
                           agency_id=agency.id, user_id=leader.id, chain_pem=chain)
    save_image(default_signature_png(leader.full_name), kind="signature", agency_id=agency.id,
               user_id=leader.id)
    db.session.commit()
    assert (cred.source, cred.token_label, cred.common_name) == ("pkcs11", TOKEN, "Lê Văn Hùng")
    doc = make_doc()
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, "000000")
    assert caught.value.code == "wrong_secret"
    apply_signer_signature(doc, leader, PIN)
    db.session.commit()
    assert verify_document(doc)["verdict"] == "valid"


def test_pkcs11_needs_a_configured_module(app, db, leader, agency):
    from edoc.signatures.keys import register_pkcs11

    with pytest.raises(EdocError) as caught:
        register_pkcs11(token_label=TOKEN, key_label="hung", pin=PIN, purpose="signer",
                        agency_id=agency.id, user_id=leader.id)
    assert caught.value.code == "pkcs11_not_configured"
