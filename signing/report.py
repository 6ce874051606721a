"""The verification report and its JSON shape (the app's API contract).

Reason codes are stable snake_case strings; the app translates them into Vietnamese.

Signature-level codes and the verdict they lead to:

================================  ==============  =============================================
code                              verdict          meaning
================================  ==============  =============================================
``integrity_failed``              invalid          the signed bytes were changed
``signature_invalid``             invalid          the cryptographic signature does not verify
``signature_malformed``           invalid          the signature container cannot be read
``modified_after_signing``        invalid          a later update made changes that are not
                                                   allowed (only form filling, new signatures,
                                                   annotations and validation data are)
``coverage_incomplete``           invalid          the signature does not cover its revision
``certificate_revoked``           invalid          the certificate (or a CA) is revoked
``certificate_expired``           indeterminate    expired at validation time and no trusted
                                                   time-stamp proves the signature older; with a
                                                   time-stamp after expiry the verdict is invalid
``certificate_not_yet_valid``     invalid          signed before the certificate's start date
``certificate_untrusted``         indeterminate    no chain to a configured trust root
``certificate_usage_invalid``     indeterminate    key usage does not allow document signing
``revocation_unknown``            indeterminate    hard-fail revocation checking found no data
``algorithm_not_allowed``         indeterminate    weak or unsupported algorithm
``timestamp_invalid``             invalid          the signature time-stamp is broken
``timestamp_untrusted``           indeterminate    the time-stamp authority is not trusted
``validation_failed``             indeterminate    any other validation failure
================================  ==============  =============================================

Document-level codes: ``no_signatures`` (indeterminate), ``document_timestamp_invalid``
(indeterminate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from .appearance import VN_TZ, format_signing_time
from .keys import CertificateInfo

__all__ = [
    "INVALID_REASONS",
    "ModifiedAfter",
    "Revocation",
    "SignatureReport",
    "TimestampInfo",
    "Verdict",
    "VerificationReport",
    "combine_verdicts",
]

Verdict = Literal["valid", "indeterminate", "invalid"]
ModifiedAfter = Literal["none", "form_filling", "annotations", "other"]
Revocation = Literal["good", "revoked", "unknown"]

INVALID_REASONS = frozenset(
    {
        "integrity_failed",
        "signature_invalid",
        "signature_malformed",
        "modified_after_signing",
        "coverage_incomplete",
        "certificate_revoked",
        "certificate_not_yet_valid",
        "timestamp_invalid",
    }
)


def combine_verdicts(verdicts: list[Verdict]) -> Verdict:
    if "invalid" in verdicts:
        return "invalid"
    if not verdicts or "indeterminate" in verdicts:
        return "indeterminate"
    return "valid"


def _iso(when: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return None if when is None else format_signing_time(when, tz)


@dataclass(frozen=True)
class TimestampInfo:
    """An RFC 3161 time-stamp on a signature (B-T and above) or on the document (B-LTA)."""

    time: dt.datetime
    authority: str
    intact: bool
    trusted: bool

    def to_dict(self, tz: dt.tzinfo = VN_TZ) -> dict[str, Any]:
        return {
            "time": _iso(self.time, tz),
            "authority": self.authority,
            "intact": self.intact,
            "trusted": self.trusted,
        }


@dataclass(frozen=True)
class SignatureReport:
    """What verification found about one signature."""

    field_name: str
    signer: str
    organization: str
    signed_at: dt.datetime | None
    verdict: Verdict
    reasons: tuple[str, ...]
    trusted: bool
    intact: bool
    modified_after: ModifiedAfter
    timestamp: TimestampInfo | None
    revocation: Revocation
    certificate_valid_at_signing: bool | None
    level: Literal["B-B", "B-T", "B-LT", "B-LTA"] | None
    certificate: CertificateInfo | None = None

    def to_dict(self, tz: dt.tzinfo = VN_TZ) -> dict[str, Any]:
        """The API contract's per-signature object; times as ISO 8601 in ``tz`` (+07:00)."""
        return {
            "signer": self.signer,
            "organization": self.organization,
            "signed_at": _iso(self.signed_at, tz),
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "trusted": self.trusted,
            "intact": self.intact,
            "modified_after": self.modified_after,
            "timestamp": None if self.timestamp is None else self.timestamp.to_dict(tz),
        }


@dataclass(frozen=True)
class VerificationReport:
    """The overall verdict plus one report per signature, in signing order."""

    verdict: Verdict
    signatures: tuple[SignatureReport, ...]
    reasons: tuple[str, ...] = ()
    document_timestamps: tuple[TimestampInfo, ...] = field(default=())

    def to_dict(self, tz: dt.tzinfo = VN_TZ) -> dict[str, Any]:
        """``{"verdict", "signatures": [...]}`` plus document-level ``reasons``."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "signatures": [s.to_dict(tz) for s in self.signatures],
        }
