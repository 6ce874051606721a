"""``/api/v1/auth/token`` and ``/api/v1/me``."""
from __future__ import annotations

from flask import Blueprint, jsonify

from edoc.api.common import api_user, json_body, token_required
from edoc.api.serializers import agency_json, unit_json, user_json
from edoc.errors import ValidationError
from edoc.extensions import db

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1")


@bp.post("/auth/token")
def token():
    from edoc.auth.services import AuthenticationRequired, authenticate, issue_token

    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ValidationError(code="missing_credentials", fields=["username", "password"])
    try:
        user = authenticate(username, password)
    except AuthenticationRequired:
        db.session.commit()  # keep the failure count and the audit entry
        raise
    issued = issue_token(user)
    return jsonify({"token": issued.token, "expires_at": issued.expires_at.isoformat()})


@bp.get("/me")
@token_required
def me():
    user = api_user()
    return jsonify({
        "user": user_json(user),
        "agency": agency_json(user.agency),
        "unit": unit_json(user.unit) if user.unit else None,
        "roles": sorted(r.value for r in user.roles),
    })
