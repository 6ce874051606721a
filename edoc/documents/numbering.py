"""Register books and gapless yearly numbers, safe under concurrent use.

Taking a number increments the book's counter row for the year with one ``UPDATE ... RETURNING``.
On PostgreSQL that statement locks the row until the transaction ends, so a concurrent clerk waits
and then gets the next number; on SQLite every transaction holds the write lock from its start.
Either way, if the transaction rolls back the increment rolls back with it: no gaps. A unique
constraint on (book, year, number) backs the rule up.
"""
from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from edoc.documents.models import RegisterBook, RegisterCounter
from edoc.errors import ValidationError
from edoc.extensions import db

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def numbering_year(at: datetime, tz: ZoneInfo = VN_TZ) -> int:
    """The register year of an instant: numbering restarts on 1 January, Vietnamese time."""
    return at.astimezone(tz).year


@functools.cache
def _increment():
    """The counter's UPDATE .. RETURNING, built once, on the table (the ORM-enabled form would
    also look for counter objects to synchronise, and there are none)."""
    counters = RegisterCounter.__table__
    return (update(counters)
            .where(counters.c.book_id == bindparam("book"), counters.c.year == bindparam("yr"))
            .values(last_number=counters.c.last_number + 1)
            .returning(counters.c.last_number))


def take_next_number(book: RegisterBook, year: int, *, flush: bool = True) -> int:
    """The next number of ``book`` in ``year``; its counter row stays locked until the
    transaction ends. ``flush``: write pending changes first (as an ORM statement would);
    without, they go in with the caller's next flush, under the lock."""
    if flush:
        db.session.flush()
    params = {"book": book.id, "yr": year}
    number = db.session.connection().execute(_increment(), params).scalar()
    if number is not None:
        return number
    try:  # first number of the year in this book
        with db.session.begin_nested():
            db.session.execute(insert(RegisterCounter).values(book_id=book.id, year=year,
                                                              last_number=0))
    except IntegrityError:
        pass  # a concurrent transaction created the row; our UPDATE now waits for it
    number = db.session.connection().execute(_increment(), params).scalar()
    assert number is not None
    return number


def peek_next_number(book: RegisterBook, year: int) -> int:
    last = db.session.scalar(select(RegisterCounter.last_number).where(
        RegisterCounter.book_id == book.id, RegisterCounter.year == year))
    return (last or 0) + 1


def books_for(agency_id: int, direction: str, *, active_only: bool = True) -> list[RegisterBook]:
    return list(db.session.scalars(_books(active_only),
                                   {"agency_id": agency_id, "direction": direction}))


@functools.cache
def _books(active_only: bool):
    stmt = select(RegisterBook).where(RegisterBook.agency_id == bindparam("agency_id"),
                                      RegisterBook.direction == bindparam("direction"))
    if active_only:
        stmt = stmt.where(RegisterBook.active.is_(True))
    return stmt.order_by(RegisterBook.is_default.desc(), RegisterBook.name)


def choose_book(agency_id: int, direction: str, *, type_key: str, confidential: bool,
                book_id: int | None = None) -> RegisterBook:
    """The book a document goes into: the one asked for, else the most specific that fits."""
    books = books_for(agency_id, direction)
    if book_id is not None:
        for b in books:
            if b.id == book_id:
                if not _fits(b, type_key, confidential):
                    raise ValidationError(_l("Sổ đăng ký này không dùng cho loại văn bản hoặc độ "
                                             "mật này."), code="register_book_mismatch")
                return b
        raise ValidationError(_l("Không tìm thấy sổ đăng ký."), code="register_book_not_found")
    fitting = [b for b in books if _fits(b, type_key, confidential)]
    # Most specific first: a confidential book for confidential documents, a per-type book for
    # its types, the default book last.
    fitting.sort(key=lambda b: (not b.confidential, b.type_keys is None, not b.is_default))
    if not fitting:
        raise ValidationError(_l("Cơ quan chưa có sổ đăng ký phù hợp. Hãy nhờ quản trị tạo sổ."),
                              code="no_register_book")
    return fitting[0]


def _fits(book: RegisterBook, type_key: str, confidential: bool) -> bool:
    if book.confidential != confidential:
        return False
    return book.type_keys is None or type_key in book.type_keys


def ensure_default_books(agency_id: int) -> None:
    """Every hosted agency has a default incoming and outgoing book, and a confidential one each."""
    existing = {(b.direction, b.confidential, b.is_default)
                for b in db.session.scalars(select(RegisterBook).where(
                    RegisterBook.agency_id == agency_id))}
    plan = [("incoming", False, True, "Sổ văn bản đến"),
            ("incoming", True, False, "Sổ văn bản đến mật"),
            ("outgoing", False, True, "Sổ văn bản đi"),
            ("outgoing", True, False, "Sổ văn bản đi mật")]
    for direction, confidential, is_default, name in plan:
        if (direction, confidential, is_default) not in existing:
            db.session.add(RegisterBook(agency_id=agency_id, direction=direction, name=name,
                                        confidential=confidential, is_default=is_default))
    db.session.flush()
