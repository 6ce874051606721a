"""Transfer to the agency archive (nộp lưu): submit with a transfer list, accept or return.

Accepting archives the record: its retention end is fixed, its files are locked in the object
store (:mod:`edoc.records.locking`), its metadata is frozen (:mod:`edoc.records.freeze`), it
enters the archive search index, and its archival package is built in the background.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from archive import RetentionError, TransferRule, is_transferable
from edoc.auth import permissions as auth_perm
from edoc.auth.models import User, UserRole
from edoc.db import utcnow
from edoc.documents.notifications import notify
from edoc.errors import Conflict, NotFound, ValidationError
from edoc.extensions import db
from edoc.records import permissions as perm
from edoc.records.events import transition
from edoc.records.freeze import refuse
from edoc.records.models import Record, Transfer, TransferItem
from edoc.records.retention import record_retention, retention_until
from edoc.records.states import FROZEN_STATES, RecordAction, RecordState

__all__ = ["accept_record", "get_transfer", "pending_item", "reject_record", "submit_transfer"]


def get_transfer(user: Any, transfer_id: int) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    auth_perm.ensure_visible_agency(user, transfer)
    if not (perm.is_archivist(user) or transfer.submitted_by_id == user.id
            or any(perm.can_transfer(user, i.record) for i in transfer.items)):
        raise NotFound()
    return transfer


def submit_transfer(actor: Any, record_ids: Iterable[Any], *, note: str = "",
                    expected_version: int | None = None) -> Transfer:
    """A unit hands over closed records; one transfer list for all of them."""
    ids = []
    for raw in record_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError) as exc:
            raise ValidationError(_l("Mã hồ sơ không hợp lệ."), code="invalid_record_id",
                                  field="record_ids") from exc
    if not ids:
        raise ValidationError(_l("Hãy chọn hồ sơ cần nộp lưu."), code="record_ids_required",
                              field="record_ids")
    records = []
    for record_id in dict.fromkeys(ids):
        record = db.session.get(Record, record_id)
        auth_perm.ensure_visible_agency(actor, record)
        if record.state in FROZEN_STATES:
            raise refuse(record, "record.transfer", actor=actor)
        auth_perm.require(perm.can_transfer(actor, record))
        if record.state != RecordState.CLOSED:
            # Same refusal text as the transition table gives (e.g. an open record).
            transition(record, RecordAction.TRANSFER, actor)
        if not is_transferable(record_retention(record), rule=TransferRule()):
            raise ValidationError(
                _l("Hồ sơ %(c)s có thời hạn bảo quản %(r)s: chỉ hồ sơ bảo quản từ 05 năm trở "
                   "lên mới nộp lưu vào lưu trữ cơ quan.", c=record.code,
                   r=record_retention(record).label),
                code="retention_too_short", record_id=record.id)
        records.append(record)
    transfer = Transfer(agency_id=actor.agency_id, unit_id=records[0].unit_id,
                        submitted_by_id=actor.id, note=(note or "").strip())
    db.session.add(transfer)
    db.session.flush()
    for record in records:
        transition(record, RecordAction.TRANSFER, actor,
                   expected_version=expected_version if len(records) == 1 else None,
                   note=transfer.note, data={"transfer_id": transfer.id})
        record.transferred_at = utcnow()
        item = TransferItem(transfer_id=transfer.id, record_id=record.id)
        item.record = record
        transfer.items.append(item)  # loads the collection first, then cascades the add
    db.session.flush()
    archivists = db.session.scalars(select(User).join(UserRole).where(
        User.agency_id == actor.agency_id, UserRole.role == "archivist",
        User.active.is_(True))).all()
    notify(archivists, None, "record_transfer",
           str(_l("%(n)s hồ sơ được nộp lưu, chờ tiếp nhận.", n=len(records))), skip=actor)
    return transfer


def pending_item(record: Record) -> TransferItem | None:
    return db.session.scalar(select(TransferItem).where(
        TransferItem.record_id == record.id, TransferItem.outcome == "pending")
        .order_by(TransferItem.id.desc()))


def _decide(item: TransferItem | None, actor: Any, outcome: str, reason: str) -> None:
    if item is None:
        return
    item.outcome, item.reason = outcome, reason
    item.decided_at, item.decided_by_id = utcnow(), actor.id
    transfer = item.transfer
    if all(i.outcome != "pending" for i in transfer.items):
        transfer.state = "done"


def accept_record(actor: Any, record: Record, *, note: str = "",
                  expected_version: int | None = None) -> Record:
    """The archivist accepts a transferred record: it becomes archived and immutable."""
    auth_perm.ensure_visible_agency(actor, record)
    if record.state in FROZEN_STATES:
        raise refuse(record, "record.accept", actor=actor)
    auth_perm.require(perm.can_receive_transfer(actor))
    item = pending_item(record)
    try:
        until = retention_until(record)
    except RetentionError:
        until = None  # "other" without years: kept (and locked) like a permanent record
    transition(record, RecordAction.ACCEPT, actor, note=note, expected_version=expected_version,
               data={"retention_until": until.isoformat() if until else None,
                     "transfer_id": item.transfer_id if item else None})
    record.retention_until = until
    record.archived_at, record.archived_by_id = utcnow(), actor.id
    _decide(item, actor, "accepted", note)
    db.session.flush()
    from edoc.records import jobs, locking, search

    locking.lock_record(record)
    search.index_record(record)
    jobs.after_archiving(record)
    submitter = item.transfer.submitted_by if item else record.creator
    notify([submitter], None, "record_archived",
           str(_l("Hồ sơ %(c)s đã được tiếp nhận vào lưu trữ.", c=record.code)), skip=actor)
    return record


def reject_record(actor: Any, record: Record, reason: str, *,
                  expected_version: int | None = None) -> Record:
    """Return a transferred record to its unit (back to closed) with a reason."""
    auth_perm.ensure_visible_agency(actor, record)
    if record.state in FROZEN_STATES:
        raise refuse(record, "record.reject", actor=actor)
    auth_perm.require(perm.can_receive_transfer(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Hãy ghi lý do trả lại hồ sơ."), code="reason_required",
                              field="reason")
    item = pending_item(record)
    transition(record, RecordAction.REJECT, actor, note=reason,
               expected_version=expected_version,
               data={"transfer_id": item.transfer_id if item else None})
    record.transferred_at = None
    _decide(item, actor, "returned", reason)
    db.session.flush()
    submitter = item.transfer.submitted_by if item else record.creator
    notify([submitter], None, "record_returned",
           str(_l("Hồ sơ %(c)s bị trả lại: %(r)s", c=record.code, r=reason)), skip=actor)
    return record


def accept_transfer(actor: Any, transfer: Transfer) -> list[Record]:
    """Accept every record of a transfer that still waits."""
    pending = [i.record for i in transfer.items if i.outcome == "pending"]
    if not pending:
        raise Conflict(_l("Không còn hồ sơ nào chờ tiếp nhận trong lần nộp lưu này."),
                       code="transfer_done")
    return [accept_record(actor, r) for r in pending]
