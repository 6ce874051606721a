"""The JSON shape of file plan entries, records, transfers, access requests, disposals and
fixity runs (docs/api.md, "Records and archive")."""
from __future__ import annotations

from typing import Any

from edoc.documents.serializers import file_json
from edoc.records.archive_models import (
    AccessRequest,
    ArchiveEntry,
    Disposal,
    FixityRun,
    RecordPackage,
)
from edoc.records.models import FilePlanEntry, Record, RecordEvent, Transfer
from edoc.records.retention import retention_json


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.full_name} if user is not None else None


def file_plan_json(e: FilePlanEntry) -> dict[str, Any]:
    return {"id": e.id, "agency_id": e.agency_id, "year": e.year, "heading": e.heading,
            "code": e.code, "title": e.title, "retention": retention_json(e),
            "responsible_unit_id": e.responsible_unit_id,
            "responsible_user_id": e.responsible_user_id, "notes": e.notes,
            "position": e.position, "copied_from_id": e.copied_from_id, "version": e.version_id}


def record_document_json(doc: Any, *, files: bool = False) -> dict[str, Any]:
    data = {"id": doc.id, "direction": doc.direction, "state": doc.state,
            "type": doc.type_key, "number_notation": doc.number_notation or None,
            "document_date": _iso(doc.document_date), "subject": doc.subject,
            "issuing_agency": doc.issuing_agency, "pages": doc.pages}
    if files:
        from edoc.records.locking import archival_files

        data["files"] = [file_json(f) for f in archival_files(doc)]
    return data


def record_json(r: Record, *, documents: bool = True, files: bool = False) -> dict[str, Any]:
    data = {
        "id": r.id, "agency_id": r.agency_id, "state": r.state, "version": r.version_id,
        "code": r.code, "notation": r.notation, "year": r.year, "title": r.title,
        "heading": r.heading, "file_plan_entry_id": r.file_plan_entry_id,
        "retention": retention_json(r), "start_date": _iso(r.start_date),
        "end_date": _iso(r.end_date), "language": r.language, "mode": r.mode,
        "confidence_level": r.confidence_level, "keywords": list(r.keywords or []),
        "description": r.description, "doc_total": r.doc_total, "page_total": r.page_total,
        "creator": _user(r.creator), "unit_id": r.unit_id,
        "closed_at": _iso(r.closed_at), "transferred_at": _iso(r.transferred_at),
        "archived_at": _iso(r.archived_at), "retention_until": _iso(r.retention_until),
        "legal_hold": r.legal_hold, "legal_hold_reason": r.legal_hold_reason,
        "disposed_at": _iso(r.disposed_at), "disposal_id": r.disposal_id,
        "imported": r.imported, "created_at": _iso(r.created_at),
        "updated_at": _iso(r.updated_at),
    }
    if documents:
        data["documents"] = [record_document_json(d, files=files) for d in r.documents]
    return data


def event_json(e: RecordEvent) -> dict[str, Any]:
    return {"id": e.id, "at": _iso(e.at), "action": e.action, "from_state": e.from_state,
            "to_state": e.to_state, "note": e.note, "data": e.data, "actor": _user(e.actor)}


def transfer_json(t: Transfer) -> dict[str, Any]:
    return {"id": t.id, "agency_id": t.agency_id, "unit_id": t.unit_id, "state": t.state,
            "submitted_by": _user(t.submitted_by), "submitted_at": _iso(t.submitted_at),
            "note": t.note,
            "items": [{"record_id": i.record_id, "code": i.record.code, "title": i.record.title,
                       "outcome": i.outcome, "reason": i.reason,
                       "decided_at": _iso(i.decided_at)} for i in t.items]}


def access_request_json(a: AccessRequest) -> dict[str, Any]:
    from edoc.records.access import request_status

    return {"id": a.id, "record_id": a.record_id, "record_code": a.record.code,
            "record_title": a.record.title, "requester": _user(a.requester),
            "reason": a.reason, "requested_until": _iso(a.requested_until), "state": a.state,
            "status": request_status(a), "granted_until": _iso(a.granted_until),
            "decided_by": _user(a.decided_by), "decided_at": _iso(a.decided_at),
            "decision_reason": a.decision_reason, "created_at": _iso(a.created_at),
            "version": a.version_id}


def disposal_json(d: Disposal) -> dict[str, Any]:
    return {"id": d.id, "agency_id": d.agency_id, "state": d.state, "title": d.title,
            "reason": d.reason, "proposed_by": _user(d.proposed_by),
            "proposed_at": _iso(d.proposed_at),
            "decision": {"number": d.decision_number, "date": _iso(d.decision_date),
                         "signer": d.decision_signer, "text": d.decision_text}
            if d.state == "approved" else None,
            "approved_by": _user(d.approved_by), "approved_at": _iso(d.approved_at),
            "files_deleted": d.files_deleted, "bytes_deleted": d.bytes_deleted,
            "items": [{"record_id": i.record_id, "code": i.record.code, "title": i.record.title,
                       "retention_until": _iso(i.record.retention_until),
                       "outcome": i.outcome, "note": i.note} for i in d.items],
            "version": d.version_id}


def package_json(p: RecordPackage) -> dict[str, Any]:
    return {"id": p.id, "record_id": p.record_id, "objid": p.objid, "sha256": p.sha256,
            "size": p.size, "renditions": p.renditions, "warnings": p.warnings,
            "created_at": _iso(p.created_at)}


def entry_json(e: ArchiveEntry, terms: tuple[str, ...] = ()) -> dict[str, Any]:
    from edoc.records.highlight import highlight

    return {"kind": e.kind, "record_id": e.record_id, "document_id": e.document_id,
            "code": e.code, "title": e.title, "notation": e.notation or None,
            "type": e.type_key, "date": _iso(e.entry_date), "end_date": _iso(e.end_date),
            "retention": {"kind": e.retention_kind, "years": e.retention_years},
            "highlight": {"title": str(highlight(e.title, terms))}}


def fixity_json(run: FixityRun, agency_id: int | None = None) -> dict[str, Any]:
    """A run; with ``agency_id``, only the problems of objects that agency holds."""
    return {"id": run.id, "trigger": run.trigger, "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at), "checked": run.checked,
            "ok_count": run.ok_count, "bytes_checked": run.bytes_checked,
            "mismatches": run.mismatches, "missing": run.missing, "errors": run.errors,
            "ok": run.ok,
            "problems": [{"key": p.key, "kind": p.kind, "expected": p.expected,
                          "actual": p.actual, "detail": p.detail, "record_ids": p.record_ids}
                         for p in run.problems
                         if agency_id is None or agency_id in (p.agency_ids or [])]}
