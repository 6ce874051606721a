"""Archival packages of records (BagIt + METS, built by the pure ``archive`` library).

* :func:`build_package_file` writes the package of a record to a path: the documents' archival
  files byte for byte (signed PDFs unchanged), PDF/A renditions where a converter is installed
  (``ARCHIVE_RENDITIONS``), METS and checksums.
* :func:`stored_package` keeps the package of an archived record in the object store, locked
  like the record's files, with its zip digest (so a re-made package is caught later).
* :func:`verify_file` checks a package: bag checksums, METS validity, and PDF signatures
  through the signatures glue (``ARCHIVE_SIGNATURE_POLICY``).
* :func:`edoc.records.package_import.import_package` creates an archived record from a
  verified package.
"""
from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from archive import (
    ArchiveError,
    DocumentInfo,
    FileRef,
    PackageResult,
    RecordInfo,
    VerificationResult,
    build_package,
    convert_to_pdfa,
    verify_package,
)
from edoc import audit
from edoc.auth.models import Agency
from edoc.documents.doctypes import find_type
from edoc.documents.models import Document
from edoc.errors import Conflict, ServiceUnavailable
from edoc.extensions import db
from edoc.i18n import local_tz
from edoc.records.archive_models import RecordPackage
from edoc.records.errors import PackageRefused, problem_message
from edoc.records.locking import archival_files, hold_object
from edoc.records.models import Record
from edoc.records.retention import record_retention
from edoc.records.settings import setting
from edoc.records.states import RecordState
from edoc.storage import get_store
from edoc.storage.models import StoredObject
from edoc.storage.services import save_stream

__all__ = [
    "build_package_file",
    "kept_digest",
    "package_name",
    "record_documents",
    "record_info",
    "signature_checker",
    "stored_package",
    "verification_json",
    "verify_file",
]

logger = logging.getLogger(__name__)

PDF = "application/pdf"


# --- from the database to the library's values -------------------------------------------------

def record_info(record: Record) -> RecordInfo:
    agency = db.session.get(Agency, record.agency_id)
    extra = [("edocRecordId", str(record.id))]
    if record.legal_hold:
        extra.append(("legalHold", "1"))
    return RecordInfo(
        code=record.code, title=record.title, start_date=record.start_date,
        end_date=record.end_date, retention=record_retention(record), agency_name=agency.name,
        organ_id=agency.organ_id, doc_total=len(record.items), page_total=record.page_total,
        file_catalog=record.year, file_notation=record.notation, language=record.language,
        keywords=list(record.keywords or []), mode=record.mode,
        confidence_level=record.confidence_level,
        creator=record.creator.full_name if record.creator else "",
        file_plan_heading=record.heading, description=record.description, extra=extra)


def _file_refs(doc: Document) -> list[tuple[FileRef, StoredObject]]:
    out: list[tuple[FileRef, StoredObject]] = []
    names: set[str] = set()
    for f in archival_files(doc):
        name = f.name or f"{f.kind}-{f.id}"
        if name in names:
            name = f"{f.kind}-{f.revision}-{name}"
        names.add(name)
        role = "appendix" if f.kind == "appendix" else "original"
        out.append((FileRef(name=name, sha256=f.stored.sha256, size=f.stored.size,
                            content_type=f.content_type or PDF, role=role), f.stored))
    return out


def _document_info(doc: Document, refs: list[FileRef]) -> DocumentInfo:
    t = find_type(doc.type_key)
    return DocumentInfo(
        id=str(doc.id), direction=doc.direction, type_name=t.name if t else doc.type_key,
        number=f"{doc.number:02d}" if doc.number is not None else "", notation=doc.notation,
        issued_date=doc.document_date or doc.created_at.date(),
        issuing_agency=doc.issuing_agency or "", subject=doc.subject or "(không có trích yếu)",
        signer=doc.signer.full_name if doc.signer_id and doc.signer else "",
        signer_position=doc.signer_position or "", pages=doc.pages or 0, files=refs,
        arrival_number=str(doc.registration_number or ""),
        arrival_date=doc.registered_at.astimezone(local_tz()).date() if doc.registered_at
        else None, description=doc.notes or "")


def record_documents(record: Record) -> tuple[list[DocumentInfo], dict[FileRef, StoredObject]]:
    documents, objects = [], {}
    for doc in record.documents:
        pairs = _file_refs(doc)
        objects.update(pairs)
        documents.append(_document_info(doc, [ref for ref, _ in pairs]))
    return documents, objects


# --- build, store, export ----------------------------------------------------------------------

def _renditions() -> Callable[[Path, Path], Any] | None:
    if not setting("ARCHIVE_RENDITIONS"):
        return None
    return functools.partial(convert_to_pdfa, timeout=float(setting("ARCHIVE_RENDITION_TIMEOUT")))


def package_name(record: Record) -> str:
    return f"{record.code}.zip".replace("/", "-")


def build_package_file(record: Record, out_path: Path, *,
                       renditions: bool | None = None) -> PackageResult:
    info = record_info(record)
    documents, objects = record_documents(record)
    store = get_store()

    def open_file(ref: FileRef):
        return store.open(objects[ref].key)

    rendition_fn = _renditions() if renditions is None else (
        _renditions() if renditions else None)
    try:
        return build_package(info, documents, open_file, out_path, renditions=rendition_fn,
                             created=datetime.now(local_tz()))
    except ArchiveError as exc:
        logger.error("package of %s failed: %s (%s)", record.code, exc, exc.code)
        raise ServiceUnavailable(problem_message(exc.code), code=exc.code) from exc


def stored_package(record: Record, actor: Any = None, *, rebuild: bool = False
                   ) -> RecordPackage:
    """The kept package of an archived record, built and locked on first use."""
    if record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Chỉ hồ sơ đã lưu trữ mới có gói lưu trữ."), code="record_not_archived")
    if not rebuild:
        existing = db.session.scalar(select(RecordPackage).where(
            RecordPackage.record_id == record.id).order_by(RecordPackage.id.desc()))
        if existing is not None:
            return existing
    with tempfile.TemporaryDirectory(prefix="edoc-package-") as tmp:
        out = Path(tmp) / "package.zip"
        result = build_package_file(record, out)
        with out.open("rb") as fh:
            stored = save_stream(fh, content_type="application/zip", size=result.size)
    package = RecordPackage(
        agency_id=record.agency_id, record_id=record.id, stored_object_id=stored.id,
        objid=result.objid, sha256=result.sha256, size=result.size,
        renditions=result.renditions_created,
        warnings=[{"code": w.code, "message": w.message, "document_id": w.document_id,
                   "file": w.file_name} for w in result.warnings],
        created_by_id=getattr(actor, "id", None))
    package.stored = stored
    db.session.add(package)
    hold_object(record, stored, kind="package")
    db.session.flush()
    audit.record("archive.package_built", actor=actor, obj=record,
                 details={"package_id": package.id, "objid": package.objid,
                          "sha256": package.sha256, "renditions": package.renditions,
                          "warnings": [w["code"] for w in package.warnings]})
    return package


# --- verification ------------------------------------------------------------------------------

def signature_checker() -> Callable[[bytes], bool] | None:
    """The PDF signature check for packages, through the signatures glue when installed.

    ``intact`` policy: an unsigned PDF passes; a signed one fails only when a signature is
    broken or the file was changed after signing (verdict ``invalid``); an untrusted root is
    not a failure (archives outlive certificate trust). ``valid``: every signed PDF must be
    ``valid``.
    """
    try:
        from edoc.signatures.verification import verify_pdf_bytes
    except ImportError:  # signatures glue not installed in this build
        return None
    strict = str(setting("ARCHIVE_SIGNATURE_POLICY")) == "valid"

    def check(data: bytes) -> bool:
        report = verify_pdf_bytes(data)
        if not report.get("signatures"):
            return True
        if strict:
            return report.get("verdict") == "valid"
        return report.get("verdict") != "invalid"

    return check


def kept_digest(record: Record) -> str | None:
    """The zip digest of the package kept for ``record`` (None before one was built)."""
    return db.session.scalar(select(RecordPackage.sha256).where(
        RecordPackage.record_id == record.id).order_by(RecordPackage.id.desc()).limit(1))


def verify_file(path: Path, *, expected_sha256: str | None = None, record: Record | None = None,
                signatures: bool = True) -> VerificationResult:
    """Verify a package file.

    With ``record``, the file must be that record's kept package byte for byte (a package
    unpacked, edited and re-bagged consistently is caught only this way). Without it, a file
    whose digest matches a kept package is checked against that digest.
    """
    if record is not None:
        expected_sha256 = kept_digest(record) or expected_sha256
    if expected_sha256 is None:
        from archive.hashing import hash_stream

        with path.open("rb") as fh:
            digest = hash_stream(fh).sha256
        known = db.session.scalar(select(RecordPackage.sha256).where(
            RecordPackage.sha256 == digest).limit(1))
        expected_sha256 = known
    return verify_package(path, check_signatures=signature_checker() if signatures else None,
                          expected_sha256=expected_sha256,
                          max_unpacked_size=int(setting("ARCHIVE_IMPORT_MAX_MB")) * 1024 * 1024)


def verification_json(result: VerificationResult) -> dict[str, Any]:
    return {
        "ok": result.ok, "objid": result.objid, "sha256": result.sha256,
        "files_checked": result.files_checked, "bytes_checked": result.bytes_checked,
        "problems": [{"code": p.code, "message": problem_message(p.code), "detail": p.message,
                      "path": p.path} for p in result.problems],
        "signatures": [{"path": s.path, "name": s.name, "ok": s.ok} for s in result.signatures],
    }


def refused(problems: Any) -> PackageRefused:
    codes = sorted({p.code for p in problems})
    reasons = "; ".join(problem_message(c) for c in codes)
    return PackageRefused(_l("Gói hồ sơ lưu trữ bị từ chối: %(r)s", r=reasons),
                          problems=[{"code": p.code, "message": problem_message(p.code),
                                     "path": p.path} for p in problems])
