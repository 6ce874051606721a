"""The document domain: incoming and outgoing documents, registers, assignment, files."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from edoc.documents import incoming, models, outgoing  # noqa: F401 - models register tables

    incoming.init_app(app)
    outgoing.init_app(app)
