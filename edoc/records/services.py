"""Building records: open (from the file plan or outside it), metadata, documents, close.

Every function flushes and never commits (the request, command or job does). Every change to
an archived record is refused and audited (:func:`edoc.records.freeze.refuse`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from archive import CONFIDENCE_LEVEL_CODES, LANGUAGE_CODES, MODE_CODES
from edoc.auth import permissions as auth_perm
from edoc.auth.models import Agency, OrgUnit
from edoc.documents.models import Document
from edoc.documents.visibility import get_visible
from edoc.errors import Conflict, NotFound, PermissionDenied, ValidationError
from edoc.extensions import db
from edoc.i18n import local_today
from edoc.records import permissions as perm
from edoc.records.events import add_event, check_version, transition
from edoc.records.fileplan import _year
from edoc.records.freeze import refuse
from edoc.records.models import FilePlanEntry, Record, RecordDocument
from edoc.records.retention import apply_retention, parse_retention, record_retention
from edoc.records.states import FROZEN_STATES, RecordAction, RecordState

__all__ = [
    "add_documents",
    "close_record",
    "get_record",
    "list_records",
    "open_record",
    "recompute_totals",
    "remove_document",
    "reopen_record",
    "update_record",
]

_EDITABLE = ("title", "notation", "heading", "retention", "retention_other", "start_date",
             "end_date", "language", "mode", "confidence_level", "keywords", "description",
             "unit_id")


def get_record(user: Any, record_id: int, *, for_change: bool = False) -> Record:
    """The record if ``user`` may see it: 404 for another agency, 403 otherwise.

    An archived record is seen by the archivist; others get ``access_required`` and consult it
    through an approved access request (:mod:`edoc.records.access`). ``for_change`` lets the
    services load an archived record so that a change attempt on it is refused and audited.
    """
    record = db.session.get(Record, record_id)
    auth_perm.ensure_visible_agency(user, record)
    if for_change or perm.can_view_record(user, record):
        return record
    if record.state in FROZEN_STATES:
        raise PermissionDenied(_l("Hồ sơ đã được lưu trữ. Hãy gửi yêu cầu khai thác để xem."),
                               code="access_required", record_id=record.id)
    raise PermissionDenied()


def _guard_frozen(record: Record, actor: Any, attempt: str, **details: Any) -> None:
    if record.state in FROZEN_STATES:
        raise refuse(record, attempt, actor=actor, **details)


def _parse_date(value: Any, field: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(_l("Thiếu ngày."), code=f"{field}_required", field=field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError(_l("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
                              code="invalid_date", field=field) from exc


def _code_in(codes: tuple, value: Any, field: str) -> str:
    text = str(value or "").strip()
    if text not in {c.code for c in codes}:
        raise ValidationError(_l("Giá trị không có trong bảng mã."), code=f"invalid_{field}",
                              field=field)
    return text


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        items = [k for part in value.split(";") for k in part.split(",")]
    elif isinstance(value, list | tuple):
        items = [str(k) for k in value]
    else:
        raise ValidationError(_l("Từ khóa phải là danh sách."), code="invalid_keywords",
                              field="keywords")
    out = [k.strip()[:100] for k in items if k.strip()]
    return out[:30]


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_l("Thiếu thông tin bắt buộc: %(f)s.", f=field),
                              code=f"{field}_required", field=field)
    if len(text) > limit:
        raise ValidationError(_l("%(f)s dài quá %(n)s ký tự.", f=field, n=limit),
                              code=f"{field}_too_long", field=field)
    return text


def _full_code(agency: Agency, year: int, notation: str) -> str:
    """Mã hồ sơ: mã định danh cơ quan + năm hình thành + số và ký hiệu hồ sơ (spec §4.1)."""
    return f"{agency.organ_id}.{year}.{notation}"


def _check_code_free(record: Record) -> None:
    clash = db.session.scalar(select(Record.id).where(
        Record.agency_id == record.agency_id, Record.year == record.year,
        Record.notation == record.notation, Record.id != (record.id or 0)))
    if clash is not None:
        raise Conflict(_l("Đã có hồ sơ số %(n)s năm %(y)s.", n=record.notation, y=record.year),
                       code="record_code_taken", record_id=clash)


def _apply(record: Record, data: Mapping[str, Any], *, agency: Agency) -> None:
    if "title" in data:
        record.title = _text(data["title"], "title", 1000, required=True)
    if "notation" in data:
        notation = _text(data["notation"], "notation", 40, required=True)
        if any(c.isspace() for c in notation):
            raise ValidationError(_l("Số và ký hiệu hồ sơ không được chứa khoảng trắng."),
                                  code="invalid_code", field="notation")
        record.notation = notation
    if "heading" in data:
        record.heading = _text(data["heading"], "heading", 255)
    if "retention" in data:
        apply_retention(record, parse_retention(
            data["retention"], other_text=str(data.get("retention_other") or "")))
    if "start_date" in data:
        record.start_date = _parse_date(data["start_date"], "start_date", required=True)
    if "end_date" in data:
        record.end_date = _parse_date(data["end_date"], "end_date")
    if record.end_date is not None and record.start_date and record.end_date < record.start_date:
        raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."),
                              code="end_before_start", field="end_date")
    if "language" in data:
        record.language = _code_in(LANGUAGE_CODES, data["language"], "language")
    if "mode" in data:
        record.mode = _code_in(MODE_CODES, data["mode"], "mode")
    if "confidence_level" in data:
        record.confidence_level = _code_in(CONFIDENCE_LEVEL_CODES, data["confidence_level"],
                                           "confidence_level")
    if "keywords" in data:
        record.keywords = _keywords(data["keywords"])
    if "description" in data:
        record.description = _text(data["description"], "description", 2000)
    if "unit_id" in data:
        unit_id = data["unit_id"]
        if unit_id in (None, ""):
            record.unit_id = None
        else:
            unit = db.session.get(OrgUnit, int(unit_id)) if str(unit_id).isdigit() else None
            if unit is None or unit.agency_id != record.agency_id:
                raise ValidationError(_l("Đơn vị không thuộc cơ quan."), code="invalid_unit",
                                      field="unit_id")
            record.unit_id = unit.id
    record.code = _full_code(agency, record.year, record.notation)


def open_record(actor: Any, data: Mapping[str, Any]) -> Record:
    """Open a record from a file plan entry (``file_plan_entry_id``), or outside the plan with
    notation, title, retention and start date (Decree 30: all required then)."""
    auth_perm.require(perm.can_open_record(actor))
    unknown = set(data) - set(_EDITABLE) - {"file_plan_entry_id", "year", "version"}
    if unknown:
        raise ValidationError(_l("Trường không hợp lệ: %(f)s", f=", ".join(sorted(unknown))),
                              code="unknown_fields", fields=sorted(unknown))
    agency = db.session.get(Agency, actor.agency_id)
    fields: dict[str, Any] = {}
    entry = None
    if data.get("file_plan_entry_id") not in (None, ""):
        entry = db.session.get(FilePlanEntry, int(data["file_plan_entry_id"]))
        if entry is None or entry.agency_id != actor.agency_id:
            raise NotFound(_l("Không tìm thấy dòng danh mục hồ sơ."), code="file_plan_not_found")
        fields = {"title": entry.title, "notation": entry.code, "heading": entry.heading,
                  "retention": record_retention(entry)}
        if entry.responsible_unit_id:
            fields["unit_id"] = entry.responsible_unit_id
    else:
        for name in ("notation", "title", "retention"):
            if data.get(name) in (None, ""):
                raise ValidationError(
                    _l("Lập hồ sơ ngoài danh mục cần số và ký hiệu, tiêu đề và thời hạn bảo "
                       "quản."), code=f"{name}_required", field=name)
    fields.update({k: v for k, v in data.items() if k in _EDITABLE})
    year = _year(data.get("year") or (entry.year if entry else local_today().year))
    fields.setdefault("start_date", local_today())
    fields.setdefault("unit_id", actor.unit_id)
    record = Record(agency_id=actor.agency_id, file_plan_entry_id=entry.id if entry else None,
                    year=year, notation="", code="", title="", state=RecordState.OPEN,
                    creator_id=actor.id, created_by_id=actor.id, keywords=[])
    _apply(record, fields, agency=agency)
    _check_code_free(record)
    db.session.add(record)
    db.session.flush()
    add_event(record, "opened", actor, to_state=record.state,
              data={"file_plan_entry_id": record.file_plan_entry_id})
    return record


def update_record(actor: Any, record: Record, data: Mapping[str, Any], *,
                  expected_version: int | None = None) -> Record:
    changes = {k: v for k, v in data.items() if k in _EDITABLE}
    _guard_frozen(record, actor, "record.update", fields=sorted(changes))
    auth_perm.require(perm.can_edit_record(actor, record))
    if record.state == RecordState.TRANSFERRED:
        raise Conflict(_l("Hồ sơ đang chờ lưu trữ tiếp nhận; không sửa được."),
                       code="record_transferred")
    unknown = set(data) - set(_EDITABLE) - {"version"}
    if unknown:
        raise ValidationError(_l("Trường không hợp lệ: %(f)s", f=", ".join(sorted(unknown))),
                              code="unknown_fields", fields=sorted(unknown))
    check_version(record, expected_version)
    agency = db.session.get(Agency, record.agency_id)
    _apply(record, changes, agency=agency)
    _check_code_free(record)
    db.session.flush()
    add_event(record, "updated", actor, data={"fields": sorted(changes)})
    return record


def recompute_totals(record: Record) -> None:
    """Tổng số văn bản, tổng số trang from the documents filed."""
    docs = record.documents
    record.doc_total = len(docs)
    record.page_total = sum(d.pages or 0 for d in docs)


def add_documents(actor: Any, record: Record, document_ids: Iterable[Any]) -> list[Document]:
    ids = list(document_ids or [])
    _guard_frozen(record, actor, "document.add", document_ids=[str(i) for i in ids][:50])
    auth_perm.require(perm.can_edit_record(actor, record))
    if record.state != RecordState.OPEN:
        raise Conflict(_l("Chỉ thêm văn bản vào hồ sơ đang lập. Hãy mở lại hồ sơ."),
                       code="record_not_open")
    if not ids:
        raise ValidationError(_l("Hãy chọn văn bản cần đưa vào hồ sơ."),
                              code="document_ids_required", field="document_ids")
    added = []
    position = db.session.scalar(select(func.max(RecordDocument.position)).where(
        RecordDocument.record_id == record.id)) or 0
    for raw in ids:
        try:
            doc_id = int(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_l("Mã văn bản không hợp lệ."), code="invalid_document_id",
                                  field="document_ids") from exc
        doc = get_visible(actor, doc_id)
        filed = db.session.scalar(select(RecordDocument).where(
            RecordDocument.document_id == doc.id))
        if filed is not None:
            if filed.record_id == record.id:
                continue
            raise Conflict(_l("Văn bản %(d)s đã thuộc hồ sơ %(c)s.",
                              d=doc.number_notation or doc.id, c=filed.record.code),
                           code="document_in_record", document_id=doc.id,
                           record_id=filed.record_id)
        position += 1
        item = RecordDocument(record_id=record.id, document_id=doc.id, position=position,
                              added_by_id=actor.id)
        item.document = doc
        # Appending loads the collection before the new row can be autoflushed into it.
        record.items.append(item)
        added.append(doc)
    recompute_totals(record)
    db.session.flush()
    if added:
        add_event(record, "documents_added", actor, data={"document_ids": [d.id for d in added]})
    return added


def remove_document(actor: Any, record: Record, document_id: int) -> None:
    _guard_frozen(record, actor, "document.remove", document_id=document_id)
    auth_perm.require(perm.can_edit_record(actor, record))
    if record.state != RecordState.OPEN:
        raise Conflict(_l("Chỉ bỏ văn bản khỏi hồ sơ đang lập."), code="record_not_open")
    item = next((i for i in record.items if i.document_id == document_id), None)
    if item is None:
        raise NotFound(_l("Văn bản không thuộc hồ sơ này."), code="document_not_in_record")
    record.items.remove(item)
    db.session.delete(item)
    recompute_totals(record)
    db.session.flush()
    add_event(record, "document_removed", actor, data={"document_id": document_id})


def close_record(actor: Any, record: Record, *, end_date: Any = None,
                 expected_version: int | None = None) -> Record:
    """Kết thúc hồ sơ: totals recomputed, end date = the given one or the latest document's."""
    _guard_frozen(record, actor, "record.close")
    auth_perm.require(perm.can_edit_record(actor, record))
    if record.state == RecordState.OPEN and not record.items:
        raise ValidationError(_l("Hồ sơ chưa có văn bản nào; không kết thúc được."),
                              code="record_empty")
    end = _parse_date(end_date, "end_date")
    if end is None:
        dates = [d.document_date or d.created_at.date() for d in record.documents]
        end = max([*dates, record.start_date]) if dates else local_today()
    if end < record.start_date:
        raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."),
                              code="end_before_start", field="end_date")
    transition(record, RecordAction.CLOSE, actor, expected_version=expected_version,
               data={"end_date": end.isoformat()})
    record.end_date = end
    recompute_totals(record)
    from edoc.db import utcnow

    record.closed_at = utcnow()
    db.session.flush()
    return record


def reopen_record(actor: Any, record: Record, *, expected_version: int | None = None) -> Record:
    _guard_frozen(record, actor, "record.reopen")
    auth_perm.require(perm.can_edit_record(actor, record))
    transition(record, RecordAction.REOPEN, actor, expected_version=expected_version)
    record.closed_at = None
    db.session.flush()
    return record


def list_records(user: Any, *, state: str | None = None, year: int | None = None,
                 q: str | None = None, mine: bool = False):
    """SQL for the records ``user`` may see (archived ones only for the archivist)."""
    from edoc.auth.roles import Role

    stmt = select(Record).where(Record.agency_id == user.agency_id)
    if not perm.is_archivist(user):
        stmt = stmt.where(Record.state.not_in(tuple(FROZEN_STATES)))
        if not user.has_role(Role.CLERK, Role.LEADER):
            keeper = [Record.creator_id == user.id]
            if user.unit_id is not None:
                keeper.append(Record.unit_id == user.unit_id)
            stmt = stmt.where(or_(*keeper))
    if mine:
        stmt = stmt.where(Record.creator_id == user.id)
    if state:
        stmt = stmt.where(Record.state == state)
    if year:
        stmt = stmt.where(Record.year == year)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Record.title.ilike(like), Record.code.ilike(like)))
    return stmt.order_by(Record.year.desc(), Record.notation, Record.id)
