"""The reports page and ``GET /api/v1/reports/kpi``."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.api.common import api_user, token_required
from edoc.auth import permissions as perm
from edoc.auth.models import OrgUnit
from edoc.auth.roles import Role
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.reports import charts
from edoc.reports.kpi import compute

bp = Blueprint("reports", __name__)
api_bp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports")


def can_see_reports(user) -> bool:
    return user.has_role(Role.LEADER, Role.CLERK, Role.ADMIN, Role.ARCHIVIST)


def _period(args) -> tuple[date, date, int | None]:
    today = local_today()
    try:
        date_from = date.fromisoformat(args["from"]) if args.get("from") else date(today.year, 1, 1)
        date_to = date.fromisoformat(args["to"]) if args.get("to") else today
    except ValueError:
        raise ValidationError(code="invalid_field", field="from/to") from None
    if date_from > date_to:
        raise ValidationError(code="invalid_period")
    unit = args.get("unit_id")
    return date_from, date_to, int(unit) if unit and str(unit).isdigit() else None


@api_bp.get("/kpi")
@token_required
def kpi_api():
    user = api_user()
    perm.require(can_see_reports(user))
    date_from, date_to, unit_id = _period(request.args)
    return jsonify(compute(user.agency_id, date_from, date_to, today=local_today(),
                           unit_id=unit_id).as_dict())


@bp.get("/reports")
@login_required
def index():
    perm.require(can_see_reports(current_user))
    date_from, date_to, unit_id = _period(request.args)
    kpi = compute(current_user.agency_id, date_from, date_to, today=local_today(),
                  unit_id=unit_id)
    units = db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == current_user.agency_id).order_by(OrgUnit.name)).all()
    return render_template(
        "reports/index.html", kpi=kpi, units=units, unit_id=unit_id,
        volumes=charts.grouped_bars(kpi.volumes_by_month, ("incoming", "outgoing")),
        gauges={"digital": charts.gauge(kpi.digital.percent),
                "on_time": charts.gauge(kpi.on_time.percent),
                "same_day": charts.gauge(kpi.same_day_ack.percent)})
