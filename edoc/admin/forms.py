"""Reading admin form posts into plain keyword arguments for the auth services."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

AGENCY_FIELDS = ("name", "notation", "governing_body", "place_name", "address", "phone", "email",
                 "website")


def agency_fields(form: MultiDict) -> dict[str, Any]:
    data = {k: form.get(k, "").strip() for k in AGENCY_FIELDS}
    parent = form.get("parent_id", "").strip()
    data["parent_id"] = int(parent) if parent.isdigit() else None
    data["hosted"] = form.get("hosted") == "on"
    return data


def unit_fields(form: MultiDict) -> dict[str, Any]:
    parent = form.get("parent_id", "").strip()
    return {"name": form.get("name", "").strip(), "notation": form.get("notation", "").strip(),
            "parent_id": int(parent) if parent.isdigit() else None}


def user_fields(form: MultiDict) -> dict[str, Any]:
    unit = form.get("unit_id", "").strip()
    return {
        "full_name": form.get("full_name", "").strip(),
        "position_title": form.get("position_title", "").strip(),
        "email": form.get("email", "").strip(),
        "roles": form.getlist("roles"),
        "unit_id": int(unit) if unit.isdigit() else None,
        "password": form.get("password", ""),
        "active": form.get("active") == "on",
    }
