"""The home page: each role's work at a glance."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("web", __name__)


@bp.get("/")
@login_required
def home():
    from edoc.web.dashboard import dashboard_for

    return render_template("web/home.html", panels=dashboard_for(current_user))
