"""Vietnamese words for the signing library's codes, and its errors as EdocErrors.

The library (``signing/``) speaks in stable snake_case codes with English messages; users read
Vietnamese. Every code the library documents has an entry here; an unknown code still gets a
generic sentence, so a new library code never shows English to a user.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.errors import EdocError, ServiceUnavailable, UnsupportedFileType, ValidationError
from signing import SigningError

__all__ = [
    "MODIFIED_LABELS",
    "REASON_MESSAGES",
    "VERDICT_LABELS",
    "error_message",
    "reason_message",
    "to_edoc_error",
]

VERDICT_LABELS = {
    "valid": _l("Hợp lệ"),
    "indeterminate": _l("Chưa xác định được"),
    "invalid": _l("Không hợp lệ"),
}

VERDICT_TONES = {"valid": "success", "indeterminate": "warning", "invalid": "danger"}

MODIFIED_LABELS = {
    "none": _l("Không thay đổi sau khi ký"),
    "form_filling": _l("Chỉ thêm chữ ký hoặc điền số, ngày sau khi ký (được phép)"),
    "annotations": _l("Thêm dấu đến hoặc ghi chú sau khi ký (được phép)"),
    "other": _l("Có thay đổi khác sau khi ký"),
}

#: reason codes of a verification report (signing/report.py)
REASON_MESSAGES = {
    "integrity_failed": _l("Nội dung tệp đã bị thay đổi sau khi ký: chữ ký không còn toàn vẹn."),
    "signature_invalid": _l("Chữ ký số không đúng về mặt mật mã."),
    "signature_malformed": _l("Dữ liệu chữ ký số bị hỏng, không đọc được."),
    "modified_after_signing": _l("Tệp đã bị sửa đổi sau khi ký theo cách không được phép."),
    "coverage_incomplete": _l("Chữ ký không bao phủ toàn bộ nội dung của phiên bản được ký."),
    "certificate_revoked": _l("Chứng thư số của người ký đã bị thu hồi."),
    "certificate_expired": _l("Chứng thư số đã hết hạn và không có dấu thời gian chứng minh "
                              "chữ ký được tạo khi chứng thư còn hiệu lực."),
    "certificate_not_yet_valid": _l("Chữ ký được tạo trước ngày chứng thư số có hiệu lực."),
    "certificate_untrusted": _l("Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực "
                                "chữ ký số được tin cậy cấp."),
    "certificate_usage_invalid": _l("Chứng thư số không được phép dùng để ký văn bản."),
    "revocation_unknown": _l("Không kiểm tra được tình trạng thu hồi của chứng thư số."),
    "algorithm_not_allowed": _l("Thuật toán ký yếu hoặc không được hỗ trợ."),
    "timestamp_invalid": _l("Dấu thời gian của chữ ký không hợp lệ."),
    "timestamp_untrusted": _l("Dấu thời gian không do đơn vị cấp dấu thời gian tin cậy cấp."),
    "validation_failed": _l("Không xác thực được chữ ký số."),
    "no_signatures": _l("Tệp không có chữ ký số."),
    "document_timestamp_invalid": _l("Dấu thời gian lưu trữ của tệp không hợp lệ."),
    "no_pdf": _l("Văn bản chưa có tệp PDF."),
    "pdf_corrupt": _l("Tệp PDF bị hỏng hoặc không đọc được."),
    "pdf_encrypted": _l("Tệp PDF được đặt mật khẩu nên không kiểm tra được chữ ký."),
}

#: error codes raised while signing (signing/errors.py) or by this package
ERROR_MESSAGES = {
    "wrong_secret": _l("Mật khẩu khóa ký số hoặc mã PIN không đúng. Chưa có gì được lưu."),
    "secret_required": _l("Hãy nhập mật khẩu khóa ký số hoặc mã PIN."),
    "key_unavailable": _l("Không mở được khóa ký số: tệp khóa bị hỏng hoặc thiết bị ký "
                          "(token) chưa sẵn sàng."),
    "pin_locked": _l("Mã PIN của thiết bị ký số đã bị khóa. Hãy liên hệ quản trị."),
    "no_credential": _l("Bạn chưa có chứng thư số để ký. Hãy đăng ký chứng thư số ở trang "
                        "Chữ ký số."),
    "no_seal_credential": _l("Cơ quan chưa có chứng thư số để ký số cơ quan (đóng dấu)."),
    "credential_mismatch": _l("Khóa ký số không khớp với chứng thư số đã đăng ký."),
    "certificate_expired": _l("Chứng thư số đã hết hạn nên không thể ký. Hãy gia hạn "
                              "chứng thư số."),
    "certificate_not_yet_valid": _l("Chứng thư số chưa đến ngày có hiệu lực nên chưa thể ký."),
    "certificate_revoked": _l("Chứng thư số đã bị thu hồi nên không thể ký."),
    "certificate_untrusted": _l("Chứng thư số không do tổ chức chứng thực được tin cậy cấp "
                                "nên không thể ký."),
    "certificate_revocation_unknown": _l("Không kiểm tra được tình trạng thu hồi của chứng thư "
                                         "số nên chưa thể ký. Hãy thử lại sau."),
    "certificate_invalid": _l("Chứng thư số không dùng được để ký văn bản."),
    "pdf_encrypted": _l("Tệp PDF được đặt mật khẩu. Hãy gỡ mật khẩu rồi tải lên lại."),
    "pdf_corrupt": _l("Tệp PDF bị hỏng hoặc không đọc được."),
    "no_pdf": _l("Văn bản chưa có tệp PDF để ký."),
    "not_pdf": _l("Tệp tải lên không phải tệp PDF."),
    "page_missing": _l("Trang đặt chữ ký không tồn tại trong tệp PDF."),
    "image_not_png": _l("Ảnh chữ ký hoặc con dấu phải là tệp PNG."),
    "image_not_transparent": _l("Ảnh phải có nền trong suốt (PNG có kênh alpha)."),
    "image_too_large": _l("Ảnh quá lớn."),
    "image_too_small": _l("Ảnh quá nhỏ."),
    "image_missing": _l("Chưa có ảnh chữ ký hoặc con dấu."),
    "signature_image_missing": _l("Bạn chưa tải lên ảnh chữ ký. Hãy tải ảnh ở trang Chữ ký số."),
    "seal_image_missing": _l("Cơ quan chưa có ảnh con dấu. Hãy tải ảnh ở trang Con dấu cơ quan."),
    "appearance_invalid": _l("Không tạo được hình ảnh chữ ký."),
    "font_missing": _l("Máy chủ thiếu phông chữ tiếng Việt để tạo hình ảnh chữ ký."),
    "timestamp_failed": _l("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian. "
                           "Hãy thử lại sau."),
    "timestamp_required": _l("Mức ký đã cấu hình cần máy chủ cấp dấu thời gian."),
    "trust_required": _l("Mức ký đã cấu hình cần danh sách chứng thư gốc tin cậy."),
    "level_unsupported": _l("Mức chữ ký đã cấu hình không được hỗ trợ."),
    "field_exists": _l("Ô chữ ký đã được ký."),
    "field_missing": _l("Không tìm thấy ô chữ ký."),
    "signing_failed": _l("Ký số không thành công."),
    "signing_error": _l("Ký số không thành công."),
    "remote_signing_failed": _l("Dịch vụ ký số từ xa không thực hiện được yêu cầu."),
    "remote_signing_rejected": _l("Yêu cầu ký số từ xa đã bị từ chối."),
    "remote_unknown_credential": _l("Dịch vụ ký số từ xa không có chứng thư này."),
    "remote_no_certificate": _l("Dịch vụ ký số từ xa không trả về chứng thư số."),
    "remote_bad_cms": _l("Dịch vụ ký số từ xa trả về chữ ký không đọc được."),
    "remote_bad_signature": _l("Chữ ký do dịch vụ ký số từ xa trả về không đúng."),
    "remote_wrong_signer": _l("Dịch vụ ký số từ xa đã ký bằng chứng thư khác."),
    "remote_service_unknown": _l("Dịch vụ ký số từ xa chưa được cấu hình."),
    "pkcs11_not_configured": _l("Chưa cấu hình thư viện PKCS#11 cho thiết bị ký số."),
    "not_signer": _l("Bạn không phải người ký của văn bản này."),
    "not_clerk": _l("Chỉ văn thư của cơ quan mới được ký số cơ quan."),
}

# Codes that are a backing service failing rather than bad input: 503, so that clients retry.
_UNAVAILABLE = {"timestamp_failed", "remote_signing_failed", "remote_no_certificate"}


def reason_message(code: str) -> Any:
    return REASON_MESSAGES.get(code) or ERROR_MESSAGES.get(code) or _l(
        "Không xác thực được chữ ký số (mã: %(code)s).", code=code)


def error_message(code: str) -> Any:
    return ERROR_MESSAGES.get(code) or REASON_MESSAGES.get(code) or _l(
        "Ký số không thành công (mã: %(code)s).", code=code)


def to_edoc_error(exc: SigningError, **details: Any) -> EdocError:
    """The library error as the app error a user sees (same code, Vietnamese message)."""
    code = exc.code
    message = error_message(code)
    if code in _UNAVAILABLE:
        return ServiceUnavailable(message, code=code, **details)
    if code == "image_not_png":
        return UnsupportedFileType(message, code=code, **details)
    return ValidationError(message, code=code, **details)
