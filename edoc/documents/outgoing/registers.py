"""The outgoing register (sổ đăng ký văn bản đi, Decree 30 Phụ lục IV) of one book and period.

Rows come from the issued documents of the book, in number order; the printing is
:mod:`edoc.registers.export`'s (PDF and XLSX with the ten columns of the paper book).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from edoc import audit
from edoc.auth import permissions as perm
from edoc.auth.models import Agency, OrgUnit, User
from edoc.documents.doctypes import find_type, get_confidentiality, get_urgency
from edoc.documents.models import Delivery, Document, DocumentEvent, RegisterBook
from edoc.documents.numbering import books_for
from edoc.documents.outgoing import permissions as can
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.registers.export import (
    XLSX_MIMETYPE,
    OutgoingRegisterRow,
    outgoing_register_pdf,
    outgoing_register_xlsx,
)

FORMATS = ("pdf", "xlsx")


@dataclass(frozen=True)
class RegisterQuery:
    book: RegisterBook
    date_from: dt.date
    date_to: dt.date


def can_view_register(user: Any) -> bool:
    return can.is_clerk(user) or can.is_leader(user)


def _date(value: Any, field: str, default: dt.date) -> dt.date:
    if value in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_l("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
                              code="invalid_field", field=field) from None


def register_query(user: Any, args: Any) -> RegisterQuery:
    perm.require(can_view_register(user), _l("Chỉ văn thư và lãnh đạo được xem sổ đăng ký."))
    today = local_today()
    date_from = _date(args.get("from"), "from", today.replace(month=1, day=1))
    date_to = _date(args.get("to"), "to", today)
    if date_from > date_to:
        raise ValidationError(_l("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."),
                              code="invalid_date_range")
    books = books_for(user.agency_id, "outgoing", active_only=False)
    raw_id = args.get("book_id")
    if raw_id not in (None, ""):
        book = next((b for b in books if str(b.id) == str(raw_id)), None)
        if book is None:
            raise ValidationError(_l("Không tìm thấy sổ đăng ký."), code="register_book_not_found")
    else:
        book = next((b for b in books if b.is_default and not b.confidential), None) or (
            books[0] if books else None)
        if book is None:
            raise ValidationError(_l("Cơ quan chưa có sổ đăng ký văn bản đi."),
                                  code="no_register_book")
    return RegisterQuery(book=book, date_from=date_from, date_to=date_to)


def _documents(q: RegisterQuery) -> list[Document]:
    return list(db.session.scalars(select(Document).where(
        Document.agency_id == q.book.agency_id, Document.direction == "outgoing",
        Document.register_book_id == q.book.id, Document.number.is_not(None),
        Document.document_date >= q.date_from, Document.document_date <= q.date_to)
        .order_by(Document.registration_year, Document.number)))


def _note(doc: Document) -> str:
    parts = [lv.name for lv in (get_urgency(doc.urgency), get_confidentiality(doc.confidentiality))
             if lv.rank > 0]
    if doc.state == "revoked":
        parts.append("Đã thu hồi")
    return "; ".join(parts)


def register_rows(q: RegisterQuery) -> Iterator[OutgoingRegisterRow]:
    docs = _documents(q)
    ids = [d.id for d in docs]
    recipients: dict[int, list[str]] = {}
    dispatched: dict[int, dt.datetime] = {}
    if ids:
        for doc_id, name in db.session.execute(
                select(Delivery.document_id, Delivery.recipient_name)
                .where(Delivery.document_id.in_(ids)).order_by(Delivery.id)):
            recipients.setdefault(doc_id, []).append(name)
        dispatched = dict(db.session.execute(
            select(DocumentEvent.document_id, func.min(DocumentEvent.at))
            .where(DocumentEvent.document_id.in_(ids), DocumentEvent.action == "dispatch")
            .group_by(DocumentEvent.document_id)).all())
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {d.signer_id for d in docs if d.signer_id})))} if docs else {}
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(
        {d.drafting_unit_id for d in docs if d.drafting_unit_id})))} if docs else {}
    from edoc.i18n import to_local

    for d in docs:
        names = recipients.get(d.id)
        if names is None:
            names = [str(n) for n in (d.planned_recipients or {}).get("names") or []]
        doc_type = find_type(d.type_key)
        signer = users.get(d.signer_id)
        unit = units.get(d.drafting_unit_id)
        sent = dispatched.get(d.id)
        yield OutgoingRegisterRow(
            number_notation=d.number_notation, document_date=d.document_date,
            type_name=doc_type.name if doc_type else d.type_key, subject=d.subject,
            signer=(f"{d.signing_capacity} {signer.full_name}".strip() if signer else ""),
            recipients="; ".join(names),
            archive_holder="; ".join(p for p in ("Văn thư", unit.name if unit else "") if p),
            copies=len(recipients[d.id]) if d.id in recipients else None,
            transfer_date=to_local(sent).date() if sent else None, note=_note(d))


def export(user: Any, args: Any) -> tuple[bytes, str, str]:
    """``(content, mimetype, filename)`` of the register in the format asked for."""
    fmt = (args.get("format") or "pdf").lower()
    if fmt not in FORMATS:
        raise ValidationError(_l("Định dạng xuất phải là pdf hoặc xlsx."), code="invalid_field",
                              field="format")
    q = register_query(user, args)
    agency = db.session.get(Agency, user.agency_id)
    kwargs = {"agency_name": agency.name, "book_name": q.book.name, "date_from": q.date_from,
              "date_to": q.date_to}
    rows = register_rows(q)
    if fmt == "pdf":
        content, mimetype = outgoing_register_pdf(rows, **kwargs), "application/pdf"
    else:
        content, mimetype = outgoing_register_xlsx(rows, **kwargs), XLSX_MIMETYPE
    audit.record("register.exported", actor=user, obj=q.book,
                 details={"format": fmt, "from": q.date_from.isoformat(),
                          "to": q.date_to.isoformat()})
    name = f"so-van-ban-di-{q.date_from:%Y%m%d}-{q.date_to:%Y%m%d}.{fmt}"
    return content, mimetype, name
