"""The roles a user can hold inside an agency."""
from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    CLERK = "clerk"          # văn thư
    OFFICER = "officer"      # chuyên viên
    LEADER = "leader"        # lãnh đạo
    ARCHIVIST = "archivist"  # lưu trữ
    ADMIN = "admin"          # quản trị


ROLE_LABELS = {
    Role.CLERK: _l("Văn thư"),
    Role.OFFICER: _l("Chuyên viên"),
    Role.LEADER: _l("Lãnh đạo"),
    Role.ARCHIVIST: _l("Lưu trữ"),
    Role.ADMIN: _l("Quản trị"),
}
