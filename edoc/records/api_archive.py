"""``/api/v1``: archive search, access requests, packages (export, verify, import), disposal,
fixity (docs/api.md, "Records and archive")."""
from __future__ import annotations

import io
import shutil
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request, stream_with_context
from sqlalchemy import select

from edoc.api.common import (
    api_user,
    expected_version,
    json_body,
    page_args,
    paginate,
    token_required,
)
from edoc.auth import permissions as auth_perm
from edoc.errors import BadRequest, NotFound, ValidationError
from edoc.extensions import db
from edoc.records import access, disposal, package_import, packages, services
from edoc.records import permissions as perm
from edoc.records.archive_models import AccessRequest, Disposal, FixityRun
from edoc.records.search import ArchiveQuery, search_archive
from edoc.records.serializers import (
    access_request_json,
    disposal_json,
    entry_json,
    fixity_json,
    package_json,
    record_json,
)
from edoc.records.states import RecordState

bp = Blueprint("api_archive", __name__, url_prefix="/api/v1")


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(code=f"invalid_{name}", field=name) from exc


def query_from_args(args, page: int, per_page: int) -> ArchiveQuery:
    return ArchiveQuery(q=args.get("q", ""), code=args.get("code", ""),
                        type_key=args.get("type", ""), date_from=_date_arg("from"),
                        date_to=_date_arg("to"), retention=args.get("retention", ""),
                        kind=args.get("kind", ""), page=page, per_page=per_page)


# --- search ------------------------------------------------------------------------------------

@bp.get("/archive/search")
@token_required
def archive_search():
    user = api_user()
    auth_perm.require(perm.can_search_archive(user))
    page, per_page = page_args()
    result = search_archive(user.agency_id, query_from_args(request.args, page, per_page),
                            confidential=perm.can_search_content(user))
    return jsonify({"items": [entry_json(e, result.terms) for e in result.items],
                    "total": result.total, "total_capped": result.capped, "page": result.page,
                    "per_page": result.per_page})


# --- access ------------------------------------------------------------------------------------

@bp.get("/access-requests")
@token_required
def access_requests():
    user = api_user()
    stmt = select(AccessRequest).where(AccessRequest.agency_id == user.agency_id)
    if not perm.can_decide_access(user) or request.args.get("mine") in ("1", "true"):
        stmt = stmt.where(AccessRequest.requester_id == user.id)
    if request.args.get("state"):
        stmt = stmt.where(AccessRequest.state == request.args["state"])
    return jsonify(paginate(stmt.order_by(AccessRequest.id.desc()), access_request_json))


@bp.post("/access-requests")
@token_required
def access_request_create():
    body = json_body()
    req = access.request_access(api_user(), body.get("record_id"), body.get("reason") or "",
                                body.get("until"))
    return jsonify(access_request_json(req)), 201


@bp.post("/access-requests/<int:request_id>/approve")
@token_required
def access_request_approve(request_id: int):
    body = json_body()
    req = access.get_request(api_user(), request_id)
    access.approve_request(api_user(), req, until=body.get("until"),
                           reason=body.get("reason") or "",
                           expected_version=expected_version(body))
    return jsonify(access_request_json(req))


@bp.post("/access-requests/<int:request_id>/refuse")
@token_required
def access_request_refuse(request_id: int):
    body = json_body()
    req = access.get_request(api_user(), request_id)
    access.refuse_request(api_user(), req, body.get("reason") or "",
                          expected_version=expected_version(body))
    return jsonify(access_request_json(req))


@bp.get("/access-requests/<int:request_id>/record")
@token_required
def access_record(request_id: int):
    """The access link: the record and its documents while the grant lasts."""
    user = api_user()
    req = access.get_request(user, request_id)
    record = access.check_grant(user, req)
    access.log_access(user, record, "view", grant=req)
    return jsonify({**record_json(record, files=True), "access_until":
                    req.granted_until.isoformat()})


@bp.get("/access-requests/<int:request_id>/files/<int:file_id>")
@token_required
def access_file(request_id: int, file_id: int):
    from edoc.documents.views_common import file_response
    from edoc.records.locking import archival_files

    user = api_user()
    req = access.get_request(user, request_id)
    record = access.check_grant(user, req)
    for doc in record.documents:
        for f in archival_files(doc):
            if f.id == file_id:
                access.log_access(user, record, "file", grant=req, document_id=doc.id,
                                  file_id=f.id)
                return file_response(doc, f, user, download=True)
    raise NotFound()


# --- packages ----------------------------------------------------------------------------------

class _TempReader(io.FileIO):
    """Reads a temporary package and removes its folder when closed."""

    def close(self) -> None:
        super().close()
        shutil.rmtree(Path(self.name).parent, ignore_errors=True)


def package_response(record, user) -> Response:
    """The record's archival package as a download (logged as an access)."""
    from edoc.storage.services import open_stored

    if record.state == RecordState.ARCHIVED:
        package = packages.stored_package(record, user)
        access.log_access(user, record, "export")
        reader = open_stored(package.stored)
        size, sha = package.size, package.sha256
    else:
        # Before archiving (the archivist checking a transfer): built on the fly, not kept.
        tmp = Path(tempfile.mkdtemp(prefix="edoc-package-"))
        try:
            result = packages.build_package_file(record, tmp / "package.zip", renditions=False)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        reader, size, sha = _TempReader(tmp / "package.zip"), result.size, result.sha256

    def chunks():
        with reader:
            while chunk := reader.read(256 * 1024):
                yield chunk

    resp = Response(stream_with_context(chunks()), mimetype="application/zip")
    resp.headers["Content-Length"] = str(size)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(packages.package_name(record))}")
    resp.headers["X-Package-SHA256"] = sha
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/records/<int:record_id>/export")
@token_required
def record_export(record_id: int):
    user = api_user()
    record = services.get_record(user, record_id)
    auth_perm.require(perm.is_archivist(user))
    return package_response(record, user)


@bp.get("/records/<int:record_id>/package")
@token_required
def record_package(record_id: int):
    user = api_user()
    record = services.get_record(user, record_id)
    auth_perm.require(perm.is_archivist(user))
    return jsonify(package_json(packages.stored_package(record, user)))


def _upload_to_temp(tmp: str) -> Path:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(code="file_required")
    path = Path(tmp) / "package.zip"
    upload.save(path)
    return path


@bp.post("/archive/verify")
@token_required
def archive_verify():
    user = api_user()
    auth_perm.require(perm.is_archivist(user))
    record = None
    if request.form.get("record_id"):
        try:
            record = services.get_record(user, int(request.form["record_id"]))
        except ValueError as exc:
            raise ValidationError(code="invalid_record_id", field="record_id") from exc
    with tempfile.TemporaryDirectory(prefix="edoc-verify-") as tmp:
        result = packages.verify_file(_upload_to_temp(tmp), record=record)
    return jsonify(packages.verification_json(result))


@bp.post("/archive/import")
@token_required
def archive_import():
    with tempfile.TemporaryDirectory(prefix="edoc-import-") as tmp:
        record = package_import.import_package(api_user(), _upload_to_temp(tmp))
    return jsonify(record_json(record)), 201


# --- disposal ----------------------------------------------------------------------------------

@bp.get("/disposals/eligible")
@token_required
def disposals_eligible():
    user = api_user()
    auth_perm.require(perm.can_propose_disposal(user) or perm.can_approve_disposal(user))
    records = disposal.eligible_records(user.agency_id)
    return jsonify({"items": [record_json(r, documents=False) for r in records],
                    "total": len(records), "page": 1})


@bp.get("/disposals")
@token_required
def disposals():
    user = api_user()
    auth_perm.require(perm.can_propose_disposal(user) or perm.can_approve_disposal(user))
    stmt = select(Disposal).where(Disposal.agency_id == user.agency_id)
    if request.args.get("state"):
        stmt = stmt.where(Disposal.state == request.args["state"])
    return jsonify(paginate(stmt.order_by(Disposal.id.desc()), disposal_json))


@bp.post("/disposals")
@token_required
def disposal_create():
    body = json_body()
    ids = body.get("record_ids")
    if not isinstance(ids, list):
        raise BadRequest(code="record_ids_required")
    d = disposal.propose_disposal(api_user(), ids, title=body.get("title") or "",
                                  reason=body.get("reason") or "")
    return jsonify(disposal_json(d)), 201


@bp.get("/disposals/<int:disposal_id>")
@token_required
def disposal_show(disposal_id: int):
    return jsonify(disposal_json(disposal.get_disposal(api_user(), disposal_id)))


@bp.post("/disposals/<int:disposal_id>/approve")
@token_required
def disposal_approve(disposal_id: int):
    body = json_body()
    d = disposal.get_disposal(api_user(), disposal_id)
    ids = body.get("record_ids")
    if ids is not None and not isinstance(ids, list):
        raise BadRequest(code="record_ids_invalid")
    disposal.approve_disposal(api_user(), d, ids, body.get("decision"),
                              expected_version=expected_version(body))
    return jsonify(disposal_json(d))


@bp.post("/disposals/<int:disposal_id>/cancel")
@token_required
def disposal_cancel(disposal_id: int):
    body = json_body()
    d = disposal.get_disposal(api_user(), disposal_id)
    disposal.cancel_disposal(api_user(), d, body.get("reason") or "")
    return jsonify(disposal_json(d))


# --- fixity ------------------------------------------------------------------------------------

@bp.get("/fixity/runs")
@token_required
def fixity_runs():
    user = api_user()
    auth_perm.require(perm.is_archivist(user))
    return jsonify(paginate(select(FixityRun).order_by(FixityRun.id.desc()),
                            lambda run: fixity_json(run, user.agency_id)))


@bp.post("/fixity/runs")
@token_required
def fixity_run_now():
    from edoc.records.fixity import run_fixity

    user = api_user()
    auth_perm.require(perm.is_archivist(user))
    run = run_fixity(trigger="web", actor=user)
    db.session.flush()
    return jsonify(fixity_json(run, user.agency_id)), 201
