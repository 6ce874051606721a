"""The JSON API under ``/api/v1`` (contract: docs/api.md)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from edoc.api import auth, directory, openapi
    from edoc.extensions import csrf

    for bp in (auth.bp, directory.bp, openapi.bp):
        csrf.exempt(bp)
        app.register_blueprint(bp)
