"""JSON shapes of the directory objects (agencies, units, users)."""
from __future__ import annotations

from typing import Any


def agency_json(a) -> dict[str, Any]:
    return {"id": a.id, "organ_id": a.organ_id, "name": a.name, "notation": a.notation,
            "governing_body": a.governing_body, "parent_id": a.parent_id, "address": a.address,
            "phone": a.phone, "email": a.email, "hosted": a.hosted, "active": a.active}


def unit_json(u) -> dict[str, Any]:
    return {"id": u.id, "agency_id": u.agency_id, "parent_id": u.parent_id, "name": u.name,
            "notation": u.notation, "active": u.active}


def user_json(u) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "full_name": u.full_name,
            "position_title": u.position_title, "agency_id": u.agency_id, "unit_id": u.unit_id,
            "roles": sorted(r.value for r in u.roles), "active": u.active}
