"""Page shell: layout context, navigation, home page."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user


def init_app(app: Flask) -> None:
    from edoc.admin import init_app as init_admin
    from edoc.auth.roles import ROLE_LABELS
    from edoc.web.nav import nav_for
    from edoc.web.views import bp

    app.register_blueprint(bp)
    init_admin(app)
    app.jinja_env.filters["isodt"] = iso_datetime

    @app.context_processor
    def _layout_context():
        return {
            "nav_items": nav_for(current_app, current_user),
            "role_labels": ROLE_LABELS,
            "current_locale": str(get_locale() or "vi"),
            "unread_notifications": _unread,
            "organ_name": organ_name,
        }


    @app.after_request
    def _security_headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "frame-src 'self' blob:; object-src 'self' blob:; base-uri 'self'; form-action 'self'")
        return resp


def iso_datetime(value: object) -> str:
    """An ISO 8601 time as the pages show times (``23/11/2026 09:54:43``, local time zone).

    Signature reports carry their times as ISO text (``2026-11-23T09:54:43+07:00``); a value
    that is not ISO text is shown as it is rather than hidden."""
    from datetime import datetime

    from edoc.i18n import to_local

    text = str(value or "")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is not None:
        when = to_local(when)
    return when.strftime("%d/%m/%Y %H:%M:%S")


def organ_name(organ_id: str | None) -> str:
    """The directory name of an agency code (``000.00.00.H44`` → ``UBND tỉnh Phú Thọ``), for
    pages that only hold the code; the code itself when the directory does not know it. Each
    code is looked up once per request (a list page repeats the same few codes)."""
    from flask import g
    from sqlalchemy import select

    from edoc.auth.models import Agency
    from edoc.extensions import db

    if not organ_id:
        return ""
    names = g.setdefault("_edoc_organ_names", {})
    if organ_id not in names:
        names[organ_id] = db.session.scalar(
            select(Agency.name).where(Agency.organ_id == organ_id)) or organ_id
    return names[organ_id]


def _unread() -> int:
    """Called by the layout only when a user is signed in (one COUNT on an index)."""
    from edoc.documents.notifications import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0
