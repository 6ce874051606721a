"""Template helpers for showing signature reports on any page.

A document page shows its signatures with::

    {% set report = signature_report(doc) %}
    {% include "signatures/_report.html" %}
"""
from __future__ import annotations

from typing import Any

from flask import Flask

from edoc.signatures.messages import (
    MODIFIED_LABELS,
    VERDICT_LABELS,
    VERDICT_TONES,
    reason_message,
)


def signature_report(doc: Any) -> dict[str, Any]:
    """The verification report of the document's current PDF, with Vietnamese messages."""
    from edoc.signatures.verification import verify_document, with_messages

    return with_messages(verify_document(doc))


def register_template_helpers(app: Flask) -> None:
    app.add_template_global(signature_report, "signature_report")
    app.add_template_filter(lambda code: str(reason_message(code)), "signature_reason")
    app.add_template_filter(lambda v: str(VERDICT_LABELS.get(v, v)), "signature_verdict")
    app.add_template_filter(lambda v: VERDICT_TONES.get(v, "secondary"), "signature_tone")
    app.add_template_filter(lambda v: str(MODIFIED_LABELS.get(v, v)), "signature_modified")
