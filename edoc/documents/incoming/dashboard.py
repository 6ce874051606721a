"""Home-page panels for incoming work, per role."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.auth.roles import Role
from edoc.documents.queries import Filters, count, document_list
from edoc.i18n import local_today
from edoc.web.dashboard import Panel


def panels(user: Any) -> list[Panel]:
    today = local_today()

    def n(**kw) -> int:
        return count(document_list(user, "incoming", Filters(**kw), today=today))

    out: list[Panel] = []
    if user.has_role(Role.CLERK):
        out.append(Panel(_l("Văn bản đến chờ vào sổ"), n(box="to_register"), "incoming.index",
                         {"box": "to_register"}, tone="warning"))
    if user.has_role(Role.LEADER):
        out.append(Panel(_l("Văn bản chờ phân công"), n(box="to_assign"), "incoming.index",
                         {"box": "to_assign"}, tone="warning"))
    if user.has_role(Role.OFFICER, Role.LEADER, Role.CLERK):
        out.append(Panel(_l("Văn bản tôi cần xử lý"), n(box="mine"), "incoming.index",
                         {"box": "mine"}))
    out.append(Panel(_l("Văn bản quá hạn"), n(overdue=True), "incoming.index",
                     {"overdue": "1"}, tone="danger"))
    out.append(Panel(_l("Sắp đến hạn (3 ngày)"), n(due_soon=True), "incoming.index",
                     {"due_soon": "1"}, tone="info"))
    return out
