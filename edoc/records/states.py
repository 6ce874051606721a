"""The record state machine as a pure transition table (DESIGN.md rule 3)."""
from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from edoc.errors import InvalidTransition

__all__ = [
    "FROZEN_STATES",
    "STATE_LABELS",
    "STATE_TONES",
    "TRANSITIONS",
    "RecordAction",
    "RecordState",
    "next_state",
]


class RecordState(StrEnum):
    OPEN = "open"                # documents are being filed
    CLOSED = "closed"            # finished (kết thúc hồ sơ)
    TRANSFERRED = "transferred"  # handed to the archive, waiting for the archivist
    ARCHIVED = "archived"        # accepted: files locked, metadata frozen
    DISPOSED = "disposed"        # files destroyed by an approved decision; metadata kept


class RecordAction(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    REJECT = "reject"
    DISPOSE = "dispose"


TRANSITIONS: dict[tuple[str, str], str] = {
    (RecordState.OPEN, RecordAction.CLOSE): RecordState.CLOSED,
    (RecordState.CLOSED, RecordAction.REOPEN): RecordState.OPEN,
    (RecordState.CLOSED, RecordAction.TRANSFER): RecordState.TRANSFERRED,
    (RecordState.TRANSFERRED, RecordAction.ACCEPT): RecordState.ARCHIVED,
    (RecordState.TRANSFERRED, RecordAction.REJECT): RecordState.CLOSED,
    (RecordState.ARCHIVED, RecordAction.DISPOSE): RecordState.DISPOSED,
}

#: states in which the record and its documents can no longer change (changes are audited)
FROZEN_STATES = frozenset({RecordState.ARCHIVED, RecordState.DISPOSED})

STATE_LABELS = {
    RecordState.OPEN: _l("Đang lập"),
    RecordState.CLOSED: _l("Đã kết thúc"),
    RecordState.TRANSFERRED: _l("Chờ tiếp nhận lưu trữ"),
    RecordState.ARCHIVED: _l("Đã lưu trữ"),
    RecordState.DISPOSED: _l("Đã tiêu hủy"),
}

STATE_TONES = {
    RecordState.OPEN: "primary", RecordState.CLOSED: "secondary",
    RecordState.TRANSFERRED: "warning", RecordState.ARCHIVED: "success",
    RecordState.DISPOSED: "dark",
}

#: why an action is refused in the wrong state: (code, Vietnamese message)
_REFUSALS = {
    RecordAction.CLOSE: ("record_not_open", _l("Chỉ hồ sơ đang lập mới kết thúc được.")),
    RecordAction.REOPEN: ("record_not_closed",
                          _l("Chỉ hồ sơ đã kết thúc (chưa nộp lưu) mới mở lại được.")),
    RecordAction.TRANSFER: ("record_not_closed",
                            _l("Chỉ hồ sơ đã kết thúc mới nộp lưu được. Hãy kết thúc hồ sơ "
                               "trước.")),
    RecordAction.ACCEPT: ("record_not_transferred",
                          _l("Chỉ hồ sơ đang chờ tiếp nhận mới được tiếp nhận vào lưu trữ.")),
    RecordAction.REJECT: ("record_not_transferred",
                          _l("Chỉ hồ sơ đang chờ tiếp nhận mới trả lại được.")),
    RecordAction.DISPOSE: ("record_not_archived", _l("Chỉ hồ sơ đã lưu trữ mới tiêu hủy được.")),
}


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        code, message = _REFUSALS.get(action, ("invalid_transition", None))  # type: ignore[call-overload]
        raise InvalidTransition(message, code=code, state=state, action=action) from None
