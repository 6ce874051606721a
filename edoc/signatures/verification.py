"""Verifying the signatures of PDFs: uploaded bytes, a document's current file, incoming files.

Reports have the API contract's shape (``{"verdict", "signatures": [{"signer", "organization",
"signed_at", "verdict", "reasons", "trusted", "intact", "modified_after", "timestamp"}]}``) plus
extra fields: document-level ``reasons``, and per signature ``field_name``, ``revocation``,
``level`` and ``certificate``. :func:`with_messages` adds the Vietnamese ``messages`` next to the
reason codes; stored reports keep codes only, so they can be shown in any language later.
"""
from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from edoc import audit
from edoc.db import utcnow
from edoc.documents.files import read_file
from edoc.documents.models import MAIN_KINDS, Document, DocumentFile
from edoc.errors import UnsupportedFileType, ValidationError
from edoc.extensions import db
from edoc.signatures.messages import error_message, reason_message
from edoc.signatures.models import SignatureCheck
from edoc.signatures.settings import trust_settings
from signing import PdfError, SignatureReport, TrustSettings, VerificationReport, verify_pdf
from signing.appearance import format_signing_time

__all__ = [
    "Prechecked",
    "current_pdf",
    "is_pdf",
    "latest_check",
    "precheck",
    "record_report",
    "record_verification",
    "report_dict",
    "stored_report",
    "verify_document",
    "verify_pdf_bytes",
    "with_messages",
]

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"


def is_pdf(data: bytes) -> bool:
    """PDF readers accept junk before the header, but only within the first 1024 bytes."""
    return b"%PDF-" in data[:1024]


def _is_pdf_file(f: DocumentFile) -> bool:
    return f.content_type == PDF_CONTENT_TYPE or f.name.lower().endswith(".pdf")


def current_pdf(doc: Document, kinds: tuple[str, ...] = MAIN_KINDS) -> DocumentFile | None:
    """The latest PDF of the first of ``kinds`` that has one (kinds in order of preference)."""
    for kind in kinds:
        for f in reversed(doc.files):
            if f.kind == kind and _is_pdf_file(f):
                return f
    return None


def _signature_dict(sig: SignatureReport) -> dict[str, Any]:
    out = sig.to_dict()
    cert = sig.certificate
    out.update(
        field_name=sig.field_name,
        revocation=sig.revocation,
        level=sig.level,
        certificate_valid_at_signing=sig.certificate_valid_at_signing,
        certificate=None if cert is None else {
            "common_name": cert.common_name,
            "organization": cert.organization,
            "issuer": cert.issuer,
            "serial_number": cert.serial_number,
            "not_before": format_signing_time(cert.not_before),
            "not_after": format_signing_time(cert.not_after),
            "sha256_fingerprint": cert.sha256_fingerprint,
        },
    )
    return out


def report_dict(report: VerificationReport) -> dict[str, Any]:
    """The library's report in the API contract's shape (codes only, times in +07:00)."""
    out = report.to_dict()
    out["signatures"] = [_signature_dict(s) for s in report.signatures]
    out["document_timestamps"] = [t.to_dict() for t in report.document_timestamps]
    return out


def with_messages(report: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``report`` with a Vietnamese ``messages`` list beside every ``reasons`` list."""
    out = copy.deepcopy(report)
    out["messages"] = [str(reason_message(c)) for c in out.get("reasons", [])]
    for sig in out.get("signatures", []):
        sig["messages"] = [str(reason_message(c)) for c in sig.get("reasons", [])]
    return out


def _unreadable(code: str) -> dict[str, Any]:
    return {"verdict": "indeterminate", "reasons": [code], "signatures": [],
            "document_timestamps": []}


def verify_pdf_bytes(data: bytes) -> dict[str, Any]:
    """Verify every signature of ``data`` against the configured trust (nothing is stored).

    Not a PDF: ``not_pdf`` (415). Encrypted or corrupt: ``pdf_encrypted`` / ``pdf_corrupt`` (422).
    """
    if not is_pdf(data):
        raise UnsupportedFileType(error_message("not_pdf"), code="not_pdf")
    try:
        report = verify_pdf(data, trust=trust_settings())
    except PdfError as exc:
        raise ValidationError(reason_message(exc.code), code=exc.code) from None
    return report_dict(report)


def _verify_file(f: DocumentFile) -> dict[str, Any]:
    return stored_report(read_file(f))


def stored_report(data: bytes, trust: TrustSettings | None = None) -> dict[str, Any]:
    """The report of a stored file's bytes as kept with a check (codes only; an unreadable
    file gets an ``indeterminate`` report with the reason). Touches no database row, so a job
    can run it between transactions. ``trust``: the app's :func:`trust_settings` by default
    (passed explicitly where there is no app, in the exchange's prefetch processes)."""
    if not is_pdf(data):
        return _unreadable("pdf_corrupt")
    try:
        return report_dict(verify_pdf(data, trust=trust or trust_settings()))
    except PdfError as exc:
        return _unreadable(exc.code)


@dataclass(frozen=True)
class Prechecked:
    """A signature report made before the file was stored (:func:`precheck`), with the digest
    of the bytes it is about: it is recorded only for a file with these very bytes."""
    sha256: str
    report: dict[str, Any]


def precheck(data: bytes, trust: TrustSettings) -> Prechecked:
    """The report of ``data``, to record when the file is stored (:func:`record_report`)."""
    return Prechecked(hashlib.sha256(data).hexdigest(), stored_report(data, trust))


def verify_document(doc: Document) -> dict[str, Any]:
    """The report of the document's current PDF, with ``file_id`` and ``checked_at``.

    A document without a PDF, or whose PDF cannot be read, gets an ``indeterminate`` report with
    the reason (``no_pdf``, ``pdf_corrupt``, ``pdf_encrypted``) rather than an error: the page
    showing it should still render.
    """
    f = current_pdf(doc)
    report = _unreadable("no_pdf") if f is None else _verify_file(f)
    report["file_id"] = None if f is None else f.id
    report["checked_at"] = format_signing_time(utcnow())
    return report


def record_verification(document_file: DocumentFile, *, actor: Any = None
                        ) -> SignatureCheck | None:
    """Verify a stored file and record the result (incoming PDFs are checked on capture).

    Files that are not PDFs have no signatures to check: None, nothing recorded.
    """
    if not _is_pdf_file(document_file):
        return None
    return record_report(document_file, _verify_file(document_file), actor=actor)


def record_report(document_file: DocumentFile, report: dict[str, Any], *, actor: Any = None
                  ) -> SignatureCheck:
    """Record ``report`` (from :func:`stored_report` of this file's bytes) as a check of the
    file, with its audit entry."""
    check = SignatureCheck(document_file_id=document_file.id,
                           agency_id=document_file.agency_id, verdict=report["verdict"],
                           report=report, checked_at=utcnow(),
                           checked_by_id=getattr(actor, "id", None))
    db.session.add(check)
    # Not flushed here: the check goes in with the caller's next flush (the audit entry names
    # its id once it has one, when the transaction commits).
    audit.record("signature.verified", actor=actor, obj=document_file,
                 agency_id=document_file.agency_id,
                 details=lambda: {"file_id": document_file.id, "check_id": check.id,
                                  "verdict": check.verdict,
                                  "signatures": len(report.get("signatures", []))})
    return check


def latest_check(document_file: DocumentFile) -> SignatureCheck | None:
    stmt = (select(SignatureCheck).where(SignatureCheck.document_file_id == document_file.id)
            .order_by(SignatureCheck.id.desc()))
    return db.session.scalars(stmt).first()
