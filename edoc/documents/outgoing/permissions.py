"""Who may do what to an outgoing document (pure predicates of the user and the document).

Roles (issue E3): officers and leaders draft; the reviewers are the people listed on the
document, each in turn; the signer is the leader named on the document; the clerk (văn thư)
numbers, seals, dispatches and later revokes, updates or replaces. Visibility (who may see the
document at all) is :mod:`edoc.documents.visibility`'s business and is checked before these.
"""
from __future__ import annotations

from typing import Any

from edoc.auth.roles import Role


def is_clerk(user: Any) -> bool:
    return user.has_role(Role.CLERK)


def is_leader(user: Any) -> bool:
    return user.has_role(Role.LEADER)


def can_draft(user: Any) -> bool:
    return user.has_role(Role.OFFICER, Role.LEADER)


def is_drafter(user: Any, doc: Any) -> bool:
    return user.id in (doc.drafter_id, doc.created_by_id)


def can_edit_draft(user: Any, doc: Any) -> bool:
    """A new file or new metadata: the drafter (the transition table says until when)."""
    return is_drafter(user, doc)


def can_submit(user: Any, doc: Any) -> bool:
    return is_drafter(user, doc)


def can_comment(user: Any, doc: Any, reviewer_ids: set[int]) -> bool:
    """Everyone working on the draft: drafter, reviewers, signer, clerks."""
    return (is_drafter(user, doc) or user.id in reviewer_ids or user.id == doc.signer_id
            or is_clerk(user))


def is_current_reviewer(user: Any, step: Any) -> bool:
    return step is not None and step.reviewer_id == user.id


def can_return_approved(user: Any, doc: Any) -> bool:
    """An approved draft may still be sent back, by the signer who declines to sign it."""
    return user.id == doc.signer_id


def can_sign(user: Any, doc: Any) -> bool:
    return user.id == doc.signer_id and is_leader(user)


def can_issue(user: Any) -> bool:
    return is_clerk(user)


def can_seal(user: Any) -> bool:
    return is_clerk(user)


def can_dispatch(user: Any) -> bool:
    return is_clerk(user)


def can_follow_up(user: Any) -> bool:
    """Revoke, update or replace a dispatched document: the clerk sends those actions."""
    return is_clerk(user)
