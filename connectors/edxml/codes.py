"""Code tables of QCVN 102:2016 messages (vn-standards.md §1.5, §1.9, §2.4).

Confidence marks follow the spec: P = read in the official SDK samples, S = secondary source,
U = inference. The status table is data so that an operator can replace or extend it through
``EdxmlConfig.status_codes`` (codes 07-12 and 14 are not documented anywhere we could read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType

__all__ = [
    "BUSINESS_TYPE_INFO",
    "DEFAULT_STATUS_CODES",
    "BusinessType",
    "BusinessTypeInfo",
    "Priority",
    "ReceiverType",
    "StatusCode",
    "StatusCodeInfo",
    "SteeringType",
]


class BusinessType(IntEnum):
    """``Bussiness/BussinessDocType`` (P)."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


@dataclass(frozen=True, slots=True)
class BusinessTypeInfo:
    value: BusinessType
    key: str
    en: str
    vi: str  # the SDK's default BussinessDocReason text (protocol content)


BUSINESS_TYPE_INFO: Mapping[BusinessType, BusinessTypeInfo] = MappingProxyType(
    {
        BusinessType.NEW: BusinessTypeInfo(
            BusinessType.NEW, "new", "New electronic document", "Văn bản điện tử mới"
        ),
        BusinessType.REVOKE: BusinessTypeInfo(
            BusinessType.REVOKE,
            "revoke",
            "Revoke an electronic document",
            "Thu hồi văn bản điện tử",
        ),
        BusinessType.UPDATE: BusinessTypeInfo(
            BusinessType.UPDATE,
            "update",
            "Update an electronic document",
            "Cập nhật văn bản điện tử",
        ),
        BusinessType.REPLACE: BusinessTypeInfo(
            BusinessType.REPLACE, "replace", "Replacement document", "Văn bản thay thế"
        ),
    }
)


class Priority(IntEnum):
    """``OtherInfo/Priority`` (S): Decree 30 knows only three urgency levels, edXML five."""

    NORMAL = 0  # thường
    URGENT = 1  # khẩn
    VERY_URGENT = 2  # thượng khẩn
    EXPRESS = 3  # hỏa tốc
    EXPRESS_TIMED = 4  # hỏa tốc hẹn giờ


class SteeringType(IntEnum):
    """``SteeringType`` (S); VPCP samples always send 1."""

    NOT_DIRECTIVE = 1
    DIRECTIVE = 2
    DIRECTIVE_REPORT = 3


class ReceiverType(IntEnum):
    """``Receiver/ReceiverType`` in an update (S)."""

    REMOVED = 0
    ADDED = 1


class StatusCode(StrEnum):
    """The status codes seen in the official SDK samples (P)."""

    ARRIVED = "01"
    RETURNED = "02"
    REGISTERED = "03"
    ASSIGNED = "04"
    IN_PROGRESS = "05"
    DONE = "06"
    TAKE_BACK_REQUESTED = "13"
    CHANGE_ACCEPTED = "15"
    CHANGE_REFUSED = "16"


@dataclass(frozen=True, slots=True)
class StatusCodeInfo:
    code: str
    key: str
    en: str
    vi: str  # default Description text (protocol content, sent to the other agency)
    confidence: str = "P"
    requires_reason: bool = False  # Description must carry a reason (return, take-back, refusal)


DEFAULT_STATUS_CODES: Mapping[str, StatusCodeInfo] = MappingProxyType(
    {
        "01": StatusCodeInfo(
            "01",
            "arrived",
            "Arrived: received by the software, not yet handled by the clerk",
            "Đã đến",
        ),
        "02": StatusCodeInfo(
            "02",
            "returned",
            "Returned: the clerk refused to accept the document",
            "Từ chối tiếp nhận",
            requires_reason=True,
        ),
        "03": StatusCodeInfo(
            "03",
            "registered",
            "Registered in the incoming register",
            "Đã tiếp nhận, vào sổ văn bản đến",
        ),
        "04": StatusCodeInfo("04", "assigned", "A leader assigned the handling", "Phân công xử lý"),
        "05": StatusCodeInfo("05", "in_progress", "Being handled", "Đang xử lý văn bản đến"),
        "06": StatusCodeInfo("06", "done", "Handling finished", "Hoàn thành xử lý"),
        "13": StatusCodeInfo(
            "13",
            "take_back_requested",
            "The sender requests to take the document back",
            "Yêu cầu lấy lại văn bản điện tử",
            requires_reason=True,
        ),
        "15": StatusCodeInfo(
            "15",
            "change_accepted",
            "The update / take-back request is accepted",
            "Đồng ý yêu cầu lấy lại/cập nhật văn bản",
        ),
        "16": StatusCodeInfo(
            "16",
            "change_refused",
            "The update / take-back request is refused",
            "Từ chối yêu cầu lấy lại/cập nhật văn bản",
            requires_reason=True,
        ),
    }
)
