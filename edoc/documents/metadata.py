"""Parsing and checking document metadata sent by forms and the API.

Every field is optional on input; what is given must be valid. Errors name the field and speak
Vietnamese.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.documents.doctypes import CONFIDENTIALITIES, URGENCIES, find_type
from edoc.errors import ValidationError

URGENCY_KEYS = {lv.key for lv in URGENCIES}
CONFIDENTIALITY_KEYS = {lv.key for lv in CONFIDENTIALITIES}
RECEIVED_VIA = {"upload", "scan", "axis", "internal", "paper", "email", "fax"}
MAX_TEXT = 4000


def _bad(field: str, message) -> ValidationError:
    return ValidationError(message, code="invalid_field", field=field)


def _text(value: Any, field: str, *, limit: int = 255) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(field, _l("Trường %(f)s phải là chuỗi ký tự.", f=field))
    value = " ".join(value.split()) if limit <= 255 else value.strip()
    if len(value) > limit:
        raise _bad(field, _l("Trường %(f)s quá dài (tối đa %(n)s ký tự).", f=field, n=limit))
    return value


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _bad(field, _l("Ngày %(f)s không hợp lệ (định dạng YYYY-MM-DD).", f=field)) from exc


def _int(value: Any, field: str, *, minimum: int = 0) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise _bad(field, _l("Trường %(f)s phải là số.", f=field)) from exc
    if number < minimum:
        raise _bad(field, _l("Trường %(f)s không hợp lệ.", f=field))
    return number


def parse_number_notation(text: str) -> tuple[int | None, str]:
    """``15/QĐ-UBND`` → (15, ``QĐ-UBND``); ``123/2025/QĐ-UBND`` → (123, ``2025/QĐ-UBND``)."""
    text = "".join(text.split())
    if "/" in text:
        head, rest = text.split("/", 1)
        if head.isdigit():
            return int(head), rest
    return None, text


def parse_metadata(raw: dict[str, Any], *, partial: bool = True) -> dict[str, Any]:
    """Turn form/API input into Document column values (only the keys present)."""
    out: dict[str, Any] = {}
    if "type" in raw and raw["type"] not in (None, ""):
        if find_type(str(raw["type"])) is None:
            raise _bad("type", _l("Loại văn bản không hợp lệ."))
        out["type_key"] = str(raw["type"])
    if "subject" in raw:
        out["subject"] = _text(raw["subject"], "subject", limit=MAX_TEXT)
    for key, allowed in (("urgency", URGENCY_KEYS), ("confidentiality", CONFIDENTIALITY_KEYS)):
        if key in raw and raw[key] not in (None, ""):
            if raw[key] not in allowed:
                raise _bad(key, _l("Giá trị %(f)s không hợp lệ.", f=key))
            out[key] = raw[key]
    if "issuing_agency" in raw:
        out["issuing_agency"] = _text(raw["issuing_agency"], "issuing_agency")
    if raw.get("issuing_organ_id"):
        out["issuing_organ_id"] = _text(raw["issuing_organ_id"], "issuing_organ_id", limit=35)
    if "number" in raw and raw["number"] not in (None, ""):
        number_text = str(raw["number"]).strip()
        if "/" in number_text:  # "15/QĐ-UBND" given whole in the number field
            number, notation = parse_number_notation(number_text)
            out["number"], out["notation"] = number, notation
        else:
            out["number"] = _int(number_text, "number", minimum=0)
    if "notation" in raw and raw["notation"] not in (None, ""):
        out["notation"] = _text(raw["notation"], "notation", limit=80).replace(" ", "")
    if "document_date" in raw:
        out["document_date"] = _date(raw["document_date"], "document_date")
    if "pages" in raw:
        out["pages"] = _int(raw["pages"], "pages", minimum=1)
    if "notes" in raw:
        out["notes"] = _text(raw["notes"], "notes", limit=MAX_TEXT)
    if raw.get("received_via"):
        if raw["received_via"] not in RECEIVED_VIA:
            raise _bad("received_via", _l("Hình thức nhận không hợp lệ."))
        out["received_via"] = raw["received_via"]
    if "deadline" in raw:
        out["deadline"] = _date(raw["deadline"], "deadline")
    return out
