"""``/api/v1``: file plans, records, their documents and life cycle, transfers (docs/api.md)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from edoc.api.common import api_user, expected_version, json_body, paginate, token_required
from edoc.errors import BadRequest, ValidationError
from edoc.extensions import db
from edoc.records import fileplan, locking, services, transfer
from edoc.records.models import FilePlanEntry, RecordEvent, Transfer
from edoc.records.serializers import event_json, file_plan_json, record_json, transfer_json

bp = Blueprint("api_records", __name__, url_prefix="/api/v1")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError(code=f"invalid_{name}", field=name) from exc


def _out(record, status: int = 200):
    return jsonify(record_json(record)), status


# --- file plan ---------------------------------------------------------------------------------

@bp.get("/file-plans")
@token_required
def file_plans():
    user = api_user()
    stmt = select(FilePlanEntry).where(FilePlanEntry.agency_id == user.agency_id)
    year = _int_arg("year")
    if year is not None:
        stmt = stmt.where(FilePlanEntry.year == year)
    stmt = stmt.order_by(FilePlanEntry.year.desc(), FilePlanEntry.position, FilePlanEntry.code)
    return jsonify(paginate(stmt, file_plan_json))


@bp.post("/file-plans")
@token_required
def file_plan_create():
    return jsonify(file_plan_json(fileplan.create_entry(api_user(), json_body()))), 201


@bp.patch("/file-plans/<int:entry_id>")
@token_required
def file_plan_update(entry_id: int):
    body = json_body()
    entry = fileplan.get_entry(api_user(), entry_id)
    fileplan.update_entry(api_user(), entry, body, expected_version=expected_version(body))
    return jsonify(file_plan_json(entry))


@bp.delete("/file-plans/<int:entry_id>")
@token_required
def file_plan_delete(entry_id: int):
    fileplan.delete_entry(api_user(), fileplan.get_entry(api_user(), entry_id))
    return "", 204


@bp.post("/file-plans/copy")
@token_required
def file_plan_copy():
    body = json_body()
    created = fileplan.copy_forward(api_user(), body.get("from_year"), body.get("to_year"))
    return jsonify({"items": [file_plan_json(e) for e in created], "total": len(created)}), 201


# --- records -----------------------------------------------------------------------------------

@bp.get("/records")
@token_required
def records():
    stmt = services.list_records(api_user(), state=request.args.get("state") or None,
                                 year=_int_arg("year"), q=request.args.get("q") or None,
                                 mine=request.args.get("mine") in ("1", "true"))
    return jsonify(paginate(stmt, lambda r: record_json(r, documents=False)))


@bp.post("/records")
@token_required
def record_create():
    return _out(services.open_record(api_user(), json_body()), 201)


@bp.get("/records/<int:record_id>")
@token_required
def record_show(record_id: int):
    record = services.get_record(api_user(), record_id)
    if record.state in ("archived", "disposed"):
        from edoc.records.access import log_access

        log_access(api_user(), record, "view")
    return jsonify(record_json(record, files=True))


@bp.patch("/records/<int:record_id>")
@token_required
def record_update(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    services.update_record(api_user(), record, body, expected_version=expected_version(body))
    return _out(record)


@bp.get("/records/<int:record_id>/events")
@token_required
def record_events(record_id: int):
    record = services.get_record(api_user(), record_id)
    events = db.session.scalars(select(RecordEvent).where(RecordEvent.record_id == record.id)
                                .order_by(RecordEvent.id)).all()
    return jsonify({"items": [event_json(e) for e in events], "total": len(events), "page": 1})


@bp.post("/records/<int:record_id>/documents")
@token_required
def record_add_documents(record_id: int):
    body = json_body()
    ids = body.get("document_ids")
    if not isinstance(ids, list):
        raise BadRequest(code="document_ids_required")
    record = services.get_record(api_user(), record_id, for_change=True)
    services.add_documents(api_user(), record, ids)
    return _out(record)


@bp.delete("/records/<int:record_id>/documents/<int:document_id>")
@token_required
def record_remove_document(record_id: int, document_id: int):
    record = services.get_record(api_user(), record_id, for_change=True)
    services.remove_document(api_user(), record, document_id)
    return _out(record)


@bp.post("/records/<int:record_id>/close")
@token_required
def record_close(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    services.close_record(api_user(), record, end_date=body.get("end_date"),
                          expected_version=expected_version(body))
    return _out(record)


@bp.post("/records/<int:record_id>/reopen")
@token_required
def record_reopen(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    services.reopen_record(api_user(), record, expected_version=expected_version(body))
    return _out(record)


@bp.post("/records/<int:record_id>/transfer")
@token_required
def record_transfer(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    t = transfer.submit_transfer(api_user(), [record.id],
                                 note=body.get("reason") or body.get("note") or "",
                                 expected_version=expected_version(body))
    return jsonify({**record_json(record), "transfer_id": t.id})


@bp.post("/records/<int:record_id>/accept")
@token_required
def record_accept(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    transfer.accept_record(api_user(), record, note=body.get("reason") or "",
                           expected_version=expected_version(body))
    return _out(record)


@bp.post("/records/<int:record_id>/reject")
@token_required
def record_reject(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    transfer.reject_record(api_user(), record, body.get("reason") or "",
                           expected_version=expected_version(body))
    return _out(record)


@bp.post("/records/<int:record_id>/legal-hold")
@token_required
def record_legal_hold(record_id: int):
    body = json_body()
    on = body.get("on")
    if not isinstance(on, bool):
        raise BadRequest(code="on_required")
    record = services.get_record(api_user(), record_id, for_change=True)
    locking.set_legal_hold(api_user(), record, on, body.get("reason") or "")
    return _out(record)


@bp.post("/records/<int:record_id>/retention")
@token_required
def record_retention(record_id: int):
    body = json_body()
    record = services.get_record(api_user(), record_id, for_change=True)
    locking.extend_retention(api_user(), record, body.get("retention"),
                             other_text=str(body.get("retention_other") or ""))
    return _out(record)


# --- transfers ---------------------------------------------------------------------------------

@bp.post("/transfers")
@token_required
def transfer_create():
    body = json_body()
    ids = body.get("record_ids")
    if not isinstance(ids, list):
        raise BadRequest(code="record_ids_required")
    t = transfer.submit_transfer(api_user(), ids, note=body.get("note") or "")
    return jsonify(transfer_json(t)), 201


@bp.get("/transfers")
@token_required
def transfers():
    from edoc.records import permissions as perm

    user = api_user()
    stmt = select(Transfer).where(Transfer.agency_id == user.agency_id)
    if not perm.is_archivist(user):
        stmt = stmt.where(Transfer.submitted_by_id == user.id)
    if request.args.get("state"):
        stmt = stmt.where(Transfer.state == request.args["state"])
    return jsonify(paginate(stmt.order_by(Transfer.id.desc()), transfer_json))


@bp.get("/transfers/<int:transfer_id>")
@token_required
def transfer_show(transfer_id: int):
    return jsonify(transfer_json(transfer.get_transfer(api_user(), transfer_id)))
