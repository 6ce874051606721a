"""Error classes of the connector library.

Every error carries a stable snake_case ``code`` (the app maps codes to Vietnamese messages) and an
English message. ``details`` holds machine-readable context such as the offending element path.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "ENVELOPE_CODES",
    "ConnectorError",
    "EnvelopeInvalid",
    "RemoteRejected",
    "TransportError",
]

# The codes EnvelopeInvalid may carry; kept here so the app can check its translation table.
ENVELOPE_CODES: frozenset[str] = frozenset(
    {
        "too_large",  # whole envelope above limits.max_envelope_bytes
        "encoding_unsupported",  # not UTF-8 / ASCII-compatible
        "dtd_forbidden",  # DOCTYPE present: covers XXE and entity-expansion bombs
        "xml_malformed",  # not well-formed XML
        "field_too_large",  # a non-attachment text node or attribute above limits.max_text_chars
        "too_many_elements",
        "wrong_namespace",  # root (or a required child) in an unexpected namespace
        "wrong_root",  # root element is not edXML
        "missing_field",  # a required element is absent or empty
        "invalid_value",  # a value does not parse (date, code, enum)
        "schema_invalid",  # XSD validation failed
        "attachment_mismatch",  # manifest and AttachmentEncoded disagree
        "too_many_attachments",
        "attachment_base64_invalid",
        "attachment_zip_invalid",  # corrupt, encrypted or multi-entry ZIP
        "attachment_too_large",  # decoded size above limits.max_attachment_bytes
        "attachment_zip_bomb",  # decompression ratio above limits.max_zip_ratio
        "signature_missing",
        "signature_invalid",
        "already_signed",
    }
)


class ConnectorError(Exception):
    """Base class: ``code`` is stable, ``message`` is English, ``details`` is read-only context."""

    default_code = "connector_error"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.code.replace("_", " ")
        self.details: Mapping[str, Any] = MappingProxyType(dict(details or {}))
        super().__init__(f"{self.code}: {self.message}")

    def __reduce__(self):
        # Picklable (a worker process raises it to its parent): the read-only details view is
        # not, and subclasses add keyword-only attributes (http_status), restored as state.
        state = {k: v for k, v in self.__dict__.items() if k not in ("code", "message", "details")}
        return _restore, (type(self), self.code, self.message, dict(self.details)), state


def _restore(cls: type[ConnectorError], code: str, message: str,
             details: dict[str, Any]) -> ConnectorError:
    error = cls.__new__(cls)
    ConnectorError.__init__(error, code, message, details=details)
    return error


class EnvelopeInvalid(ConnectorError):
    """An edXML message is malformed, unsafe or does not follow the profile (see ENVELOPE_CODES)."""

    default_code = "envelope_invalid"


class TransportError(ConnectorError):
    """The axis could not be reached or kept failing (connection errors, timeouts, HTTP 5xx)."""

    default_code = "transport_error"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        details: Mapping[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(code, message, details=details)
        self.http_status = http_status


class RemoteRejected(ConnectorError):
    """The axis answered and refused the request (HTTP 4xx or a FAIL status)."""

    default_code = "remote_rejected"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        details: Mapping[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(code, message, details=details)
        self.http_status = http_status
