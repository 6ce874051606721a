"""Code lists of the TT 05/2025 archival metadata, as data (spec §4.2).

All of these are secondary readings (S) and some conflict between sources; the app may show
them but must not treat them as closed enums. Packages store the code the caller gives.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONFIDENCE_LEVEL_CODES",
    "LANGUAGE_CODES",
    "MODE_CODES",
    "Code",
    "label_for",
]


@dataclass(frozen=True)
class Code:
    code: str
    label: str


# Chế độ sử dụng ([KSSM-SEED], [SIPAIP-NOTES]; [META22] disagrees: 01 Hạn chế, 02 Không hạn chế).
MODE_CODES: tuple[Code, ...] = (
    Code("01", "Công khai"),
    Code("02", "Sử dụng có điều kiện"),
    Code("03", "Mật"),
)

# Mức độ tin cậy ([KSSM-SEED]; [META22] disagrees: 01 Bản chính, 02 Bản sao).
CONFIDENCE_LEVEL_CODES: tuple[Code, ...] = (
    Code("01", "Gốc điện tử"),
    Code("02", "Số hóa"),
    Code("03", "Hỗn hợp"),
)

# Ngôn ngữ ([KSSM-SEED], [SIPAIP-NOTES] agree).
LANGUAGE_CODES: tuple[Code, ...] = (
    Code("01", "Tiếng Việt"),
    Code("02", "Tiếng Anh"),
    Code("03", "Tiếng Pháp"),
    Code("04", "Tiếng Nga"),
    Code("05", "Tiếng Trung"),
    Code("06", "Việt - Anh"),
    Code("07", "Việt - Nga"),
    Code("08", "Việt - Pháp"),
    Code("09", "Hán Nôm"),
    Code("10", "Việt - Trung"),
    Code("11", "Khác"),
)


def label_for(codes: tuple[Code, ...], code: str) -> str | None:
    """Label of ``code`` in a list, or None when the list does not know it."""
    return next((c.label for c in codes if c.code == code), None)
