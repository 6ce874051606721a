"""Outgoing metadata from forms and the API: checked, resolved against the directory.

``parse_outgoing`` turns input (all keys optional) into Document column values. The fields
common to both directions go through :func:`edoc.documents.metadata.parse_metadata`; this module
adds the signer and capacity, the drafter notation, and the planned recipients ("Nơi nhận"):
internal units and people of the agency, external agencies of the directory by OrganId, and free
lines such as "Như trên".
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from edoc.auth.models import Agency, OrgUnit, User
from edoc.auth.roles import Role
from edoc.documents.metadata import parse_metadata
from edoc.drafting import SIGNING_CAPACITIES
from edoc.errors import ValidationError
from edoc.extensions import db

#: keys of ``Document.planned_recipients``
RECIPIENT_KEYS = ("unit_ids", "user_ids", "organ_ids", "names")

COMMON_KEYS = ("type", "subject", "urgency", "confidentiality", "pages", "notes")


def bad(field: str, message: Any, code: str = "invalid_field", **details: Any) -> ValidationError:
    return ValidationError(message, code=code, field=field, **details)


def as_id(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise bad(field, _l("Mã số %(f)s không hợp lệ.", f=field))
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise bad(field, _l("Mã số %(f)s không hợp lệ.", f=field)) from None


def as_id_list(value: Any, field: str) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    out: list[int] = []
    for v in value:
        i = as_id(v, field)
        if i not in out:
            out.append(i)
    return out


def as_text_list(value: Any, field: str, *, limit: int = 500) -> list[str]:
    """A list of lines: a JSON list, or one string with a line per item."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise bad(field, _l("Trường %(f)s phải là danh sách.", f=field))
    lines = []
    for v in value:
        if not isinstance(v, str):
            raise bad(field, _l("Trường %(f)s phải là danh sách chuỗi ký tự.", f=field))
        v = v.strip()
        if len(v) > limit:
            raise bad(field, _l("Trường %(f)s quá dài.", f=field))
        if v:
            lines.append(v)
    return lines


def signer_in_agency(agency_id: int, signer_id: Any) -> User:
    user = db.session.get(User, as_id(signer_id, "signer_id"))
    if user is None or user.agency_id != agency_id or not user.active:
        raise bad("signer_id", _l("Người ký không thuộc cơ quan hoặc đã bị khóa."))
    if not user.has_role(Role.LEADER):
        raise bad("signer_id", _l("Người ký phải là lãnh đạo có thẩm quyền."),
                  code="signer_not_leader")
    return user


def units_in_agency(agency_id: int, ids: list[int], field: str) -> list[OrgUnit]:
    if not ids:
        return []
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_(ids), OrgUnit.agency_id == agency_id, OrgUnit.active.is_(True)))}
    missing = [i for i in ids if i not in units]
    if missing:
        raise bad(field, _l("Đơn vị không thuộc cơ quan: %(ids)s.",
                            ids=", ".join(map(str, missing))), ids=missing)
    return [units[i] for i in ids]


def users_in_agency(agency_id: int, ids: list[int], field: str) -> list[User]:
    if not ids:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(ids), User.agency_id == agency_id, User.active.is_(True)))}
    missing = [i for i in ids if i not in users]
    if missing:
        raise bad(field, _l("Người dùng không thuộc cơ quan: %(ids)s.",
                            ids=", ".join(map(str, missing))), ids=missing)
    return [users[i] for i in ids]


def directory_agencies(organ_ids: list[str], *, own_agency_id: int,
                       field: str = "organ_ids") -> list[Agency]:
    """External agencies of the exchange directory, by OrganId (never one's own agency)."""
    if not organ_ids:
        return []
    found = {a.organ_id: a for a in db.session.scalars(select(Agency).where(
        Agency.organ_id.in_(organ_ids), Agency.active.is_(True)))}
    missing = [o for o in organ_ids if o not in found or found[o].id == own_agency_id]
    if missing:
        raise bad(field, _l("Không có trong danh bạ liên thông: %(ids)s.", ids=", ".join(missing)),
                  organ_ids=missing)
    return [found[o] for o in organ_ids]


def organ_id_list(value: Any, field: str) -> list[str]:
    out: list[str] = []
    for v in as_text_list(value, field, limit=35):
        if v not in out:
            out.append(v)
    return out


def parse_recipients(agency_id: int, raw: Any) -> dict[str, list]:
    """``{"unit_ids", "user_ids", "organ_ids", "names"}``; a plain list is taken as names."""
    if raw in (None, ""):
        return {k: [] for k in RECIPIENT_KEYS}
    if isinstance(raw, list | str):
        raw = {"names": raw}
    if not isinstance(raw, dict):
        raise bad("recipients", _l("Nơi nhận không hợp lệ."))
    unknown = set(raw) - set(RECIPIENT_KEYS)
    if unknown:
        raise bad("recipients", _l("Nơi nhận có khóa không hợp lệ: %(k)s.",
                                   k=", ".join(sorted(unknown))))
    out = {
        "unit_ids": as_id_list(raw.get("unit_ids"), "recipients.unit_ids"),
        "user_ids": as_id_list(raw.get("user_ids"), "recipients.user_ids"),
        "organ_ids": organ_id_list(raw.get("organ_ids"), "recipients.organ_ids"),
        "names": as_text_list(raw.get("names"), "recipients.names"),
    }
    units_in_agency(agency_id, out["unit_ids"], "recipients.unit_ids")
    users_in_agency(agency_id, out["user_ids"], "recipients.user_ids")
    directory_agencies(out["organ_ids"], own_agency_id=agency_id, field="recipients.organ_ids")
    return out


def recipient_names(agency_id: int, planned: dict[str, Any]) -> list[str]:
    """The lines of "Nơi nhận" printed on the draft, in the order: agencies, units, people,
    other lines."""
    planned = planned or {}
    names = [a.name for a in directory_agencies(list(planned.get("organ_ids") or []),
                                                own_agency_id=agency_id)]
    names += [u.name for u in units_in_agency(agency_id, list(planned.get("unit_ids") or []),
                                              "recipients.unit_ids")]
    names += [f"{u.position_title} {u.full_name}".strip() if u.position_title else u.full_name
              for u in users_in_agency(agency_id, list(planned.get("user_ids") or []),
                                       "recipients.user_ids")]
    names += list(planned.get("names") or [])
    return names


def parse_outgoing(agency_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    """Document column values for the outgoing metadata present in ``raw``."""
    if not isinstance(raw, dict):
        raise bad("meta", _l("Siêu dữ liệu phải là một đối tượng JSON."))
    out = parse_metadata({k: raw[k] for k in COMMON_KEYS if k in raw})
    if "type_key" in out:
        from edoc.documents.doctypes import get_type

        if get_type(out["type_key"]).is_copy:
            raise bad("type", _l("Bản sao không được soạn thảo như văn bản đi."))
    if raw.get("signer_id") not in (None, ""):
        out["signer_id"] = signer_in_agency(agency_id, raw["signer_id"]).id
    if "signing_capacity" in raw:
        capacity = (raw["signing_capacity"] or "").strip().upper()
        if capacity and not capacity.endswith("."):
            capacity += "."
        if capacity and capacity not in SIGNING_CAPACITIES:
            raise bad("signing_capacity", _l("Thẩm quyền ký không hợp lệ (TM., KT., TL., TUQ., "
                                             "Q.)."))
        out["signing_capacity"] = capacity
    for key, limit in (("capacity_holder", 255), ("signer_position", 255),
                       ("drafter_notation", 40)):
        if key in raw:
            value = raw[key] if raw[key] is not None else ""
            if not isinstance(value, str) or len(value.strip()) > limit:
                raise bad(key, _l("Trường %(f)s không hợp lệ.", f=key))
            out[key] = " ".join(value.split())
    if raw.get("drafting_unit_id") not in (None, ""):
        out["drafting_unit_id"] = units_in_agency(
            agency_id, [as_id(raw["drafting_unit_id"], "drafting_unit_id")],
            "drafting_unit_id")[0].id
    if "recipients" in raw:
        out["planned_recipients"] = parse_recipients(agency_id, raw["recipients"])
    return out
