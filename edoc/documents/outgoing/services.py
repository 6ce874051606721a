"""The outgoing workflow's service API, in one place for the views, the API and other modules.

Each function takes the acting user, checks permission and state (transition table), records an
event, and flushes; the request (or job) commits. ``expected_version`` (the ``version`` the
client saw) turns a stale page or a double click into a 409.
"""
from __future__ import annotations

from edoc.documents.outgoing.dispatch import deliveries, dispatch
from edoc.documents.outgoing.drafts import (
    Upload,
    add_appendix,
    create_generated,
    create_uploaded,
    revise,
)
from edoc.documents.outgoing.followups import replace, revoke, update
from edoc.documents.outgoing.issuance import document_notation, issue, seal, sign
from edoc.documents.outgoing.review import add_comment, approve, return_draft, submit

__all__ = [
    "Upload",
    "add_appendix",
    "add_comment",
    "approve",
    "create_generated",
    "create_uploaded",
    "deliveries",
    "dispatch",
    "document_notation",
    "issue",
    "replace",
    "return_draft",
    "revise",
    "revoke",
    "seal",
    "sign",
    "submit",
    "update",
]
