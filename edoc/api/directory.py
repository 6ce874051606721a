"""``/api/v1/agencies``, ``/units``, ``/users``: the directory, scoped to the caller's agency.

Agencies are the exchange directory (every agency documents can be sent to), so they are listed
whole; units and users only of the caller's own agency.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from edoc.api.common import api_user, paginate, token_required
from edoc.api.serializers import agency_json, unit_json, user_json
from edoc.auth.models import Agency, OrgUnit, User

bp = Blueprint("api_directory", __name__, url_prefix="/api/v1")


@bp.get("/agencies")
@token_required
def agencies():
    stmt = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    return jsonify(paginate(stmt, agency_json))


@bp.get("/units")
@token_required
def units():
    stmt = (select(OrgUnit).where(OrgUnit.agency_id == api_user().agency_id)
            .order_by(OrgUnit.name))
    return jsonify(paginate(stmt, unit_json))


@bp.get("/users")
@token_required
def users():
    stmt = select(User).where(User.agency_id == api_user().agency_id).order_by(User.full_name)
    role = request.args.get("role")
    if role:
        from edoc.auth.models import UserRole

        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return jsonify(paginate(stmt, user_json))


@bp.get("/document-types")
@token_required
def document_types():
    from edoc.documents.doctypes import CONFIDENTIALITIES, DOCUMENT_TYPES, URGENCIES

    return jsonify({
        "items": [{"key": t.key, "name": t.name, "abbreviation": t.abbreviation,
                   "is_copy": t.is_copy} for t in DOCUMENT_TYPES],
        "urgencies": [{"key": lv.key, "name": lv.name} for lv in URGENCIES],
        "confidentialities": [{"key": lv.key, "name": lv.name} for lv in CONFIDENTIALITIES],
    })
