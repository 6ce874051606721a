"""Wire formats of edXML values: dates ``yyyy/MM/dd``, timestamps ``yyyy/MM/dd HH:mm:ss``."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..errors import EnvelopeInvalid

__all__ = [
    "format_date",
    "format_timestamp",
    "parse_bool",
    "parse_date",
    "parse_int",
    "parse_timestamp",
    "zone",
]

_DATE = re.compile(r"(\d{4})/(\d{2})/(\d{2})")
_TIMESTAMP = re.compile(r"(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})")


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: dt.datetime, tz: str) -> str:
    # The wire has no offset: express the instant in the configured zone (naive = already local).
    local = value.astimezone(zone(tz)) if value.tzinfo is not None else value
    return local.strftime("%Y/%m/%d %H:%M:%S")


def parse_date(text: str, field: str) -> dt.date | None:
    if not text:
        return None
    m = _DATE.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise EnvelopeInvalid(
            "invalid_value",
            f"{field}: {text!r} is not a yyyy/MM/dd date",
            details={"field": field},
        ) from None


def parse_timestamp(text: str, field: str, tz: str) -> dt.datetime | None:
    if not text:
        return None
    m = _TIMESTAMP.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        parts = [int(g) for g in m.groups()]
        return dt.datetime(*parts, tzinfo=zone(tz))
    except ValueError:
        raise EnvelopeInvalid(
            "invalid_value",
            f"{field}: {text!r} is not a yyyy/MM/dd HH:mm:ss timestamp",
            details={"field": field},
        ) from None


def parse_int(text: str, field: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise EnvelopeInvalid(
            "invalid_value", f"{field}: {text!r} is not a number", details={"field": field}
        )
    return int(text)


def parse_bool(text: str, field: str) -> bool:
    lowered = text.lower()
    if lowered in ("", "false", "0"):
        return False
    if lowered in ("true", "1"):
        return True
    raise EnvelopeInvalid(
        "invalid_value", f"{field}: {text!r} is not a boolean", details={"field": field}
    )
