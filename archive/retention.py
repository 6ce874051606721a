"""Retention periods (thời hạn bảo quản) and disposal eligibility.

Decree 30/2020 stores retention as "Vĩnh viễn" or a number of years; the TT 05/2025 readings
use a code list (01 Vĩnh viễn, 02 70 năm, 03 50, 04 30, 05 20, 06 10, 07 Khác) that is only
secondary (spec §4.2, S). So a retention is modelled as {permanent | N years | other text},
and the code is derived through a replaceable table.

When the period starts counting is not settled either: TT 10/2022 says it counts "from the
year the work ended"; common practice reads that as 1 January of the following year. The rule
is a parameter (:class:`RetentionRule`) with that reading as the default.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol

from .errors import RetentionError

__all__ = [
    "DEFAULT_RETENTION_CODES",
    "RETENTION_CHOICES",
    "Eligibility",
    "Retention",
    "RetentionChoice",
    "RetentionRule",
    "RetentionStart",
    "disposal_eligibility",
    "is_retention_increase",
    "retention_end",
]

RetentionKind = Literal["permanent", "years", "other"]

# TT 05/2025 code list as read by third parties (spec §4.2, S). "07" (Khác) covers every
# number of years not listed, e.g. 5 years. Replace the table if the Circular says otherwise.
DEFAULT_RETENTION_CODES: Mapping[str, str] = {
    "permanent": "01",
    "70": "02",
    "50": "03",
    "30": "04",
    "20": "05",
    "10": "06",
    "other": "07",
}

PERMANENT_LABEL = "Vĩnh viễn"


@dataclass(frozen=True)
class Retention:
    """A retention period: permanent, a number of years, or other (text, optional years).

    ``other`` with ``years`` set is the "Khác" code with an explicit number of years; without
    years it cannot be computed (disposal then reports ``retention_undetermined``).
    """

    kind: RetentionKind
    years: int | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("permanent", "years", "other"):
            raise RetentionError(f"unknown retention kind {self.kind!r}", code="invalid_retention")
        if self.kind == "permanent" and self.years is not None:
            raise RetentionError("a permanent retention has no years", code="invalid_retention")
        if self.kind == "years" and (self.years is None or self.years <= 0):
            raise RetentionError("a retention in years needs years > 0", code="invalid_retention")
        if self.kind == "other" and self.years is not None and self.years <= 0:
            raise RetentionError("retention years must be > 0", code="invalid_retention")
        if self.kind == "other" and self.years is None and not self.text.strip():
            raise RetentionError("an 'other' retention needs text or years",
                                 code="invalid_retention")
        if self.kind == "other" and not self.text.strip() and self.years is not None:
            # Normalised so that the value survives a round trip through its label.
            object.__setattr__(self, "text", f"{self.years:02d} năm")

    @classmethod
    def permanent(cls) -> Retention:
        return cls("permanent")

    @classmethod
    def for_years(cls, years: int) -> Retention:
        return cls("years", years=years)

    @classmethod
    def other(cls, text: str, years: int | None = None) -> Retention:
        return cls("other", years=years, text=text)

    @property
    def is_permanent(self) -> bool:
        return self.kind == "permanent"

    @property
    def label(self) -> str:
        """The text written into metadata and lists ("Vĩnh viễn", "05 năm", or the free text)."""
        if self.kind == "permanent":
            return PERMANENT_LABEL
        if self.text:
            return self.text
        return f"{self.years:02d} năm"

    def code(self, table: Mapping[str, str] = DEFAULT_RETENTION_CODES) -> str:
        """The TT 05/2025 code for this value, through a replaceable code table."""
        if self.kind == "permanent":
            return table["permanent"]
        if self.kind == "years" and str(self.years) in table:
            return table[str(self.years)]
        return table["other"]

    @classmethod
    def parse(cls, value: str) -> Retention:
        """Read "Vĩnh viễn", "10 năm", "05", "70 years"; anything else becomes ``other``."""
        text = value.strip()
        folded = text.casefold()
        if folded in ("vĩnh viễn", "vinh vien", "permanent"):
            return cls.permanent()
        match = re.fullmatch(r"(\d{1,3})\s*(năm|nam|years?)?", folded)
        if match and int(match.group(1)) > 0:
            return cls.for_years(int(match.group(1)))
        if not text:
            raise RetentionError("empty retention text", code="invalid_retention")
        return cls.other(text)


@dataclass(frozen=True)
class RetentionChoice:
    label: str
    retention: Retention


# What a UI offers (the brief's list); "Khác" lets the user type years or text.
RETENTION_CHOICES: tuple[RetentionChoice, ...] = (
    RetentionChoice(PERMANENT_LABEL, Retention.permanent()),
    *(RetentionChoice(f"{n:02d} năm", Retention.for_years(n)) for n in (70, 50, 30, 20, 10, 5)),
)


class RetentionStart(StrEnum):
    """When the retention period starts counting."""

    # From 1 January of the year after the record's end date (default reading of TT 10/2022).
    NEXT_YEAR = "next_year"
    # From 1 January of the year the record ended.
    SAME_YEAR = "same_year"
    # From the end date itself (anniversary arithmetic).
    END_DATE = "end_date"


@dataclass(frozen=True)
class RetentionRule:
    start: RetentionStart = RetentionStart.NEXT_YEAR


DEFAULT_RULE = RetentionRule()


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    # 29 February has no anniversary in common years: use 28 February.
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def retention_end(
    record_end_date: date, retention: Retention, *, rule: RetentionRule = DEFAULT_RULE
) -> date | None:
    """Last day (inclusive) the record must be kept; None means permanent.

    With the default rule a record that ended on any day of 2020 with 10 years is kept until
    31 December 2030 and may be proposed for disposal from 1 January 2031.
    Raises RetentionError(code="retention_undetermined") for an "other" retention without years.
    """
    if retention.is_permanent:
        return None
    if retention.years is None:
        raise RetentionError(
            f"retention {retention.label!r} has no number of years", code="retention_undetermined"
        )
    years = retention.years
    if rule.start is RetentionStart.NEXT_YEAR:
        return date(record_end_date.year + years, 12, 31)
    if rule.start is RetentionStart.SAME_YEAR:
        return date(record_end_date.year + years - 1, 12, 31)
    return _add_years(record_end_date, years)


class _HasRetention(Protocol):
    @property
    def end_date(self) -> date | None: ...

    @property
    def retention(self) -> Retention: ...


@dataclass(frozen=True)
class Eligibility:
    """Result of a disposal check; ``reason_code`` is None when ``ok``."""

    ok: bool
    reason_code: str | None = None
    retention_end: date | None = None


def disposal_eligibility(
    record: _HasRetention,
    today: date,
    *,
    legal_hold: bool = False,
    rule: RetentionRule = DEFAULT_RULE,
) -> Eligibility:
    """May the record be proposed for disposal on ``today``?

    Reasons, in order: ``permanent`` (never), ``legal_hold``, ``record_open`` (no end date),
    ``retention_undetermined`` (other retention without years), ``retention_not_ended``.
    Eligibility only opens the disposal workflow; the approvals stay with the app.
    """
    retention = record.retention
    if retention.is_permanent:
        return Eligibility(False, "permanent")
    if legal_hold:
        return Eligibility(False, "legal_hold")
    if record.end_date is None:
        return Eligibility(False, "record_open")
    try:
        end = retention_end(record.end_date, retention, rule=rule)
    except RetentionError:
        return Eligibility(False, "retention_undetermined")
    assert end is not None  # not permanent, checked above
    if today <= end:
        return Eligibility(False, "retention_not_ended", end)
    return Eligibility(True, None, end)


def is_retention_increase(old: Retention, new: Retention) -> bool:
    """True when ``new`` keeps the record at least as long as ``old`` (retention may only grow).

    Values without years ("other" text only) are comparable only when equal.
    """
    if new.is_permanent:
        return True
    if old.is_permanent:
        return False
    if old.years is None or new.years is None:
        return old == new
    return new.years >= old.years
