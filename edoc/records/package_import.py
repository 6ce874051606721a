"""Import of an archival package: a verified package becomes an archived record of the
importing agency, with its documents, files (locked) and the package itself kept."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from archive import ArchiveError, DocumentInfo, PackageInvalid, read_package
from edoc import audit
from edoc.auth.models import Agency
from edoc.documents.doctypes import DOCUMENT_TYPES
from edoc.documents.models import Document, DocumentFile
from edoc.errors import Conflict
from edoc.extensions import db
from edoc.records.archive_models import RecordPackage
from edoc.records.errors import PackageRefused, problem_message
from edoc.records.models import Record
from edoc.records.packages import PDF, refused, signature_checker
from edoc.records.states import RecordState
from edoc.search.text import fold
from edoc.storage.services import save_stream

__all__ = ["import_package"]

logger = logging.getLogger(__name__)

_TYPES_BY_NAME = {fold(t.name): t.key for t in DOCUMENT_TYPES}


@dataclass(frozen=True)
class _Imported:
    document: Document
    main: DocumentFile | None


def _import_document(actor: Any, info: DocumentInfo, opener: Any) -> _Imported:
    from edoc.documents.events import add_event as add_document_event

    direction = "outgoing" if info.direction == "outgoing" else "incoming"
    number = int(info.number) if info.number.isdigit() else None
    doc = Document(
        agency_id=actor.agency_id, direction=direction,
        state="dispatched" if direction == "outgoing" else "done",
        type_key=_TYPES_BY_NAME.get(fold(info.type_name), "cong_van"), subject=info.subject,
        number=number, notation=info.notation if number is not None or not info.number
        else info.number_notation, document_date=info.issued_date,
        issuing_agency=info.issuing_agency, pages=info.pages or None,
        signer_position=info.signer_position, notes=info.description, received_via="archive",
        created_by_id=actor.id)
    db.session.add(doc)
    db.session.flush()
    # Originals go in reverse, so the package's first original (the document itself) ends up
    # as the document's current file; renditions are derived copies and are not imported.
    refs = [r for r in info.files if r.role == "original"][::-1] + [
        r for r in info.files if r.role == "appendix"]
    main = None
    counters: dict[str, int] = {}
    for ref in refs:
        with opener(ref) as stream:
            stored = save_stream(stream, content_type=ref.content_type, size=ref.size)
        kind = "appendix" if ref.role == "appendix" else "original"
        counters[kind] = counters.get(kind, 0) + 1
        row = DocumentFile(document_id=doc.id, agency_id=doc.agency_id,
                           stored_object_id=stored.id, kind=kind, revision=counters[kind],
                           name=ref.name, content_type=ref.content_type,
                           created_by_id=actor.id)
        row.stored = stored
        doc.files.append(row)  # loads the collection first, then cascades the add
        if kind == "original":
            main = row
    add_document_event(doc, "imported", actor, to_state=doc.state,
                       data={"source": "archive_package"})
    return _Imported(doc, main)


def _index_text(doc: Document, main: DocumentFile | None) -> None:
    from edoc.documents.models import DocumentText

    if main is None or main.content_type != PDF:
        return
    try:
        from edoc.capture import extract_pdf
        from edoc.documents.files import read_file

        text = extract_pdf(read_file(main)).text
    except Exception:  # text is only for search; an unreadable PDF is still archived
        logger.info("no text extracted from imported document %s", doc.id)
        return
    db.session.add(DocumentText(document_id=doc.id, content=text))


def import_package(actor: Any, path: Path) -> Record:
    """Create an archived record from a package (verified first; a tampered one is refused)."""
    from edoc.auth import permissions as auth_perm
    from edoc.records import jobs, locking, permissions, search
    from edoc.records.events import add_event
    from edoc.records.models import RecordDocument
    from edoc.records.retention import apply_retention, retention_until

    auth_perm.require(permissions.is_archivist(actor))
    try:
        contents = read_package(path, verify=True, check_signatures=signature_checker())
    except PackageInvalid as exc:
        audit.record("archive.import_refused", actor=actor, agency_id=actor.agency_id,
                     details={"codes": sorted(exc.codes) or [exc.code]})
        raise refused(exc.problems or ()) if exc.problems else PackageRefused(
            problem_message(exc.code), code=exc.code) from exc
    info = contents.record
    agency = db.session.get(Agency, actor.agency_id)
    year = info.file_catalog or info.start_date.year
    notation = info.file_notation or info.code
    clash = db.session.scalar(select(Record.id).where(
        Record.agency_id == actor.agency_id, Record.year == year, Record.notation == notation))
    if clash is not None:
        raise Conflict(_l("Đã có hồ sơ số %(n)s năm %(y)s.", n=notation, y=year),
                       code="record_code_taken", record_id=clash)
    record = Record(
        agency_id=actor.agency_id, year=year, notation=notation,
        code=info.code if info.organ_id == agency.organ_id else f"{agency.organ_id}.{year}."
        f"{notation}", title=info.title, heading=info.file_plan_heading,
        start_date=info.start_date, end_date=info.end_date or info.start_date,
        language=info.language, mode=info.mode, confidence_level=info.confidence_level,
        keywords=list(info.keywords), description=info.description,
        # Filled in as "transferred"; it becomes archived (and frozen) once complete.
        state=RecordState.TRANSFERRED, creator_id=None, created_by_id=actor.id, imported=True,
        archived_by_id=actor.id)
    apply_retention(record, info.retention)
    from edoc.db import utcnow

    record.archived_at = utcnow()
    db.session.add(record)
    db.session.flush()
    try:
        record.retention_until = retention_until(record)
    except ArchiveError:
        record.retention_until = None
    pages = 0
    for n, doc_info in enumerate(contents.documents, start=1):
        imported = _import_document(actor, doc_info, contents.open_file)
        item = RecordDocument(record_id=record.id, document_id=imported.document.id,
                              position=n, added_by_id=actor.id)
        item.document = imported.document
        record.items.append(item)  # loads the collection first, then cascades the add
        pages += doc_info.pages
        _index_text(imported.document, imported.main)
    record.doc_total, record.page_total = len(contents.documents), pages
    record.state = RecordState.ARCHIVED
    db.session.flush()
    add_event(record, "imported", actor, to_state=record.state,
              data={"objid": contents.open_file.objid, "source": info.organ_id})
    locking.lock_record(record)
    with path.open("rb") as fh:
        stored = save_stream(fh, content_type="application/zip")
    verification = contents.open_file.verification
    package = RecordPackage(agency_id=record.agency_id, record_id=record.id,
                            stored_object_id=stored.id, objid=contents.open_file.objid,
                            sha256=verification.sha256 if verification else stored.sha256,
                            size=stored.size, created_by_id=actor.id,
                            warnings=[{"code": "imported", "message": "imported package"}])
    package.stored = stored
    db.session.add(package)
    locking.hold_object(record, stored, kind="package")
    search.index_record(record)
    jobs.after_archiving(record, build_package=False)
    db.session.flush()
    return record
