"""``/api/v1/incoming``: the JSON face of the incoming workflow (docs/api.md)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from edoc.api.common import (
    api_user,
    expected_version,
    json_body,
    multipart_meta,
    paginate,
    token_required,
)
from edoc.auth import permissions as perm
from edoc.documents.incoming import services
from edoc.documents.incoming.capture import capture_incoming
from edoc.documents.incoming.duplicates import duplicates_of
from edoc.documents.incoming.permissions import can_capture
from edoc.documents.queries import Filters, document_list
from edoc.documents.serializers import document_json
from edoc.documents.visibility import get_visible
from edoc.errors import BadRequest
from edoc.i18n import local_today

bp = Blueprint("api_incoming", __name__, url_prefix="/api/v1/incoming")


def _doc(doc_id: int):
    return get_visible(api_user(), doc_id, direction="incoming")


def _out(doc, status: int = 200, **extra):
    return jsonify(document_json(doc, extra=extra or None)), status


@bp.post("")
@token_required
def create():
    from edoc.capture import read_limited

    user = api_user()
    perm.require(can_capture(user))
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(code="file_required")
    data = read_limited(upload.stream)
    result = capture_incoming(user.agency_id, data, upload.filename or "", multipart_meta(),
                              actor=user, received_via=(multipart_meta().get("received_via")
                                                        or "upload"))
    return _out(result.document, 201, suggested=result.suggested,
                duplicates=[d.__dict__ for d in result.duplicates])


@bp.get("")
@token_required
def index():
    stmt = document_list(api_user(), "incoming", Filters.from_args(request.args),
                         today=local_today())
    return jsonify(paginate(stmt, document_json))


@bp.get("/<int:doc_id>")
@token_required
def show(doc_id: int):
    doc = _doc(doc_id)
    from edoc.documents.views_common import record_view

    record_view(doc, api_user())
    return _out(doc, duplicates=[d.__dict__ for d in duplicates_of(doc)])


@bp.patch("/<int:doc_id>")
@token_required
def patch(doc_id: int):
    body = json_body()
    doc = services.update_metadata(_doc(doc_id), api_user(), body,
                                   expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/register")
@token_required
def register(doc_id: int):
    body = json_body()
    doc = services.register(_doc(doc_id), api_user(), register_book_id=body.get("register_book_id"),
                            expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/return")
@token_required
def return_(doc_id: int):
    body = json_body()
    doc = services.return_to_sender(_doc(doc_id), api_user(), body.get("reason", ""),
                                    expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/submit")
@token_required
def submit(doc_id: int):
    body = json_body()
    doc = services.submit(_doc(doc_id), api_user(), body.get("leader_id"),
                          expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/assign")
@token_required
def assign(doc_id: int):
    body = json_body()
    doc = _doc(doc_id)
    services.assign(doc, api_user(), lead_unit_id=body.get("lead_unit_id"),
                    lead_user_id=body.get("lead_user_id"),
                    cooperating_unit_ids=body.get("cooperating_unit_ids") or [],
                    informed_user_ids=body.get("informed_user_ids") or [],
                    deadline=body.get("deadline"), deadline_days=body.get("deadline_days"),
                    direction=body.get("direction", ""), expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/progress")
@token_required
def progress(doc_id: int):
    body = json_body()
    doc = _doc(doc_id)
    if doc.state == "in_progress":
        services.add_progress_note(doc, api_user(), body.get("note", ""))
    else:
        services.start(doc, api_user(), body.get("note", ""),
                       expected_version=expected_version(body))
    return _out(doc)


@bp.post("/<int:doc_id>/complete")
@token_required
def complete(doc_id: int):
    body = json_body()
    doc = services.complete(_doc(doc_id), api_user(), body.get("result", ""),
                            expected_version=expected_version(body))
    return _out(doc)
