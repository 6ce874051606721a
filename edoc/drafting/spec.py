"""What a draft is made of: :class:`DraftSpec`, plus the Decree 30 wording rules it relies on.

Everything here is pure data and formatting. The wording follows Decree 30/2020 Phụ lục I:
- number and notation ``Số: 15/QĐ-UBND`` (number below 10 gets a leading 0);
- place and date ``Vĩnh Phúc, ngày 05 tháng 3 năm 2025`` (day below 10 and months 1 and 2
  get a leading 0);
- signing capacities ``TM.``, ``KT.``, ``TL.``, ``TUQ.``, ``Q.`` before the capacity holder.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.documents.doctypes import DocumentType, find_type, get_confidentiality, get_urgency
from edoc.errors import ValidationError

__all__ = [
    "SIGNING_CAPACITIES",
    "DraftSpec",
    "Invitation",
    "format_date_line",
    "format_number",
    "format_number_line",
    "notation_for",
    "place_of_date_line",
]

#: Signing capacities (Phụ lục I, ô 7a): "thay mặt", "ký thay", "thừa lệnh", "thừa ủy quyền",
#: "quyền".
SIGNING_CAPACITIES = ("TM.", "KT.", "TL.", "TUQ.", "Q.")


@dataclass(frozen=True)
class Invitation:
    """The fixed items of a giấy mời: whom, to what, when and where."""

    invitees: str
    event: str
    time: dt.datetime | str
    venue: str

    def time_text(self) -> str:
        if isinstance(self.time, str):
            return self.time
        return format_meeting_time(self.time)


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class DraftSpec:
    """Everything a template needs to lay out a draft; number and date are filled at issuance.

    ``body`` is the caller's text, one string per paragraph. For a quyết định each body paragraph
    becomes one article ("Điều 1. ..."); ``legal_bases`` are the "Căn cứ ..." lines and
    ``proposal`` the "Theo đề nghị của ..." line. ``collective_body`` adds a "TM. <body>" line
    above a "KT." capacity (e.g. "TM. ỦY BAN NHÂN DÂN" over "KT. CHỦ TỊCH").
    ``issuing_authority`` is the line a quyết định prints before its "Căn cứ" lines (default:
    the agency name, e.g. "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"; or "CHỦ TỊCH ỦY BAN NHÂN DÂN ...").
    ``invitation`` is required for a giấy mời.
    """

    type_key: str
    governing_body: str | None
    agency_name: str
    agency_notation: str
    unit_notation: str | None
    place: str
    subject: str
    body: Sequence[str]
    signer_name: str
    signer_position: str
    signing_capacity: str | None = None
    capacity_holder: str | None = None
    recipients: Sequence[str] = ()
    archive_notation: str = "VT"
    urgency_key: str = "thuong"
    confidentiality_key: str = "thuong"
    addressees: Sequence[str] = ()
    legal_bases: Sequence[str] = ()
    proposal: str | None = None
    collective_body: str | None = None
    invitation: Invitation | None = None
    issuing_authority: str | None = None

    def __post_init__(self) -> None:
        for name in ("body", "recipients", "addressees", "legal_bases"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))

    def validate(self) -> None:
        """Raise :class:`ValidationError` naming the first field that cannot be laid out."""
        for name in ("agency_name", "agency_notation", "place", "subject", "signer_name",
                     "signer_position"):
            if not str(getattr(self, name) or "").strip():
                raise ValidationError(_l("Thiếu thông tin bắt buộc của dự thảo: %(field)s.",
                                         field=name), code="draft_field_missing", field=name)
        if self.signing_capacity is not None:
            if self.signing_capacity not in SIGNING_CAPACITIES:
                raise ValidationError(_l("Thẩm quyền ký không hợp lệ (TM., KT., TL., TUQ., Q.)."),
                                      code="invalid_signing_capacity",
                                      value=self.signing_capacity)
            if not (self.capacity_holder or "").strip():
                raise ValidationError(_l("Cần ghi rõ chức danh hoặc tập thể sau %(cap)s.",
                                         cap=self.signing_capacity),
                                      code="draft_field_missing", field="capacity_holder")
        self.document_type()
        self.marks()

    def document_type(self) -> DocumentType:
        """The Decree 30 type; copies are made from an issued document, never drafted."""
        doc_type = find_type(self.type_key)
        if doc_type is None or doc_type.is_copy:
            raise ValidationError(_l("Loại văn bản không hợp lệ cho dự thảo."),
                                  code="invalid_document_type", value=self.type_key)
        return doc_type

    def marks(self) -> tuple[str, ...]:
        """Urgency then confidentiality marks printed under the number (§3.6), if any."""
        try:
            urgency = get_urgency(self.urgency_key)
        except KeyError:
            raise ValidationError(_l("Mức độ khẩn không hợp lệ."), code="invalid_urgency",
                                  value=self.urgency_key) from None
        try:
            secrecy = get_confidentiality(self.confidentiality_key)
        except KeyError:
            raise ValidationError(_l("Độ mật không hợp lệ."), code="invalid_confidentiality",
                                  value=self.confidentiality_key) from None
        return tuple(level.mark for level in (secrecy, urgency) if level.mark)

    def notation(self) -> str:
        return notation_for(self.document_type().abbreviation, self.agency_notation,
                            self.unit_notation)

    def signer_lines(self) -> tuple[str, ...]:
        """The capitalised lines above the signature (ô 7a, 7b), top to bottom."""
        lines: list[str] = []
        if self.collective_body and self.signing_capacity != "TM.":
            lines.append(f"TM. {self.collective_body.upper()}")
        if self.signing_capacity:
            lines.append(f"{self.signing_capacity} {(self.capacity_holder or '').upper()}")
        lines.append(self.signer_position.upper())
        return tuple(lines)


def notation_for(abbreviation: str | None, agency_notation: str,
                 unit_notation: str | None = None) -> str:
    """Ký hiệu (§3.3): ``QĐ-UBND`` for a typed document, ``UBND-VP`` for a công văn.

    A type without abbreviation (công văn, thư công) takes the agency then the drafting unit.
    """
    agency = agency_notation.strip().upper()
    if abbreviation:
        return f"{abbreviation}-{agency}"
    unit = (unit_notation or "").strip().upper()
    return f"{agency}-{unit}" if unit else agency


def format_number(number: int) -> str:
    """Số: Arabic digits, numbers below 10 with a leading 0 (§3.3)."""
    if number < 1:
        raise ValueError("document numbers start at 1")
    return f"{number:02d}"


def format_number_line(number: int, notation: str) -> str:
    return f"Số: {format_number(number)}/{notation}"


def format_date_line(place: str | None, day: dt.date) -> str:
    """``Vĩnh Phúc, ngày 05 tháng 3 năm 2025``: day < 10 and months 1, 2 get a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place.strip()}, {text}" if place and place.strip() else text.capitalize()


def place_of_date_line(text: str) -> str | None:
    """The place name before "ngày" in a date line ("Vĩnh Phúc, ngày …" → "Vĩnh Phúc")."""
    head, sep, _ = text.partition("ngày")
    place = head.strip().rstrip(",").strip()
    return place if sep and place else None


_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def format_meeting_time(moment: dt.datetime) -> str:
    """``08 giờ 00 phút, thứ Hai, ngày 10 tháng 3 năm 2025`` (giấy mời)."""
    date_part = format_date_line(None, moment.date()).lower()
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {_WEEKDAYS[moment.weekday()]}, " \
           f"{date_part}"
