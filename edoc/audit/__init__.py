"""Append-only, hash-chained audit log. ``record()`` is the one way to write to it."""
from __future__ import annotations

from flask import Flask

from edoc.audit.service import record

__all__ = ["init_app", "record"]


def init_app(app: Flask) -> None:
    from sqlalchemy.orm import Session

    from edoc.audit import models  # noqa: F401 - register the tables
    from edoc.audit.cli import audit_cli
    from edoc.audit.service import install

    if not getattr(install, "_installed", False):
        install(Session)  # every Session, including Flask-SQLAlchemy's and scripts' own
        install._installed = True  # type: ignore[attr-defined]
    app.cli.add_command(audit_cli)
