"""Disposal (tiêu hủy) of archived records whose retention has ended (spec §4.5).

The archivist lists the eligible records and proposes a disposal with an explanatory note; the
head of the agency (a leader) approves it with the decision (number, date, signer), possibly
for part of the list. Approval destroys the files: their rows go in the same transaction, and
the bytes are deleted from the object store by a job right after the commit (transactional
outbox), once no other row references them. The record and document metadata, the disposal
decision and the manifest of destroyed files are kept. Permanent records, records under a
legal hold and records whose retention has not ended are refused, each with its reason.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from archive import Eligibility, disposal_eligibility
from edoc import audit
from edoc.auth import permissions as auth_perm
from edoc.db import Base, utcnow
from edoc.documents.models import DocumentText
from edoc.errors import Conflict, ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import permissions as perm
from edoc.records.archive_models import ArchiveHolding, Disposal, DisposalItem, RecordPackage
from edoc.records.errors import eligibility_message
from edoc.records.events import check_version, transition
from edoc.records.freeze import allow
from edoc.records.models import Record
from edoc.records.retention import record_retention, retention_rule
from edoc.records.states import RecordAction, RecordState
from edoc.storage.models import StoredObject

__all__ = [
    "approve_disposal",
    "cancel_disposal",
    "eligibility",
    "eligible_records",
    "get_disposal",
    "propose_disposal",
]


class _Facts:
    """What archive.disposal_eligibility reads of a record."""

    def __init__(self, record: Record) -> None:
        self.end_date = record.end_date
        self.retention = record_retention(record)


def eligibility(record: Record, today: date | None = None) -> Eligibility:
    if record.state != RecordState.ARCHIVED:
        return Eligibility(False, "not_archived")
    return disposal_eligibility(_Facts(record), today or local_today(),
                                legal_hold=record.legal_hold, rule=retention_rule())


def _refusal(record: Record, result: Eligibility) -> Conflict:
    message = eligibility_message(result.reason_code or "", result.retention_end)
    return Conflict(_l("Hồ sơ %(c)s: %(m)s", c=record.code, m=message),
                    code=result.reason_code or "not_eligible", record_id=record.id,
                    retention_end=result.retention_end.isoformat() if result.retention_end
                    else None)


def eligible_records(agency_id: int, today: date | None = None) -> list[Record]:
    """Archived records of the agency that may be proposed for disposal today."""
    today = today or local_today()
    in_progress = select(DisposalItem.record_id).join(Disposal).where(
        Disposal.state == "proposed")
    candidates = db.session.scalars(select(Record).where(
        Record.agency_id == agency_id, Record.state == RecordState.ARCHIVED,
        Record.legal_hold.is_(False), Record.retention_until.is_not(None),
        Record.retention_until < today, Record.id.not_in(in_progress))
        .order_by(Record.retention_until, Record.code))
    return [r for r in candidates if eligibility(r, today).ok]


def get_disposal(user: Any, disposal_id: int) -> Disposal:
    disposal = db.session.get(Disposal, disposal_id)
    auth_perm.ensure_visible_agency(user, disposal)
    auth_perm.require(perm.can_propose_disposal(user) or perm.can_approve_disposal(user))
    return disposal


def _record_ids(values: Iterable[Any]) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(v) for v in values or []))
    except (TypeError, ValueError) as exc:
        raise ValidationError(_l("Mã hồ sơ không hợp lệ."), code="invalid_record_id",
                              field="record_ids") from exc
    if not ids:
        raise ValidationError(_l("Hãy chọn hồ sơ cần tiêu hủy."), code="record_ids_required",
                              field="record_ids")
    return ids


def propose_disposal(actor: Any, record_ids: Iterable[Any], *, title: str = "",
                     reason: str = "") -> Disposal:
    auth_perm.require(perm.can_propose_disposal(actor))
    today = local_today()
    records = []
    for record_id in _record_ids(record_ids):
        record = db.session.get(Record, record_id)
        auth_perm.ensure_visible_agency(actor, record)
        result = eligibility(record, today)
        if not result.ok:
            raise _refusal(record, result)
        busy = db.session.scalar(select(DisposalItem.id).join(Disposal).where(
            DisposalItem.record_id == record.id, Disposal.state == "proposed"))
        if busy is not None:
            raise Conflict(_l("Hồ sơ %(c)s: %(m)s", c=record.code,
                              m=eligibility_message("in_other_disposal")),
                           code="in_other_disposal", record_id=record.id)
        records.append(record)
    disposal = Disposal(agency_id=actor.agency_id, proposed_by_id=actor.id,
                        title=(title or "").strip()[:500]
                        or str(_l("Đề nghị tiêu hủy tài liệu hết giá trị")),
                        reason=(reason or "").strip())
    db.session.add(disposal)
    db.session.flush()
    for record in records:
        item = DisposalItem(disposal_id=disposal.id, record_id=record.id)
        item.record = record
        disposal.items.append(item)  # loads the collection first, then cascades the add
    db.session.flush()
    audit.record("archive.disposal_proposed", actor=actor, obj=disposal,
                 details={"record_ids": [r.id for r in records]})
    return disposal


def _decision(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"number": value}
    if not isinstance(value, dict):
        value = {}
    number = str(value.get("number") or "").strip()
    raw_date = value.get("date")
    try:
        day = date.fromisoformat(str(raw_date)) if raw_date else None
    except ValueError:
        day = None
    if not number or day is None:
        raise ValidationError(_l("Tiêu hủy cần quyết định đã được phê duyệt: ghi số và ngày "
                                 "của quyết định."), code="decision_required", field="decision")
    return {"number": number[:100], "date": day,
            "signer": str(value.get("signer") or "").strip()[:255],
            "text": str(value.get("text") or "").strip()}


def _columns_pointing_at(target: str) -> list[Any]:
    """Every column of the schema with a foreign key to ``target`` (``table.column``)."""
    return [column for table in Base.metadata.tables.values() for column in table.columns
            if any(fk.target_fullname == target for fk in column.foreign_keys)]


def _unreferenced(object_ids: set[int]) -> set[int]:
    """The objects no row points at any more (document files, packages, keys, messages ...)."""
    left = set(object_ids)
    for column in _columns_pointing_at("stored_objects.id"):
        if not left:
            break
        used = set(db.session.scalars(select(column).where(column.in_(left))))
        left -= used
    return left


def _destroy_files(record: Record, manifest: list[dict[str, Any]]) -> set[int]:
    """Delete the rows of the record's files and packages; return the object ids they used."""
    object_ids: set[int] = set()
    file_ids = [f.id for doc in record.documents for f in doc.files]
    # Rows derived from a file (signature verification reports ...) go with it.
    for column in _columns_pointing_at("document_files.id"):
        if file_ids:
            db.session.execute(delete(column.table).where(column.in_(file_ids)))
    for doc in record.documents:
        for f in list(doc.files):
            manifest.append({"record": record.code, "document_id": doc.id, "file": f.name,
                             "kind": f.kind, "sha256": f.stored.sha256, "size": f.stored.size})
            object_ids.add(f.stored_object_id)
            doc.files.remove(f)
            db.session.delete(f)
        db.session.execute(delete(DocumentText).where(DocumentText.document_id == doc.id))
    for package in db.session.scalars(select(RecordPackage).where(
            RecordPackage.record_id == record.id)):
        manifest.append({"record": record.code, "document_id": None, "file": "package.zip",
                         "kind": "package", "sha256": package.sha256, "size": package.size})
        object_ids.add(package.stored_object_id)
        db.session.delete(package)
    db.session.execute(delete(ArchiveHolding).where(ArchiveHolding.record_id == record.id))
    return object_ids


def approve_disposal(actor: Any, disposal: Disposal, record_ids: Iterable[Any] | None,
                     decision: Any, *, expected_version: int | None = None) -> Disposal:
    """Approve (part of) a proposal with its decision; the files are destroyed."""
    auth_perm.ensure_visible_agency(actor, disposal)
    auth_perm.require(perm.can_approve_disposal(actor))
    check_version(disposal, expected_version)
    if disposal.state != "proposed":
        raise Conflict(_l("Đề nghị tiêu hủy này đã được xử lý."), code="disposal_decided")
    decided = _decision(decision)
    proposed = {i.record_id: i for i in disposal.items}
    chosen = _record_ids(record_ids) if record_ids is not None else list(proposed)
    outside = [i for i in chosen if i not in proposed]
    if outside:
        raise ValidationError(_l("Có hồ sơ không nằm trong đề nghị tiêu hủy."),
                              code="record_not_proposed", record_ids=outside)
    today = local_today()
    for record_id in chosen:  # the situation may have changed since the proposal
        record = proposed[record_id].record
        result = eligibility(record, today)
        if not result.ok:
            raise _refusal(record, result)
    from edoc.records import jobs, search

    manifest: list[dict[str, Any]] = []
    object_ids: set[int] = set()
    fields = ("state", "disposed_at", "disposal_id")
    for record_id, item in proposed.items():
        if record_id not in chosen:
            item.outcome = "excluded"
            continue
        record = item.record
        with allow([record.id], fields=fields, delete_files=True):
            object_ids |= _destroy_files(record, manifest)
            transition(record, RecordAction.DISPOSE, actor, note=decided["number"],
                       data={"disposal_id": disposal.id})
            record.disposed_at, record.disposal_id = utcnow(), disposal.id
        search.unindex_record(record.id)
        item.outcome = "disposed"
    db.session.flush()
    gone = _unreferenced(object_ids)
    keys = list(db.session.scalars(select(StoredObject.key).where(StoredObject.id.in_(gone))))
    if gone:
        db.session.execute(delete(StoredObject).where(StoredObject.id.in_(gone)))
    disposal.state = "approved"
    disposal.decision_number, disposal.decision_date = decided["number"], decided["date"]
    disposal.decision_signer, disposal.decision_text = decided["signer"], decided["text"]
    disposal.approved_by_id, disposal.approved_at = actor.id, utcnow()
    disposal.manifest = manifest
    disposal.files_deleted = len(manifest)
    disposal.bytes_deleted = sum(m["size"] for m in manifest)
    db.session.flush()
    jobs.enqueue_object_deletion(keys)
    audit.record("archive.disposal_approved", actor=actor, obj=disposal,
                 details={"decision": decided["number"], "date": decided["date"].isoformat(),
                          "records": chosen, "files": len(manifest), "objects": len(keys)})
    return disposal


def cancel_disposal(actor: Any, disposal: Disposal, reason: str = "") -> Disposal:
    auth_perm.ensure_visible_agency(actor, disposal)
    auth_perm.require(perm.can_propose_disposal(actor) or perm.can_approve_disposal(actor))
    if disposal.state != "proposed":
        raise Conflict(_l("Đề nghị tiêu hủy này đã được xử lý."), code="disposal_decided")
    disposal.state = "cancelled"
    for item in disposal.items:
        item.outcome, item.note = "excluded", (reason or "").strip()
    db.session.flush()
    audit.record("archive.disposal_cancelled", actor=actor, obj=disposal,
                 details={"reason": reason})
    return disposal


def count_eligible(agency_id: int) -> int:
    return len(eligible_records(agency_id))


def count_pending(agency_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Disposal).where(
        Disposal.agency_id == agency_id, Disposal.state == "proposed")) or 0
