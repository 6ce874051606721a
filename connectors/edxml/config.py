"""Configuration of the edXML profile: namespaces, time zone, code tables and safety limits.

Everything the spec marks uncertain (U) is a field here so an operator can change it without code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .codes import DEFAULT_STATUS_CODES, StatusCodeInfo

__all__ = [
    "DEFAULT_CONFIG",
    "DSIG_NAMESPACE",
    "QCVN_NAMESPACE",
    "EdxmlConfig",
    "EdxmlLimits",
]

QCVN_NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"

MiB = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class EdxmlLimits:
    """Limits applied while parsing and decoding. Only attachment payloads may be large."""

    max_envelope_bytes: int = 50 * MiB
    # Any text node or attribute other than ContentTransferEncoded.
    max_text_chars: int = 100_000
    max_elements: int = 20_000
    max_attachments: int = 100
    # Decoded (and unzipped) size of one attachment, enforced while decompressing.
    max_attachment_bytes: int = 100 * MiB
    # Unzipped bytes per zipped byte; only enforced once the output passes zip_ratio_floor.
    max_zip_ratio: int = 100
    zip_ratio_floor: int = 1 * MiB


@dataclass(frozen=True, kw_only=True)
class EdxmlConfig:
    # (P) one namespace for the whole message; configurable because an axis could differ (U).
    namespace: str = QCVN_NAMESPACE
    prefix: str = "edXML"
    dsig_namespace: str = DSIG_NAMESPACE
    # Timestamps carry no offset on the wire ("yyyy/MM/dd HH:mm:ss"); we read them in this zone (U).
    timezone: str = "Asia/Ho_Chi_Minh"
    # Status codes accepted and their descriptions (descriptions partly U).
    status_codes: Mapping[str, StatusCodeInfo] = field(default_factory=lambda: DEFAULT_STATUS_CODES)
    # The SDK wraps each attachment in a one-entry ZIP (P); False sends plain base64.
    zip_attachments: bool = True
    limits: EdxmlLimits = field(default_factory=EdxmlLimits)


DEFAULT_CONFIG = EdxmlConfig()
