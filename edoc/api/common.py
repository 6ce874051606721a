"""Shared plumbing of the JSON API: bearer-token auth, JSON bodies, pagination, versions.

The API accepts only bearer tokens, never the session cookie, so it needs no CSRF token.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Request, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from edoc.errors import AuthenticationRequired, BadRequest, ValidationError
from edoc.extensions import db

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


def api_user():
    return g.api_user


def token_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        from edoc.auth.services import user_for_token

        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationRequired(code="missing_token")
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationRequired(_l("Mã truy cập không hợp lệ hoặc đã hết hạn."),
                                         code="invalid_token")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def json_body(req: Request | None = None) -> dict[str, Any]:
    req = req or request
    if not req.data:
        return {}
    try:
        data = json.loads(req.data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(_l("Nội dung JSON không hợp lệ."), code="malformed_json") from exc
    if not isinstance(data, dict):
        raise BadRequest(_l("Nội dung JSON phải là một đối tượng."), code="malformed_json")
    return data


def multipart_meta() -> dict[str, Any]:
    raw = request.form.get("meta")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(_l("Phần 'meta' không phải JSON hợp lệ."), code="malformed_meta") from exc
    if not isinstance(data, dict):
        raise BadRequest(_l("Phần 'meta' phải là một đối tượng JSON."), code="malformed_meta")
    return data


def page_args() -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError as exc:
        raise ValidationError(_l("Tham số phân trang không hợp lệ."),
                              code="bad_pagination") from exc
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(_l("per_page phải từ 1 đến %(n)s.", n=MAX_PER_PAGE),
                              code="bad_pagination")
    return page, per_page


def paginate(stmt: Select, serialize: Callable[[Any], dict], *, count: bool = True) -> dict:
    page, per_page = page_args()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) \
        if count else None
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [serialize(r) for r in rows], "total": total, "page": page,
            "per_page": per_page}


def expected_version(body: dict[str, Any] | None = None) -> int | None:
    """The version the client last saw: ``If-Match`` header or ``"version"`` in the body."""
    raw = request.headers.get("If-Match") or (body or {}).get("version")
    if raw is None:
        return None
    try:
        return int(str(raw).strip('"W/ '))
    except ValueError as exc:
        raise BadRequest(_l("Phiên bản (If-Match) không hợp lệ."), code="bad_version") from exc
