"""Fixtures of the connector tests: a throwaway PKI for XML-DSig and a running axis simulator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from connectors.client import AxisClient
from connectors.simulator import Agency, FaultPlan, demo_agencies
from connectors.simulator.testing import start


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    ca_pem: bytes
    key_pem: bytes
    cert_pem: bytes
    other_key_pem: bytes
    other_cert_pem: bytes  # self-signed, not from the CA


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND tỉnh Phú Thọ"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _cert(subject, issuer, public_key, signing_key, *, ca: bool, issuer_key=None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False
        )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _cert(_name("Test CA edoc"), _name("Test CA edoc"), ca_key.public_key(), ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _cert(
        _name("Văn thư UBND tỉnh Phú Thọ"),
        ca.subject,
        key.public_key(),
        ca_key,
        ca=False,
        issuer_key=ca_key.public_key(),
    )
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = _cert(_name("Intruder"), _name("Intruder"), other_key.public_key(), other_key, ca=False)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    ca_file = tmp_path_factory.mktemp("pki") / "ca.pem"
    ca_file.write_bytes(ca_pem)
    return Pki(
        ca_file,
        ca_pem,
        _pem_key(key),
        cert.public_bytes(serialization.Encoding.PEM),
        _pem_key(other_key),
        other.public_bytes(serialization.Encoding.PEM),
    )


@dataclass
class Sim:
    """A running simulator with the two demo agencies (province, ward)."""

    db_path: Path
    base_url: str
    stop: object
    province: Agency
    ward: Agency
    faults: FaultPlan

    def client(self, agency: Agency, **options) -> AxisClient:
        options.setdefault("backoff", 0.001)
        options.setdefault("timeout", 10)
        return AxisClient(self.base_url, agency.system_id, agency.secret, **options)

    def restart(self, **options) -> None:
        self.stop()
        self.base_url, self.stop = start(str(self.db_path), (), faults=self.faults, **options)


@pytest.fixture
def sim(tmp_path):
    province, ward = demo_agencies()
    faults = FaultPlan()
    db_path = tmp_path / "axis.sqlite3"
    base_url, stop = start(str(db_path), (province, ward), faults=faults)
    state = Sim(db_path, base_url, stop, province, ward, faults)
    try:
        yield state
    finally:
        state.stop()
