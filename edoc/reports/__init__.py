"""Reports: KPIs of document work, as a page with charts and as JSON."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from edoc.extensions import csrf
    from edoc.reports.views import api_bp, bp
    from edoc.web.nav import NavItem, add_nav_item

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(bp)
    add_nav_item(app, NavItem("reports.index", _l("Báo cáo"), "bar-chart",
                              frozenset({"leader", "clerk", "admin", "archivist"}), 80))
