"""Outgoing pages: the list, a new draft, the document page and its actions, the register.

Each POST parses the form, calls one service and redirects back to the document page; a refusal
(403/409/422 ...) becomes a flash message there instead of an error page.
"""
from __future__ import annotations

import functools

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from edoc.auth import permissions as perm
from edoc.auth.models import Agency, OrgUnit, User, UserRole
from edoc.documents.doctypes import CONFIDENTIALITIES, DOCUMENT_TYPES, URGENCIES
from edoc.documents.models import DocumentEvent, DocumentLink, FileKind
from edoc.documents.numbering import books_for
from edoc.documents.outgoing import forms, queries, registers, services
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing.dispatch import default_recipients
from edoc.documents.outgoing.review import all_steps, comments, current_step
from edoc.documents.outgoing.templating import template_choices
from edoc.documents.states import STATE_LABELS, STATE_TONES, allowed_actions
from edoc.documents.views_common import record_view
from edoc.documents.visibility import get_visible
from edoc.drafting import SIGNING_CAPACITIES
from edoc.errors import EdocError, NotFound
from edoc.extensions import db
from edoc.i18n import local_today

bp = Blueprint("outgoing", __name__, url_prefix="/outgoing")
register_bp = Blueprint("outgoing_register", __name__, url_prefix="/registers/outgoing")

PER_PAGE = 25
#: the list counts its documents up to this many pages past the current one
COUNT_PAGES_AHEAD = 40


def _page_context():
    return {"document_types": [t for t in DOCUMENT_TYPES if not t.is_copy],
            "urgencies": URGENCIES, "confidentialities": CONFIDENTIALITIES,
            "state_labels": STATE_LABELS, "state_tones": STATE_TONES, "today": local_today(),
            "capacities": SIGNING_CAPACITIES, "boxes": queries.BOXES}


def _directory():
    """Pickers: the agency's units, people and leaders; the external agencies."""
    agency_id = current_user.agency_id
    units = db.session.scalars(select(OrgUnit).where(
        OrgUnit.agency_id == agency_id, OrgUnit.active.is_(True)).order_by(OrgUnit.name)).all()
    users = db.session.scalars(select(User).where(
        User.agency_id == agency_id, User.active.is_(True)).order_by(User.full_name)).all()
    leaders = db.session.scalars(select(User).join(UserRole).where(
        User.agency_id == agency_id, UserRole.role == "leader", User.active.is_(True))
        .order_by(User.full_name)).all()
    organs = db.session.scalars(select(Agency).where(
        Agency.id != agency_id, Agency.active.is_(True)).order_by(Agency.name)).all()
    return {"units": units, "users": users, "leaders": leaders, "organs": organs}


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
            return redirect(url_for("outgoing.show", doc_id=doc_id))

    return wrapper


def _doc(doc_id: int):
    return get_visible(current_user, doc_id, direction="outgoing")


def _back(doc, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("outgoing.show", doc_id=doc.id))


def _upload(name: str = "file") -> services.Upload | None:
    from edoc.capture import read_limited

    f = request.files.get(name)
    if f is None or not f.filename:
        return None
    return services.Upload(data=read_limited(f.stream), filename=f.filename)


# --- list and new draft -------------------------------------------------------------------------

@bp.get("")
@login_required
def index():
    stmt, f = queries.outgoing_list(current_user, request.args)
    page = max(1, request.args.get("page", 1, type=int))
    result = queries.list_page(stmt, page=page, per_page=PER_PAGE,
                               pages_ahead=COUNT_PAGES_AHEAD)
    docs = result.documents
    signer_ids = {d.signer_id for d in docs if d.signer_id}
    signer_names = dict(db.session.execute(select(User.id, User.full_name).where(
        User.id.in_(signer_ids))).all()) if signer_ids else {}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("outgoing/index.html", docs=docs, page=page,
                           per_page=PER_PAGE, filters=f, args=args, signer_names=signer_names,
                           more=result.more, shown_total=result.counted,
                           my_boxes=queries.boxes_for(current_user),
                           can_draft=can.can_draft(current_user),
                           can_view_register=registers.can_view_register(current_user),
                           **_page_context())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    perm.require(can.can_draft(current_user))
    if request.method == "POST":
        try:
            if request.form.get("mode") == "template":
                doc = services.create_generated(current_user, {
                    **forms.metadata(request.form), **forms.template_inputs(request.form),
                    "template": request.form.get("type")})
            else:
                upload = _upload()
                if upload is None:
                    raise EdocError(_("Hãy chọn tệp dự thảo (DOCX hoặc PDF)."),
                                    code="file_required")
                doc = services.create_uploaded(current_user, upload,
                                               forms.metadata(request.form))
        except EdocError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("Đã tạo dự thảo."), "success")
            return redirect(url_for("outgoing.show", doc_id=doc.id))
    # On a refusal the form comes back with what was typed.
    inputs = {k: (v.splitlines() if k in ("body", "addressees", "legal_bases") else v)
              for k, v in forms.template_inputs(request.form).items()}
    return render_template("outgoing/new.html", form=request.form, inputs=inputs,
                           templates=template_choices(), **_directory(), **_page_context())


# --- the document page --------------------------------------------------------------------------

def _preview_file(doc):
    """The PDF to show: none while the latest draft is still being converted."""
    if doc.state in ("draft", "in_review", "approved") and doc.rendition_status != "ready":
        return None
    return doc.current_file()


def _signature_report(doc):
    """The verification report of the current PDF, once the signer has signed."""
    if doc.current_file(FileKind.SIGNED) is None:
        return None
    from edoc.signatures.templating import signature_report

    return signature_report(doc)


@bp.get("/<int:doc_id>")
@login_required
def show(doc_id: int):
    doc = _doc(doc_id)
    record_view(doc, current_user)
    events = db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                                .order_by(DocumentEvent.id)).all()
    steps = all_steps(doc)
    round_ = max((s.round for s in steps), default=0)
    step = current_step(doc, [s for s in steps if s.round == round_])
    links = db.session.scalars(select(DocumentLink).where(
        (DocumentLink.from_id == doc.id) | (DocumentLink.to_id == doc.id))).all()
    unit_ids, organ_ids = default_recipients(doc)
    return render_template(
        "outgoing/show.html", doc=doc, events=events, steps=steps, round=round_,
        current=step, comments=comments(doc), deliveries=services.deliveries(doc),
        links=links, actions=allowed_actions("outgoing", doc.state), can=can,
        books=books_for(doc.agency_id, "outgoing"), main_file=_preview_file(doc),
        draft_file=doc.current_file(FileKind.DRAFT),
        appendices=[f for f in doc.files if f.kind == FileKind.APPENDIX],
        planned_unit_ids=unit_ids, planned_organ_ids=organ_ids,
        reviewer_ids={s.reviewer_id for s in steps},
        signature_report=_signature_report(doc),
        **_directory(), **_page_context())


@bp.post("/<int:doc_id>/edit")
@login_required
@form_action
def edit(doc_id: int):
    doc = _doc(doc_id)
    raw = {**forms.metadata(request.form), **forms.template_inputs(request.form)}
    before = doc.version_id
    services.revise(doc, current_user, raw, upload=_upload(),
                    expected_version=forms.version(request.form))
    if doc.version_id == before:
        return _back(doc, _("Không có thay đổi nào."), "info")
    return _back(doc, _("Đã lưu dự thảo."))


@bp.post("/<int:doc_id>/appendix")
@login_required
@form_action
def appendix(doc_id: int):
    doc = _doc(doc_id)
    upload = _upload()
    if upload is None:
        return _back(doc, _("Hãy chọn tệp phụ lục."), "danger")
    services.add_appendix(doc, current_user, upload, expected_version=forms.version(request.form))
    return _back(doc, _("Đã thêm phụ lục."))


@bp.post("/<int:doc_id>/comment")
@login_required
@form_action
def comment(doc_id: int):
    doc = _doc(doc_id)
    services.add_comment(doc, current_user, request.form.get("body"))
    return _back(doc, _("Đã gửi ý kiến."))


@bp.post("/<int:doc_id>/submit")
@login_required
@form_action
def submit(doc_id: int):
    doc = _doc(doc_id)
    services.submit(doc, current_user, forms.id_list(request.form, "reviewer_ids"),
                    expected_version=forms.version(request.form))
    return _back(doc, _("Đã trình duyệt dự thảo."))


@bp.post("/<int:doc_id>/approve")
@login_required
@form_action
def approve(doc_id: int):
    doc = _doc(doc_id)
    services.approve(doc, current_user, request.form.get("comment"),
                     expected_version=forms.version(request.form))
    return _back(doc, _("Đã duyệt dự thảo."))


@bp.post("/<int:doc_id>/return")
@login_required
@form_action
def return_(doc_id: int):
    doc = _doc(doc_id)
    services.return_draft(doc, current_user, request.form.get("comment"),
                          expected_version=forms.version(request.form))
    return _back(doc, _("Đã trả lại dự thảo cho người soạn thảo."), "info")


@bp.post("/<int:doc_id>/sign")
@login_required
@form_action
def sign(doc_id: int):
    doc = _doc(doc_id)
    services.sign(doc, current_user, request.form.get("secret"),
                  expected_version=forms.version(request.form))
    return _back(doc, _("Đã ký số văn bản."))


@bp.post("/<int:doc_id>/issue")
@login_required
@form_action
def issue(doc_id: int):
    doc = _doc(doc_id)
    services.issue(doc, current_user, register_book_id=request.form.get("register_book_id"),
                   issued_on=request.form.get("issued_on"),
                   expected_version=forms.version(request.form))
    return _back(doc, _("Đã cấp số %(n)s.", n=doc.number_notation))


@bp.post("/<int:doc_id>/seal")
@login_required
@form_action
def seal(doc_id: int):
    doc = _doc(doc_id)
    services.seal(doc, current_user, request.form.get("secret"),
                  expected_version=forms.version(request.form))
    return _back(doc, _("Đã ký số của cơ quan."))


@bp.post("/<int:doc_id>/dispatch")
@login_required
@form_action
def dispatch(doc_id: int):
    doc = _doc(doc_id)
    made = services.dispatch(doc, current_user,
                             internal_unit_ids=forms.id_list(request.form, "internal_unit_ids"),
                             external_organ_ids=forms.id_list(request.form,
                                                              "external_organ_ids"),
                             expected_version=forms.version(request.form))
    return _back(doc, _("Đã phát hành tới %(n)s nơi nhận.", n=len(made)))


@bp.post("/<int:doc_id>/revoke")
@login_required
@form_action
def revoke(doc_id: int):
    doc = _doc(doc_id)
    services.revoke(doc, current_user, request.form.get("reason"),
                    linked_document_id=request.form.get("linked_document_id") or None,
                    expected_version=forms.version(request.form))
    return _back(doc, _("Đã thu hồi văn bản và thông báo tới các nơi nhận."), "info")


@bp.post("/<int:doc_id>/update")
@login_required
@form_action
def update(doc_id: int):
    doc = _doc(doc_id)
    changes = {k: request.form[k] for k in ("subject", "urgency") if request.form.get(k)}
    services.update(doc, current_user, request.form.get("reason"), changes=changes,
                    internal_unit_ids=forms.id_list(request.form, "internal_unit_ids"),
                    external_organ_ids=forms.id_list(request.form, "external_organ_ids"),
                    expected_version=forms.version(request.form))
    return _back(doc, _("Đã gửi thông tin cập nhật tới các nơi nhận."))


@bp.post("/<int:doc_id>/replace")
@login_required
@form_action
def replace(doc_id: int):
    doc = _doc(doc_id)
    services.replace(doc, current_user, request.form.get("reason"),
                     replacement_id=request.form.get("replacement_id"),
                     expected_version=forms.version(request.form))
    return _back(doc, _("Đã thay thế văn bản và phát hành văn bản thay thế."))


# --- the outgoing register ----------------------------------------------------------------------

@register_bp.get("")
@login_required
def page():
    q = registers.register_query(current_user, request.args)
    rows = list(registers.register_rows(q))
    return render_template("outgoing/register.html", q=q, rows=rows,
                           books=books_for(current_user.agency_id, "outgoing", active_only=False),
                           **_page_context())


@register_bp.get("/export")
@login_required
def export():
    content, mimetype, name = registers.export(current_user, request.args)
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
