"""Archivist's management pages: the file plan, disposal, fixity reports (on the archive
blueprint)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.auth import permissions as auth_perm
from edoc.auth.models import OrgUnit, User
from edoc.errors import EdocError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import disposal, fileplan
from edoc.records import permissions as perm
from edoc.records.archive_models import Disposal, FixityRun
from edoc.records.forms import form_action, form_data, version_from_form
from edoc.records.views_archive import bp

_PLAN_FIELDS = ("heading", "code", "title", "retention", "retention_other",
                "responsible_unit_id", "responsible_user_id", "notes", "position")


# --- file plan ---------------------------------------------------------------------------------

def _plan_url(**_ignored) -> str:
    return url_for("archive.file_plan", year=request.values.get("year", type=int)
                   or local_today().year)


def _directory():
    units = db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == current_user.agency_id).order_by(OrgUnit.name)).all()
    users = db.session.scalars(select(User).where(
        User.agency_id == current_user.agency_id, User.active.is_(True))
        .order_by(User.full_name)).all()
    return units, users


@bp.get("/file-plan")
@login_required
def file_plan():
    year = request.args.get("year", type=int) or local_today().year
    entries = fileplan.list_entries(current_user.agency_id, year)
    headings: dict[str, list] = {}
    for e in entries:
        headings.setdefault(e.heading, []).append(e)
    units, users = _directory()
    return render_template("records/file_plan.html", year=year, headings=headings,
                           entries=entries, units=units, users=users,
                           can_manage=perm.can_manage_file_plan(current_user))


@bp.post("/file-plan")
@login_required
@form_action(_plan_url)
def file_plan_create():
    data = form_data(_PLAN_FIELDS)
    if data.get("retention") != "other":
        data.pop("retention_other", None)
    data["year"] = request.form.get("year")
    entry = fileplan.create_entry(current_user, data)
    flash(_("Đã thêm hồ sơ %(c)s vào danh mục năm %(y)s.", c=entry.code, y=entry.year),
          "success")
    return redirect(_plan_url())


@bp.route("/file-plan/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def file_plan_edit(entry_id: int):
    entry = fileplan.get_entry(current_user, entry_id)
    auth_perm.require(perm.can_manage_file_plan(current_user))
    if request.method == "POST":
        data = form_data(_PLAN_FIELDS)
        if data.get("retention") != "other":
            data.pop("retention_other", None)
        try:
            fileplan.update_entry(current_user, entry, data,
                                  expected_version=version_from_form())
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            entry = fileplan.get_entry(current_user, entry_id)
        else:
            flash(_("Đã lưu dòng danh mục %(c)s.", c=entry.code), "success")
            return redirect(url_for("archive.file_plan", year=entry.year))
    units, users = _directory()
    return render_template("records/file_plan_edit.html", entry=entry, units=units,
                           users=users)


@bp.post("/file-plan/<int:entry_id>/delete")
@login_required
@form_action(_plan_url)
def file_plan_delete(entry_id: int):
    entry = fileplan.get_entry(current_user, entry_id)
    code = entry.code
    fileplan.delete_entry(current_user, entry)
    flash(_("Đã xóa dòng %(c)s khỏi danh mục.", c=code), "success")
    return redirect(_plan_url())


@bp.post("/file-plan/copy")
@login_required
@form_action(_plan_url)
def file_plan_copy():
    source = request.form.get("year", type=int)
    target = request.form.get("to_year", type=int)
    created = fileplan.copy_forward(current_user, source, target)
    flash(_("Đã sao chép %(n)s dòng sang danh mục năm %(y)s.", n=len(created), y=target),
          "success")
    return redirect(url_for("archive.file_plan", year=target))


# --- disposal ----------------------------------------------------------------------------------

def _disposals_url(**kwargs) -> str:
    if "disposal_id" in kwargs:
        return url_for("archive.disposal_show", disposal_id=kwargs["disposal_id"])
    return url_for("archive.disposals")


@bp.get("/disposals")
@login_required
def disposals():
    auth_perm.require(perm.can_propose_disposal(current_user)
                      or perm.can_approve_disposal(current_user))
    eligible = disposal.eligible_records(current_user.agency_id)
    items = db.session.scalars(select(Disposal).where(
        Disposal.agency_id == current_user.agency_id).order_by(Disposal.id.desc())).all()
    return render_template("records/disposals.html", eligible=eligible, disposals=items,
                           can_propose=perm.can_propose_disposal(current_user))


@bp.post("/disposals")
@login_required
@form_action(_disposals_url)
def disposal_create():
    d = disposal.propose_disposal(current_user, request.form.getlist("record_ids"),
                                  title=request.form.get("title", ""),
                                  reason=request.form.get("reason", ""))
    flash(_("Đã lập đề nghị tiêu hủy %(n)s hồ sơ; chờ lãnh đạo phê duyệt.", n=len(d.items)),
          "success")
    return redirect(url_for("archive.disposal_show", disposal_id=d.id))


@bp.get("/disposals/<int:disposal_id>")
@login_required
def disposal_show(disposal_id: int):
    d = disposal.get_disposal(current_user, disposal_id)
    return render_template("records/disposal.html", d=d, today=local_today(),
                           can_approve=perm.can_approve_disposal(current_user),
                           eligibility=disposal.eligibility)


@bp.post("/disposals/<int:disposal_id>/approve")
@login_required
@form_action(_disposals_url)
def disposal_approve(disposal_id: int):
    d = disposal.get_disposal(current_user, disposal_id)
    decision = {"number": request.form.get("decision_number", ""),
                "date": request.form.get("decision_date", ""),
                "signer": request.form.get("decision_signer", ""),
                "text": request.form.get("decision_text", "")}
    disposal.approve_disposal(current_user, d, request.form.getlist("record_ids"), decision,
                              expected_version=version_from_form())
    flash(_("Đã phê duyệt tiêu hủy; %(n)s tệp đã bị xóa.", n=d.files_deleted), "success")
    return redirect(url_for("archive.disposal_show", disposal_id=d.id))


@bp.post("/disposals/<int:disposal_id>/cancel")
@login_required
@form_action(_disposals_url)
def disposal_cancel(disposal_id: int):
    d = disposal.get_disposal(current_user, disposal_id)
    disposal.cancel_disposal(current_user, d, request.form.get("reason", ""))
    flash(_("Đã hủy đề nghị tiêu hủy."), "warning")
    return redirect(url_for("archive.disposal_show", disposal_id=d.id))


# --- fixity ------------------------------------------------------------------------------------

@bp.get("/fixity")
@login_required
def fixity():
    auth_perm.require(perm.is_archivist(current_user))
    runs = db.session.scalars(select(FixityRun).order_by(FixityRun.id.desc()).limit(30)).all()
    agency_id = current_user.agency_id
    return render_template("records/fixity.html", runs=runs, problems_of=lambda run: [
        p for p in run.problems if agency_id in (p.agency_ids or [])])


@bp.post("/fixity")
@login_required
@form_action(lambda **_: url_for("archive.fixity"))
def fixity_run():
    from edoc.records.fixity import run_fixity

    auth_perm.require(perm.is_archivist(current_user))
    run = run_fixity(trigger="web", actor=current_user)
    problems = sum(1 for p in run.problems if current_user.agency_id in (p.agency_ids or []))
    flash(_("Đã kiểm tra %(n)s tệp; %(p)s lỗi.", n=run.checked, p=problems),
          "danger" if problems else "success")
    return redirect(url_for("archive.fixity"))
