"""Outgoing documents (văn bản đi): drafting, review, signing, issuance, sealing, dispatch.

Modules: ``drafts`` (create/revise, uploads and templates), ``rendition`` (the PDF to sign, with
the number and date fields; the DOCX conversion job), ``review``, ``issuance`` (sign, number,
seal), ``dispatch``, ``followups`` (revoke/update/replace), ``queries`` and ``registers`` (lists,
boxes, the outgoing register), ``services`` (the service API in one place), ``api`` and
``views`` (thin HTTP faces), ``dashboard`` (home panels).
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from edoc.documents.outgoing import api, rendition, views  # noqa: F401 - rendition: job
    from edoc.documents.outgoing.dashboard import panels
    from edoc.extensions import csrf
    from edoc.web.dashboard import add_panel_provider
    from edoc.web.nav import NavItem, add_nav_item

    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.register_bp)
    add_nav_item(app, NavItem("outgoing.index", _l("Văn bản đi"), "send", frozenset(), 20))
    add_nav_item(app, NavItem("outgoing_register.page", _l("Sổ văn bản đi"), "journal-bookmark",
                              frozenset({"clerk", "leader"}), 25))
    add_panel_provider(app, panels)
