"""Records (hồ sơ) and the agency archive: the glue between the app and the pure ``archive``
library.

File plan per agency and year, records with their documents and metadata, transfer to the
archive, archived records frozen and their files locked in the object store, retrieval
(search, access requests), archival packages (export, verify, import), fixity, disposal.
See edoc/records/README.md.
"""
from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]

EXTENSION_KEY = "edoc.records"


def init_app(app: Flask) -> None:
    """Register tables, the freeze guard, pages, API, jobs, ``flask archive``, nav, dashboard
    panels and the demo step. Safe to call twice (tests call it before the factory does)."""
    if EXTENSION_KEY in app.extensions:
        return
    app.extensions[EXTENSION_KEY] = True

    from flask_babel import lazy_gettext as _l

    from edoc.demo import add_demo_seeder
    from edoc.extensions import csrf
    from edoc.records import (  # noqa: F401  # noqa: F401
        api,
        api_archive,
        archive_models,
        freeze,
        jobs,
        models,
        views,
        views_archive,
        views_manage,
    )
    from edoc.records.cli import archive_cli
    from edoc.records.dashboard import panels
    from edoc.records.demo import seed_records
    from edoc.records.templating import register_template_helpers
    from edoc.web.dashboard import add_panel_provider
    from edoc.web.nav import NavItem, add_nav_item

    freeze.install()
    # Archived documents leave the ordinary document pages: the archivist keeps them, others
    # ask for access (edoc.records.access).
    from edoc.documents.visibility import add_visibility_rule
    from edoc.records.access import archived_documents_hidden

    add_visibility_rule(app, archived_documents_hidden)
    for bp in (api.bp, api_archive.bp):
        csrf.exempt(bp)
        app.register_blueprint(bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(views_archive.bp)
    app.cli.add_command(archive_cli)
    register_template_helpers(app)
    add_panel_provider(app, panels)
    add_demo_seeder(app, seed_records)
    staff = frozenset({"clerk", "officer", "leader", "archivist"})
    add_nav_item(app, NavItem("records.index", _l("Hồ sơ"), "folder2-open", staff, order=40))
    add_nav_item(app, NavItem("archive.home", _l("Lưu trữ"), "archive", staff | {"admin"},
                              order=45))
