"""Key material held in memory: PKCS#12 files of users and agencies.

The passphrase is used once to decrypt the file and is never kept. The decrypted key is cached as
a pyca/cryptography object so that each signature costs one RSA operation (about 1 ms) instead of
pyHanko's default reload-and-validate of the key on every signature (about 60 ms for RSA).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign.attributes import SigningCertificateV2Provider
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import KeyLoadError, SigningError, WrongSecretError

__all__ = ["CertificateInfo", "KeyMaterial", "load_pkcs12"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


@dataclass(frozen=True)
class CertificateInfo:
    """What the app shows about a certificate (and stores next to a user's key)."""

    common_name: str
    organization: str
    issuer: str
    serial_number: str  # hex
    not_before: dt.datetime
    not_after: dt.datetime
    sha256_fingerprint: str  # hex

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateInfo:
        return cls(
            common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
            organization=_name_attr(cert.subject, NameOID.ORGANIZATION_NAME),
            issuer=_name_attr(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string(),
            serial_number=format(cert.serial_number, "x"),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        )


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


class _PreencodedSigningCertV2(SigningCertificateV2Provider):
    def __init__(self, cert: asn1_x509.Certificate, der: bytes) -> None:
        super().__init__(cert)
        self._der = der

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        # A freshly parsed value re-uses its original bytes when dumped.
        return tsp.SigningCertificateV2.load(self._der)


class _CachedKeySigner(Signer):
    """A pyHanko signer that signs with an already loaded pyca/cryptography key."""

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        cert: asn1_x509.Certificate,
        chain: list[asn1_x509.Certificate],
    ) -> None:
        super().__init__(
            signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            embed_roots=True,
        )
        self._key = key
        # The signing-certificate-v2 attribute is the same for every signature, and asn1crypto
        # spends ~6 ms re-encoding the issuer name inside it each time; encode it once.
        self._cert_v2_der = as_signing_certificate_v2(cert).dump()

    def _signed_attr_providers(self, *args, **kwargs):
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, SigningCertificateV2Provider):
                yield _PreencodedSigningCertV2(self.signing_cert, self._cert_v2_der)
            else:
                yield provider

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        try:
            algo = _HASHES[digest_algorithm]()
        except KeyError:
            raise SigningError(f"unsupported digest {digest_algorithm}") from None
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algo)
        return self._key.sign(data, ec.ECDSA(algo))


@dataclass(frozen=True, eq=False)
class KeyMaterial:
    """A private key with its certificate and chain, decrypted in memory.

    ``chain`` holds the issuing certificates (issuer first); it may include the root.
    """

    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def __repr__(self) -> str:  # never print key material
        return f"KeyMaterial({self.info.common_name!r}, serial={self.info.serial_number})"

    @cached_property
    def info(self) -> CertificateInfo:
        return CertificateInfo.of(self.certificate)

    @cached_property
    def pyhanko_signer(self) -> Signer:
        """The pyHanko signer, built once per key (it is stateless between signatures)."""
        return _CachedKeySigner(
            self.private_key,
            to_asn1(self.certificate),
            [to_asn1(c) for c in self.chain],
        )

    @property
    def chain_der(self) -> tuple[bytes, ...]:
        return tuple(c.public_bytes(Encoding.DER) for c in self.chain)


def _looks_like_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        pfx["auth_safe"]["content_type"].native  # noqa: B018 - forces parsing
    except (ValueError, TypeError, KeyError):
        return False
    return True


def load_pkcs12(source: bytes | str | Path, passphrase: str) -> KeyMaterial:
    """Decrypt a PKCS#12 file (path or bytes) with ``passphrase``.

    Raises ``WrongSecretError`` (``wrong_secret``) when the passphrase does not open the file and
    ``KeyLoadError`` (``key_unavailable``) when the data is not a usable PKCS#12 key file.
    """
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise KeyLoadError(f"cannot read key file: {exc.strerror}") from None
    else:
        data = bytes(source)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError:
        if _looks_like_pkcs12(data):
            raise WrongSecretError("the passphrase does not open this PKCS#12 file") from None
        raise KeyLoadError("the data is not a PKCS#12 file") from None
    if key is None or cert is None:
        raise KeyLoadError("the PKCS#12 file holds no private key with a certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyLoadError(f"unsupported key type {type(key).__name__}")
    return KeyMaterial(private_key=key, certificate=cert, chain=_order_chain(cert, extra))


def _order_chain(
    leaf: x509.Certificate, others: list[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """Sort the extra certificates issuer-first; unrelated ones go last."""
    remaining = list(others)
    ordered: list[x509.Certificate] = []
    current = leaf
    while remaining:
        nxt = next((c for c in remaining if c.subject == current.issuer), None)
        if nxt is None or nxt is current:
            break
        ordered.append(nxt)
        remaining.remove(nxt)
        if nxt.subject == nxt.issuer:
            break
        current = nxt
    return (*ordered, *remaining)
