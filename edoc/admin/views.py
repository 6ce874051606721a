"""Administration pages: the agency directory, the units and the users of one's own agency."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.admin import forms
from edoc.auth import permissions as perm
from edoc.auth import services
from edoc.auth.models import Agency, OrgUnit, User
from edoc.auth.roles import Role
from edoc.errors import EdocError, NotFound
from edoc.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    perm.require(perm.can_administer(current_user))


def _units():
    return db.session.scalars(select(OrgUnit).where(OrgUnit.agency_id == current_user.agency_id)
                              .order_by(OrgUnit.name)).all()


# --- users --------------------------------------------------------------------------------------

@bp.get("/users")
def users():
    rows = db.session.scalars(select(User).where(User.agency_id == current_user.agency_id)
                              .order_by(User.full_name)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    if request.method == "POST":
        data = forms.user_fields(request.form)
        unit = services.get_unit_in_agency(current_user, data["unit_id"]) if data["unit_id"] \
            else None
        try:
            user = services.create_user(
                current_user.agency, username=request.form.get("username", ""),
                full_name=data["full_name"], password=data["password"], roles=data["roles"],
                unit=unit, position_title=data["position_title"], email=data["email"],
                actor=current_user)
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã tạo người dùng %(u)s.", u=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", user=None, units=_units(), roles=list(Role))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = services.get_user_in_agency(current_user, user_id)
    if request.method == "POST":
        data = forms.user_fields(request.form)
        unit = services.get_unit_in_agency(current_user, data.pop("unit_id")) \
            if request.form.get("unit_id", "").isdigit() else None
        data.pop("unit_id", None)
        try:
            services.update_user(user, current_user, unit=unit, **data)
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", user=user, units=_units(), roles=list(Role))


# --- units --------------------------------------------------------------------------------------

@bp.get("/units")
def units():
    return render_template("admin/units.html", units=_units())


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_form(unit_id: int | None = None):
    unit = services.get_unit_in_agency(current_user, unit_id) if unit_id else None
    if request.method == "POST":
        data = forms.unit_fields(request.form)
        parent = services.get_unit_in_agency(current_user, data["parent_id"]) \
            if data["parent_id"] else None
        try:
            if unit is None:
                services.create_unit(current_user.agency, name=data["name"],
                                     notation=data["notation"], parent=parent, actor=current_user)
            else:
                services.update_unit(unit, current_user, name=data["name"],
                                     notation=data["notation"], parent=parent)
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã lưu đơn vị."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", unit=unit, units=_units())


# --- agencies -----------------------------------------------------------------------------------

@bp.get("/agencies")
def agencies():
    rows = db.session.scalars(select(Agency).order_by(Agency.hosted.desc(), Agency.name)).all()
    return render_template("admin/agencies.html", agencies=rows)


@bp.route("/agencies/new", methods=["GET", "POST"])
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
def agency_form(agency_id: int | None = None):
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency_id and (agency is None or not perm.can_edit_agency(current_user, agency)):
        raise NotFound()
    if request.method == "POST":
        data = forms.agency_fields(request.form)
        try:
            if agency is None:
                services.create_agency(organ_id=request.form.get("organ_id", ""),
                                       actor=current_user, **data)
            else:
                data.pop("hosted", None)  # hosting is decided when the agency is created
                services.update_agency(agency, current_user, **data)
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã lưu cơ quan."), "success")
            return redirect(url_for("admin.agencies"))
    parents = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return render_template("admin/agency_form.html", agency=agency, parents=parents)
