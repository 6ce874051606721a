"""Record pages: list, open, the record page (documents, metadata, close, transfer), the
printable transfer list."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from archive import document_list_rows, transfer_list_rows
from edoc.auth import permissions as auth_perm
from edoc.auth.models import OrgUnit
from edoc.documents.models import Document
from edoc.documents.visibility import visible_clause
from edoc.errors import EdocError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import fileplan, locking, services, transfer
from edoc.records import permissions as perm
from edoc.records.access import log_access
from edoc.records.forms import form_action, form_data, version_from_form
from edoc.records.models import Record, RecordDocument, RecordEvent
from edoc.records.states import FROZEN_STATES, RecordState

bp = Blueprint("records", __name__, url_prefix="/records")

PER_PAGE = 25
_META_FIELDS = ("title", "notation", "heading", "retention", "retention_other", "start_date",
                "end_date", "language", "mode", "confidence_level", "keywords", "description",
                "unit_id")


def _show(record_id: int, **_ignored) -> str:
    return url_for("records.show", record_id=record_id)


@bp.get("")
@login_required
def index():
    state = request.args.get("state") or None
    year = request.args.get("year", type=int)
    q = request.args.get("q") or None
    mine = request.args.get("mine") == "1"
    page = max(1, request.args.get("page", 1, type=int))
    stmt = services.list_records(current_user, state=state, year=year, q=q, mine=mine)
    from edoc.documents.queries import count

    total = count(stmt)
    records = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("records/index.html", records=records, total=total, page=page,
                           per_page=PER_PAGE, args=args, state=state, year=year, q=q or "",
                           mine=mine, can_open=perm.can_open_record(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    auth_perm.require(perm.can_open_record(current_user))
    year = request.values.get("year", type=int) or local_today().year
    if request.method == "POST":
        data = form_data(("file_plan_entry_id", "notation", "title", "retention",
                          "retention_other", "start_date", "heading", "description",
                          "keywords", "mode", "language"))
        data = {k: v for k, v in data.items() if v != ""}
        data["year"] = year
        try:
            record = services.open_record(current_user, data)
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã lập hồ sơ %(c)s.", c=record.code), "success")
            return redirect(url_for("records.show", record_id=record.id))
    used = set(db.session.scalars(select(Record.file_plan_entry_id).where(
        Record.agency_id == current_user.agency_id, Record.year == year)))
    entries = [e for e in fileplan.list_entries(current_user.agency_id, year)
               if e.id not in used]
    return render_template("records/new.html", entries=entries, year=year,
                           today=local_today())


def _candidate_documents(record: Record, q: str) -> list[Document]:
    """Documents the user may file: visible, not yet in a record."""
    filed = select(RecordDocument.document_id)
    stmt = select(Document).where(visible_clause(current_user), Document.id.not_in(filed))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Document.subject.ilike(like) | Document.notation.ilike(like))
    return list(db.session.scalars(stmt.order_by(Document.id.desc()).limit(30)))


@bp.get("/<int:record_id>")
@login_required
def show(record_id: int):
    record = services.get_record(current_user, record_id)
    if record.state in FROZEN_STATES:
        log_access(current_user, record, "view")
    events = db.session.scalars(select(RecordEvent).where(RecordEvent.record_id == record.id)
                                .order_by(RecordEvent.id)).all()
    editable = (record.state in (RecordState.OPEN, RecordState.CLOSED)
                and perm.can_edit_record(current_user, record))
    q = request.args.get("q", "").strip()
    candidates = (_candidate_documents(record, q)
                  if editable and record.state == RecordState.OPEN else [])
    units = db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == record.agency_id).order_by(OrgUnit.name)).all()
    from edoc.records.archive_models import RecordPackage

    packages = db.session.scalars(select(RecordPackage).where(
        RecordPackage.record_id == record.id).order_by(RecordPackage.id.desc())).all()
    return render_template(
        "records/show.html", record=record, events=events, editable=editable,
        candidates=candidates, q=q, units=units, packages=packages,
        pending=transfer.pending_item(record),
        archival_files=locking.archival_files,
        can_transfer=perm.can_transfer(current_user, record),
        is_archivist=perm.is_archivist(current_user),
        can_hold=perm.can_manage_legal_hold(current_user), today=local_today())


@bp.post("/<int:record_id>/edit")
@login_required
@form_action(_show)
def edit(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    data = form_data(_META_FIELDS)
    if data.get("retention") != "other":
        data.pop("retention_other", None)
    services.update_record(current_user, record, data, expected_version=version_from_form())
    flash(_("Đã lưu thông tin hồ sơ."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/documents")
@login_required
@form_action(_show)
def add_documents(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    ids = request.form.getlist("document_ids")
    added = services.add_documents(current_user, record, ids)
    flash(_("Đã thêm %(n)s văn bản vào hồ sơ.", n=len(added)), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/documents/<int:document_id>/remove")
@login_required
@form_action(_show)
def remove_document(record_id: int, document_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    services.remove_document(current_user, record, document_id)
    flash(_("Đã bỏ văn bản khỏi hồ sơ."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/close")
@login_required
@form_action(_show)
def close(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    services.close_record(current_user, record, end_date=request.form.get("end_date") or None,
                          expected_version=version_from_form())
    flash(_("Đã kết thúc hồ sơ."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/reopen")
@login_required
@form_action(_show)
def reopen(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    services.reopen_record(current_user, record, expected_version=version_from_form())
    flash(_("Đã mở lại hồ sơ."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/transfer")
@login_required
@form_action(_show)
def submit_transfer(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    transfer.submit_transfer(current_user, [record.id], note=request.form.get("note", ""),
                             expected_version=version_from_form())
    flash(_("Đã nộp lưu hồ sơ; chờ lưu trữ cơ quan tiếp nhận."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/accept")
@login_required
@form_action(_show)
def accept(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    transfer.accept_record(current_user, record, note=request.form.get("note", ""))
    flash(_("Đã tiếp nhận hồ sơ %(c)s vào lưu trữ.", c=record.code), "success")
    return redirect(request.form.get("next") or _show(record_id))


@bp.post("/<int:record_id>/reject")
@login_required
@form_action(_show)
def reject(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    transfer.reject_record(current_user, record, request.form.get("reason", ""))
    flash(_("Đã trả lại hồ sơ %(c)s.", c=record.code), "warning")
    return redirect(request.form.get("next") or _show(record_id))


@bp.post("/<int:record_id>/legal-hold")
@login_required
@form_action(_show)
def legal_hold(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    on = request.form.get("on") == "1"
    locking.set_legal_hold(current_user, record, on, request.form.get("reason", ""))
    flash(_("Đã đặt phong tỏa hồ sơ.") if on else _("Đã gỡ phong tỏa hồ sơ."), "success")
    return redirect(_show(record_id))


@bp.post("/<int:record_id>/retention")
@login_required
@form_action(_show)
def retention(record_id: int):
    record = services.get_record(current_user, record_id, for_change=True)
    locking.extend_retention(current_user, record, request.form.get("retention", ""),
                             other_text=request.form.get("retention_other", ""))
    flash(_("Đã tăng thời hạn bảo quản."), "success")
    return redirect(_show(record_id))


@bp.get("/<int:record_id>/transfer-list")
@login_required
def transfer_list(record_id: int):
    """Mục lục hồ sơ nộp lưu and mục lục văn bản, ready to print (Decree 30 Phụ lục V)."""
    record = services.get_record(current_user, record_id)
    return _print([record])


@bp.get("/transfers/<int:transfer_id>/list")
@login_required
def transfer_batch_list(transfer_id: int):
    t = transfer.get_transfer(current_user, transfer_id)
    return _print([i.record for i in t.items], t)


def _print(records: list[Record], t=None):
    from archive import DOCUMENT_LIST_COLUMNS, TRANSFER_LIST_COLUMNS
    from edoc.records.packages import record_documents, record_info

    infos = [record_info(r) for r in records]
    rows = transfer_list_rows(infos)
    document_lists = [(r, document_list_rows(record_documents(r)[0])) for r in records]
    return render_template("records/transfer_list.html", records=records, rows=rows,
                           document_lists=document_lists, transfer=t,
                           transfer_columns=TRANSFER_LIST_COLUMNS,
                           document_columns=DOCUMENT_LIST_COLUMNS, today=local_today())
