"""What the records pages call things: timeline events, retention periods and the TT 05/2025 code
tables (chế độ sử dụng, ngôn ngữ, mức độ tin cậy), in the interface language.

The stored values stay as they are: event actions are codes, and retention labels ("05 năm",
"Vĩnh viễn") and code labels are the Vietnamese text written into the archive's metadata and
packages. These helpers only decide what a page shows.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale, lazy_pgettext, ngettext
from flask_babel import lazy_gettext as _l

from archive import CONFIDENCE_LEVEL_CODES, LANGUAGE_CODES, MODE_CODES, Retention
from archive.codes import label_for

__all__ = [
    "RECORD_EVENT_LABELS",
    "code_label",
    "record_event_label",
    "retention_option_label",
    "retention_text",
]

#: RecordEvent.action → label; past events, hence the ``event`` context (see documents.labels)
RECORD_EVENT_LABELS = {
    "opened": lazy_pgettext("event", "Lập hồ sơ"),
    "imported": lazy_pgettext("event", "Nhập từ gói hồ sơ"),
    "updated": lazy_pgettext("event", "Sửa thông tin hồ sơ"),
    "documents_added": lazy_pgettext("event", "Đưa văn bản vào hồ sơ"),
    "document_removed": lazy_pgettext("event", "Bỏ văn bản khỏi hồ sơ"),
    "close": lazy_pgettext("event", "Kết thúc hồ sơ"),
    "reopen": lazy_pgettext("event", "Mở lại hồ sơ"),
    "transfer": lazy_pgettext("event", "Nộp lưu"),
    "accept": lazy_pgettext("event", "Tiếp nhận vào lưu trữ"),
    "reject": lazy_pgettext("event", "Trả lại hồ sơ"),
    "dispose": lazy_pgettext("event", "Tiêu hủy"),
    "legal_hold_on": lazy_pgettext("event", "Phong tỏa"),
    "legal_hold_off": lazy_pgettext("event", "Gỡ phong tỏa"),
    "retention_extended": lazy_pgettext("event", "Gia hạn thời hạn bảo quản"),
}

_CODE_LABELS = {
    MODE_CODES: {"01": _l("Công khai"), "02": _l("Sử dụng có điều kiện"), "03": _l("Mật")},
    CONFIDENCE_LEVEL_CODES: {"01": _l("Gốc điện tử"), "02": _l("Số hóa"), "03": _l("Hỗn hợp")},
    LANGUAGE_CODES: {
        "01": _l("Tiếng Việt"), "02": _l("Tiếng Anh"), "03": _l("Tiếng Pháp"),
        "04": _l("Tiếng Nga"), "05": _l("Tiếng Trung"), "06": _l("Việt - Anh"),
        "07": _l("Việt - Nga"), "08": _l("Việt - Pháp"), "09": _l("Hán Nôm"),
        "10": _l("Việt - Trung"), "11": _l("Khác"),
    },
}


def record_event_label(action: str) -> str:
    label = RECORD_EVENT_LABELS.get(action)
    return str(label) if label is not None else action


def code_label(codes: Any, code: str | None) -> str:
    """Label of ``code`` in one of the archive's code tables; an unknown code as it is."""
    label = _CODE_LABELS.get(codes, {}).get(code or "")
    if label is not None:
        return str(label)
    return label_for(codes, code) or (code or "") if code else ""


def _vietnamese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "vi"


def retention_text(retention: Retention) -> str:
    """A retention period for a page. In Vietnamese it is the label as written into the
    metadata ("05 năm", "Vĩnh viễn"); in English "5 years", "Permanent". Free text stays."""
    if _vietnamese() or retention.text:
        return retention.label
    if retention.is_permanent:
        return str(_l("Vĩnh viễn"))
    return ngettext("%(num)s năm", "%(num)s năm", retention.years)


def retention_option_label(value: str, label: str) -> str:
    """Label of one choice of the retention select (``RETENTION_OPTIONS``)."""
    if _vietnamese():
        return label
    if value == "other":
        return str(_l("Khác"))
    if value == "permanent":
        return str(_l("Vĩnh viễn"))
    return ngettext("%(num)s năm", "%(num)s năm", int(value))
