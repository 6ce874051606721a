"""Remote signing services (e.g. a provider's cloud signing): the hash goes out, a CMS comes back.

edoc prepares the PDF, computes the digest of the signed byte ranges and sends only that digest;
the service returns a detached CMS SignedData (DER) over it, which is checked before it is
embedded. ``FakeRemoteSigningService`` signs with in-memory keys for tests and demos.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, runtime_checkable

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from .errors import RemoteSigningError
from .keys import CertificateInfo, KeyMaterial, to_asn1

__all__ = [
    "FakeRemoteSigningService",
    "RemoteSigner",
    "RemoteSigningService",
    "check_remote_cms",
]


@runtime_checkable
class RemoteSigningService(Protocol):
    """What edoc needs from a remote signing provider."""

    def certificate_chain(self, credential_id: str) -> Sequence[bytes]:
        """DER certificates of the credential: the signer's first, then its issuers."""
        ...

    def sign_digest(self, credential_id: str, digest: bytes, *, digest_algorithm: str) -> bytes:
        """A DER ``ContentInfo`` holding a detached CMS ``SignedData`` over ``digest``.

        The signed attributes must carry ``digest`` as message digest. Implementations raise
        ``RemoteSigningError`` (e.g. code ``remote_signing_rejected`` when the user declines).
        """
        ...


@dataclass(frozen=True, eq=False)
class RemoteSigner:
    """A credential at a remote signing service, usable wherever a key is expected."""

    service: RemoteSigningService
    credential_id: str

    @cached_property
    def _chain_der(self) -> tuple[bytes, ...]:
        chain = tuple(self.service.certificate_chain(self.credential_id))
        if not chain:
            raise RemoteSigningError(
                "the service returned no certificate", code="remote_no_certificate"
            )
        return chain

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self._chain_der[0])

    @cached_property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return tuple(x509.load_der_x509_certificate(c) for c in self._chain_der[1:])

    @cached_property
    def info(self) -> CertificateInfo:
        return CertificateInfo.of(self.certificate)


def check_remote_cms(data: bytes, digest: bytes, cert: x509.Certificate) -> cms.ContentInfo:
    """Refuse a CMS from a service unless it is a valid signature by ``cert`` over ``digest``."""
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        sid = signer_info["sid"]
        expected = to_asn1(cert)
        if sid.name == "issuer_and_serial_number":
            matches = sid.chosen["serial_number"].native == expected.serial_number
        else:
            matches = sid.chosen.native == expected.key_identifier
        if not matches:
            raise RemoteSigningError(
                "the CMS is signed by another certificate", code="remote_wrong_signer"
            )
        digest_ok, signature_ok = validate_sig_integrity(signer_info, expected, "data", digest)
    except RemoteSigningError:
        raise
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise RemoteSigningError(
            f"the service returned no usable CMS: {exc}", code="remote_bad_cms"
        ) from None
    if not (digest_ok and signature_ok):
        raise RemoteSigningError(
            "the CMS from the service does not sign this document", code="remote_bad_signature"
        )
    return info


class FakeRemoteSigningService:
    """A remote signing service backed by in-memory keys (``{credential_id: KeyMaterial}``)."""

    def __init__(self, keys: Mapping[str, KeyMaterial]) -> None:
        self._keys = dict(keys)
        self.requests: list[tuple[str, bytes]] = []  # what was asked, for tests to inspect

    def _key(self, credential_id: str) -> KeyMaterial:
        try:
            return self._keys[credential_id]
        except KeyError:
            raise RemoteSigningError(
                f"unknown credential {credential_id!r}", code="remote_unknown_credential"
            ) from None

    def certificate_chain(self, credential_id: str) -> Sequence[bytes]:
        key = self._key(credential_id)
        return (key.certificate.public_bytes(Encoding.DER), *key.chain_der)

    def sign_digest(self, credential_id: str, digest: bytes, *, digest_algorithm: str) -> bytes:
        key = self._key(credential_id)
        self.requests.append((credential_id, digest))
        attrs = PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC))
        content = asyncio.run(
            key.pyhanko_signer.async_sign(
                digest, digest_algorithm, use_pades=True, signed_attr_settings=attrs
            )
        )
        return content.dump()
