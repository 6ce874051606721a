"""Access to archived records (khai thác): requests, decisions, expiry and the access log.

A user asks for a record with a reason and a period; the archivist approves (possibly for a
shorter period) or refuses with a reason. An approved request is the user's access link
(``/archive/access/<id>``, ``/api/v1/access-requests/<id>/record``); it stops working by itself
after its last day (local time), with the reason ``access_expired``. Every consultation, by
the archivist too, is an ``access_logs`` row and an audit entry.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from edoc import audit
from edoc.auth import permissions as auth_perm
from edoc.auth.models import User, UserRole
from edoc.db import utcnow
from edoc.documents.notifications import notify
from edoc.errors import Conflict, NotFound, PermissionDenied, ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import permissions as perm
from edoc.records.archive_models import AccessLog, AccessRequest
from edoc.records.errors import AccessExpired
from edoc.records.events import check_version
from edoc.records.freeze import audit_after_rollback
from edoc.records.models import Record
from edoc.records.settings import setting
from edoc.records.states import RecordState

__all__ = [
    "approve_request",
    "archived_documents_hidden",
    "check_grant",
    "get_request",
    "log_access",
    "refuse_request",
    "request_access",
    "request_status",
]


def _until(value: Any, field: str = "until") -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError as exc:
            raise ValidationError(_l("Hãy ghi ngày hết hạn khai thác (YYYY-MM-DD)."),
                                  code="until_required", field=field) from exc
    today = local_today()
    if day < today:
        raise ValidationError(_l("Ngày hết hạn khai thác đã qua."), code="until_in_past",
                              field=field)
    longest = int(setting("ARCHIVE_ACCESS_MAX_DAYS"))
    if day > today + timedelta(days=longest):
        raise ValidationError(_l("Thời hạn khai thác tối đa %(n)s ngày.", n=longest),
                              code="until_too_far", field=field)
    return day


def request_access(actor: Any, record_id: Any, reason: str, until: Any) -> AccessRequest:
    try:
        record = db.session.get(Record, int(record_id))
    except (TypeError, ValueError):
        record = None
    auth_perm.ensure_visible_agency(actor, record)
    if record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Chỉ hồ sơ đang lưu trữ mới khai thác được."),
                       code="record_not_archived")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Hãy ghi mục đích khai thác."), code="reason_required",
                              field="reason")
    req = AccessRequest(agency_id=record.agency_id, record_id=record.id, requester_id=actor.id,
                        reason=reason[:2000], requested_until=_until(until))
    db.session.add(req)
    db.session.flush()
    audit.record("archive.access_requested", actor=actor, obj=req,
                 details={"record_id": record.id, "until": req.requested_until.isoformat()})
    archivists = db.session.scalars(select(User).join(UserRole).where(
        User.agency_id == record.agency_id, UserRole.role == "archivist",
        User.active.is_(True))).all()
    notify(archivists, None, "access_request",
           str(_l("Yêu cầu khai thác hồ sơ %(c)s chờ duyệt.", c=record.code)), skip=actor)
    return req


def get_request(user: Any, request_id: int) -> AccessRequest:
    req = db.session.get(AccessRequest, request_id)
    auth_perm.ensure_visible_agency(user, req)
    if req.requester_id != user.id and not perm.can_decide_access(user):
        raise NotFound()
    return req


def _decidable(actor: Any, req: AccessRequest, expected_version: int | None) -> None:
    auth_perm.ensure_visible_agency(actor, req)
    auth_perm.require(perm.can_decide_access(actor))
    check_version(req, expected_version)
    if req.state != "pending":
        raise Conflict(_l("Yêu cầu khai thác này đã được xử lý."), code="access_decided")


def approve_request(actor: Any, req: AccessRequest, *, until: Any = None, reason: str = "",
                    expected_version: int | None = None) -> AccessRequest:
    _decidable(actor, req, expected_version)
    if req.record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Hồ sơ không còn trong kho lưu trữ."), code="record_not_archived")
    req.granted_until = _until(until) if until not in (None, "") else _until(req.requested_until)
    req.state, req.decided_by_id, req.decided_at = "approved", actor.id, utcnow()
    req.decision_reason = (reason or "").strip()
    db.session.flush()
    audit.record("archive.access_approved", actor=actor, obj=req,
                 details={"record_id": req.record_id, "until": req.granted_until.isoformat()})
    notify([req.requester], None, "access_approved",
           str(_l("Yêu cầu khai thác hồ sơ %(c)s được duyệt đến hết ngày %(d)s.",
                  c=req.record.code, d=req.granted_until.strftime("%d/%m/%Y"))))
    return req


def refuse_request(actor: Any, req: AccessRequest, reason: str, *,
                   expected_version: int | None = None) -> AccessRequest:
    _decidable(actor, req, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Hãy ghi lý do từ chối."), code="reason_required",
                              field="reason")
    req.state, req.decided_by_id, req.decided_at = "refused", actor.id, utcnow()
    req.decision_reason = reason
    db.session.flush()
    audit.record("archive.access_refused", actor=actor, obj=req,
                 details={"record_id": req.record_id, "reason": reason})
    notify([req.requester], None, "access_refused",
           str(_l("Yêu cầu khai thác hồ sơ %(c)s bị từ chối: %(r)s", c=req.record.code,
                  r=reason)))
    return req


def request_status(req: AccessRequest, today: date | None = None) -> str:
    """pending | refused | active | expired."""
    if req.state == "approved":
        today = today or local_today()
        return "active" if req.granted_until and today <= req.granted_until else "expired"
    return req.state


def check_grant(user: Any, req: AccessRequest) -> Record:
    """The record an access link opens, or why it does not (403 with a clear code)."""
    if req.requester_id != user.id:
        raise NotFound()
    status = request_status(req)
    if status == "pending":
        raise PermissionDenied(_l("Yêu cầu khai thác chưa được duyệt."), code="access_pending")
    if status == "refused":
        raise PermissionDenied(_l("Yêu cầu khai thác đã bị từ chối: %(r)s",
                                  r=req.decision_reason), code="access_refused")
    if status == "expired":
        audit_after_rollback("archive.access_expired_refused", req, actor=user,
                             details={"record_id": req.record_id,
                                      "until": req.granted_until.isoformat()})
        raise AccessExpired(_l("Quyền khai thác hồ sơ đã hết hạn từ sau ngày %(d)s. Hãy gửi "
                               "yêu cầu khai thác mới.",
                               d=req.granted_until.strftime("%d/%m/%Y")),
                            until=req.granted_until.isoformat())
    if req.record.state != RecordState.ARCHIVED:
        raise Conflict(_l("Hồ sơ không còn trong kho lưu trữ."), code="record_not_archived")
    return req.record


def log_access(user: Any, record: Record, action: str, *, grant: AccessRequest | None = None,
               document_id: int | None = None, file_id: int | None = None) -> None:
    db.session.add(AccessLog(agency_id=record.agency_id, record_id=record.id, user_id=user.id,
                             access_request_id=grant.id if grant else None, action=action,
                             document_id=document_id, file_id=file_id))
    audit.record("archive.accessed", actor=user, obj=record,
                 details={"action": action, "document_id": document_id, "file_id": file_id,
                          "access_request_id": grant.id if grant else None})


def archived_documents_hidden(user: Any) -> Any:
    """SQL condition on ``documents``: false for a document filed in an archived or disposed
    record unless ``user`` is the archivist. Registered into the documents' visibility rule
    (:func:`edoc.documents.visibility.add_visibility_rule`), so that the ordinary document
    pages, lists, API and search do not bypass access requests: anyone else consults an
    archived document through an approved access link, which checks expiry and is logged.

    A correlated NOT EXISTS, not ``NOT IN (archived ids)``: PostgreSQL plans it as an anti-join
    (one probe of ``uq_record_documents_document`` per listed row, or one hash of the archived
    ids for a long scan), whereas ``NOT IN`` stops being hashed once the archived ids outgrow
    ``work_mem`` and then rescans them for every row."""
    from sqlalchemy import exists, true

    from edoc.documents.models import Document
    from edoc.records.models import RecordDocument
    from edoc.records.states import FROZEN_STATES

    if perm.is_archivist(user):
        return true()
    return ~exists(select(RecordDocument.id)
                   .join(Record, Record.id == RecordDocument.record_id)
                   .where(RecordDocument.document_id == Document.id,
                          Record.state.in_(sorted(FROZEN_STATES))))
