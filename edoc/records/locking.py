"""Locking the objects of archived records in the object store, legal holds, retention.

Decision (documented in the final report and edoc/records/README.md):

* A record kept for N years: each of its objects gets an object-lock retention until the end
  of the record's last retention day (00:00 local time of the following day), in the store's
  lock mode (``MINIO_LOCK_MODE``, COMPLIANCE by default). The filesystem and memory stores
  enforce the same rule themselves.
* A permanent record (Vĩnh viễn), or one whose retention has no number of years: a retention
  of ``ARCHIVE_PERMANENT_LOCK_YEARS`` (100) years AND a legal hold. The hold never expires,
  so the objects stay undeletable even after the long retention; the retention guards against
  someone lifting the hold with bucket-admin rights in COMPLIANCE mode.
* A legal hold on a record (litigation, inspection) puts a legal hold on its objects; lifting
  it releases an object only when no other record still needs it held.

Objects are content-addressed and may be shared between records: a retention is never
shortened, so an object is kept as long as the longest of its holders needs. The database
(``stored_objects.retention_until``, ``legal_hold``; ``records.retention_until``) is the
source of truth, because moto cannot report retention dates (spike.md §2).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from archive import is_retention_increase
from edoc.auth import permissions as auth_perm
from edoc.documents.models import Document, DocumentFile
from edoc.errors import Conflict, ValidationError
from edoc.extensions import db
from edoc.i18n import local_tz
from edoc.records import permissions as perm
from edoc.records.archive_models import ArchiveHolding
from edoc.records.events import add_event
from edoc.records.freeze import allow
from edoc.records.models import Record
from edoc.records.retention import (
    apply_retention,
    lock_until,
    parse_retention,
    record_retention,
    retention_until,
)
from edoc.records.states import RecordState
from edoc.storage.models import StoredObject
from edoc.storage.services import lock_object, unlock_object

__all__ = [
    "archival_files",
    "extend_retention",
    "hold_object",
    "lock_record",
    "needs_hold",
    "record_lock_date",
    "set_legal_hold",
]


def archival_files(doc: Document) -> list[DocumentFile]:
    """The files of a document the archive keeps: the document in its most final form
    (sealed, issued, signed, stamped ...), the file exactly as received when that differs, and
    the appendices. Drafts and superseded intermediate versions stay outside the archive."""
    main = doc.current_file()
    files: list[DocumentFile] = [main] if main is not None else []
    original = doc.current_file("original")
    if original is not None and main is not None and original.id != main.id:
        files.append(original)
    files.extend(f for f in doc.files if f.kind == "appendix" and f not in files)
    return files


def needs_hold(record: Record) -> bool:
    """Permanent (or undetermined) retention, or a legal hold on the record."""
    return record.retention_until is None or record.legal_hold


def record_lock_date(record: Record) -> datetime:
    return lock_until(record.retention_until, tz=local_tz())


def _lock(stored: StoredObject, until: datetime, hold: bool) -> None:
    target = until
    if stored.retention_until is not None and stored.retention_until > target:
        target = stored.retention_until
    wants_hold = hold and not stored.legal_hold
    if stored.retention_until == target and not wants_hold:
        return
    lock_object(stored, target, legal_hold=wants_hold)


def hold_object(record: Record, stored: StoredObject, *, kind: str = "file",
                document_id: int | None = None) -> ArchiveHolding:
    """Record that the archive holds ``stored`` for ``record``, and lock it accordingly."""
    holding = db.session.scalar(select(ArchiveHolding).where(
        ArchiveHolding.record_id == record.id, ArchiveHolding.stored_object_id == stored.id))
    if holding is None:
        holding = ArchiveHolding(agency_id=record.agency_id, record_id=record.id,
                                 stored_object_id=stored.id, kind=kind, document_id=document_id)
        holding.stored = stored
        db.session.add(holding)
    _lock(stored, record_lock_date(record), needs_hold(record))
    return holding


def lock_record(record: Record) -> list[ArchiveHolding]:
    """Hold and lock every archival file of the record's documents."""
    holdings = []
    for doc in record.documents:
        for f in archival_files(doc):
            holdings.append(hold_object(record, f.stored, document_id=doc.id))
    db.session.flush()
    return holdings


def _held_elsewhere(stored_id: int, record_id: int) -> bool:
    """Does another archived record still need ``stored_id`` under a legal hold?"""
    stmt = (select(ArchiveHolding.id).join(Record, Record.id == ArchiveHolding.record_id)
            .where(ArchiveHolding.stored_object_id == stored_id, Record.id != record_id,
                   Record.state == RecordState.ARCHIVED,
                   or_(Record.legal_hold.is_(True), Record.retention_until.is_(None)))
            .limit(1))
    return db.session.scalar(stmt) is not None


def _holdings(record: Record) -> list[ArchiveHolding]:
    return list(db.session.scalars(select(ArchiveHolding).where(
        ArchiveHolding.record_id == record.id)))


def set_legal_hold(actor: Any, record: Record, on: bool, reason: str = "") -> Record:
    """Phong tỏa: a legal hold blocks disposal and deletion of the record's objects."""
    auth_perm.require(perm.can_manage_legal_hold(actor))
    auth_perm.ensure_visible_agency(actor, record)
    if record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Chỉ đặt hoặc gỡ phong tỏa cho hồ sơ đã lưu trữ."),
                       code="record_not_archived")
    reason = (reason or "").strip()
    if on and not reason:
        raise ValidationError(_l("Hãy ghi lý do phong tỏa."), code="reason_required",
                              field="reason")
    if bool(record.legal_hold) == bool(on):
        return record
    with allow([record.id], fields=("legal_hold", "legal_hold_reason")):
        record.legal_hold = bool(on)
        record.legal_hold_reason = reason if on else ""
    for holding in _holdings(record):
        stored = holding.stored
        if on:
            _lock(stored, record_lock_date(record), True)
        elif (stored.legal_hold and record.retention_until is not None
              and not _held_elsewhere(stored.id, record.id)):
            unlock_object(stored)
    add_event(record, "legal_hold_on" if on else "legal_hold_off", actor, note=reason)
    db.session.flush()
    return record


def extend_retention(actor: Any, record: Record, value: Any, *, other_text: str = "") -> Record:
    """Retention of an archived record may only grow (spec §4.5); the locks grow with it."""
    auth_perm.require(perm.is_archivist(actor))
    auth_perm.ensure_visible_agency(actor, record)
    if record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Chỉ hồ sơ đã lưu trữ mới gia hạn thời hạn bảo quản ở đây."),
                       code="record_not_archived")
    old = record_retention(record)
    new = parse_retention(value, other_text=other_text)
    if not is_retention_increase(old, new) or new == old:
        raise Conflict(_l("Thời hạn bảo quản của hồ sơ lưu trữ chỉ được tăng (hiện là "
                          "%(old)s).", old=old.label), code="retention_not_increased")
    fields = ("retention_kind", "retention_years", "retention_text", "retention_until")
    with allow([record.id], fields=fields):
        apply_retention(record, new)
        try:
            record.retention_until = retention_until(record)
        except Exception:  # "other" without years: kept like a permanent record
            record.retention_until = None
    for holding in _holdings(record):
        _lock(holding.stored, record_lock_date(record), needs_hold(record))
    add_event(record, "retention_extended", actor,
              data={"from": old.label, "to": new.label,
                    "until": record.retention_until.isoformat()
                    if record.retention_until else None})
    db.session.flush()
    return record


def objects_of(record_ids: list[int]) -> list[StoredObject]:
    return list(db.session.scalars(
        select(StoredObject).join(ArchiveHolding,
                                  and_(ArchiveHolding.stored_object_id == StoredObject.id))
        .where(ArchiveHolding.record_id.in_(record_ids)).distinct()))
