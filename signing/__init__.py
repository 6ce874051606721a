"""edoc's PDF signing library: PAdES signing and verification, Decree 30 appearances,
signature-preserving form filling and incoming stamps. Pure: no Flask, no database.

Keys: ``load_pkcs12`` (users, agencies), ``Pkcs11KeySource`` (tokens/HSM), ``RemoteSigner`` over a
``RemoteSigningService``. Signing: ``sign_pdf`` with an optional ``SignatureAppearance`` and
``TrustSettings``. Verification: ``verify_pdf`` -> ``VerificationReport`` (``to_dict()`` is the
API's JSON). Updates that keep signatures valid: ``add_text_fields`` (before signing),
``fill_fields`` (after), ``add_incoming_stamp``. Demo/test certificates: ``signing.testpki``.
Every error is a ``SigningError`` with a stable ``code``.
"""

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
from .formfields import TextFieldSpec, add_text_fields, fill_fields
from .incoming import add_incoming_stamp
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
    "TextFieldSpec",
    "TimestampError",
    "TimestampInfo",
    "TrustSettings",
    "VerificationReport",
    "WrongSecretError",
    "add_incoming_stamp",
    "add_text_fields",
    "fill_fields",
    "format_signing_time",
    "load_pkcs12",
    "sign_pdf",
    "verify_pdf",
]
