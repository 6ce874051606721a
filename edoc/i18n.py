"""Locale and time zone selection, and date formatting helpers for templates.

Vietnamese is the source language of every message (``_("...")`` holds Vietnamese text), so the
interface is Vietnamese even where a translation is missing; ``translations/en`` holds English.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, session
from flask_babel import format_datetime
from flask_login import current_user

LOCALES = ("vi", "en")


def select_locale() -> str:
    wanted = session.get("lang") if request else None
    if wanted in LOCALES:
        return wanted
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz())


def local_today() -> date:
    from edoc.db import utcnow

    return to_local(utcnow()).date()


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["dt"] = fmt_datetime
    app.jinja_env.filters["d"] = fmt_date
