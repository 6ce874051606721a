"""Verifying every signature in a PDF and summarising the result (see ``report.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError as PyhankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import DisallowedAlgorithmError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)

from . import speedups
from .diffpolicy import EDOC_DIFF_POLICY
from .keys import CertificateInfo
from .pdfio import open_reader
from .report import (
    INVALID_REASONS,
    ModifiedAfter,
    Revocation,
    SignatureReport,
    TimestampInfo,
    Verdict,
    VerificationReport,
    combine_verdicts,
)
from .trust import CertificateLike, RevocationMode, TrustSettings, validate_certificate

__all__ = ["verify_pdf"]

speedups.install()  # signatures' /Contents parsed in one slice, not digit by digit

# Document signing certificates carry nonRepudiation and/or digitalSignature; either will do.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
)

_INDIC_REASON = {
    AdESFailure.REVOKED: "certificate_revoked",
    AdESIndeterminate.REVOKED_NO_POE: "certificate_revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "certificate_revoked",
    AdESIndeterminate.EXPIRED: "certificate_expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "certificate_expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "certificate_expired",
    AdESFailure.NOT_YET_VALID: "certificate_not_yet_valid",
    AdESIndeterminate.NOT_YET_VALID: "certificate_not_yet_valid",
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: "certificate_untrusted",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: "certificate_usage_invalid",
    AdESIndeterminate.TRY_LATER: "revocation_unknown",
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: "revocation_unknown",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "algorithm_not_allowed",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: "algorithm_not_allowed",
}

_MODIFIED: dict[ModificationLevel, ModifiedAfter] = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "none",  # validation data and archive time-stamps only
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


def _name(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return value[0] if isinstance(value, list) else str(value or "")


class _Contexts:
    """Builds validation contexts: trust settings plus whatever the document's DSS holds."""

    def __init__(self, reader: PdfFileReader, trust: TrustSettings, at: dt.datetime | None):
        self.trust = trust
        self.at = at
        try:
            self.dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            self.dss = None
        self.has_revinfo = trust.has_revocation_source or bool(
            self.dss is not None and (self.dss.crls or self.dss.ocsps)
        )

    def make(
        self,
        moment: dt.datetime | None = None,
        revocation: RevocationMode | Literal["require"] | None = None,
    ) -> ValidationContext:
        moment = moment or self.at
        if self.dss is None:
            return self.trust.validation_context(moment=moment, revocation=revocation)
        kwargs = self.trust.dss_settings(revocation)
        if moment is not None:
            kwargs["moment"] = moment
        return self.dss.as_validation_context(kwargs)


def _revocation(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, contexts: _Contexts, moment
) -> Revocation:
    """``good`` only when revocation data for the chain was actually found and checked."""
    if status.revoked:
        return "revoked"
    if not status.trusted or not contexts.has_revinfo:
        return "unknown"
    # Soft- and hard-fail modes pass silently when a certificate declares no CRL/OCSP source;
    # ask again requiring data to tell "checked and good" from "nothing to check against".
    vc = contexts.make(moment=moment, revocation="require")
    try:
        validate_certificate(status.signing_cert, sig.other_embedded_certs, vc)
    except (PathValidationError, PathBuildingError, ValidationError):
        return "unknown"
    return "good"


def _timestamp_info(ts) -> TimestampInfo | None:
    if ts is None:
        return None
    return TimestampInfo(
        time=ts.timestamp,
        authority=_name(ts.signing_cert, "common_name"),
        intact=bool(ts.intact and ts.valid),
        trusted=bool(ts.trusted),
    )


def _validate(sig: EmbeddedPdfSignature, vc: ValidationContext) -> PdfSignatureStatus:
    return validate_pdf_signature(
        sig,
        signer_validation_context=vc,
        diff_policy=EDOC_DIFF_POLICY,
        key_usage_settings=_KEY_USAGE,
    )


def _diagnose(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, contexts: _Contexts, moment
) -> str:
    """Name the chain problem that pyHanko reports only as a generic failure."""
    vc = contexts.make(moment=moment)
    try:
        validate_certificate(status.signing_cert, sig.other_embedded_certs, vc)
    except RevokedError:
        return "certificate_revoked"
    except ExpiredError:
        return "certificate_expired"
    except NotYetValidError:
        return "certificate_not_yet_valid"
    except InsufficientRevinfoError:
        return "revocation_unknown"
    except PathBuildingError:
        return "certificate_untrusted"
    except (PathValidationError, ValidationError):
        return "validation_failed"
    return "validation_failed"


def _reasons(status: PdfSignatureStatus) -> list[str]:
    reasons: list[str] = []
    if not status.intact:
        reasons.append("integrity_failed")
    elif not status.valid:
        reasons.append("signature_invalid")
    if status.coverage is not None and status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        reasons.append("coverage_incomplete")
    if status.modification_level == ModificationLevel.OTHER or status.docmdp_ok is False:
        reasons.append("modified_after_signing")
    if status.revoked:
        reasons.append("certificate_revoked")
    elif status.intact and status.valid and not status.trusted:
        reasons.append(_INDIC_REASON.get(status.trust_problem_indic, "chain_failure"))
    ts = status.timestamp_validity
    if ts is not None:
        if not (ts.intact and ts.valid):
            reasons.append("timestamp_invalid")
        elif not ts.trusted:
            reasons.append("timestamp_untrusted")
    return list(dict.fromkeys(reasons))


def _verdict(reasons: list[str]) -> Verdict:
    if any(r in INVALID_REASONS for r in reasons):
        return "invalid"
    return "indeterminate" if reasons else "valid"


def _assess(
    sig: EmbeddedPdfSignature, contexts: _Contexts, moment: dt.datetime | None = None
) -> tuple[PdfSignatureStatus, ValidationContext, list[str]]:
    vc = contexts.make(moment=moment)
    status = _validate(sig, vc)
    reasons = _reasons(status)
    if "chain_failure" in reasons:
        detail = _diagnose(sig, status, contexts, vc.moment)
        reasons = [detail if r == "chain_failure" else r for r in reasons]
    return status, vc, reasons


def _check_one(
    sig: EmbeddedPdfSignature, contexts: _Contexts, has_dss: bool, has_doc_ts: bool
) -> SignatureReport:
    try:
        status, vc, reasons = _assess(sig, contexts)
    except DisallowedAlgorithmError:
        return _unreadable(sig, "algorithm_not_allowed", "indeterminate")
    except (SignatureValidationError, PyhankoPdfError, ValueError, KeyError, TypeError):
        return _unreadable(sig, "signature_malformed", "invalid")
    ts = _timestamp_info(status.timestamp_validity)
    expired_when_signed = False
    if "certificate_expired" in reasons and ts is not None and ts.intact and ts.trusted:
        if ts.time > status.signing_cert.not_valid_after:
            expired_when_signed = True
        else:
            # The time-stamp proves the signature existed while the certificate was valid:
            # validate again as of that moment.
            status, vc, reasons = _assess(sig, contexts, moment=ts.time)
    verdict = "invalid" if expired_when_signed else _verdict(reasons)
    cert = status.signing_cert
    signed_at = ts.time if ts is not None and ts.intact else status.signer_reported_dt
    revocation = _revocation(sig, status, contexts, vc.moment)
    level = "B-B"
    if ts is not None:
        level = "B-LTA" if has_doc_ts else "B-LT" if has_dss else "B-T"
    return SignatureReport(
        field_name=str(sig.field_name),
        signer=_name(cert, "common_name"),
        organization=_name(cert, "organization_name"),
        signed_at=signed_at,
        verdict=verdict,
        reasons=tuple(reasons),
        trusted=bool(status.trusted),
        intact=bool(status.intact and status.valid),
        modified_after=_MODIFIED.get(status.modification_level, "other"),
        timestamp=ts,
        revocation=revocation,
        certificate_valid_at_signing=(
            None
            if signed_at is None
            else cert.not_valid_before <= signed_at <= cert.not_valid_after
        ),
        level=level,
        certificate=CertificateInfo.of(x509.load_der_x509_certificate(cert.dump())),
    )


def _unreadable(sig: EmbeddedPdfSignature, reason: str, verdict: Verdict) -> SignatureReport:
    try:
        cert = sig.signer_cert
        signer, org = _name(cert, "common_name"), _name(cert, "organization_name")
    except Exception:  # a broken container may fail anywhere
        signer, org = "", ""
    return SignatureReport(
        field_name=str(sig.field_name),
        signer=signer,
        organization=org,
        signed_at=None,
        verdict=verdict,
        reasons=(reason,),
        trusted=False,
        intact=False,
        modified_after="other",
        timestamp=None,
        revocation="unknown",
        certificate_valid_at_signing=None,
        level=None,
    )


def verify_pdf(
    pdf: bytes,
    *,
    trust: TrustSettings | None = None,
    trust_roots: Iterable[CertificateLike] = (),
    revocation: RevocationMode = "soft-fail",
    allow_fetching: bool = False,
    crls: Iterable[bytes] = (),
    ocsps: Iterable[bytes] = (),
    at: dt.datetime | None = None,
) -> VerificationReport:
    """Check every signature of ``pdf`` and give an overall verdict.

    Pass either a prepared ``trust`` or the individual settings. Validation data embedded in
    the document (B-LT/B-LTA) is always used, so such files validate offline even in
    hard-fail mode. ``at`` validates as of another moment (default: now).
    Raises ``PdfError`` (``pdf_encrypted``, ``pdf_corrupt``) when the file cannot be read.
    """
    if trust is None:
        trust = TrustSettings(
            trust_roots=tuple(trust_roots),
            crls=tuple(crls),
            ocsps=tuple(ocsps),
            revocation=revocation,
            allow_fetching=allow_fetching,
        )
    reader = open_reader(pdf)
    try:
        embedded = list(reader.embedded_signatures)
    except (PyhankoPdfError, ValueError, KeyError) as exc:
        from .errors import PdfError

        raise PdfError(f"the signature fields cannot be read: {exc}", code="pdf_corrupt") from None
    signatures = [s for s in embedded if s.sig_object_type == "/Sig"]
    doc_stamps = [s for s in embedded if s.sig_object_type == "/DocTimeStamp"]
    if not signatures:
        return VerificationReport(
            verdict="indeterminate", signatures=(), reasons=("no_signatures",)
        )
    contexts = _Contexts(reader, trust, at)
    reports = tuple(
        _check_one(sig, contexts, contexts.dss is not None, bool(doc_stamps)) for sig in signatures
    )
    doc_ts: list[TimestampInfo] = []
    reasons: list[str] = []
    for stamp in doc_stamps:
        try:
            status = validate_pdf_timestamp(stamp, validation_context=contexts.make())
            info = _timestamp_info(status)
        except (SignatureValidationError, PyhankoPdfError, ValueError) as exc:
            del exc
            info = None
        if info is None or not (info.intact and info.trusted):
            reasons.append("document_timestamp_invalid")
        if info is not None:
            doc_ts.append(info)
    verdicts = [r.verdict for r in reports]
    overall = combine_verdicts(verdicts)
    if reasons and overall == "valid":
        overall = "indeterminate"
    return VerificationReport(
        verdict=overall,
        signatures=reports,
        reasons=tuple(dict.fromkeys(reasons)),
        document_timestamps=tuple(doc_ts),
    )
