"""The state machines of incoming and outgoing documents, as pure transition tables.

``next_state(direction, state, action)`` is the only way a service learns the state a document
moves to; an action not in the table raises :class:`~edoc.errors.InvalidTransition`. The tables
are data, so tests walk every allowed and every refused pair.
"""
from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from edoc.errors import InvalidTransition


class InState(StrEnum):
    RECEIVED = "received"        # captured, waiting for the clerk
    REGISTERED = "registered"    # has its số đến
    RETURNED = "returned"        # sent back to the sender (reason required)
    SUBMITTED = "submitted"      # handed to a leader
    ASSIGNED = "assigned"        # the leader assigned it
    IN_PROGRESS = "in_progress"  # the lead person or unit works on it
    DONE = "done"
    CANCELLED = "cancelled"      # revoked by its sender


class InAction(StrEnum):
    REGISTER = "register"
    RETURN = "return"
    SUBMIT = "submit"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


INCOMING: dict[tuple[str, str], str] = {
    (InState.RECEIVED, InAction.REGISTER): InState.REGISTERED,
    (InState.RECEIVED, InAction.RETURN): InState.RETURNED,
    (InState.REGISTERED, InAction.SUBMIT): InState.SUBMITTED,
    # A leader may assign a registered document directly (the clerk need not submit it first).
    (InState.REGISTERED, InAction.ASSIGN): InState.ASSIGNED,
    (InState.SUBMITTED, InAction.ASSIGN): InState.ASSIGNED,
    (InState.ASSIGNED, InAction.REASSIGN): InState.ASSIGNED,
    (InState.IN_PROGRESS, InAction.REASSIGN): InState.ASSIGNED,
    (InState.ASSIGNED, InAction.START): InState.IN_PROGRESS,
    (InState.IN_PROGRESS, InAction.COMPLETE): InState.DONE,
    (InState.ASSIGNED, InAction.COMPLETE): InState.DONE,
    (InState.RECEIVED, InAction.CANCEL): InState.CANCELLED,
    (InState.REGISTERED, InAction.CANCEL): InState.CANCELLED,
    (InState.SUBMITTED, InAction.CANCEL): InState.CANCELLED,
    (InState.ASSIGNED, InAction.CANCEL): InState.CANCELLED,
    (InState.IN_PROGRESS, InAction.CANCEL): InState.CANCELLED,
}


class OutState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SIGNED = "signed"            # the signer's digital signature is on it
    ISSUED = "issued"            # number and date filled in by the clerk
    SEALED = "sealed"            # the agency's signature is on it
    DISPATCHED = "dispatched"
    REVOKED = "revoked"


class OutAction(StrEnum):
    REVISE = "revise"            # a new draft file or new metadata
    SUBMIT = "submit"
    APPROVE_STEP = "approve_step"    # one reviewer approves, another follows
    APPROVE_FINAL = "approve_final"  # the last reviewer approves
    RETURN = "return"
    SIGN = "sign"
    ISSUE = "issue"
    SEAL = "seal"
    DISPATCH = "dispatch"
    REVOKE = "revoke"
    UPDATE = "update"
    REPLACE = "replace"


OUTGOING: dict[tuple[str, str], str] = {
    (OutState.DRAFT, OutAction.REVISE): OutState.DRAFT,
    (OutState.DRAFT, OutAction.SUBMIT): OutState.IN_REVIEW,
    (OutState.IN_REVIEW, OutAction.APPROVE_STEP): OutState.IN_REVIEW,
    (OutState.IN_REVIEW, OutAction.APPROVE_FINAL): OutState.APPROVED,
    (OutState.IN_REVIEW, OutAction.RETURN): OutState.DRAFT,
    # A new file after an approval sends it back to the drafter: approvals restart.
    (OutState.IN_REVIEW, OutAction.REVISE): OutState.DRAFT,
    (OutState.APPROVED, OutAction.REVISE): OutState.DRAFT,
    (OutState.APPROVED, OutAction.RETURN): OutState.DRAFT,
    (OutState.APPROVED, OutAction.SIGN): OutState.SIGNED,
    (OutState.SIGNED, OutAction.ISSUE): OutState.ISSUED,
    (OutState.ISSUED, OutAction.SEAL): OutState.SEALED,
    (OutState.SEALED, OutAction.DISPATCH): OutState.DISPATCHED,
    (OutState.DISPATCHED, OutAction.REVOKE): OutState.REVOKED,
    (OutState.DISPATCHED, OutAction.UPDATE): OutState.DISPATCHED,
    (OutState.DISPATCHED, OutAction.REPLACE): OutState.REVOKED,
}

TABLES = {"incoming": INCOMING, "outgoing": OUTGOING}

STATE_LABELS = {
    "received": _l("Chờ vào sổ"), "registered": _l("Đã vào sổ"), "returned": _l("Đã trả lại"),
    "submitted": _l("Chờ phân công"), "assigned": _l("Đã phân công"),
    "in_progress": _l("Đang xử lý"), "done": _l("Hoàn thành"), "cancelled": _l("Đã thu hồi"),
    "draft": _l("Dự thảo"), "in_review": _l("Đang trình duyệt"), "approved": _l("Đã duyệt"),
    "signed": _l("Đã ký"), "issued": _l("Đã cấp số"), "sealed": _l("Đã ký số cơ quan"),
    "dispatched": _l("Đã phát hành"), "revoked": _l("Đã thu hồi"),
}

STATE_TONES = {
    "received": "warning", "registered": "info", "returned": "secondary", "submitted": "warning",
    "assigned": "primary", "in_progress": "primary", "done": "success", "cancelled": "dark",
    "draft": "secondary", "in_review": "warning", "approved": "info", "signed": "primary",
    "issued": "primary", "sealed": "primary", "dispatched": "success", "revoked": "dark",
}


def next_state(direction: str, state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; raise InvalidTransition if not allowed."""
    try:
        return TABLES[direction][(state, action)]
    except KeyError:
        raise InvalidTransition(direction=direction, state=state, action=action) from None


def allowed_actions(direction: str, state: str) -> set[str]:
    return {a for (s, a) in TABLES[direction] if s == state}
