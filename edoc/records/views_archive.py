"""Archive pages: the archivist's transfer inbox, archive search, access requests and access
links, package export. File plan, disposal and fixity pages: :mod:`edoc.records.views_manage`.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.auth import permissions as auth_perm
from edoc.documents.doctypes import DOCUMENT_TYPES
from edoc.documents.models import DocumentText
from edoc.errors import EdocError, NotFound, ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import access, services
from edoc.records import permissions as perm
from edoc.records.archive_models import AccessRequest
from edoc.records.forms import form_action, version_from_form
from edoc.records.models import Record, Transfer
from edoc.records.search import ArchiveQuery, search_archive
from edoc.records.settings import setting
from edoc.records.states import RecordState

bp = Blueprint("archive", __name__, url_prefix="/archive")

PER_PAGE = 20


@bp.get("")
@login_required
def home():
    if perm.is_archivist(current_user):
        return redirect(url_for("archive.inbox"))
    return redirect(url_for("archive.search"))


@bp.get("/inbox")
@login_required
def inbox():
    auth_perm.require(perm.can_receive_transfer(current_user))
    transfers = db.session.scalars(select(Transfer).where(
        Transfer.agency_id == current_user.agency_id, Transfer.state == "submitted")
        .order_by(Transfer.submitted_at)).all()
    recent = db.session.scalars(select(Transfer).where(
        Transfer.agency_id == current_user.agency_id, Transfer.state == "done")
        .order_by(Transfer.id.desc()).limit(10)).all()
    return render_template("records/inbox.html", transfers=transfers, recent=recent)


# --- search ------------------------------------------------------------------------------------

def _date(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("Ngày không hợp lệ: %(v)s", v=raw), "warning")
        return None


@bp.get("/search")
@login_required
def search():
    auth_perm.require(perm.can_search_archive(current_user))
    page = max(1, request.args.get("page", 1, type=int))
    query = ArchiveQuery(q=request.args.get("q", ""), code=request.args.get("code", ""),
                         type_key=request.args.get("type", ""), date_from=_date("from"),
                         date_to=_date("to"), retention=request.args.get("retention", ""),
                         kind=request.args.get("kind", ""), page=page, per_page=PER_PAGE)
    result = None
    texts: dict[int, str] = {}
    records: dict[int, Record] = {}
    content = perm.can_search_content(current_user)
    if not query.empty:
        result = search_archive(current_user.agency_id, query, confidential=content)
        doc_ids = [e.document_id for e in result.items if e.document_id]
        if doc_ids and content and result.terms:
            texts = {t.document_id: t.content for t in db.session.scalars(
                select(DocumentText).where(DocumentText.document_id.in_(doc_ids)))}
        record_ids = {e.record_id for e in result.items}
        records = {r.id: r for r in db.session.scalars(select(Record).where(
            Record.id.in_(record_ids)))}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("records/search.html", query=query, result=result, texts=texts,
                           records=records, args=args, document_types=DOCUMENT_TYPES,
                           page=page, per_page=PER_PAGE,
                           is_archivist=perm.is_archivist(current_user),
                           default_until=local_today() + timedelta(days=14))


# --- access requests ---------------------------------------------------------------------------

@bp.get("/access")
@login_required
def access_requests():
    state = request.args.get("state") or None
    stmt = select(AccessRequest).where(AccessRequest.agency_id == current_user.agency_id)
    deciding = perm.can_decide_access(current_user)
    if not deciding:
        stmt = stmt.where(AccessRequest.requester_id == current_user.id)
    if state:
        stmt = stmt.where(AccessRequest.state == state)
    requests_ = db.session.scalars(stmt.order_by(AccessRequest.id.desc()).limit(200)).all()
    return render_template("records/access.html", requests=requests_, deciding=deciding,
                           state=state, status_of=access.request_status,
                           max_days=int(setting("ARCHIVE_ACCESS_MAX_DAYS")),
                           today=local_today())


def _back_to_access(**_ignored) -> str:
    return request.form.get("next") or url_for("archive.access_requests")


@bp.post("/access")
@login_required
@form_action(_back_to_access)
def access_new():
    req = access.request_access(current_user, request.form.get("record_id"),
                                request.form.get("reason", ""), request.form.get("until"))
    flash(_("Đã gửi yêu cầu khai thác hồ sơ %(c)s.", c=req.record.code), "success")
    return redirect(url_for("archive.access_requests"))


@bp.post("/access/<int:request_id>/approve")
@login_required
@form_action(_back_to_access)
def access_approve(request_id: int):
    req = access.get_request(current_user, request_id)
    access.approve_request(current_user, req, until=request.form.get("until") or None,
                           reason=request.form.get("reason", ""),
                           expected_version=version_from_form())
    flash(_("Đã duyệt yêu cầu khai thác."), "success")
    return redirect(url_for("archive.access_requests"))


@bp.post("/access/<int:request_id>/refuse")
@login_required
@form_action(_back_to_access)
def access_refuse(request_id: int):
    req = access.get_request(current_user, request_id)
    access.refuse_request(current_user, req, request.form.get("reason", ""),
                          expected_version=version_from_form())
    flash(_("Đã từ chối yêu cầu khai thác."), "warning")
    return redirect(url_for("archive.access_requests"))


@bp.get("/access/<int:request_id>")
@login_required
def access_link(request_id: int):
    """The access link: the archived record while the grant lasts (403 with the reason
    afterwards)."""
    from edoc.records.locking import archival_files

    req = access.get_request(current_user, request_id)
    record = access.check_grant(current_user, req)
    access.log_access(current_user, record, "view", grant=req)
    return render_template("records/access_record.html", req=req, record=record,
                           archival_files=archival_files)


@bp.get("/access/<int:request_id>/files/<int:file_id>")
@login_required
def access_file(request_id: int, file_id: int):
    from edoc.documents.views_common import file_response
    from edoc.records.locking import archival_files

    req = access.get_request(current_user, request_id)
    record = access.check_grant(current_user, req)
    for doc in record.documents:
        for f in archival_files(doc):
            if f.id == file_id:
                access.log_access(current_user, record, "file", grant=req,
                                  document_id=doc.id, file_id=f.id)
                return file_response(doc, f, current_user, download=True)
    raise NotFound()


@bp.get("/records/<int:record_id>/files/<int:file_id>")
@login_required
def record_file(record_id: int, file_id: int):
    """A file of an archived record, for the archivist (logged like any access)."""
    from edoc.documents.views_common import file_response
    from edoc.records.locking import archival_files

    record = services.get_record(current_user, record_id)
    for doc in record.documents:
        for f in archival_files(doc):
            if f.id == file_id:
                if record.state in (RecordState.ARCHIVED, RecordState.DISPOSED):
                    access.log_access(current_user, record, "file", document_id=doc.id,
                                      file_id=f.id)
                return file_response(doc, f, current_user, download=True)
    raise NotFound()


# --- packages ----------------------------------------------------------------------------------

@bp.get("/records/<int:record_id>/export")
@login_required
def export(record_id: int):
    from edoc.records.api_archive import package_response

    record = services.get_record(current_user, record_id)
    auth_perm.require(perm.is_archivist(current_user))
    try:
        return package_response(record, current_user)
    except EdocError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("records.show", record_id=record_id))


@bp.route("/packages", methods=["GET", "POST"])
@login_required
def packages_page():
    """Verify an archival package (nothing stored) or import it as an archived record."""
    import tempfile
    from pathlib import Path

    from edoc.records import package_import, packages

    auth_perm.require(perm.is_archivist(current_user))
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Hãy chọn tệp gói lưu trữ (.zip)."), "danger")
        else:
            with tempfile.TemporaryDirectory(prefix="edoc-package-") as tmp:
                path = Path(tmp) / "package.zip"
                upload.save(path)
                if request.form.get("action") == "import":
                    try:
                        record = package_import.import_package(current_user, path)
                    except (EdocError, ValidationError) as exc:
                        db.session.rollback()
                        flash(str(exc.message), "danger")
                        report = {"problems": exc.details.get("problems", []), "ok": False}
                    else:
                        flash(_("Đã nhập hồ sơ %(c)s từ gói lưu trữ.", c=record.code), "success")
                        return redirect(url_for("records.show", record_id=record.id))
                else:
                    report = packages.verification_json(packages.verify_file(path))
    return render_template("records/packages.html", report=report)
