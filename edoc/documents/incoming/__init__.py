"""Incoming documents (văn bản đến): capture, registration, assignment, processing."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from edoc.demo import add_demo_seeder
    from edoc.documents import api as documents_api
    from edoc.documents import jobs  # noqa: F401 - registers the OCR and signature-check jobs
    from edoc.documents import views as documents_views
    from edoc.documents.incoming import api, views
    from edoc.documents.incoming.dashboard import panels
    from edoc.extensions import csrf
    from edoc.web.dashboard import add_panel_provider
    from edoc.web.nav import NavItem, add_nav_item

    for bp in (api.bp, documents_api.bp):
        csrf.exempt(bp)
        app.register_blueprint(bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(documents_views.bp)
    add_nav_item(app, NavItem("incoming.index", _l("Văn bản đến"), "inbox", frozenset(), 10))
    add_panel_provider(app, panels)
    add_demo_seeder(app, _seed)


def _seed(demo) -> None:
    from edoc.documents.deadlines import seed_holidays
    from edoc.documents.numbering import ensure_default_books

    seed_holidays()
    for agency in (demo.ward.agency, demo.province.agency):
        ensure_default_books(agency.id)
