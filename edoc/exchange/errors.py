"""Reasons the exchange records (stable codes) and their Vietnamese texts.

Codes come from the connector library (``connectors.ENVELOPE_CODES``, transport codes) and from
this package. The log page and the API show :func:`reason_message`; the code stays on the row so
it can be shown in any language later.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.errors import ValidationError

__all__ = ["ExchangeRefused", "Rejected", "reason_message"]


class Rejected(Exception):
    """An incoming message is refused for good: recorded with ``code`` and acknowledged as fail.

    Raised inside the transaction that applies a message; everything it had created is rolled
    back before the refusal is recorded, so nothing is half-created.
    """

    def __init__(self, code: str, message: str = "", **details: Any) -> None:
        self.code = code
        self.message = message or code.replace("_", " ")
        self.details = details
        super().__init__(f"{code}: {self.message}")


class ExchangeRefused(ValidationError):
    """A document may not go over the axis (422)."""

    code = "exchange_refused"


REASONS: dict[str, Any] = {
    # connectors.ENVELOPE_CODES
    "too_large": _l("Gói tin vượt quá dung lượng cho phép."),
    "encoding_unsupported": _l("Gói tin không dùng bảng mã UTF-8."),
    "dtd_forbidden": _l("Gói tin chứa khai báo DTD/thực thể (có thể là tấn công XXE hoặc bom "
                        "thực thể): bị từ chối."),
    "xml_malformed": _l("Gói tin không phải XML hợp lệ."),
    "field_too_large": _l("Một trường của gói tin quá dài."),
    "too_many_elements": _l("Gói tin có quá nhiều phần tử."),
    "wrong_namespace": _l("Gói tin không dùng không gian tên của QCVN 102:2016/BTTTT."),
    "wrong_root": _l("Gói tin không có phần tử gốc edXML."),
    "missing_field": _l("Gói tin thiếu trường bắt buộc."),
    "invalid_value": _l("Gói tin có giá trị không hợp lệ."),
    "schema_invalid": _l("Gói tin không đúng cấu trúc edXML."),
    "attachment_mismatch": _l("Danh sách tệp đính kèm không khớp với phần mã hóa."),
    "too_many_attachments": _l("Gói tin có quá nhiều tệp đính kèm."),
    "attachment_base64_invalid": _l("Tệp đính kèm mã hóa base64 bị hỏng."),
    "attachment_zip_invalid": _l("Tệp đính kèm nén ZIP bị hỏng hoặc không đúng quy cách."),
    "attachment_too_large": _l("Tệp đính kèm vượt quá dung lượng cho phép."),
    "attachment_zip_bomb": _l("Tệp đính kèm nén có tỉ lệ giải nén bất thường (bom ZIP)."),
    "signature_missing": _l("Gói tin thiếu chữ ký số XML."),
    "signature_invalid": _l("Chữ ký số XML của gói tin không hợp lệ."),
    "already_signed": _l("Gói tin đã có chữ ký số XML."),
    # this package
    "not_addressed_to_us": _l("Gói tin không gửi đến cơ quan này."),
    "sender_mismatch": _l("Cơ quan gửi trong gói tin khác cơ quan gửi trên trục."),
    "unknown_document": _l("Không tìm thấy văn bản mà gói tin nhắc đến."),
    "no_attachment": _l("Gói tin văn bản không có tệp đính kèm."),
    "attachment_refused": _l("Tệp văn bản đính kèm không hợp lệ."),
    "message_type_mismatch": _l("Loại gói tin khác loại khai báo trên trục."),
    "too_many_attempts": _l("Xử lý gói tin thất bại nhiều lần."),
    "confidential": _l("Văn bản có độ mật không được gửi qua trục liên thông văn bản."),
    "no_credentials": _l("Cơ quan chưa được cấu hình tài khoản kết nối trục liên thông."),
    "axis_not_configured": _l("Chưa cấu hình địa chỉ trục liên thông (AXIS_URL)."),
    "connection_failed": _l("Không kết nối được trục liên thông."),
    "server_error": _l("Trục liên thông đang gặp sự cố."),
    "bad_response": _l("Trục liên thông trả lời không hợp lệ."),
    "unknown_receiver": _l("Cơ quan nhận chưa đăng ký trên trục liên thông."),
    "no_original_message": _l("Không tìm thấy gói tin gốc của văn bản."),
    "no_file": _l("Văn bản chưa có tệp đã ký số để gửi."),
    "internal_error": _l("Lỗi hệ thống khi xử lý gói tin."),
}


def reason_message(code: str, fallback: str = "") -> str:
    text = REASONS.get(code)
    if text is not None:
        return str(text)
    return fallback or code
