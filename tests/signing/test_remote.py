"""Remote signing: the document digest goes to the service, a CMS comes back."""

from __future__ import annotations

import hashlib

import pytest

from signing import (
    FakeRemoteSigningService,
    RemoteSigner,
    RemoteSigningError,
    RemoteSigningService,
    SignatureAppearance,
    SigningError,
    sign_pdf,
    verify_pdf,
)


def test_fake_remote_service_signs(pdf_doc, user_key, trust, signature_png):
    service = FakeRemoteSigningService({"an@ubnd": user_key})
    assert isinstance(service, RemoteSigningService)
    remote = RemoteSigner(service, "an@ubnd")
    assert remote.info.common_name == "Nguyễn Văn An"
    signed = sign_pdf(
        pdf_doc, remote, appearance=SignatureAppearance(kind="signer", image=signature_png)
    )
    report = verify_pdf(signed, trust=trust)
    assert report.verdict == "valid", report
    assert report.signatures[0].signer == "Nguyễn Văn An"
    # Only a 32-byte digest left edoc, never the document.
    ((credential, digest),) = service.requests
    assert credential == "an@ubnd" and len(digest) == 32
    assert hashlib.sha256(pdf_doc).digest() != digest


class _WrongDigestService(FakeRemoteSigningService):
    def sign_digest(self, credential_id, digest, *, digest_algorithm):
        return super().sign_digest(credential_id, bytes(32), digest_algorithm=digest_algorithm)


class _OtherKeyService(FakeRemoteSigningService):
    """Claims one certificate, signs with another key."""

    def __init__(self, claimed, actual):
        super().__init__({"x": actual})
        self._claimed = claimed

    def certificate_chain(self, credential_id):
        return FakeRemoteSigningService({"x": self._claimed}).certificate_chain("x")


def test_cms_over_another_digest_is_refused(pdf_doc, user_key):
    remote = RemoteSigner(_WrongDigestService({"a": user_key}), "a")
    with pytest.raises(RemoteSigningError) as err:
        sign_pdf(pdf_doc, remote)
    assert err.value.code == "remote_bad_signature"


def test_cms_from_another_signer_is_refused(pdf_doc, user_key, agency_key):
    remote = RemoteSigner(_OtherKeyService(claimed=user_key, actual=agency_key), "x")
    with pytest.raises(RemoteSigningError) as err:
        sign_pdf(pdf_doc, remote)
    assert err.value.code == "remote_wrong_signer"


def test_garbage_cms_is_refused(pdf_doc, user_key):
    class Garbage(FakeRemoteSigningService):
        def sign_digest(self, credential_id, digest, *, digest_algorithm):
            return b"\x30\x03\x02\x01\x00"

    with pytest.raises(RemoteSigningError) as err:
        sign_pdf(pdf_doc, RemoteSigner(Garbage({"a": user_key}), "a"))
    assert err.value.code == "remote_bad_cms"


def test_unknown_credential_and_unsupported_level(pdf_doc, user_key):
    service = FakeRemoteSigningService({"a": user_key})
    with pytest.raises(RemoteSigningError) as err:
        sign_pdf(pdf_doc, RemoteSigner(service, "nobody"))
    assert err.value.code == "remote_unknown_credential"
    with pytest.raises(SigningError) as err:
        sign_pdf(pdf_doc, RemoteSigner(service, "a"), level="B-T", timestamper_url="http://x/")
    assert err.value.code == "level_unsupported"
