"""Errors raised by the signing library.

Every error carries a stable snake_case ``code`` that the app maps to a Vietnamese message and an
HTTP status; the English ``message`` is for logs and developers.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class; ``code`` is stable and machine readable."""

    code: str = "signing_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class WrongSecretError(SigningError):
    """The passphrase of a PKCS#12 file or the PIN of a token is wrong."""

    code = "wrong_secret"


class KeyLoadError(SigningError):
    """Key material could not be loaded (not a PKCS#12 file, no key in it, token absent...)."""

    code = "key_unavailable"


class PdfError(SigningError):
    """The input PDF cannot be processed (``pdf_encrypted`` or ``pdf_corrupt``)."""

    code = "pdf_corrupt"


class AppearanceError(SigningError):
    """A signature appearance cannot be built (``image_not_png``, ``font_missing``...)."""

    code = "appearance_invalid"


class CertificateError(SigningError):
    """The signer's certificate may not be used for a new signature.

    Codes: ``certificate_expired``, ``certificate_not_yet_valid``, ``certificate_revoked``,
    ``certificate_untrusted``, ``certificate_revocation_unknown``.
    """

    code = "certificate_invalid"


class TimestampError(SigningError):
    """The time-stamping authority could not be reached or gave an unusable answer."""

    code = "timestamp_failed"


class FieldError(SigningError):
    """A form field operation failed (``field_missing``, ``field_exists``, ``field_locked``)."""

    code = "field_error"


class RemoteSigningError(SigningError):
    """A remote signing service failed or returned an unusable signature."""

    code = "remote_signing_failed"
