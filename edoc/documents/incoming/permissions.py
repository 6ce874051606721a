"""Who may do what to an incoming document (pure predicates)."""
from __future__ import annotations

from typing import Any

from edoc.auth.roles import Role
from edoc.documents.models import Assignment, Document, PartyRole


def is_clerk(user: Any) -> bool:
    return user.has_role(Role.CLERK)


def is_leader(user: Any) -> bool:
    return user.has_role(Role.LEADER)


def can_capture(user: Any) -> bool:
    return user.has_role(Role.CLERK, Role.LEADER, Role.OFFICER)


def can_edit_metadata(user: Any, doc: Document) -> bool:
    # Before registration whoever captured it, and the clerk at any time.
    return is_clerk(user) or (doc.state == "received" and doc.created_by_id == user.id)


def can_register(user: Any) -> bool:
    return is_clerk(user)


def can_submit(user: Any) -> bool:
    return is_clerk(user)


def can_assign(user: Any) -> bool:
    return is_leader(user)


def is_lead(user: Any, assignment: Assignment | None) -> bool:
    if assignment is None:
        return False
    for p in assignment.parties:
        if p.role != PartyRole.LEAD:
            continue
        if p.user_id == user.id or (p.unit_id is not None and p.unit_id == user.unit_id):
            return True
    return False


def can_process(user: Any, assignment: Assignment | None) -> bool:
    """Start work on it and complete it: the lead person or unit, or a leader."""
    return is_leader(user) or is_lead(user, assignment)
