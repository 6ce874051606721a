"""Permission predicates of records and the archive (pure functions of user and object).

Objects of another agency are reported as not found by the callers
(:func:`edoc.auth.permissions.ensure_visible_agency`), never as forbidden.
"""
from __future__ import annotations

from typing import Any

from edoc.auth.roles import Role
from edoc.records.states import RecordState

__all__ = [
    "can_approve_disposal",
    "can_decide_access",
    "can_edit_record",
    "can_manage_file_plan",
    "can_manage_legal_hold",
    "can_open_record",
    "can_propose_disposal",
    "can_receive_transfer",
    "can_search_archive",
    "can_search_content",
    "can_transfer",
    "can_view_record",
    "is_archivist",
]

_STAFF = (Role.CLERK, Role.OFFICER, Role.LEADER, Role.ARCHIVIST)
_ARCHIVE_STATES = (RecordState.ARCHIVED, RecordState.DISPOSED)


def is_archivist(user: Any) -> bool:
    return user.has_role(Role.ARCHIVIST)


def can_manage_file_plan(user: Any) -> bool:
    """The file plan is drawn up and kept by the archivist (Decree 30 Điều 28)."""
    return is_archivist(user)


def can_open_record(user: Any) -> bool:
    return user.has_role(*_STAFF)


def _is_keeper(user: Any, record: Any) -> bool:
    """The person who builds the record, their unit, or the archivist."""
    if record.agency_id != user.agency_id:
        return False
    if is_archivist(user) or record.creator_id == user.id:
        return True
    return record.unit_id is not None and record.unit_id == user.unit_id


def can_edit_record(user: Any, record: Any) -> bool:
    return _is_keeper(user, record)


def can_transfer(user: Any, record: Any) -> bool:
    """A unit hands over its closed records: the record's keeper, or a clerk of the agency."""
    return _is_keeper(user, record) or (record.agency_id == user.agency_id
                                        and user.has_role(Role.CLERK))


def can_receive_transfer(user: Any) -> bool:
    return is_archivist(user)


def can_view_record(user: Any, record: Any) -> bool:
    """Records being built are seen by their keepers, clerks and leaders; archived records
    only by the archivist (others ask for access: :mod:`edoc.records.access`)."""
    if record.agency_id != user.agency_id:
        return False
    if record.state in _ARCHIVE_STATES:
        return is_archivist(user)
    return _is_keeper(user, record) or user.has_role(Role.CLERK, Role.LEADER)


def can_search_archive(user: Any) -> bool:
    return user.has_role(*_STAFF, Role.ADMIN)


def can_search_content(user: Any) -> bool:
    """Full text and confidential (Mật) records: the archivist and leaders."""
    return user.has_role(Role.ARCHIVIST, Role.LEADER)


def can_decide_access(user: Any) -> bool:
    return is_archivist(user)


def can_manage_legal_hold(user: Any) -> bool:
    return user.has_role(Role.ARCHIVIST, Role.LEADER)


def can_propose_disposal(user: Any) -> bool:
    return is_archivist(user)


def can_approve_disposal(user: Any) -> bool:
    """The head of the agency decides a disposal (spec §4.5)."""
    return user.has_role(Role.LEADER)
