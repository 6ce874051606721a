"""Signing credentials: registering them, and unlocking them with a passphrase or PIN.

Three sources, chosen per credential: a PKCS#12 file in the object store (passphrase), a key on a
PKCS#11 token (PIN; the module path is the ``SIGNING_PKCS11_LIBRARY`` setting) and a remote
signing service registered with :func:`register_remote_service`.

An unlocked key is cached for the current request, CLI command or worker job only (the Flask
application context), so that a batch opens the key once. The cache slot is bound to the
credential and to a salted hash of the secret that opened it: a wrong secret never reuses a key
another call unlocked. Nothing is cached across application contexts (and thus across users), and
the secret itself is never stored.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask, current_app, g
from sqlalchemy import select

from edoc import audit
from edoc.db import utcnow
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.signatures.messages import error_message, to_edoc_error
from edoc.signatures.models import CredentialPurpose, CredentialSource, SigningCredential
from edoc.signatures.settings import setting
from edoc.storage.services import open_stored, save_stream
from signing import (
    CertificateInfo,
    Pkcs11KeySource,
    RemoteSigner,
    RemoteSigningService,
    SigningError,
    SigningKey,
    load_pkcs12,
)

__all__ = [
    "KeyCache",
    "active_credential",
    "certificate_of",
    "close_key_cache",
    "current_key_cache",
    "register_pkcs11",
    "register_pkcs12",
    "register_remote",
    "register_remote_service",
    "remote_services",
    "unlock",
]

logger = logging.getLogger(__name__)

_REMOTE_KEY = "edoc.signatures.remote_services"
_CACHE_ATTR = "_edoc_signing_keys"


# --- remote services ---------------------------------------------------------------------------

def register_remote_service(app: Flask, name: str, service: RemoteSigningService) -> None:
    """Make a remote signing service (a provider's adapter, or the fake) selectable by name."""
    if not isinstance(service, RemoteSigningService):
        raise TypeError(f"{service!r} does not implement RemoteSigningService")
    app.extensions.setdefault(_REMOTE_KEY, {})[name] = service


def remote_services(app: Flask | None = None) -> dict[str, RemoteSigningService]:
    return (app or current_app).extensions.get(_REMOTE_KEY, {})


# --- queries -----------------------------------------------------------------------------------

def active_credential(purpose: str, *, agency_id: int, user_id: int | None = None
                      ) -> SigningCredential | None:
    stmt = select(SigningCredential).where(
        SigningCredential.agency_id == agency_id, SigningCredential.purpose == purpose,
        SigningCredential.active.is_(True)).order_by(SigningCredential.id.desc())
    if purpose == CredentialPurpose.SIGNER:
        stmt = stmt.where(SigningCredential.user_id == user_id)
    return db.session.scalars(stmt).first()


# --- registration ------------------------------------------------------------------------------

def _pem(certs: Iterable[x509.Certificate]) -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in certs)


def _add(purpose: str, source: str, cert: x509.Certificate, *, agency_id: int,
         user_id: int | None, actor: Any, chain: Iterable[x509.Certificate] = (),
         label: str = "", **where: Any) -> SigningCredential:
    if purpose not in (CredentialPurpose.SIGNER, CredentialPurpose.SEAL):
        raise ValueError(f"unknown purpose {purpose!r}")
    if purpose == CredentialPurpose.SIGNER and user_id is None:
        raise ValueError("a signer credential belongs to a user")
    info = CertificateInfo.of(cert)
    previous = active_credential(purpose, agency_id=agency_id, user_id=user_id)
    if previous is not None:
        previous.active = False
        previous.deactivated_at = utcnow()
    row = SigningCredential(
        agency_id=agency_id, user_id=user_id if purpose == "signer" else None, purpose=purpose,
        source=source, label=label or info.common_name, subject=cert.subject.rfc4514_string(),
        common_name=info.common_name, organization=info.organization, issuer=info.issuer,
        serial_number=info.serial_number, sha256_fingerprint=info.sha256_fingerprint,
        not_before=info.not_before, not_after=info.not_after, certificate_pem=_pem([cert]),
        chain_pem=_pem(chain), active=True, created_at=utcnow(),
        created_by_id=getattr(actor, "id", None), **where)
    db.session.add(row)
    db.session.flush()
    audit.record("signature.credential_registered", actor=actor, obj=row, agency_id=agency_id,
                 details={"credential_id": row.id, "purpose": purpose, "source": source,
                          "user_id": user_id, "serial": info.serial_number,
                          "fingerprint": info.sha256_fingerprint,
                          "replaces": previous.id if previous is not None else None})
    return row


def register_pkcs12(data: bytes, passphrase: str, *, purpose: str, agency_id: int,
                    user_id: int | None = None, actor: Any = None,
                    label: str = "") -> SigningCredential:
    """Check that ``passphrase`` opens the PKCS#12 ``data``, store the file, record the key.

    The passphrase is used to read the certificate and then forgotten: it is not stored, and
    signing asks for it again. A wrong one is ``wrong_secret`` (422) and nothing is stored.
    """
    try:
        key = load_pkcs12(data, passphrase)
    except SigningError as exc:
        raise to_edoc_error(exc) from None
    stored = save_stream(io.BytesIO(data), content_type="application/x-pkcs12", size=len(data))
    row = _add(purpose, CredentialSource.PKCS12, key.certificate, agency_id=agency_id,
               user_id=user_id, actor=actor, label=label, stored_object_id=stored.id)
    row.stored = stored
    return row


def _pkcs11_library() -> str:
    library = str(setting("SIGNING_PKCS11_LIBRARY") or "")
    if not library:
        raise ValidationError(error_message("pkcs11_not_configured"),
                              code="pkcs11_not_configured")
    return library


def _load_chain(chain_pem: str | bytes | None) -> list[x509.Certificate]:
    if not chain_pem:
        return []
    data = chain_pem.encode() if isinstance(chain_pem, str) else chain_pem
    return x509.load_pem_x509_certificates(data)


def register_pkcs11(*, token_label: str, key_label: str, pin: str, purpose: str,
                    agency_id: int, user_id: int | None = None, cert_label: str | None = None,
                    chain_pem: str | bytes | None = None, actor: Any = None,
                    label: str = "") -> SigningCredential:
    """Record a key on a token; the PIN opens the token once to read the certificate."""
    chain = _load_chain(chain_pem)
    try:
        with Pkcs11KeySource(_pkcs11_library(), token_label=token_label, pin=pin,
                             key_label=key_label, cert_label=cert_label, chain=chain) as src:
            cert = src.certificate
    except SigningError as exc:
        raise to_edoc_error(exc) from None
    return _add(purpose, CredentialSource.PKCS11, cert, agency_id=agency_id, user_id=user_id,
                actor=actor, chain=chain, label=label, token_label=token_label,
                key_label=key_label, cert_label=cert_label)


def register_remote(*, service: str, credential_id: str, purpose: str, agency_id: int,
                    user_id: int | None = None, actor: Any = None,
                    label: str = "") -> SigningCredential:
    """Record a credential held by a remote signing service (its certificate is fetched now)."""
    remote = _remote_signer(service, credential_id)
    try:
        cert, chain = remote.certificate, remote.chain
    except SigningError as exc:
        raise to_edoc_error(exc) from None
    return _add(purpose, CredentialSource.REMOTE, cert, agency_id=agency_id, user_id=user_id,
                actor=actor, chain=chain, label=label, remote_service=service,
                remote_credential_id=credential_id)


def _remote_signer(service: str, credential_id: str) -> RemoteSigner:
    impl = remote_services().get(service)
    if impl is None:
        raise ValidationError(error_message("remote_service_unknown"),
                              code="remote_service_unknown", service=service)
    return RemoteSigner(service=impl, credential_id=credential_id)


# --- unlocking ---------------------------------------------------------------------------------

class KeyCache:
    """Keys unlocked during one application context; closed (token sessions too) at its end."""

    def __init__(self) -> None:
        self._salt = os.urandom(16)
        self._keys: dict[tuple[int, str, bytes], SigningKey] = {}

    def _slot(self, credential: SigningCredential, secret: str | None) -> tuple[int, str, bytes]:
        tag = hmac.new(self._salt, (secret or "").encode("utf-8"), hashlib.sha256).digest()
        return (credential.id, credential.sha256_fingerprint, tag)

    def get(self, credential: SigningCredential, secret: str | None) -> SigningKey | None:
        return self._keys.get(self._slot(credential, secret))

    def put(self, credential: SigningCredential, secret: str | None, key: SigningKey) -> None:
        self._keys[self._slot(credential, secret)] = key

    def __len__(self) -> int:
        return len(self._keys)

    def close(self) -> None:
        keys, self._keys = self._keys, {}
        for key in keys.values():
            if isinstance(key, Pkcs11KeySource):
                try:
                    key.close()
                except Exception:  # a token pulled out mid-request must not mask the response
                    logger.warning("signing: closing a token session failed", exc_info=True)


def current_key_cache() -> KeyCache:
    cache = getattr(g, _CACHE_ATTR, None)
    if cache is None:
        cache = KeyCache()
        setattr(g, _CACHE_ATTR, cache)
    return cache


def close_key_cache(_exc: BaseException | None = None) -> None:
    """``teardown_appcontext`` hook: forget every key unlocked in this context."""
    cache = g.pop(_CACHE_ATTR, None)
    if cache is not None:
        cache.close()


def _open(credential: SigningCredential, secret: str | None) -> SigningKey:
    source = credential.source
    if source == CredentialSource.REMOTE:
        return _remote_signer(credential.remote_service or "",
                              credential.remote_credential_id or "")
    if not secret:
        raise ValidationError(error_message("secret_required"), code="secret_required")
    if source == CredentialSource.PKCS12:
        with open_stored(credential.stored) as reader:
            data = reader.read()
        return load_pkcs12(data, secret)
    if source == CredentialSource.PKCS11:
        return Pkcs11KeySource(_pkcs11_library(), token_label=credential.token_label or "",
                               pin=secret, key_label=credential.key_label or "",
                               cert_label=credential.cert_label,
                               chain=_load_chain(credential.chain_pem))
    raise ValueError(f"unknown credential source {source!r}")


def unlock(credential: SigningCredential, secret: str | None) -> SigningKey:
    """The usable key of ``credential``, opened with ``secret`` (cached for this context).

    Errors are app errors with Vietnamese messages: ``wrong_secret``, ``secret_required``,
    ``key_unavailable``, ``pin_locked``, ``credential_mismatch`` (the key store holds another
    certificate than the one registered), remote service errors.
    """
    cache = current_key_cache()
    key = cache.get(credential, secret)
    if key is not None:
        return key
    try:
        key = _open(credential, secret)
        fingerprint = key.info.sha256_fingerprint
    except SigningError as exc:
        raise to_edoc_error(exc) from None
    if fingerprint != credential.sha256_fingerprint:
        if isinstance(key, Pkcs11KeySource):
            key.close()
        raise ValidationError(error_message("credential_mismatch"), code="credential_mismatch")
    cache.put(credential, secret, key)
    return key


def certificate_of(credential: SigningCredential) -> x509.Certificate:
    return x509.load_pem_x509_certificate(credential.certificate_pem.encode("ascii"))
