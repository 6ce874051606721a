"""Errors of the records glue, and the Vietnamese text of the archive library's codes."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.errors import Conflict, PermissionDenied, ValidationError

__all__ = [
    "AccessExpired",
    "PackageRefused",
    "RecordFrozen",
    "eligibility_message",
    "problem_message",
]


class RecordFrozen(Conflict):
    """A change to an archived (or disposed) record or to one of its documents.

    Raising it is not enough: the attempt must also be audited, and the request's transaction
    is rolled back. :func:`edoc.records.freeze.refuse` queues the audit entry so that it is
    written after that rollback.
    """

    code = "record_archived"
    default_message = _l("Hồ sơ đã được đưa vào lưu trữ: hồ sơ, văn bản và tệp của hồ sơ không "
                         "thể thay đổi. Thao tác đã bị từ chối và được ghi nhật ký.")


class AccessExpired(PermissionDenied):
    code = "access_expired"
    default_message = _l("Quyền khai thác hồ sơ đã hết hạn. Hãy gửi yêu cầu khai thác mới.")


class PackageRefused(ValidationError):
    """An archival package failed verification; ``details['problems']`` lists why."""

    code = "package_invalid"
    default_message = _l("Gói hồ sơ lưu trữ không hợp lệ.")


# --- the archive library's codes in Vietnamese -------------------------------------------------

_PROBLEMS: dict[str, Any] = {
    "package_unreadable": _l("Không đọc được tệp nén của gói."),
    "package_checksum_mismatch": _l("Gói khác với bản đã lập (mã băm SHA-256 của tệp nén không "
                                    "khớp)."),
    "member_corrupt": _l("Một tệp trong gói bị hỏng."),
    "unsafe_member": _l("Gói chứa đường dẫn không an toàn."),
    "package_layout_invalid": _l("Cấu trúc gói không đúng (phải có đúng một thư mục BagIt)."),
    "package_too_large": _l("Gói quá lớn."),
    "bag_invalid": _l("Gói không phải túi BagIt hợp lệ."),
    "bag_oxum_mismatch": _l("Tổng dung lượng và số tệp (Payload-Oxum) không khớp."),
    "bag_file_missing": _l("Thiếu tệp có trong danh mục kiểm tra của gói."),
    "bag_unexpected_file": _l("Gói có tệp không nằm trong danh mục kiểm tra."),
    "bag_checksum_mismatch": _l("Mã kiểm tra (checksum) của tệp không khớp: tệp đã bị sửa."),
    "mets_missing": _l("Gói thiếu tài liệu METS."),
    "mets_unparseable": _l("Tài liệu METS không đọc được."),
    "mets_schema_invalid": _l("Tài liệu METS không hợp lệ theo lược đồ METS."),
    "metadata_invalid": _l("Siêu dữ liệu hồ sơ hoặc văn bản không hợp lệ."),
    "unsafe_reference": _l("METS trỏ ra ngoài gói."),
    "file_missing": _l("Thiếu tệp được mô tả trong METS."),
    "file_size_mismatch": _l("Dung lượng tệp khác với METS."),
    "file_checksum_mismatch": _l("Mã băm của tệp khác với METS."),
    "file_not_described": _l("Gói có tệp không được mô tả trong METS."),
    "signature_invalid": _l("Chữ ký số của văn bản không còn hợp lệ (văn bản đã bị sửa sau khi "
                            "ký)."),
    "signature_check_error": _l("Không kiểm tra được chữ ký số của văn bản."),
    "source_mismatch": _l("Tệp trong kho khác với mã băm đã ghi nhận."),
    "source_unavailable": _l("Không đọc được tệp từ kho lưu trữ."),
    "rendition_unavailable": _l("Chưa cài công cụ chuyển đổi PDF/A."),
    "rendition_timeout": _l("Chuyển đổi PDF/A quá thời gian cho phép."),
    "rendition_failed": _l("Chuyển đổi PDF/A thất bại."),
    "rendition_invalid": _l("Bản PDF/A tạo ra không đạt yêu cầu."),
    "rendition_text_changed": _l("Bản PDF/A làm thay đổi nội dung chữ nên không được dùng."),
    "no_documents": _l("Hồ sơ không có văn bản."),
    "document_count_mismatch": _l("Số văn bản khác với tổng số ghi trên hồ sơ."),
}


def problem_message(code: str) -> str:
    return str(_PROBLEMS.get(code, _l("Lỗi gói lưu trữ: %(code)s", code=code)))


_ELIGIBILITY: dict[str, Any] = {
    "permanent": _l("Hồ sơ bảo quản vĩnh viễn không bao giờ được tiêu hủy."),
    "legal_hold": _l("Hồ sơ đang bị phong tỏa (giữ theo yêu cầu pháp lý): không được tiêu hủy."),
    "record_open": _l("Hồ sơ chưa có ngày kết thúc."),
    "retention_undetermined": _l("Thời hạn bảo quản không xác định được số năm."),
    "retention_not_ended": _l("Hồ sơ chưa hết thời hạn bảo quản (đến hết ngày %(until)s)."),
    "not_archived": _l("Chỉ hồ sơ đã lưu trữ mới được đề nghị tiêu hủy."),
    "in_other_disposal": _l("Hồ sơ đã nằm trong một đề nghị tiêu hủy khác."),
}


def eligibility_message(code: str, until: Any = None) -> str:
    template = _ELIGIBILITY.get(code)
    if template is None:
        return code
    if code == "retention_not_ended":
        return str(_l("Hồ sơ chưa hết thời hạn bảo quản (đến hết ngày %(until)s).",
                      until=until.strftime("%d/%m/%Y") if until else "?"))
    return str(template)
