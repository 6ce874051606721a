"""Working days and deadlines, with Vietnamese public holidays as data.

Saturdays and Sundays are days off for state agencies; public holidays come from the ``holidays``
table, which the admin edits (Tết and the substitution days change every year by decision of the
government, so they are data, never code). :data:`DEFAULT_HOLIDAYS` seeds it.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select

from edoc.documents.models import Holiday
from edoc.extensions import db

# Fixed holidays (Labour Code 2019, Art. 112) and Tết Nguyên đán / Giỗ Tổ Hùng Vương days as
# announced for each year. Substitution days vary; the admin adds them.
_FIXED = [((1, 1), "Tết Dương lịch"), ((4, 30), "Ngày Chiến thắng"), ((5, 1), "Quốc tế Lao động"),
          ((9, 2), "Quốc khánh")]
_LUNAR = {  # Tết holidays (5 days) and Giỗ Tổ Hùng Vương (10/3 âm lịch), per year
    2025: (["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"], "2025-04-07",
           ["2025-09-01"]),
    2026: (["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"], "2026-04-26",
           ["2026-09-01"]),
    2027: (["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"], "2027-04-16",
           ["2027-09-03"]),
}


def default_holidays() -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    for year, (tet, hung, extra) in _LUNAR.items():
        out += [(date(year, m, d), name) for (m, d), name in _FIXED]
        out += [(date.fromisoformat(d), "Tết Nguyên đán") for d in tet]
        out.append((date.fromisoformat(hung), "Giỗ Tổ Hùng Vương"))
        out += [(date.fromisoformat(d), "Nghỉ lễ Quốc khánh") for d in extra]
    return out


def seed_holidays() -> None:
    have = set(db.session.scalars(select(Holiday.day).where(Holiday.agency_id.is_(None))))
    for day, name in default_holidays():
        if day not in have:
            db.session.add(Holiday(agency_id=None, day=day, name=name))
    db.session.flush()


def holidays_between(agency_id: int, start: date, end: date) -> set[date]:
    return set(db.session.scalars(select(Holiday.day).where(
        Holiday.day >= start, Holiday.day <= end,
        or_(Holiday.agency_id.is_(None), Holiday.agency_id == agency_id))))


def is_working_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: set[date]) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def deadline_after(agency_id: int, start: date, working_days: int) -> date:
    horizon = start + timedelta(days=working_days * 2 + 30)
    return add_working_days(start, working_days, holidays_between(agency_id, start, horizon))


def working_days_left(agency_id: int, today: date, deadline: date) -> int:
    """Working days from today to the deadline (negative when overdue)."""
    if deadline >= today:
        hol = holidays_between(agency_id, today, deadline)
        n, d = 0, today
        while d < deadline:
            d += timedelta(days=1)
            n += is_working_day(d, hol)
        return n
    hol = holidays_between(agency_id, deadline, today)
    n, d = 0, deadline
    while d < today:
        d += timedelta(days=1)
        n += is_working_day(d, hol)
    return -n
