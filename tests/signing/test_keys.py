"""PKCS#12 loading and the test PKI."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from signing import KeyLoadError, KeyMaterial, WrongSecretError, load_pkcs12
from signing.testpki import (
    TestCa,
    create_test_pki,
    make_expired_certificate,
    make_revoked_certificate,
    make_untrusted_certificate,
)

from .conftest import PASSPHRASE


def test_create_test_pki_writes_root_agency_and_users(pki):
    root = x509.load_pem_x509_certificate(pki.root_certificate.read_bytes())
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert set(pki.users) == {"an", "binh"}
    an = load_pkcs12(pki.users["an"], PASSPHRASE)
    assert an.info.common_name == "Nguyễn Văn An"
    assert an.info.organization == "UBND tỉnh Vĩnh Phúc"
    assert an.certificate.issuer == root.subject
    assert an.chain == (root,)
    assert an.certificate.public_key().key_size == 2048
    seal = load_pkcs12(pki.agency, PASSPHRASE)
    assert seal.info.common_name == "UBND tỉnh Vĩnh Phúc"
    crl = x509.load_der_x509_crl(pki.crl.read_bytes())
    assert crl.is_signature_valid(root.public_key())
    assert len(list(crl)) == 0


def test_create_test_pki_accepts_plain_names_and_ec_keys(tmp_path):
    files = create_test_pki(
        tmp_path, users=["Đỗ Thị Hoa"], agency="Sở Tư pháp", passphrase="x", key_type="ec-p256"
    )
    assert list(files.users) == ["do-thi-hoa"]
    assert files.users["do-thi-hoa"].name == "user-do-thi-hoa.p12"
    key = load_pkcs12(files.users["do-thi-hoa"], "x")
    assert key.info.common_name == "Đỗ Thị Hoa"


def test_wrong_passphrase_is_wrong_secret(pki):
    with pytest.raises(WrongSecretError) as err:
        load_pkcs12(pki.users["an"], "not-the-passphrase")
    assert err.value.code == "wrong_secret"


def test_garbage_is_not_a_key_file(tmp_path):
    with pytest.raises(KeyLoadError) as err:
        load_pkcs12(b"this is not PKCS#12", PASSPHRASE)
    assert err.value.code == "key_unavailable"
    with pytest.raises(KeyLoadError):
        load_pkcs12(tmp_path / "missing.p12", PASSPHRASE)


def test_key_material_repr_shows_no_secret(user_key: KeyMaterial):
    text = repr(user_key)
    assert "Nguyễn Văn An" in text
    assert "PRIVATE" not in text and "private_key" not in text


def test_awkward_certificates(root_ca: TestCa):
    now = dt.datetime.now(dt.UTC)
    expired = make_expired_certificate(root_ca, "Hết Hạn")
    assert expired.certificate.not_valid_after_utc < now
    revoked, crl_der = make_revoked_certificate(root_ca, "Bị Thu Hồi")
    crl = x509.load_der_x509_crl(crl_der)
    assert crl.get_revoked_certificate_by_serial_number(revoked.certificate.serial_number)
    rogue = make_untrusted_certificate("Người Lạ")
    assert rogue.certificate.issuer != root_ca.certificate.subject
    name = rogue.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert name == "Người Lạ"
