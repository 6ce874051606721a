"""Every permission predicate of edoc, in one module.

Predicates are pure functions of the acting user and the object. ``require`` turns a failed
predicate into :class:`~edoc.errors.PermissionDenied`. Objects of another agency are reported as
not found (404), never as forbidden, so that their existence does not leak across agencies.
"""
from __future__ import annotations

from typing import Any

from edoc.auth.roles import Role
from edoc.errors import NotFound, PermissionDenied


def same_agency(user: Any, obj: Any) -> bool:
    agency_id = getattr(obj, "agency_id", None)
    if agency_id is None and obj.__class__.__name__ == "Agency":
        agency_id = obj.id
    return agency_id == user.agency_id


def ensure_visible_agency(user: Any, obj: Any) -> None:
    """Raise NotFound for an object of another agency."""
    if obj is None or not same_agency(user, obj):
        raise NotFound()


def require(allowed: bool, message: Any = None) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- administration ----------------------------------------------------------------------------

def can_administer(user: Any) -> bool:
    return user.has_role(Role.ADMIN)


def can_manage_user(user: Any, target: Any) -> bool:
    return can_administer(user) and target.agency_id == user.agency_id


def can_manage_unit(user: Any, unit: Any) -> bool:
    return can_administer(user) and unit.agency_id == user.agency_id


def can_edit_agency(user: Any, agency: Any) -> bool:
    """An admin edits their own agency, and the directory entries (non-hosted agencies)."""
    return can_administer(user) and (agency.id == user.agency_id or not agency.hosted)


def can_create_agency(user: Any) -> bool:
    return can_administer(user)
