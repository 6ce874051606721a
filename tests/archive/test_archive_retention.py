"""Retention values, retention end under each counting rule, disposal eligibility."""

from __future__ import annotations

from datetime import date

import pytest

from archive import (
    RETENTION_CHOICES,
    Retention,
    RetentionError,
    RetentionRule,
    RetentionStart,
    disposal_eligibility,
    is_retention_increase,
    retention_end,
)

SAME_YEAR = RetentionRule(RetentionStart.SAME_YEAR)
END_DATE = RetentionRule(RetentionStart.END_DATE)


def test_choices_are_the_listed_periods():
    assert [c.label for c in RETENTION_CHOICES] == [
        "Vĩnh viễn", "70 năm", "50 năm", "30 năm", "20 năm", "10 năm", "05 năm"]
    assert [c.retention.code() for c in RETENTION_CHOICES] == [
        "01", "02", "03", "04", "05", "06", "07"]


def test_other_with_explicit_years_and_custom_code_table():
    other = Retention.other("Đến khi hết hiệu lực", years=15)
    assert other.code() == "07" and other.label == "Đến khi hết hiệu lực"
    assert Retention.other("", years=3).label == "03 năm"
    assert Retention.for_years(10).code({"permanent": "1", "10": "X", "other": "9"}) == "X"


@pytest.mark.parametrize("text, expected", [
    ("Vĩnh viễn", Retention.permanent()),
    ("vĩnh viễn", Retention.permanent()),
    ("10 năm", Retention.for_years(10)),
    ("05", Retention.for_years(5)),
    ("70 years", Retention.for_years(70)),
    ("Theo tuổi thọ công trình", Retention.other("Theo tuổi thọ công trình")),
])
def test_parse(text, expected):
    assert Retention.parse(text) == expected


@pytest.mark.parametrize("bad", [
    dict(kind="years", years=0), dict(kind="years"), dict(kind="permanent", years=5),
    dict(kind="other"), dict(kind="forever"),
])
def test_invalid_values(bad):
    with pytest.raises(RetentionError):
        Retention(**bad)


def test_default_rule_counts_from_the_next_year():
    ten = Retention.for_years(10)
    # Any end date within 2020 gives the same last day; disposal opens on 1 January 2031.
    assert retention_end(date(2020, 1, 1), ten) == date(2030, 12, 31)
    assert retention_end(date(2020, 12, 31), ten) == date(2030, 12, 31)
    assert retention_end(date(2021, 1, 1), ten) == date(2031, 12, 31)
    assert retention_end(date(2020, 6, 1), Retention.permanent()) is None


def test_alternative_rules():
    five = Retention.for_years(5)
    assert retention_end(date(2020, 6, 30), five, rule=SAME_YEAR) == date(2024, 12, 31)
    assert retention_end(date(2020, 6, 30), five, rule=END_DATE) == date(2025, 6, 30)
    assert retention_end(date(2020, 2, 29), five, rule=END_DATE) == date(2025, 2, 28)
    assert retention_end(date(2020, 2, 29), Retention.for_years(4), rule=END_DATE) == date(
        2024, 2, 29)


def test_retention_without_years_cannot_be_computed():
    with pytest.raises(RetentionError) as info:
        retention_end(date(2020, 1, 1), Retention.other("Theo quy định"))
    assert info.value.code == "retention_undetermined"


def test_disposal_eligibility_at_the_year_boundary(record_factory):
    record = record_factory(start_date=date(2020, 1, 2), end_date=date(2020, 8, 15),
                            retention=Retention.for_years(10))
    last_day = disposal_eligibility(record, date(2030, 12, 31))
    assert (last_day.ok, last_day.reason_code, last_day.retention_end) == (
        False, "retention_not_ended", date(2030, 12, 31))
    first_day = disposal_eligibility(record, date(2031, 1, 1))
    assert (first_day.ok, first_day.reason_code) == (True, None)
    same_year = disposal_eligibility(record, date(2030, 1, 1), rule=SAME_YEAR)
    assert same_year.ok and same_year.retention_end == date(2029, 12, 31)


def test_permanent_records_are_never_eligible(record_factory):
    record = record_factory(start_date=date(1989, 5, 1), end_date=date(1990, 1, 1),
                            retention=Retention.permanent())
    assert disposal_eligibility(record, date(2200, 1, 1)).reason_code == "permanent"
    # Permanence outranks a hold: the answer does not change when the hold is lifted.
    assert disposal_eligibility(record, date(2200, 1, 1), legal_hold=True).reason_code == (
        "permanent")


def test_legal_hold_blocks_an_expired_record(record_factory):
    record = record_factory(start_date=date(2000, 1, 1), end_date=date(2000, 12, 31),
                            retention=Retention.for_years(5))
    assert disposal_eligibility(record, date(2026, 1, 1)).ok
    held = disposal_eligibility(record, date(2026, 1, 1), legal_hold=True)
    assert (held.ok, held.reason_code) == (False, "legal_hold")


def test_open_and_undetermined_records(record_factory):
    open_record = record_factory(end_date=None, retention=Retention.for_years(5))
    assert disposal_eligibility(open_record, date(2100, 1, 1)).reason_code == "record_open"
    vague = record_factory(start_date=date(1999, 1, 1), end_date=date(2000, 1, 1),
                           retention=Retention.other("Theo luật"))
    assert disposal_eligibility(vague, date(2100, 1, 1)).reason_code == (
        "retention_undetermined")


def test_retention_may_only_increase():
    five, ten, forever = Retention.for_years(5), Retention.for_years(10), Retention.permanent()
    assert is_retention_increase(five, ten) and is_retention_increase(ten, forever)
    assert is_retention_increase(ten, ten)
    assert not is_retention_increase(ten, five)
    assert not is_retention_increase(forever, Retention.for_years(70))
    assert not is_retention_increase(Retention.other("a"), Retention.other("b"))
