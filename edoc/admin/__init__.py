"""Administration pages (agencies, units, users)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from edoc.admin.views import bp
    from edoc.web.nav import NavItem, add_nav_item

    app.register_blueprint(bp)
    add_nav_item(app, NavItem("admin.users", _l("Quản trị"), "gear", frozenset({"admin"}), 900))
