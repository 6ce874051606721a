"""``/api/v1/documents/{id}/files`` and ``/events``: both directions."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from edoc.api.common import api_user, token_required
from edoc.documents.files import get_file
from edoc.documents.models import DocumentEvent
from edoc.documents.serializers import event_json, file_json
from edoc.documents.views_common import file_response
from edoc.documents.visibility import get_visible
from edoc.extensions import db

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1/documents")


@bp.get("/<int:doc_id>/files")
@token_required
def files(doc_id: int):
    doc = get_visible(api_user(), doc_id)
    return jsonify({"items": [file_json(f) for f in doc.files]})


@bp.get("/<int:doc_id>/files/<int:file_id>")
@token_required
def file(doc_id: int, file_id: int):
    doc = get_visible(api_user(), doc_id)
    return file_response(doc, get_file(doc, file_id), api_user(),
                         download=request.args.get("inline") != "1")


@bp.get("/<int:doc_id>/events")
@token_required
def events(doc_id: int):
    doc = get_visible(api_user(), doc_id)
    rows = db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                              .order_by(DocumentEvent.id))
    return jsonify({"items": [event_json(e) for e in rows]})
