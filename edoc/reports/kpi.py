"""The figures a ward publishes about its document work, computed from the documents themselves.

Definitions (also in docs/kpi.md):
- handled digitally: an incoming document that arrived as an electronic file (axis, internal,
  upload, e-mail) rather than on paper or as a scan; an outgoing document that was issued with a
  digital signature (it has a signed file). Share = digital / all, over documents of the period.
- done on time: an incoming document completed on or before its deadline (local date), among the
  completed documents of the period that had a deadline.
- same-day acknowledgement: an incoming document registered on the local day it arrived, among the
  registered documents of the period.
- overdue by unit: open incoming documents past their deadline, grouped by the lead unit (or
  the lead person's unit) of their current assignment.
- volumes per month: incoming documents by arrival month, outgoing documents by issue month.
The period filters incoming documents by arrival time and outgoing ones by creation time.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, select

from edoc.auth.models import OrgUnit, User
from edoc.documents.models import Assignment, AssignmentParty, Document, DocumentFile
from edoc.extensions import db
from edoc.i18n import local_tz

DIGITAL_VIA = ("axis", "internal", "upload", "email")
OPEN_STATES = ("registered", "submitted", "assigned", "in_progress")


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100.0 * self.numerator / self.denominator, 1)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.numerator, "total": self.denominator, "percent": self.percent}


@dataclass
class Kpi:
    date_from: date
    date_to: date
    counts_by_state: dict[str, dict[str, int]] = field(default_factory=dict)
    digital: Share = Share(0, 0)
    on_time: Share = Share(0, 0)
    same_day_ack: Share = Share(0, 0)
    overdue_by_unit: list[dict[str, Any]] = field(default_factory=list)
    volumes_by_month: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
            "counts_by_state": self.counts_by_state,
            "share_handled_digitally": self.digital.as_dict(),
            "share_done_on_time": self.on_time.as_dict(),
            "share_acknowledged_same_day": self.same_day_ack.as_dict(),
            "overdue_by_unit": self.overdue_by_unit,
            "volumes_by_month": self.volumes_by_month,
        }


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = local_tz()
    return (datetime.combine(date_from, time.min, tz),
            datetime.combine(date_to + timedelta(days=1), time.min, tz))


def _months(date_from: date, date_to: date) -> list[str]:
    out, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _unit_filter(unit_id: int | None):
    if unit_id is None:
        return None
    party = select(Assignment.document_id).join(AssignmentParty).where(
        Assignment.active.is_(True), AssignmentParty.unit_id == unit_id)
    return Document.id.in_(party) | (Document.receiving_unit_id == unit_id) | (
        Document.drafting_unit_id == unit_id)


def compute(agency_id: int, date_from: date, date_to: date, *, today: date,
            unit_id: int | None = None) -> Kpi:
    tz = local_tz()
    start, end = _bounds(date_from, date_to)
    kpi = Kpi(date_from, date_to)
    unit_clause = _unit_filter(unit_id)

    incoming = select(Document.id, Document.state, Document.received_via, Document.received_at,
                      Document.registered_at, Document.deadline, Document.completed_at).where(
        Document.agency_id == agency_id, Document.direction == "incoming",
        Document.received_at >= start, Document.received_at < end)
    outgoing = select(Document.id, Document.state, Document.created_at, Document.issued_at).where(
        Document.agency_id == agency_id, Document.direction == "outgoing",
        Document.created_at >= start, Document.created_at < end)
    if unit_clause is not None:
        incoming, outgoing = incoming.where(unit_clause), outgoing.where(unit_clause)

    months = _months(date_from, date_to)
    volume: dict[str, Counter] = {m: Counter() for m in months}
    in_states: Counter = Counter()
    digital = total = done_with_deadline = done_on_time = registered = same_day = 0
    for row in db.session.execute(incoming):
        in_states[row.state] += 1
        total += 1
        digital += row.received_via in DIGITAL_VIA
        arrived = row.received_at.astimezone(tz)
        volume.setdefault(arrived.strftime("%Y-%m"), Counter())["incoming"] += 1
        if row.registered_at is not None:
            registered += 1
            same_day += row.registered_at.astimezone(tz).date() == arrived.date()
        if row.state == "done" and row.deadline is not None and row.completed_at is not None:
            done_with_deadline += 1
            done_on_time += row.completed_at.astimezone(tz).date() <= row.deadline

    signed_ids = set(db.session.scalars(select(DocumentFile.document_id).where(
        DocumentFile.agency_id == agency_id, DocumentFile.kind.in_(("signed", "sealed")))))
    out_states: Counter = Counter()
    for row in db.session.execute(outgoing):
        out_states[row.state] += 1
        if row.state in ("issued", "sealed", "dispatched", "revoked"):
            total += 1
            digital += row.id in signed_ids
            when = (row.issued_at or row.created_at).astimezone(tz)
            volume.setdefault(when.strftime("%Y-%m"), Counter())["outgoing"] += 1

    kpi.counts_by_state = {"incoming": dict(in_states), "outgoing": dict(out_states)}
    kpi.digital = Share(digital, total)
    kpi.on_time = Share(done_on_time, done_with_deadline)
    kpi.same_day_ack = Share(same_day, registered)
    kpi.volumes_by_month = [{"month": m, "incoming": volume[m]["incoming"],
                             "outgoing": volume[m]["outgoing"]} for m in sorted(volume)]
    kpi.overdue_by_unit = overdue_by_unit(agency_id, today)
    return kpi


def overdue_by_unit(agency_id: int, today: date) -> list[dict[str, Any]]:
    """Open incoming documents past their deadline, by lead unit of the current assignment."""
    rows = db.session.execute(
        select(AssignmentParty.unit_id, User.unit_id.label("user_unit"))
        .select_from(Document)
        .join(Assignment, and_(Assignment.document_id == Document.id,
                               Assignment.active.is_(True)))
        .join(AssignmentParty, and_(AssignmentParty.assignment_id == Assignment.id,
                                    AssignmentParty.role == "lead"))
        .outerjoin(User, User.id == AssignmentParty.user_id)
        .where(Document.agency_id == agency_id, Document.direction == "incoming",
               Document.state.in_(OPEN_STATES), Document.deadline < today))
    counts: Counter = Counter()
    for unit_id, user_unit in rows:
        counts[unit_id or user_unit] += 1
    names = {u.id: u.name for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == agency_id))}
    result: dict[int | None, int] = defaultdict(int, counts)
    return sorted(({"unit_id": uid, "unit": names.get(uid, "") if uid else "",
                    "overdue": n} for uid, n in result.items()),
                  key=lambda r: (-r["overdue"], r["unit"]))
