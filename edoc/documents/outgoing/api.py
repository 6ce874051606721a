"""``/api/v1/outgoing``: the JSON face of the outgoing workflow (docs/api.md, "Outgoing").

Each endpoint parses the request, calls one service and serialises the document; the request
commits. State changes accept ``version`` (body) or ``If-Match``; a stale one gets 409.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from edoc.api.common import (
    api_user,
    expected_version,
    json_body,
    multipart_meta,
    paginate,
    token_required,
)
from edoc.documents.outgoing import queries, registers, services
from edoc.documents.outgoing.serializers import comment_json, delivery_json, outgoing_json
from edoc.documents.outgoing.templating import template_choices
from edoc.documents.views_common import record_view
from edoc.documents.visibility import get_visible
from edoc.errors import BadRequest

bp = Blueprint("api_outgoing", __name__, url_prefix="/api/v1")


def _doc(doc_id: int):
    return get_visible(api_user(), doc_id, direction="outgoing")


def _out(doc, status: int = 200, **extra):
    return jsonify(outgoing_json(doc, detail=True, **extra)), status


def _upload(required: bool) -> services.Upload | None:
    from edoc.capture import read_limited

    f = request.files.get("file")
    if f is None:
        if required:
            raise BadRequest(code="file_required")
        return None
    return services.Upload(data=read_limited(f.stream), filename=f.filename or "")


def _is_multipart() -> bool:
    return (request.mimetype or "").startswith("multipart/")


@bp.post("/outgoing")
@token_required
def create():
    if _is_multipart():
        doc = services.create_uploaded(api_user(), _upload(required=True), multipart_meta())
    else:
        doc = services.create_generated(api_user(), json_body())
    return _out(doc, 201)


@bp.get("/outgoing")
@token_required
def index():
    stmt, _f = queries.outgoing_list(api_user(), request.args)
    return jsonify(paginate(stmt, outgoing_json))


@bp.get("/outgoing/templates")
@token_required
def templates():
    return jsonify({"items": template_choices()})


@bp.get("/outgoing/<int:doc_id>")
@token_required
def show(doc_id: int):
    doc = _doc(doc_id)
    record_view(doc, api_user())
    return _out(doc)


@bp.patch("/outgoing/<int:doc_id>")
@token_required
def patch(doc_id: int):
    if _is_multipart():
        meta = multipart_meta()
        doc = services.revise(_doc(doc_id), api_user(), meta, upload=_upload(required=False),
                              expected_version=expected_version(meta))
    else:
        body = json_body()
        doc = services.revise(_doc(doc_id), api_user(), body,
                              expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/appendices")
@token_required
def appendix(doc_id: int):
    meta = multipart_meta()
    doc = _doc(doc_id)
    f = services.add_appendix(doc, api_user(), _upload(required=True),
                              expected_version=expected_version(meta))
    return _out(doc, 201, added_file_id=f.id)


@bp.post("/outgoing/<int:doc_id>/comments")
@token_required
def comment(doc_id: int):
    body = json_body()
    c = services.add_comment(_doc(doc_id), api_user(), body.get("body"))
    return jsonify(comment_json(c)), 201


@bp.post("/outgoing/<int:doc_id>/submit")
@token_required
def submit(doc_id: int):
    body = json_body()
    doc = services.submit(_doc(doc_id), api_user(), body.get("reviewer_ids"),
                          expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/approve")
@token_required
def approve(doc_id: int):
    body = json_body()
    doc = services.approve(_doc(doc_id), api_user(), body.get("comment"),
                           expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/return")
@token_required
def return_(doc_id: int):
    body = json_body()
    doc = services.return_draft(_doc(doc_id), api_user(), body.get("comment"),
                                expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/sign")
@token_required
def sign(doc_id: int):
    body = json_body()
    doc = services.sign(_doc(doc_id), api_user(), body.get("secret"),
                        expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/issue")
@token_required
def issue(doc_id: int):
    body = json_body()
    doc = services.issue(_doc(doc_id), api_user(), register_book_id=body.get("register_book_id"),
                         issued_on=body.get("issued_on"),
                         expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/seal")
@token_required
def seal(doc_id: int):
    body = json_body()
    doc = services.seal(_doc(doc_id), api_user(), body.get("secret"),
                        expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/dispatch")
@token_required
def dispatch(doc_id: int):
    body = json_body()
    doc = _doc(doc_id)
    services.dispatch(doc, api_user(), internal_unit_ids=body.get("internal_unit_ids"),
                      external_organ_ids=body.get("external_organ_ids"),
                      expected_version=expected_version(body))
    return _out(doc, deliveries=[delivery_json(d) for d in services.deliveries(doc)])


@bp.get("/outgoing/<int:doc_id>/deliveries")
@token_required
def deliveries(doc_id: int):
    return jsonify({"items": [delivery_json(d) for d in services.deliveries(_doc(doc_id))]})


@bp.post("/outgoing/<int:doc_id>/revoke")
@token_required
def revoke(doc_id: int):
    body = json_body()
    doc = services.revoke(_doc(doc_id), api_user(), body.get("reason"),
                          linked_document_id=body.get("linked_document_id"),
                          expected_version=expected_version(body))
    return _out(doc)


@bp.post("/outgoing/<int:doc_id>/update")
@token_required
def update(doc_id: int):
    body = json_body()
    doc = services.update(_doc(doc_id), api_user(), body.get("reason"),
                          changes=body.get("changes"),
                          internal_unit_ids=body.get("internal_unit_ids"),
                          external_organ_ids=body.get("external_organ_ids"),
                          expected_version=expected_version(body))
    return _out(doc, deliveries=[delivery_json(d) for d in services.deliveries(doc)])


@bp.post("/outgoing/<int:doc_id>/replace")
@token_required
def replace(doc_id: int):
    body = json_body()
    doc = services.replace(_doc(doc_id), api_user(), body.get("reason"),
                           replacement_id=body.get("replacement_id"),
                           expected_version=expected_version(body))
    return _out(doc)


@bp.get("/registers/outgoing/export")
@token_required
def register_export():
    content, mimetype, name = registers.export(api_user(), request.args)
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
