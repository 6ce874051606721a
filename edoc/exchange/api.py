"""``/api/v1/exchange``: import an edXML file, the message log, retries, take-back requests."""
from __future__ import annotations

import hashlib

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l

from edoc.api.common import api_user, json_body, paginate, token_required
from edoc.auth import permissions as perm
from edoc.auth.models import Agency
from edoc.documents.models import Delivery
from edoc.documents.serializers import delivery_json, document_json
from edoc.errors import BadRequest, NotFound, ServiceUnavailable, ValidationError
from edoc.exchange import inbound, outbox
from edoc.exchange.actions import request_take_back
from edoc.exchange.errors import reason_message
from edoc.exchange.models import Direction, InState
from edoc.exchange.queries import (
    can_import,
    can_view_log,
    get_message,
    message_json,
    message_list,
)
from edoc.extensions import db

bp = Blueprint("api_exchange", __name__, url_prefix="/api/v1/exchange")


def import_file(user, data: bytes):
    """Apply an uploaded edXML file as if the axis had delivered it (one path for both)."""
    agency = db.session.get(Agency, user.agency_id)
    key = "import:" + hashlib.sha256(data).hexdigest()
    row = inbound.ingest(agency, data, source="import", dedupe_key=key)
    if row.state == InState.REJECTED:
        raise ValidationError(reason_message(row.error_code, row.last_error), code=row.error_code,
                              message_id=row.id, detail=row.last_error)
    if row.state == InState.ERROR:
        raise ServiceUnavailable(reason_message(row.error_code, row.last_error),
                                 code=row.error_code, message_id=row.id)
    return row


@bp.post("/import")
@token_required
def import_edxml():
    from edoc.capture import read_limited

    user = api_user()
    perm.require(can_import(user), _l("Chỉ văn thư được nhập gói tin liên thông."))
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(code="file_required")
    row = import_file(user, read_limited(upload.stream))
    doc = inbound.imported_document(row)
    body = {"message": message_json(row),
            "document": document_json(doc) if doc is not None else None}
    created = row.kind == "edoc" and row.action in ("new", "replace") \
        and not row.info.get("duplicate_of")
    return jsonify(body), 201 if created else 200


@bp.get("/messages")
@token_required
def messages():
    user = api_user()
    perm.require(can_view_log(user))
    stmt = message_list(user.agency_id, direction=request.args.get("direction"),
                        state=request.args.get("state"), kind=request.args.get("kind"))
    return jsonify(paginate(stmt, message_json))


@bp.get("/messages/<int:message_id>")
@token_required
def message(message_id: int):
    user = api_user()
    perm.require(can_view_log(user))
    return jsonify(message_json(get_message(user, message_id)))


@bp.post("/messages/<int:message_id>/retry")
@token_required
def retry(message_id: int):
    user = api_user()
    perm.require(can_view_log(user))
    row = get_message(user, message_id)
    if row.direction == Direction.OUT:
        outbox.retry(row, actor=user)
    else:
        row = inbound.reprocess(row, actor=user)
    return jsonify(message_json(row))


@bp.post("/deliveries/<int:delivery_id>/take-back")
@token_required
def take_back(delivery_id: int):
    user = api_user()
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.agency_id != user.agency_id:
        raise NotFound()
    row = request_take_back(delivery, user, json_body().get("reason"))
    return jsonify({"delivery": delivery_json(delivery), "message": message_json(row)}), 202
