"""``GET /healthz``: is the database reachable, is the object store reachable."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    from edoc.extensions import db
    from edoc.storage import get_store

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, never raise: this page exists to tell what is down
        logger.warning("healthz: database: %s", exc)
        checks["database"] = "unavailable"
        db.session.rollback()
    try:
        get_store().check()
        checks["object_store"] = "ok"
    except Exception as exc:
        logger.warning("healthz: object store: %s", exc)
        checks["object_store"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "degraded", "checks": checks}), 200 if ok else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    from edoc.extensions import csrf

    csrf.exempt(bp)
