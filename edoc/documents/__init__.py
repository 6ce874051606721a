"""The document domain: incoming and outgoing documents, registers, assignment, files."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from edoc.documents import incoming, labels, models, outgoing  # noqa: F401 - models register tables
    from edoc.documents.doctypes import confidentiality_label, type_label, urgency_label
    from edoc.documents.states import STATE_LABELS, STATE_TONES

    # Macros imported by templates do not see the render context: these are globals.
    app.jinja_env.globals.update(
        state_labels=STATE_LABELS, state_tones=STATE_TONES, type_label=type_label,
        urgency_label=urgency_label, confidentiality_label=confidentiality_label,
        event_label=labels.event_label, file_kind_label=labels.file_kind_label,
        file_kind_hint=labels.file_kind_hint, delivery_status_label=labels.delivery_status_label,
        download_name=labels.download_name)
    incoming.init_app(app)
    outgoing.init_app(app)
