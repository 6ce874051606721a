"""Lists of documents: filters shared by pages and the API, and each role's inbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, any_, func, or_, select

from edoc.documents.models import Assignment, AssignmentParty, Document
from edoc.documents.visibility import visible_clause
from edoc.errors import ValidationError

OPEN_INCOMING = ("registered", "submitted", "assigned", "in_progress")


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    q: str | None = None
    type: str | None = None
    urgency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    overdue: bool = False
    due_soon: bool = False
    box: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        def _d(name: str) -> date | None:
            raw = args.get(name)
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise ValidationError(_l("Ngày lọc không hợp lệ."), code="invalid_field",
                                      field=name) from None

        unit = args.get("unit_id")
        return cls(state=args.get("state") or None, q=(args.get("q") or "").strip() or None,
                   type=args.get("type") or None, urgency=args.get("urgency") or None,
                   date_from=_d("from"), date_to=_d("to"),
                   unit_id=int(unit) if unit and str(unit).isdigit() else None,
                   overdue=args.get("overdue") in ("1", "true", "on"),
                   due_soon=args.get("due_soon") in ("1", "true", "on"),
                   box=args.get("box") or None)


def _among(documents: Select):
    """``Document.id`` among the ids ``documents`` selects (a condition ANDed to the others),
    computed once from the assignment side. A correlated EXISTS per document let SQLite
    without statistics probe every party of the unit for every document (359 s for an
    officer's "mine" box over 100,000 documents, 10,000 of them assigned to the unit).
    PostgreSQL plans ``id IN (...)`` as a semi-join and, for a page of 25 newest first, walks
    the documents backwards probing each (23,000 probes, 100-680 ms when the unit's documents
    are old ones); ``id = ANY(ARRAY(...))`` makes it build the id list once and fetch those
    rows by key (12 ms)."""
    from edoc.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        return Document.id == any_(func.array(documents.scalar_subquery()))
    return Document.id.in_(documents)


def _involves_unit(unit_id: int):
    # One alternative of an OR: there PostgreSQL hashes the IN list once (a "hashed SubPlan"),
    # where ANY(ARRAY(...)) would be scanned element by element for every document.
    return Document.id.in_(select(Assignment.document_id).join(AssignmentParty).where(
        Assignment.active.is_(True), AssignmentParty.unit_id == unit_id))


def assigned_to_user(user: Any):
    """Active assignments that make ``user`` lead or co-operating (personally or by unit)."""
    return _among(select(Assignment.document_id).join(AssignmentParty).where(
        Assignment.active.is_(True),
        AssignmentParty.role.in_(("lead", "cooperate")),
        or_(AssignmentParty.user_id == user.id,
            and_(AssignmentParty.unit_id.is_not(None), AssignmentParty.unit_id == user.unit_id))))


def document_list(user: Any, direction: str, f: Filters, *, today: date) -> Select:
    stmt = select(Document).where(Document.direction == direction, visible_clause(user))
    if f.box:
        stmt = stmt.where(box_clause(user, direction, f.box))
    if f.state:
        stmt = stmt.where(Document.state == f.state)
    if f.type:
        stmt = stmt.where(Document.type_key == f.type)
    if f.urgency:
        stmt = stmt.where(Document.urgency == f.urgency)
    if f.date_from:
        stmt = stmt.where(Document.document_date >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Document.document_date <= f.date_to)
    if f.unit_id:
        stmt = stmt.where(or_(Document.receiving_unit_id == f.unit_id,
                              Document.drafting_unit_id == f.unit_id, _involves_unit(f.unit_id)))
    if f.overdue:
        stmt = stmt.where(Document.deadline < today, Document.state.in_(OPEN_INCOMING))
    if f.due_soon:
        from datetime import timedelta

        stmt = stmt.where(Document.deadline >= today, Document.deadline <= today + timedelta(3),
                          Document.state.in_(OPEN_INCOMING))
    if f.q:
        stmt = stmt.where(_text_match(user, direction, f.q))
    order = (Document.registration_number.desc(), Document.id.desc()) \
        if f.state == "registered" else (Document.id.desc(),)
    return stmt.order_by(*order)


def _text_match(user: Any, direction: str, q: str):
    """The list's free-text filter, answered by the search index: every word of ``q``,
    accent-insensitive (``quyet dinh`` finds Quyết định), anywhere in the subject, number and
    notation, issuing agency or text, or the number/notation in any of its written forms
    (``15/QĐ-UBND``, ``qd-ubnd 15``); a number alone also finds the registration number. The
    list keeps its own filters, order, paging and visibility (the index only narrows the ids).
    """
    from edoc.search.query import matching_documents

    found = matching_documents(user.agency_id, q, direction=direction)
    if found is None:  # nothing the index can look up (punctuation only): as typed
        return _substring_match(q)
    if q.isdigit():
        return or_(found, Document.registration_number == int(q))
    return found


def _substring_match(q: str):
    from edoc.documents.metadata import parse_number_notation

    number, notation = parse_number_notation(q)
    like = f"%{q.lower()}%"
    conditions = [func.lower(Document.subject).like(like),
                  func.lower(Document.notation).like(like),
                  func.lower(Document.issuing_agency).like(like)]
    if number is not None:
        conditions.append(and_(Document.number == number,
                               func.upper(Document.notation) == notation.upper()))
    if q.isdigit():
        conditions.append(Document.registration_number == int(q))
    return or_(*conditions)


def box_clause(user: Any, direction: str, box: str):
    """The inboxes: ``to_register`` (clerk), ``to_assign`` (leader), ``mine`` (officer)."""
    if direction == "incoming":
        if box == "to_register":
            return Document.state == "received"
        if box == "to_assign":
            return and_(Document.state.in_(("submitted", "registered")),
                        or_(Document.submitted_to_id == user.id,
                            Document.submitted_to_id.is_(None)))
        if box == "mine":
            return and_(Document.state.in_(("assigned", "in_progress")), assigned_to_user(user))
        if box == "done":
            return Document.state == "done"
    raise ValidationError(_l("Hộp văn bản không hợp lệ."), code="invalid_field", field="box")


def count(stmt: Select) -> int:
    from edoc.extensions import db

    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
