"""Template helpers of the records pages: labels, retention text, highlighting."""
from __future__ import annotations

from typing import Any

from flask import Flask

from archive import CONFIDENCE_LEVEL_CODES, LANGUAGE_CODES, MODE_CODES
from edoc.records.highlight import highlight, snippet
from edoc.records.labels import (
    code_label,
    record_event_label,
    retention_option_label,
    retention_text,
)
from edoc.records.retention import RETENTION_OPTIONS, record_retention
from edoc.records.states import STATE_LABELS, STATE_TONES


def retention_label(obj: Any) -> str:
    return retention_text(record_retention(obj))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["snippet"] = snippet
    app.jinja_env.globals.update(
        record_state_labels=STATE_LABELS, record_state_tones=STATE_TONES,
        retention_label=retention_label, retention_options=RETENTION_OPTIONS,
        mode_codes=MODE_CODES, language_codes=LANGUAGE_CODES,
        confidence_codes=CONFIDENCE_LEVEL_CODES,
        code_label=code_label, record_event_label=record_event_label,
        retention_option_label=retention_option_label)
