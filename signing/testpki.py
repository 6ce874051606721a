"""A throw-away PKI for demos and tests: root CA, agency seal, one certificate per user.

Nothing here is fit for production keys: the root key sits in a PKCS#12 file next to the
certificates it issued. ``create_test_pki`` is what the app's ``flask signing test-pki`` calls;
the ``make_*`` helpers produce the awkward certificates (expired, revoked, untrusted) tests need.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

__all__ = [
    "IssuedCertificate",
    "KeyType",
    "TestCa",
    "TestPkiFiles",
    "create_test_pki",
    "make_expired_certificate",
    "make_revoked_certificate",
    "make_untrusted_certificate",
]

KeyType = Literal["rsa2048", "ec-p256"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_UTC = dt.UTC


def _now() -> dt.datetime:
    return dt.datetime.now(_UTC).replace(microsecond=0)


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}")


def _name(common_name: str, organization: str | None, org_unit: str | None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if org_unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, org_unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate with its private key and the chain above it (issuer first, root last)."""

    certificate: x509.Certificate
    private_key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    def pkcs12(self, passphrase: str, *, friendly_name: str | None = None) -> bytes:
        """Serialise key, certificate and chain as PKCS#12 (AES-256, PBKDF2)."""
        name = (friendly_name or self.common_name).encode()
        return pkcs12.serialize_key_and_certificates(
            name,
            self.private_key,
            self.certificate,
            list(self.chain) or None,
            serialization.BestAvailableEncryption(passphrase.encode()),
        )

    def write_pkcs12(self, path: Path, passphrase: str) -> Path:
        path.write_bytes(self.pkcs12(passphrase))
        return path

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def common_name(self) -> str:
        attrs = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(attrs[0].value) if attrs else ""


@dataclass(frozen=True)
class TestCa:
    """A certification authority able to issue leaf certificates and CRLs."""

    __test__ = False  # not a pytest test class despite the name

    certificate: x509.Certificate
    private_key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()
    # Written into every certificate issued: validators only consult a CRL (even one handed to
    # them) for certificates that declare a distribution point. ".test" never resolves.
    crl_url: str | None = None

    @classmethod
    def create(
        cls,
        common_name: str = "edoc Test Root CA",
        *,
        organization: str | None = "edoc test PKI",
        key_type: KeyType = "rsa2048",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        crl_url: str | None = None,
    ) -> TestCa:
        """A self-signed root CA, valid from a day ago for 20 years unless told otherwise.

        ``crl_url`` defaults to ``http://pki.edoc.test/<name>.crl``.
        """
        key = _new_key(key_type)
        now = _now()
        name = _name(common_name, organization, None)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        url = crl_url or f"http://pki.edoc.test/{_slug(common_name)}.crl"
        return cls(certificate=cert, private_key=key, crl_url=url)

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: str) -> TestCa:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode())
        if key is None or cert is None:
            raise ValueError("the PKCS#12 file holds no CA key and certificate")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("unsupported CA key type")
        name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        url = f"http://pki.edoc.test/{_slug(str(name[0].value) if name else 'ca')}.crl"
        return cls(certificate=cert, private_key=key, chain=tuple(extra), crl_url=url)

    def as_issued(self) -> IssuedCertificate:
        return IssuedCertificate(self.certificate, self.private_key, self.chain)

    def issue(
        self,
        common_name: str,
        *,
        organization: str | None = None,
        org_unit: str | None = None,
        email: str | None = None,
        key_type: KeyType = "rsa2048",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        crl_url: str | None = None,
        ocsp_url: str | None = None,
    ) -> IssuedCertificate:
        """A document-signing leaf (digitalSignature + nonRepudiation), 3 years by default.

        ``crl_url`` defaults to the CA's; pass ``""`` for a certificate without one.
        """
        crl_url = self.crl_url if crl_url is None else crl_url
        key = _new_key(key_type)
        now = _now()
        ca_ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization, org_unit))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365 * 3))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski.value),
                critical=False,
            )
        )
        if email:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
            )
        if crl_url:
            point = x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        if ocsp_url:
            access = x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(ocsp_url),
            )
            builder = builder.add_extension(
                x509.AuthorityInformationAccess([access]), critical=False
            )
        cert = builder.sign(self.private_key, hashes.SHA256())
        return IssuedCertificate(cert, key, (self.certificate, *self.chain))

    def make_crl(
        self,
        revoked: Iterable[tuple[x509.Certificate, dt.datetime]] = (),
        *,
        this_update: dt.datetime | None = None,
        next_update: dt.datetime | None = None,
    ) -> bytes:
        """A DER CRL signed by this CA listing ``(certificate, revocation time)`` pairs."""
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(this_update or now - dt.timedelta(hours=1))
            .next_update(next_update or now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        )
        for cert, when in revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(when)
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        crl = builder.sign(self.private_key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.DER)


def make_expired_certificate(
    ca: TestCa,
    common_name: str,
    *,
    organization: str | None = None,
    key_type: KeyType = "rsa2048",
) -> IssuedCertificate:
    """A certificate that was valid two years ago for one year."""
    now = _now()
    return ca.issue(
        common_name,
        organization=organization,
        key_type=key_type,
        not_before=now - dt.timedelta(days=730),
        not_after=now - dt.timedelta(days=365),
    )


def make_revoked_certificate(
    ca: TestCa,
    common_name: str,
    *,
    organization: str | None = None,
    key_type: KeyType = "rsa2048",
    revoked_at: dt.datetime | None = None,
) -> tuple[IssuedCertificate, bytes]:
    """A certificate plus a DER CRL from ``ca`` that revokes it (an hour ago by default)."""
    issued = ca.issue(common_name, organization=organization, key_type=key_type)
    when = revoked_at or _now() - dt.timedelta(hours=1)
    return issued, ca.make_crl([(issued.certificate, when)])


def make_untrusted_certificate(
    common_name: str,
    *,
    organization: str | None = None,
    key_type: KeyType = "rsa2048",
) -> IssuedCertificate:
    """A certificate issued by a fresh CA that nobody configured as a trust root."""
    rogue = TestCa.create("Untrusted Test CA", organization="Nobody", key_type=key_type)
    return rogue.issue(common_name, organization=organization, key_type=key_type)


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "user"


@dataclass(frozen=True)
class TestPkiFiles:
    """Where ``create_test_pki`` wrote everything."""

    __test__ = False

    directory: Path
    root_certificate: Path  # PEM, the trust root to configure
    root_pkcs12: Path  # root key and certificate, to issue more later
    crl: Path  # DER, an empty CRL of the root (lets hard-fail validation succeed offline)
    agency: Path  # PKCS#12 of the agency seal
    users: Mapping[str, Path] = field(default_factory=dict)  # user key -> PKCS#12


def create_test_pki(
    directory: Path | str,
    *,
    users: Iterable[str] | Mapping[str, str],
    agency: str,
    passphrase: str,
    key_type: KeyType = "rsa2048",
) -> TestPkiFiles:
    """Create a root CA, the agency seal and one certificate per user under ``directory``.

    ``users`` is either a list of full names (the file name is derived from the name) or a
    mapping ``{key: full name}`` (the key, e.g. a username, names the file and the result).
    Every PKCS#12 file is protected with ``passphrase``; the demo uses ``edoc-demo``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    named = dict(users) if isinstance(users, Mapping) else {_slug(n): n for n in users}

    root = TestCa.create(f"{agency} Test Root CA", organization=agency, key_type=key_type)
    root_pem = out / "root-ca.pem"
    root_pem.write_bytes(root.certificate.public_bytes(serialization.Encoding.PEM))
    root_p12 = root.as_issued().write_pkcs12(out / "root-ca.p12", passphrase)
    crl = out / "root-ca.crl"
    crl.write_bytes(root.make_crl())

    seal = root.issue(agency, organization=agency, key_type=key_type)
    agency_p12 = seal.write_pkcs12(out / "agency-seal.p12", passphrase)

    user_files: dict[str, Path] = {}
    for key, full_name in named.items():
        issued = root.issue(full_name, organization=agency, key_type=key_type)
        user_files[key] = issued.write_pkcs12(out / f"user-{_slug(key)}.p12", passphrase)
    return TestPkiFiles(
        directory=out,
        root_certificate=root_pem,
        root_pkcs12=root_p12,
        crl=crl,
        agency=agency_p12,
        users=user_files,
    )
