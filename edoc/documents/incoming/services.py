"""The incoming workflow: register, return, submit, assign, process, complete, cancel.

Every function takes the acting user, checks the permission, moves the state through the
transition table (an event row and an audit entry), tells the people concerned and the sender,
and flushes. The caller commits.
"""
from __future__ import annotations

import functools
import logging
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from edoc.auth import permissions as perm
from edoc.auth.models import OrgUnit, User
from edoc.auth.roles import Role
from edoc.db import utcnow
from edoc.documents import notifications
from edoc.documents.deadlines import deadline_after
from edoc.documents.events import add_event, check_version, transition
from edoc.documents.incoming import permissions as can
from edoc.documents.incoming.sender import notify_sender
from edoc.documents.metadata import parse_metadata
from edoc.documents.models import (
    Assignment,
    AssignmentParty,
    Document,
    DocumentFile,
    FileKind,
    PartyRole,
)
from edoc.documents.numbering import choose_book, numbering_year, take_next_number
from edoc.documents.states import InAction
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.i18n import local_today

logger = logging.getLogger(__name__)


def update_metadata(doc: Document, actor: User, raw: dict[str, Any], *,
                    expected_version: int | None = None) -> Document:
    perm.require(can.can_edit_metadata(actor, doc))
    check_version(doc, expected_version)
    values = parse_metadata(raw)
    changed = {k: v for k, v in values.items() if getattr(doc, k) != v}
    for key, value in changed.items():
        setattr(doc, key, value)
    if changed:
        add_event(doc, "metadata_updated", actor, data={"fields": sorted(changed)})
    db.session.flush()
    return doc


def register(doc: Document, actor: User, *, register_book_id: int | None = None,
             expected_version: int | None = None) -> Document:
    """Give the document the next number of its register book and stamp "ĐẾN" on its PDF."""
    perm.require(can.can_register(actor))
    check_version(doc, expected_version)
    book = choose_book(doc.agency_id, "incoming", type_key=doc.type_key,
                       confidential=doc.confidentiality != "thuong", book_id=register_book_id)
    now = utcnow()
    year = numbering_year(now)
    # Taking the number locks the book's counter row until commit (PostgreSQL): every
    # registration of the book waits for it. So the work that does not need the number is done
    # first: reading and parsing the PDF and laying out the stamp, the state change, the
    # sender's notice. Their rows go in with the number's, in one flush (one UPDATE of the
    # document instead of two): the counter is locked first, then the document row. Every
    # registration takes them in this order, so two of them cannot deadlock.
    stamp = _prepare_stamp(doc, received_at=doc.received_at or now)
    transition(doc, InAction.REGISTER, actor, data={"book_id": book.id})
    doc.register_book_id, doc.registration_year = book.id, year
    notify_sender(doc, "03", actor)
    doc.registration_number = take_next_number(book, year, flush=False)
    doc.registered_at = now
    if stamp is None:
        add_event(doc, "stamp_skipped", actor, note=_("Tệp không phải PDF nên không đóng dấu đến."))
    else:
        _stamp(doc, actor, *stamp)
    db.session.flush()
    logger.info("incoming %s registered as %s/%s in book %s", doc.id, doc.registration_number,
                year, book.id)
    return doc


def _prepare_stamp(doc: Document, *, received_at: Any
                   ) -> tuple[DocumentFile, Any] | None:
    """The file to stamp and its stamp ready but for the number (or the PdfError that stamping
    it raises); None if there is no PDF."""
    from edoc.documents.files import read_file
    from signing.errors import PdfError
    from signing.incoming import prepare_incoming_stamp

    source = doc.current_file(FileKind.OCR, FileKind.RENDITION, FileKind.ORIGINAL)
    if source is None or source.content_type != "application/pdf":
        return None
    try:
        return source, prepare_incoming_stamp(read_file(source), received_at=received_at,
                                              agency=doc_agency_name(doc))
    except PdfError as exc:
        return source, exc


def _stamp(doc: Document, actor: User, source: DocumentFile, prepared: Any) -> None:
    """Add the "ĐẾN" stamp as an annotation in an incremental update; the original stays."""
    from edoc.documents.files import add_file, store_bytes
    from signing.errors import PdfError

    try:
        if isinstance(prepared, PdfError):
            raise prepared
        stamped = prepared.finish(doc.registration_number)
    except PdfError as exc:  # a PDF we can read but not update: register anyway, say so
        logger.warning("stamp of document %s failed: %s", doc.id, exc)
        add_event(doc, "stamp_failed", actor, note=str(exc))
        return
    add_file(doc, store_bytes(stamped, "application/pdf").obj, kind=FileKind.STAMPED,
             name=source.name, content_type="application/pdf", actor=actor)


def doc_agency_name(doc: Document) -> str:
    from edoc.auth.models import Agency

    agency = db.session.identity_map.get(db.session.identity_key(Agency, doc.agency_id))
    if agency is not None and "name" in agency.__dict__:  # loaded and not expired
        return agency.name
    # Else only the name, not the whole row (refreshing an expired agency reads it all).
    return db.session.execute(_agency_name(), {"id": doc.agency_id}).scalar() or ""


@functools.cache
def _agency_name():
    from edoc.auth.models import Agency

    agencies = Agency.__table__
    return select(agencies.c.name).where(agencies.c.id == bindparam("id"))


def return_to_sender(doc: Document, actor: User, reason: str, *,
                     expected_version: int | None = None) -> Document:
    perm.require(can.can_register(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Phải nêu lý do trả lại văn bản."), code="reason_required")
    transition(doc, InAction.RETURN, actor, note=reason, expected_version=expected_version)
    notify_sender(doc, "02", actor, note=reason)
    db.session.flush()
    return doc


def submit(doc: Document, actor: User, leader_id: int, *,
           expected_version: int | None = None) -> Document:
    perm.require(can.can_submit(actor))
    leader = _user_in_agency(doc, leader_id, "leader_id")
    if not leader.has_role(Role.LEADER):
        raise ValidationError(_l("Người nhận trình phải là lãnh đạo."), code="not_a_leader")
    transition(doc, InAction.SUBMIT, actor, data={"leader_id": leader.id},
               expected_version=expected_version)
    doc.submitted_to_id = leader.id
    notifications.notify([leader], doc, "submitted",
                         _("Văn bản đến số %(n)s chờ đồng chí cho ý kiến phân công.",
                           n=doc.registration_number))
    db.session.flush()
    return doc


def _user_in_agency(doc: Document, user_id: Any, field: str) -> User:
    user = db.session.get(User, _as_id(user_id, field))
    if user is None or user.agency_id != doc.agency_id or not user.active:
        raise ValidationError(_l("Người dùng không thuộc cơ quan."), code="invalid_field",
                              field=field)
    return user


def _unit_in_agency(doc: Document, unit_id: Any, field: str) -> OrgUnit:
    unit = db.session.get(OrgUnit, _as_id(unit_id, field))
    if unit is None or unit.agency_id != doc.agency_id:
        raise ValidationError(_l("Đơn vị không thuộc cơ quan."), code="invalid_field", field=field)
    return unit


def _as_id(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("Mã không hợp lệ."), code="invalid_field", field=field) from None


def _members(unit: OrgUnit) -> list[User]:
    return list(db.session.scalars(select(User).where(User.unit_id == unit.id,
                                                      User.active.is_(True))))


def current_assignment(doc: Document) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(Assignment.document_id == doc.id,
                                                      Assignment.active.is_(True))
                             .order_by(Assignment.id.desc()))


def assign(doc: Document, actor: User, *, lead_unit_id: Any = None, lead_user_id: Any = None,
           cooperating_unit_ids: list[Any] | None = None,
           informed_user_ids: list[Any] | None = None, deadline: date | str | None = None,
           deadline_days: int | None = None, direction: str = "",
           expected_version: int | None = None) -> Assignment:
    """The leader assigns the document (or reassigns it: the previous assignment ends)."""
    perm.require(can.can_assign(actor))
    if bool(lead_unit_id) == bool(lead_user_id):
        raise ValidationError(_l("Chọn một đơn vị chủ trì hoặc một người chủ trì."),
                              code="lead_required")
    if isinstance(deadline, str):
        deadline = parse_metadata({"deadline": deadline}).get("deadline")
    if deadline is None and deadline_days:
        deadline = deadline_after(doc.agency_id, local_today(), int(deadline_days))
    if deadline is not None and deadline < local_today():
        raise ValidationError(_l("Hạn xử lý không được ở trong quá khứ."), code="deadline_past")
    action = InAction.REASSIGN if doc.state in ("assigned", "in_progress") else InAction.ASSIGN
    previous = current_assignment(doc)
    if previous is not None:
        previous.active = False
    a = Assignment(document_id=doc.id, agency_id=doc.agency_id, assigned_by_id=actor.id,
                   deadline=deadline, direction=(direction or "").strip())
    to_notify: list[User] = []
    if lead_user_id:
        lead = _user_in_agency(doc, lead_user_id, "lead_user_id")
        a.parties.append(AssignmentParty(role=PartyRole.LEAD, user_id=lead.id))
        to_notify.append(lead)
    else:
        unit = _unit_in_agency(doc, lead_unit_id, "lead_unit_id")
        a.parties.append(AssignmentParty(role=PartyRole.LEAD, unit_id=unit.id))
        to_notify += _members(unit)
    for uid in dict.fromkeys(cooperating_unit_ids or []):
        unit = _unit_in_agency(doc, uid, "cooperating_unit_ids")
        a.parties.append(AssignmentParty(role=PartyRole.COOPERATE, unit_id=unit.id))
        to_notify += _members(unit)
    for uid in dict.fromkeys(informed_user_ids or []):
        user = _user_in_agency(doc, uid, "informed_user_ids")
        a.parties.append(AssignmentParty(role=PartyRole.INFORM, user_id=user.id))
        to_notify.append(user)
    db.session.add(a)
    transition(doc, action, actor, note=a.direction, expected_version=expected_version,
               data={"deadline": deadline.isoformat() if deadline else None,
                     "lead_unit_id": lead_unit_id, "lead_user_id": lead_user_id})
    doc.deadline, doc.direction_note = deadline, a.direction
    notifications.notify(to_notify, doc, "assigned",
                         _("Đồng chí được giao xử lý văn bản: %(s)s", s=doc.subject[:200]),
                         skip=actor)
    notify_sender(doc, "04", actor)
    db.session.flush()
    return a


def start(doc: Document, actor: User, note: str = "", *,
          expected_version: int | None = None) -> Document:
    perm.require(can.can_process(actor, current_assignment(doc)))
    transition(doc, InAction.START, actor, note=note, expected_version=expected_version)
    notify_sender(doc, "05", actor)
    db.session.flush()
    return doc


def add_progress_note(doc: Document, actor: User, note: str) -> None:
    perm.require(can.can_process(actor, current_assignment(doc)))
    if not note.strip():
        raise ValidationError(_l("Nội dung ghi chú trống."), code="note_required")
    add_event(doc, "progress_note", actor, note=note.strip())
    db.session.flush()


def complete(doc: Document, actor: User, result: str, *, result_files=(),
             expected_version: int | None = None) -> Document:
    from edoc.capture import capture
    from edoc.documents.files import attach_file

    perm.require(can.can_process(actor, current_assignment(doc)))
    result = (result or "").strip()
    if not result:
        raise ValidationError(_l("Hãy ghi kết quả xử lý."), code="result_required")
    checked = [capture(data, name) for name, data in result_files]  # all checked before storing
    transition(doc, InAction.COMPLETE, actor, note=result, expected_version=expected_version)
    doc.result, doc.completed_at = result, utcnow()
    for c in checked:
        attach_file(doc, c.original, kind=FileKind.RESULT, name=c.filename,
                    content_type=c.mime_type, actor=actor)
    notifications.notify([u for u in (doc.submitted_to,) if u], doc, "completed",
                         _("Văn bản đã được xử lý xong: %(s)s", s=doc.subject[:200]), skip=actor)
    notify_sender(doc, "06", actor, note=result)
    db.session.flush()
    return doc


def cancel_by_sender(doc: Document, reason: str, actor: Any = None) -> Document:
    """The sender revoked the document: the copy here is cancelled, with the reason kept."""
    transition(doc, InAction.CANCEL, actor, note=reason or "")
    a = current_assignment(doc)
    if a is not None:
        users = [p.user for p in a.parties if p.user] + [
            m for p in a.parties if p.unit for m in _members(p.unit)]
        notifications.notify(users, doc, "cancelled",
                             _("Văn bản đã bị cơ quan gửi thu hồi: %(s)s", s=doc.subject[:200]))
    db.session.flush()
    return doc


def overdue_filter_date() -> date:
    return local_today()


def mark_notifications_read(user: User) -> None:
    notifications.mark_all_read(user)


def default_deadline_days() -> int:
    return int(current_app.config.get("DEFAULT_DEADLINE_DAYS", 10))


__all__ = ["add_progress_note", "assign", "cancel_by_sender", "complete", "current_assignment",
           "register", "return_to_sender", "start", "submit", "update_metadata"]
