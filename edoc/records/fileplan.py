"""The file plan (danh mục hồ sơ): entries per agency and year, kept by the archivist and
copied forward to the next year (Decree 30 Điều 28, Phụ lục V)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from edoc import audit
from edoc.auth import permissions as auth_perm
from edoc.auth.models import OrgUnit, User
from edoc.errors import Conflict, NotFound, ValidationError
from edoc.extensions import db
from edoc.records import permissions as perm
from edoc.records.events import check_version
from edoc.records.models import FilePlanEntry, Record
from edoc.records.retention import apply_retention, parse_retention, record_retention

__all__ = ["copy_forward", "create_entry", "delete_entry", "get_entry", "list_entries",
           "update_entry"]

_CODE_RE = re.compile(r"^\S{1,40}$")
_FIELDS = ("heading", "code", "title", "retention", "retention_other", "responsible_unit_id",
           "responsible_user_id", "notes", "position")


def list_entries(agency_id: int, year: int) -> list[FilePlanEntry]:
    return list(db.session.scalars(
        select(FilePlanEntry).where(FilePlanEntry.agency_id == agency_id,
                                    FilePlanEntry.year == year)
        .order_by(FilePlanEntry.position, FilePlanEntry.code, FilePlanEntry.id)))


def get_entry(user: Any, entry_id: int) -> FilePlanEntry:
    entry = db.session.get(FilePlanEntry, entry_id)
    auth_perm.ensure_visible_agency(user, entry)
    return entry


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 1900 <= year <= 2999:
        raise ValidationError(_l("Năm của danh mục hồ sơ không hợp lệ."), code="invalid_year",
                              field="year")
    return year


def _text(data: Mapping[str, Any], name: str, *, required: bool, limit: int,
          label: Any) -> str | None:
    if name not in data:
        if required:
            raise ValidationError(_l("Thiếu %(f)s.", f=label), code=f"{name}_required",
                                  field=name)
        return None
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationError(_l("Thiếu %(f)s.", f=label), code=f"{name}_required", field=name)
    if len(value) > limit:
        raise ValidationError(_l("%(f)s dài quá %(n)s ký tự.", f=label, n=limit),
                              code=f"{name}_too_long", field=name)
    return value


def _optional_id(value: Any, model: type, agency_id: int, field: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        obj = db.session.get(model, int(value))
    except (TypeError, ValueError):
        obj = None
    if obj is None or obj.agency_id != agency_id:
        raise ValidationError(_l("Đơn vị hoặc người chịu trách nhiệm không thuộc cơ quan."),
                              code="invalid_reference", field=field)
    return obj.id


def _apply(entry: FilePlanEntry, data: Mapping[str, Any], *, creating: bool) -> None:
    code = _text(data, "code", required=creating, limit=40, label=_l("số và ký hiệu hồ sơ"))
    if code is not None:
        if not _CODE_RE.match(code):
            raise ValidationError(_l("Số và ký hiệu hồ sơ không được chứa khoảng trắng "
                                     "(ví dụ 01.TCCB)."), code="invalid_code", field="code")
        entry.code = code
    title = _text(data, "title", required=creating, limit=1000, label=_l("tiêu đề hồ sơ"))
    if title is not None:
        entry.title = title
    heading = _text(data, "heading", required=False, limit=255, label=_l("đề mục"))
    if heading is not None:
        entry.heading = heading
    notes = _text(data, "notes", required=False, limit=4000, label=_l("ghi chú"))
    if notes is not None:
        entry.notes = notes
    if "retention" in data or creating:
        if data.get("retention") in (None, ""):
            raise ValidationError(_l("Hãy chọn thời hạn bảo quản."), code="retention_required",
                                  field="retention")
        apply_retention(entry, parse_retention(data["retention"],
                                               other_text=str(data.get("retention_other") or "")))
    if "responsible_unit_id" in data:
        entry.responsible_unit_id = _optional_id(data["responsible_unit_id"], OrgUnit,
                                                 entry.agency_id, "responsible_unit_id")
    if "responsible_user_id" in data:
        entry.responsible_user_id = _optional_id(data["responsible_user_id"], User,
                                                 entry.agency_id, "responsible_user_id")
    if "position" in data and data["position"] not in (None, ""):
        try:
            entry.position = int(data["position"])
        except (TypeError, ValueError) as exc:
            raise ValidationError(_l("Thứ tự không hợp lệ."), code="invalid_position",
                                  field="position") from exc


def _check_unique(entry: FilePlanEntry) -> None:
    clash = db.session.scalar(select(FilePlanEntry.id).where(
        FilePlanEntry.agency_id == entry.agency_id, FilePlanEntry.year == entry.year,
        FilePlanEntry.code == entry.code, FilePlanEntry.id != (entry.id or 0)))
    if clash is not None:
        raise Conflict(_l("Danh mục năm %(y)s đã có hồ sơ số %(c)s.", y=entry.year, c=entry.code),
                       code="file_plan_code_taken", code_value=entry.code)


def create_entry(actor: Any, data: Mapping[str, Any]) -> FilePlanEntry:
    auth_perm.require(perm.can_manage_file_plan(actor))
    unknown = set(data) - set(_FIELDS) - {"year", "version"}
    if unknown:
        raise ValidationError(_l("Trường không hợp lệ: %(f)s", f=", ".join(sorted(unknown))),
                              code="unknown_fields", fields=sorted(unknown))
    entry = FilePlanEntry(agency_id=actor.agency_id, year=_year(data.get("year")),
                          created_by_id=actor.id)
    _apply(entry, data, creating=True)
    if "position" not in data or data.get("position") in (None, ""):
        last = db.session.scalar(select(func.max(FilePlanEntry.position)).where(
            FilePlanEntry.agency_id == entry.agency_id, FilePlanEntry.year == entry.year))
        entry.position = (last or 0) + 10
    _check_unique(entry)
    db.session.add(entry)
    db.session.flush()
    audit.record("file_plan.entry_created", actor=actor, obj=entry,
                 details={"year": entry.year, "code": entry.code})
    return entry


def update_entry(actor: Any, entry: FilePlanEntry, data: Mapping[str, Any], *,
                 expected_version: int | None = None) -> FilePlanEntry:
    auth_perm.require(perm.can_manage_file_plan(actor))
    auth_perm.ensure_visible_agency(actor, entry)
    check_version(entry, expected_version)
    before = {"code": entry.code, "title": entry.title,
              "retention": record_retention(entry).label}
    _apply(entry, {k: v for k, v in data.items() if k in _FIELDS}, creating=False)
    _check_unique(entry)
    db.session.flush()
    audit.record("file_plan.entry_updated", actor=actor, obj=entry,
                 details={"before": before, "code": entry.code})
    return entry


def delete_entry(actor: Any, entry: FilePlanEntry) -> None:
    auth_perm.require(perm.can_manage_file_plan(actor))
    auth_perm.ensure_visible_agency(actor, entry)
    used = db.session.scalar(select(func.count()).select_from(Record).where(
        Record.file_plan_entry_id == entry.id))
    if used:
        raise Conflict(_l("Đã có hồ sơ được lập theo dòng danh mục này; không xóa được."),
                       code="file_plan_entry_in_use")
    audit.record("file_plan.entry_deleted", actor=actor, obj=entry,
                 details={"year": entry.year, "code": entry.code})
    db.session.delete(entry)
    db.session.flush()


def copy_forward(actor: Any, from_year: Any, to_year: Any) -> list[FilePlanEntry]:
    """Copy the entries of ``from_year`` into ``to_year`` (those whose code is not there yet).

    Returns the new entries. The file plan of the new year is then edited as usual.
    """
    auth_perm.require(perm.can_manage_file_plan(actor))
    source, target = _year(from_year), _year(to_year)
    if source == target:
        raise ValidationError(_l("Năm nguồn và năm đích phải khác nhau."), code="same_year")
    existing = set(db.session.scalars(select(FilePlanEntry.code).where(
        FilePlanEntry.agency_id == actor.agency_id, FilePlanEntry.year == target)))
    entries = list_entries(actor.agency_id, source)
    if not entries:
        raise NotFound(_l("Danh mục hồ sơ năm %(y)s chưa có dòng nào để sao chép.", y=source),
                       code="file_plan_empty")
    created = []
    for e in entries:
        if e.code in existing:
            continue
        copy = FilePlanEntry(
            agency_id=e.agency_id, year=target, heading=e.heading, code=e.code, title=e.title,
            retention_kind=e.retention_kind, retention_years=e.retention_years,
            retention_text=e.retention_text, responsible_unit_id=e.responsible_unit_id,
            responsible_user_id=e.responsible_user_id, notes=e.notes, position=e.position,
            copied_from_id=e.id, created_by_id=actor.id)
        db.session.add(copy)
        created.append(copy)
    db.session.flush()
    audit.record("file_plan.copied", actor=actor, agency_id=actor.agency_id,
                 details={"from_year": source, "to_year": target, "entries": len(created)})
    return created
