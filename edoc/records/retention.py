"""Retention values between the database columns, API input and :class:`archive.Retention`."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from archive import Retention, RetentionError, RetentionRule, RetentionStart, retention_end
from edoc.errors import ValidationError
from edoc.records.settings import setting

__all__ = [
    "RETENTION_OPTIONS",
    "apply_retention",
    "lock_until",
    "parse_retention",
    "record_retention",
    "retention_json",
    "retention_rule",
    "retention_until",
]

_NUMBER = re.compile(r"-?\d+\s*(năm|nam|years?)?")

#: what forms offer: (value, label); "other" lets the user type years or text
RETENTION_OPTIONS: tuple[tuple[str, str], ...] = (
    ("permanent", "Vĩnh viễn"), ("70", "70 năm"), ("50", "50 năm"), ("30", "30 năm"),
    ("20", "20 năm"), ("10", "10 năm"), ("5", "05 năm"), ("other", "Khác"),
)


def _invalid(value: Any) -> ValidationError:
    return ValidationError(_l("Thời hạn bảo quản không hợp lệ: %(v)s. Chọn Vĩnh viễn, số năm "
                              "hoặc ghi rõ thời hạn khác.", v=str(value)[:60]),
                           code="invalid_retention", field="retention")


def parse_retention(value: Any, *, other_text: str = "") -> Retention:
    """Read a retention from API or form input.

    Accepts a Retention, ``{"kind", "years", "text"}``, ``"permanent"``/``"Vĩnh viễn"``, a
    number of years (int or text such as ``"10"``/``"10 năm"``), or ``"other"`` with
    ``other_text`` ("05 năm", "Đến khi hết hiệu lực", ...).
    """
    if isinstance(value, Retention):
        return value
    try:
        if isinstance(value, dict):
            kind = str(value.get("kind") or "").strip()
            years = value.get("years")
            years = int(years) if years not in (None, "") else None
            text = str(value.get("text") or "").strip()
            if kind == "years" and years is None:
                raise _invalid(value)
            return Retention(kind or ("years" if years else "other"), years=years,  # type: ignore[arg-type]
                             text=text if kind != "years" else "")
        if isinstance(value, bool) or value is None:
            raise _invalid(value)
        if isinstance(value, int):
            return Retention.for_years(value)
        text = str(value).strip()
        if text == "permanent":
            return Retention.permanent()
        if text == "other":
            text = other_text.strip()
            if not text:
                raise _invalid(value)
        if _NUMBER.fullmatch(text.casefold()) and int(text.split()[0]) <= 0:
            raise _invalid(value)  # "0", "-3 năm": a number, but not a period
        return Retention.parse(text)
    except (RetentionError, ValueError, TypeError) as exc:
        raise _invalid(value) from exc


def record_retention(obj: Any) -> Retention:
    """The Retention of a Record or FilePlanEntry row."""
    return Retention(obj.retention_kind, years=obj.retention_years, text=obj.retention_text or "")


def apply_retention(obj: Any, retention: Retention) -> None:
    obj.retention_kind = retention.kind
    obj.retention_years = retention.years
    obj.retention_text = retention.text if retention.kind == "other" else ""


def retention_json(obj: Any) -> dict[str, Any]:
    r = record_retention(obj)
    return {"kind": r.kind, "years": r.years, "text": r.text, "label": r.label,
            "code": r.code()}


def retention_rule() -> RetentionRule:
    raw = str(setting("ARCHIVE_RETENTION_START"))
    try:
        return RetentionRule(start=RetentionStart(raw))
    except ValueError:
        return RetentionRule()


def retention_until(record: Any) -> date | None:
    """Last day ``record`` must be kept; None for permanent. Raises RetentionError
    (``retention_undetermined``) for an "other" retention without years."""
    end = record.end_date or record.start_date
    return retention_end(end, record_retention(record), rule=retention_rule())


def lock_until(last_day: date | None, *, tz: Any) -> datetime:
    """The object-lock date for a record kept until ``last_day`` (inclusive, local time).

    Permanent records (``last_day`` None) get ARCHIVE_PERMANENT_LOCK_YEARS from now; they also
    get a legal hold, which does not expire (see :mod:`edoc.records.locking`).
    """
    if last_day is None:
        years = int(setting("ARCHIVE_PERMANENT_LOCK_YEARS"))
        today = datetime.now(tz).date()
        try:
            last_day = today.replace(year=today.year + years)
        except ValueError:  # 29 February
            last_day = today.replace(year=today.year + years, day=28)
    return datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=tz)
