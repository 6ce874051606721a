"""edoc: electronic document management for Vietnamese local government.

Only :func:`create_app` lives here; nothing runs at import time.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from edoc.transactions import EdocFlask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the edoc application.

    :param config: settings that override every other source (tests pass their own).
    """
    from edoc import config as config_module
    from edoc.extensions import babel, csrf, db, login_manager, migrate

    app = EdocFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="static",
    )
    config_module.load_config(app, config)
    config_module.validate(app)
    logging.basicConfig(level=logging.INFO if not app.testing else logging.WARNING)

    from edoc import database, errors, i18n

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    errors.register_error_handlers(app)

    from edoc import (
        api,
        audit,
        auth,
        documents,
        exchange,
        health,
        jobs,
        records,
        reports,
        search,
        signatures,
        storage,
        web,
    )

    storage.init_app(app)
    audit.init_app(app)
    jobs.init_app(app)
    auth.init_app(app)
    documents.init_app(app)
    signatures.init_app(app)
    exchange.init_app(app)
    records.init_app(app)
    search.init_app(app)
    reports.init_app(app)
    api.init_app(app)
    health.init_app(app)
    web.init_app(app)

    from edoc.cli import edoc_cli

    app.cli.add_command(edoc_cli)
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"
