"""The document domain: incoming and outgoing documents, registers, assignment, files."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from edoc.documents import incoming, models, outgoing  # noqa: F401 - models register tables
    from edoc.documents.states import STATE_LABELS, STATE_TONES

    # Macros imported by templates do not see the render context: these are globals.
    app.jinja_env.globals.update(state_labels=STATE_LABELS, state_tones=STATE_TONES)
    incoming.init_app(app)
    outgoing.init_app(app)
