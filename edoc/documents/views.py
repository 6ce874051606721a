"""Pages shared by both directions: file preview/download, notifications."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from edoc.documents import notifications
from edoc.documents.files import get_file
from edoc.documents.views_common import file_response
from edoc.documents.visibility import get_visible

bp = Blueprint("documents", __name__)


@bp.get("/documents/<int:doc_id>/files/<int:file_id>")
@login_required
def file(doc_id: int, file_id: int):
    doc = get_visible(current_user, doc_id)
    return file_response(doc, get_file(doc, file_id), current_user,
                         download=request.args.get("download") == "1")


@bp.get("/documents/<int:doc_id>")
@login_required
def show(doc_id: int):
    doc = get_visible(current_user, doc_id)
    endpoint = "incoming.show" if doc.direction == "incoming" else "outgoing.show"
    return redirect(url_for(endpoint, doc_id=doc.id))


@bp.get("/notifications")
@login_required
def notifications_page():
    items = notifications.recent(current_user)
    return render_template("documents/notifications.html", items=items)


@bp.post("/notifications/read")
@login_required
def notifications_read():
    notifications.mark_all_read(current_user)
    return redirect(url_for("documents.notifications_page"))
