"""The incoming register (sổ đăng ký văn bản đến) as rows, and its printed exports."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response
from sqlalchemy import select

from edoc import audit
from edoc.documents.doctypes import find_type
from edoc.documents.models import Assignment, Document, RegisterBook
from edoc.errors import NotFound
from edoc.extensions import db
from edoc.i18n import local_tz, to_local
from edoc.registers.columns import IncomingRegisterRow


def _book(user: Any, book_id: int) -> RegisterBook:
    book = db.session.get(RegisterBook, book_id)
    if book is None or book.agency_id != user.agency_id or book.direction != "incoming":
        raise NotFound()
    return book


def _query(book: RegisterBook, date_from: date, date_to: date):
    tz = local_tz()
    start = datetime.combine(date_from, time.min, tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tz)
    return (select(Document).where(Document.register_book_id == book.id,
                                   Document.direction == "incoming",
                                   Document.registered_at >= start, Document.registered_at < end)
            .order_by(Document.registration_year, Document.registration_number))


def _row(doc: Document) -> IncomingRegisterRow:
    t = find_type(doc.type_key)
    first = db.session.scalar(select(Assignment).where(Assignment.document_id == doc.id)
                              .order_by(Assignment.id))
    recipient, transfer = "", None
    if first is not None:
        names = [p.unit.name if p.unit else p.user.full_name for p in first.parties
                 if p.role == "lead"]
        recipient, transfer = ", ".join(names), to_local(first.assigned_at).date()
    return IncomingRegisterRow(
        arrival_date=to_local(doc.received_at or doc.registered_at).date(),
        arrival_number=doc.registration_number, author=doc.issuing_agency,
        number_notation=doc.number_notation, document_date=doc.document_date,
        type_name=t.name if t else "", subject=doc.subject, recipient=recipient,
        transfer_date=transfer, note=doc.notes)


def register_rows(user: Any, book_id: int, date_from: date, date_to: date, *,
                  limit: int | None = None) -> list[IncomingRegisterRow]:
    stmt = _query(_book(user, book_id), date_from, date_to)
    if limit:
        stmt = stmt.limit(limit)
    return [_row(d) for d in db.session.scalars(stmt)]


def _iter_rows(book: RegisterBook, date_from: date, date_to: date) -> Iterator[IncomingRegisterRow]:
    for doc in db.session.scalars(_query(book, date_from, date_to)
                                  .execution_options(yield_per=500)):
        yield _row(doc)


def export_register(user: Any, book_id: int, date_from: date, date_to: date,
                    fmt: str) -> Response:
    from edoc.registers.export import incoming_register_pdf, incoming_register_xlsx

    book = _book(user, book_id)
    kwargs = {"agency_name": user.agency.name, "book_name": book.name, "date_from": date_from,
              "date_to": date_to}
    if fmt == "pdf":
        data, mime, ext = incoming_register_pdf(_iter_rows(book, date_from, date_to), **kwargs), \
            "application/pdf", "pdf"
    else:
        data = incoming_register_xlsx(_iter_rows(book, date_from, date_to), **kwargs)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ext = "xlsx"
    audit.record("register.exported", actor=user, details={"book_id": book.id, "format": ext,
                                                            "from": date_from.isoformat(),
                                                            "to": date_to.isoformat()})
    name = f"so-van-ban-den-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{ext}"
    return Response(data, mimetype=mime,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
