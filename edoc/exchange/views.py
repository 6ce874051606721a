"""Pages: the exchange log (messages in and out, state, attempts, last error, retry) and the
import of an edXML file, for clerks and admins. Each handler calls one service and renders."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from edoc.api.common import DEFAULT_PER_PAGE
from edoc.auth import permissions as perm
from edoc.documents.models import Delivery, Document
from edoc.errors import BadRequest, EdocError, NotFound
from edoc.exchange import inbound, outbox
from edoc.exchange.errors import reason_message
from edoc.exchange.models import Direction
from edoc.exchange.queries import can_import, can_view_log, get_message, message_list
from edoc.extensions import db

bp = Blueprint("exchange", __name__, url_prefix="/exchange")


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ("direction", "state", "kind")
            if request.args.get(k)}


@bp.get("")
@login_required
def index():
    perm.require(can_view_log(current_user))
    filters = _filters()
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    stmt = message_list(current_user.agency_id, **filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(DEFAULT_PER_PAGE)
                              .offset((page - 1) * DEFAULT_PER_PAGE)).all()
    ids = {r.document_id for r in rows if r.document_id}
    directions = dict(db.session.execute(select(Document.id, Document.direction).where(
        Document.id.in_(ids))).all()) if ids else {}
    return render_template("exchange/index.html", rows=rows, total=total, page=page,
                           per_page=DEFAULT_PER_PAGE, filters=filters, directions=directions,
                           reason_message=reason_message, can_import=can_import(current_user))


@bp.post("/messages/<int:message_id>/retry")
@login_required
def retry(message_id: int):
    perm.require(can_view_log(current_user))
    row = get_message(current_user, message_id)
    try:
        if row.direction == Direction.OUT:
            outbox.retry(row, actor=current_user)
            flash(_("Gói tin sẽ được gửi lại ngay."), "success")
        else:
            row = inbound.reprocess(row, actor=current_user)
            flash(_("Đã xử lý lại gói tin: %(s)s", s=row.state), "info")
    except EdocError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    return redirect(request.referrer or url_for("exchange.index"))


@bp.post("/deliveries/<int:delivery_id>/take-back")
@login_required
def take_back(delivery_id: int):
    """Lấy lại (status 13) from the outgoing document page: the same service as the API's
    ``POST /api/v1/exchange/deliveries/<id>/take-back``; back to the document page."""
    from edoc.exchange.actions import request_take_back

    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.agency_id != current_user.agency_id:
        raise NotFound()
    try:
        request_take_back(delivery, current_user, request.form.get("reason"))
    except NotFound:
        raise
    except EdocError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        flash(_("Đã gửi yêu cầu lấy lại văn bản tới %(n)s.", n=delivery.recipient_name), "info")
    return redirect(url_for("outgoing.show", doc_id=delivery.document_id))


@bp.get("/messages/<int:message_id>/package")
@login_required
def package(message_id: int):
    """The raw edXML as sent or received (evidence)."""
    perm.require(can_view_log(current_user))
    row = get_message(current_user, message_id)
    if row.stored is None:
        raise BadRequest(code="no_package")
    data = outbox.read_raw(row)
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="edxml-{row.id}.edxml"',
        "X-Content-Type-Options": "nosniff"})


@bp.post("/import")
@login_required
def import_file():
    from edoc.capture import read_limited
    from edoc.exchange.api import import_file as do_import

    perm.require(can_import(current_user))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn tệp edXML."), "danger")
        return redirect(url_for("exchange.index"))
    try:
        row = do_import(current_user, read_limited(upload.stream))
    except EdocError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("exchange.index"))
    if row.document_id and row.kind == "edoc":
        flash(_("Đã tiếp nhận văn bản từ gói tin."), "success")
        return redirect(url_for("incoming.show", doc_id=row.document_id))
    flash(_("Đã xử lý gói tin."), "success")
    return redirect(url_for("exchange.index"))
