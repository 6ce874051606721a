"""Incoming pages: inboxes, upload, the document page and its actions, the register book."""
from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.auth import permissions as perm
from edoc.auth.models import OrgUnit, User, UserRole
from edoc.documents import deadlines
from edoc.documents.doctypes import CONFIDENTIALITIES, DOCUMENT_TYPES, URGENCIES
from edoc.documents.incoming import permissions as can
from edoc.documents.incoming import services
from edoc.documents.incoming.capture import capture_incoming
from edoc.documents.incoming.duplicates import duplicates_of
from edoc.documents.models import DocumentEvent, DocumentText
from edoc.documents.numbering import books_for
from edoc.documents.queries import Filters, count, document_list
from edoc.documents.states import STATE_LABELS, STATE_TONES, allowed_actions
from edoc.documents.views_common import record_view
from edoc.documents.visibility import get_visible
from edoc.errors import EdocError, NotFound
from edoc.extensions import db
from edoc.i18n import local_today

bp = Blueprint("incoming", __name__, url_prefix="/incoming")

PER_PAGE = 25


def _page_context():
    return {"document_types": DOCUMENT_TYPES, "urgencies": URGENCIES,
            "confidentialities": CONFIDENTIALITIES, "state_labels": STATE_LABELS,
            "state_tones": STATE_TONES, "today": local_today()}


def form_action(view):
    """A POST from the document page: on a refusal, say why and go back to the page."""

    @functools.wraps(view)
    def wrapper(doc_id: int, *args, **kwargs):
        try:
            return view(doc_id, *args, **kwargs)
        except EdocError as exc:
            if isinstance(exc, NotFound):
                raise
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("incoming.show", doc_id=doc_id))

    return wrapper


def _version() -> int | None:
    raw = request.form.get("version")
    return int(raw) if raw and raw.isdigit() else None


@bp.get("")
@login_required
def index():
    f = Filters.from_args(request.args)
    page = max(1, request.args.get("page", 1, type=int))
    stmt = document_list(current_user, "incoming", f, today=local_today())
    total = count(stmt)
    docs = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    units = db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == current_user.agency_id).order_by(OrgUnit.name)).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("incoming/index.html", docs=docs, total=total, page=page,
                           per_page=PER_PAGE, filters=f, args=args, units=units,
                           **_page_context())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    from edoc.capture import read_limited

    perm.require(can.can_capture(current_user))
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Hãy chọn tệp văn bản cần tiếp nhận."), "danger")
        else:
            try:
                result = capture_incoming(
                    current_user.agency_id, read_limited(upload.stream), upload.filename,
                    {k: v for k, v in request.form.items() if v and k != "csrf_token"},
                    actor=current_user, received_via=request.form.get("received_via") or "upload")
            except EdocError as exc:
                db.session.rollback()
                flash(str(exc.message), "danger")
            else:
                if result.duplicates:
                    flash(_("Cảnh báo: có thể trùng với văn bản đã tiếp nhận trước đây."),
                          "warning")
                flash(_("Đã tiếp nhận văn bản. Hãy kiểm tra thông tin gợi ý rồi vào sổ."),
                      "success")
                return redirect(url_for("incoming.show", doc_id=result.document.id))
    return render_template("incoming/new.html", **_page_context())


@bp.get("/<int:doc_id>")
@login_required
def show(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    record_view(doc, current_user)
    events = db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                                .order_by(DocumentEvent.id)).all()
    text = db.session.get(DocumentText, doc.id)
    assignment = services.current_assignment(doc)
    agency_users = db.session.scalars(select(User).where(
        User.agency_id == doc.agency_id, User.active.is_(True)).order_by(User.full_name)).all()
    leaders = db.session.scalars(select(User).join(UserRole).where(
        User.agency_id == doc.agency_id, UserRole.role == "leader", User.active.is_(True))
        .order_by(User.full_name)).all()
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.agency_id == doc.agency_id)
                               .order_by(OrgUnit.name)).all()
    days_left = deadlines.working_days_left(doc.agency_id, local_today(), doc.deadline) \
        if doc.deadline and doc.state not in ("done", "cancelled", "returned") else None
    signature_report = _signature_report(doc)
    return render_template(
        "incoming/show.html", doc=doc, events=events, text=text, assignment=assignment,
        users=agency_users, leaders=leaders, units=units, books=books_for(doc.agency_id,
                                                                          "incoming"),
        actions=allowed_actions("incoming", doc.state), can=can,
        can_process=can.can_process(current_user, assignment),
        can_edit=can.can_edit_metadata(current_user, doc), days_left=days_left,
        duplicates=duplicates_of(doc) if doc.state == "received" else [],
        main_file=doc.current_file(), signature_report=signature_report, **_page_context())


def _signature_report(doc):
    """The check made when the document arrived (jobs.verify_signatures), in Vietnamese."""
    from edoc.signatures.verification import latest_check, with_messages

    original = doc.current_file("original")
    check = latest_check(original) if original is not None else None
    return with_messages(check.report) if check is not None else None


@bp.post("/<int:doc_id>/metadata")
@login_required
@form_action
def metadata(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    fields = {k: v for k, v in request.form.items() if k not in ("csrf_token", "version")}
    services.update_metadata(doc, current_user, fields, expected_version=_version())
    flash(_("Đã lưu thông tin văn bản."), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/register")
@login_required
@form_action
def register(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    book = request.form.get("register_book_id")
    services.register(doc, current_user, register_book_id=int(book) if book else None,
                      expected_version=_version())
    flash(_("Đã vào sổ văn bản đến, số đến %(n)s.", n=doc.registration_number), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/return")
@login_required
@form_action
def return_(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    services.return_to_sender(doc, current_user, request.form.get("reason", ""),
                              expected_version=_version())
    flash(_("Đã trả lại văn bản cho nơi gửi."), "info")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/submit")
@login_required
@form_action
def submit(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    services.submit(doc, current_user, request.form.get("leader_id"), expected_version=_version())
    flash(_("Đã trình lãnh đạo."), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/assign")
@login_required
@form_action
def assign(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    lead = request.form.get("lead", "")
    kind, _sep, ident = lead.partition(":")
    services.assign(
        doc, current_user, lead_unit_id=ident if kind == "unit" else None,
        lead_user_id=ident if kind == "user" else None,
        cooperating_unit_ids=request.form.getlist("cooperating_unit_ids"),
        informed_user_ids=request.form.getlist("informed_user_ids"),
        deadline=request.form.get("deadline") or None,
        deadline_days=request.form.get("deadline_days", type=int),
        direction=request.form.get("direction", ""), expected_version=_version())
    flash(_("Đã phân công xử lý."), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/progress")
@login_required
@form_action
def progress(doc_id: int):
    doc = get_visible(current_user, doc_id, direction="incoming")
    note = request.form.get("note", "")
    if doc.state == "in_progress":
        services.add_progress_note(doc, current_user, note)
        flash(_("Đã ghi tiến độ."), "success")
    else:
        services.start(doc, current_user, note, expected_version=_version())
        flash(_("Đã bắt đầu xử lý."), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/complete")
@login_required
@form_action
def complete(doc_id: int):
    from edoc.capture import read_limited

    doc = get_visible(current_user, doc_id, direction="incoming")
    files = [(f.filename, read_limited(f.stream)) for f in request.files.getlist("result_files")
             if f and f.filename]
    services.complete(doc, current_user, request.form.get("result", ""), result_files=files,
                      expected_version=_version())
    flash(_("Đã hoàn thành xử lý văn bản."), "success")
    return redirect(url_for("incoming.show", doc_id=doc.id))


@bp.get("/register")
@login_required
def register_book():
    from edoc.documents.incoming.registers import register_rows

    books = books_for(current_user.agency_id, "incoming")
    book_id = request.args.get("book_id", type=int) or (books[0].id if books else None)
    today = local_today()
    date_from = _parse_date(request.args.get("from")) or date(today.year, 1, 1)
    date_to = _parse_date(request.args.get("to")) or today
    rows = register_rows(current_user, book_id, date_from, date_to, limit=500) if book_id else []
    return render_template("incoming/register.html", books=books, book_id=book_id, rows=rows,
                           date_from=date_from, date_to=date_to, **_page_context())


@bp.get("/register/export")
@login_required
def register_export():
    from edoc.documents.incoming.registers import export_register

    books = books_for(current_user.agency_id, "incoming")
    book_id = request.args.get("book_id", type=int) or (books[0].id if books else None)
    if book_id is None:
        raise NotFound()
    today = local_today()
    return export_register(current_user, book_id,
                           _parse_date(request.args.get("from")) or date(today.year, 1, 1),
                           _parse_date(request.args.get("to")) or today,
                           request.args.get("format", "xlsx"))


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
