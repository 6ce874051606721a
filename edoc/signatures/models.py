"""Signing credentials, signature and seal images, and recorded verification results.

Key files and images are bytes in the object store; these rows keep the pointer and what the
app shows about them (certificate subject, serial, fingerprint, validity). A passphrase or PIN is
never stored anywhere: it is typed at signing time and used once.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.db import Base, UTCDateTime, intpk, utcnow

__all__ = [
    "CredentialPurpose",
    "CredentialSource",
    "ImageKind",
    "SignatureCheck",
    "SignatureImage",
    "SigningCredential",
]


class CredentialPurpose(StrEnum):
    SIGNER = "signer"  # a person's signature (người có thẩm quyền ký)
    SEAL = "seal"      # the agency's signature (chữ ký số cơ quan, applied by the clerk)


class CredentialSource(StrEnum):
    PKCS12 = "pkcs12"  # a .p12/.pfx file in the object store, opened with a passphrase
    PKCS11 = "pkcs11"  # a key on a token or HSM, opened with a PIN
    REMOTE = "remote"  # a remote signing service (the digest goes out, a CMS comes back)


class ImageKind(StrEnum):
    SIGNATURE = "signature"  # a person's handwritten signature, blue, transparent PNG
    SEAL = "seal"            # the agency's seal, red, transparent PNG, actual size


class SigningCredential(Base):
    """A key a user (purpose ``signer``) or an agency (purpose ``seal``) signs with.

    At most one credential per owner and purpose is active; registering a new one deactivates
    the previous (old ones stay for the record: signatures made with them still verify).
    """

    __tablename__ = "signing_credentials"
    __table_args__ = (
        CheckConstraint("purpose in ('signer', 'seal')", name="purpose"),
        CheckConstraint("source in ('pkcs12', 'pkcs11', 'remote')", name="source"),
        CheckConstraint("(purpose = 'seal') OR (user_id IS NOT NULL)", name="signer_has_user"),
        CheckConstraint("(source <> 'pkcs12') OR (stored_object_id IS NOT NULL)",
                        name="pkcs12_has_file"),
        CheckConstraint("(source <> 'pkcs11') OR (key_label IS NOT NULL)",
                        name="pkcs11_has_key_label"),
        CheckConstraint("(source <> 'remote') OR (remote_credential_id IS NOT NULL)",
                        name="remote_has_credential"),
        Index("ix_signing_credentials_owner", "agency_id", "purpose", "user_id", "active"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the signer; None for the agency's seal credential
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(255), default="")

    # --- where the key is ---
    #: PKCS#12: the encrypted key file in the object store
    stored_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    #: PKCS#11: token and object labels (the library path comes from SIGNING_PKCS11_LIBRARY)
    token_label: Mapped[str | None] = mapped_column(String(255))
    key_label: Mapped[str | None] = mapped_column(String(255))
    cert_label: Mapped[str | None] = mapped_column(String(255))
    #: remote signing: the registered service's name and the credential id at that service
    remote_service: Mapped[str | None] = mapped_column(String(80))
    remote_credential_id: Mapped[str | None] = mapped_column(String(255))

    # --- the certificate (public data, shown to users and checked before use) ---
    subject: Mapped[str] = mapped_column(String(1000))
    common_name: Mapped[str] = mapped_column(String(255))
    organization: Mapped[str] = mapped_column(String(255), default="")
    issuer: Mapped[str] = mapped_column(String(1000))
    serial_number: Mapped[str] = mapped_column(String(64))  # hex
    sha256_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    certificate_pem: Mapped[str] = mapped_column(Text)
    #: issuer certificates (PEM) for sources whose key store does not carry them
    chain_pem: Mapped[str] = mapped_column(Text, default="")

    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deactivated_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    agency = relationship("Agency")
    stored = relationship("StoredObject")

    def __repr__(self) -> str:
        return (f"<SigningCredential {self.id} {self.purpose}/{self.source} "
                f"{self.common_name!r} serial={self.serial_number}>")


class SignatureImage(Base):
    """The PNG shown in a visible signature: a user's signature or the agency's seal."""

    __tablename__ = "signature_images"
    __table_args__ = (
        CheckConstraint("kind in ('signature', 'seal')", name="kind"),
        CheckConstraint("(kind = 'seal') OR (user_id IS NOT NULL)", name="signature_has_user"),
        Index("ix_signature_images_owner", "agency_id", "kind", "user_id", "active"),
    )

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the person; None for the agency's seal
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10))
    stored_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"))
    width_px: Mapped[int]
    height_px: Mapped[int]
    #: pixels per inch recorded in the PNG (its physical size), if any
    dpi: Mapped[int | None]
    #: True for the PNGs edoc drew itself (demo data), False for uploads
    generated: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stored = relationship("StoredObject", lazy="joined")


class SignatureCheck(Base):
    """The result of verifying the signatures of one document file at one moment."""

    __tablename__ = "signature_checks"

    id: Mapped[intpk]
    document_file_id: Mapped[int] = mapped_column(ForeignKey("document_files.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: valid | indeterminate | invalid
    verdict: Mapped[str] = mapped_column(String(20))
    #: the report in the API contract's shape (reason codes, no translated text)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document_file = relationship("DocumentFile")
