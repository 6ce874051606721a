"""JSON API: batch signing, a document's signature report, verifying an uploaded PDF.

Contract rows: ``POST /sign/batch``, ``GET /documents/{id}/signatures``, ``POST /verify``;
plus ``GET /me/signing`` (the caller's credential and images, to build signing dialogs).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l

from edoc.api.common import api_user, json_body, token_required
from edoc.documents.visibility import get_visible
from edoc.errors import BadRequest, ValidationError
from edoc.signatures.batch import sign_batch
from edoc.signatures.profile import signing_profile
from edoc.signatures.verification import verify_document, verify_pdf_bytes, with_messages

bp = Blueprint("signatures_api", __name__, url_prefix="/api/v1")


def _secret(body: dict[str, Any]) -> str | None:
    secret = body.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise ValidationError(_l("Mật khẩu khóa ký số phải là chuỗi ký tự."), code="bad_secret")
    return secret


@bp.post("/sign/batch")
@token_required
def sign_batch_endpoint():
    body = json_body()
    results = sign_batch(body.get("document_ids"), api_user(), _secret(body))
    signed = sum(1 for r in results if r["ok"])
    return jsonify({"results": results, "signed": signed, "failed": len(results) - signed})


@bp.get("/documents/<int:document_id>/signatures")
@token_required
def document_signatures(document_id: int):
    doc = get_visible(api_user(), document_id)
    return jsonify(with_messages(verify_document(doc)))


@bp.post("/verify")
@token_required
def verify_upload():
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(_l("Thiếu tệp PDF (phần 'file')."), code="file_missing")
    return jsonify(with_messages(verify_pdf_bytes(upload.read())))


@bp.get("/me/signing")
@token_required
def my_signing():
    return jsonify(signing_profile(api_user()))
