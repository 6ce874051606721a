"""What the document pages call things: timeline events, file kinds, delivery statuses, and the
name a file is downloaded under.

Event actions and status codes are stored and sent as codes (``register``, ``03``); these maps
turn them into words in the interface language. Vietnamese verbs carry no tense, so the same word
is a button ("Vào sổ": Register) and a past event ("Vào sổ": Registered); the event labels use
the ``event`` context to get their own English.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

__all__ = [
    "DELIVERY_STATUS_LABELS",
    "EVENT_LABELS",
    "FILE_KIND_LABELS",
    "delivery_status_label",
    "download_name",
    "event_label",
    "file_kind_label",
]

#: DocumentEvent.action → label (incoming, outgoing and exchange events)
EVENT_LABELS = {
    # incoming
    "received": lazy_pgettext("event", "Tiếp nhận"),
    "register": lazy_pgettext("event", "Vào sổ"),
    "return": lazy_pgettext("event", "Trả lại"),
    "submit": lazy_pgettext("event", "Trình"),
    "assign": lazy_pgettext("event", "Phân công"),
    "reassign": lazy_pgettext("event", "Phân công lại"),
    "start": lazy_pgettext("event", "Bắt đầu xử lý"),
    "progress_note": lazy_pgettext("event", "Ghi tiến độ"),
    "complete": lazy_pgettext("event", "Hoàn thành"),
    "cancel": lazy_pgettext("event", "Bị thu hồi"),
    "metadata_updated": lazy_pgettext("event", "Sửa thông tin"),
    "file_added": lazy_pgettext("event", "Thêm tệp"),
    "stamp_skipped": lazy_pgettext("event", "Không đóng dấu đến"),
    "stamp_failed": lazy_pgettext("event", "Đóng dấu đến không thành công"),
    "take_back_requested": lazy_pgettext("event", "Cơ quan gửi yêu cầu lấy lại"),
    "updated_by_sender": lazy_pgettext("event", "Cơ quan gửi cập nhật"),
    "imported": lazy_pgettext("event", "Nhập từ gói hồ sơ"),
    # outgoing
    "created": lazy_pgettext("event", "Tạo dự thảo"),
    "revise": lazy_pgettext("event", "Sửa dự thảo"),
    "approve_step": lazy_pgettext("event", "Duyệt"),
    "approve_final": lazy_pgettext("event", "Duyệt (bước cuối)"),
    "sign": lazy_pgettext("event", "Ký số"),
    "issue": lazy_pgettext("event", "Cấp số"),
    "seal": lazy_pgettext("event", "Ký số cơ quan"),
    "dispatch": lazy_pgettext("event", "Phát hành"),
    "revoke": lazy_pgettext("event", "Thu hồi"),
    "update": lazy_pgettext("event", "Cập nhật"),
    "replace": lazy_pgettext("event", "Thay thế"),
    "rendition_ready": lazy_pgettext("event", "Đã tạo bản PDF"),
    "rendition_failed": lazy_pgettext("event", "Không tạo được bản PDF"),
}

#: the incoming "submit" goes to a leader, the outgoing one to the reviewers
_DIRECTED_EVENT_LABELS = {
    ("incoming", "submit"): lazy_pgettext("event", "Trình lãnh đạo"),
    ("outgoing", "submit"): lazy_pgettext("event", "Trình duyệt"),
}

#: DocumentFile.kind → label; the stamped copy and the original often share a file name
FILE_KIND_LABELS = {
    "original": _l("Bản gốc"),
    "stamped": _l("Bản có dấu đến"),
    "draft": _l("Dự thảo"),
    "rendition": _l("Bản PDF"),
    "signed": _l("Bản đã ký"),
    "issued": _l("Bản đã cấp số"),
    "sealed": _l("Bản phát hành"),
    "appendix": _l("Phụ lục"),
    "appendix_unsealed": _l("Phụ lục (trước khi ký số cơ quan)"),
    "result": _l("Kết quả xử lý"),
    "ocr": _l("Bản nhận dạng chữ (OCR)"),
}

#: one line under each label in the file list: where the copy comes from
FILE_KIND_HINTS = {
    "original": _l("Tệp như khi nhận hoặc tải lên, không sửa đổi"),
    "stamped": _l("Hệ thống đóng dấu ĐẾN khi vào sổ"),
    "rendition": _l("Chuyển từ tệp dự thảo"),
    "signed": _l("Có chữ ký số của người ký"),
    "issued": _l("Đã điền số, ký hiệu và ngày"),
    "sealed": _l("Có chữ ký số của cơ quan: bản gửi đi"),
    "appendix_unsealed": _l("Bản chưa ký số cơ quan"),
    "ocr": _l("Đã thêm lớp chữ nhận dạng"),
}

#: ASCII words added to a download name when another file of the document has the same name
_DOWNLOAD_SUFFIXES = {
    "stamped": "dau-den", "ocr": "ocr", "rendition": "pdf", "signed": "da-ky",
    "issued": "cap-so", "sealed": "phat-hanh", "appendix_unsealed": "chua-ky-so",
    "draft": "du-thao", "result": "ket-qua",
}

#: delivery status of a recipient: the sending states, then the edXML status codes
DELIVERY_STATUS_LABELS = {
    "pending": _l("Chờ gửi"), "sent": _l("Đã gửi"),
    "01": _l("Đã đến"), "02": _l("Từ chối tiếp nhận"), "03": _l("Đã vào sổ"),
    "04": _l("Đã phân công"), "05": _l("Đang xử lý"), "06": _l("Hoàn thành"),
    "13": _l("Yêu cầu lấy lại"), "15": _l("Đồng ý"), "16": _l("Từ chối"),
}


def event_label(action: str, direction: str | None = None) -> str:
    """Label of a timeline event; an unknown action as it is (never an empty line)."""
    label = _DIRECTED_EVENT_LABELS.get((direction, action)) or EVENT_LABELS.get(action)
    return str(label) if label is not None else action


def file_kind_label(kind: str) -> str:
    label = FILE_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def file_kind_hint(kind: str) -> str:
    hint = FILE_KIND_HINTS.get(kind)
    return str(hint) if hint is not None else ""


def delivery_status_label(status: str | None) -> str:
    label = DELIVERY_STATUS_LABELS.get(status or "")
    return str(label) if label is not None else (status or "")


def download_name(f: Any, files: Iterable[Any] = ()) -> str:
    """The name ``f`` is downloaded under: its own name, unless an older one of ``files`` (the
    document's files) has the same one. Then the later copy gets its kind
    (``cong-van-12-dau-den.pdf``) or its revision (``du-thao-lan-2.docx``), so two downloads
    never land on the same name; the oldest file keeps the plain name."""
    same = [o for o in files if o.name == f.name and o.id != f.id]
    if not same or all(o.id > f.id for o in same):
        return f.name
    stem, ext = posixpath.splitext(f.name)
    parts = [stem]
    suffix = _DOWNLOAD_SUFFIXES.get(f.kind)
    if suffix and any(o.kind != f.kind for o in same):
        parts.append(suffix)
    if f.revision > 1 and any(o.kind == f.kind for o in same):
        parts.append(f"lan-{f.revision}")
    if len(parts) == 1:  # nothing tells them apart: the id does
        parts.append(str(f.id))
    return "-".join(parts) + ext
