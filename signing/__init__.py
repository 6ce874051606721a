"""edoc's PDF signing library: PAdES signing and verification, Decree 30 appearances,
signature-preserving form filling and incoming stamps. Pure: no Flask, no database."""

from .appearance import VN_TZ, SignatureAppearance, format_signing_time
from .errors import (
    AppearanceError,
    CertificateError,
    FieldError,
    KeyLoadError,
    PdfError,
    RemoteSigningError,
    SigningError,
    TimestampError,
    WrongSecretError,
)
from .keys import CertificateInfo, KeyMaterial, load_pkcs12
from .pades import Level, SigningKey, sign_pdf
from .pkcs11 import Pkcs11KeySource
from .remote import FakeRemoteSigningService, RemoteSigner, RemoteSigningService
from .report import SignatureReport, TimestampInfo, VerificationReport
from .trust import TrustSettings
from .verify import verify_pdf

__all__ = [
    "VN_TZ",
    "AppearanceError",
    "CertificateError",
    "CertificateInfo",
    "FakeRemoteSigningService",
    "FieldError",
    "KeyLoadError",
    "KeyMaterial",
    "Level",
    "PdfError",
    "Pkcs11KeySource",
    "RemoteSigner",
    "RemoteSigningError",
    "RemoteSigningService",
    "SignatureAppearance",
    "SignatureReport",
    "SigningError",
    "SigningKey",
    "TimestampError",
    "TimestampInfo",
    "TrustSettings",
    "VerificationReport",
    "WrongSecretError",
    "format_signing_time",
    "load_pkcs12",
    "sign_pdf",
    "verify_pdf",
]
