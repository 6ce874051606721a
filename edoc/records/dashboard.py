"""Home-page panels for records and the archive, per role."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from edoc.extensions import db
from edoc.records import permissions as perm
from edoc.records.archive_models import AccessRequest, Disposal
from edoc.records.models import Record
from edoc.records.states import RecordState
from edoc.web.dashboard import Panel


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def panels(user: Any) -> list[Panel]:
    out: list[Panel] = []
    if not user.has_role("clerk", "officer", "leader", "archivist"):
        return out
    mine = select(Record.id).where(Record.agency_id == user.agency_id,
                                   Record.creator_id == user.id,
                                   Record.state == RecordState.OPEN)
    out.append(Panel(_l("Hồ sơ tôi đang lập"), _count(mine), "records.index",
                     {"state": "open", "mine": "1"}))
    if perm.is_archivist(user):
        waiting = select(Record.id).where(Record.agency_id == user.agency_id,
                                          Record.state == RecordState.TRANSFERRED)
        out.append(Panel(_l("Hồ sơ chờ tiếp nhận lưu trữ"), _count(waiting), "archive.inbox",
                         tone="warning"))
        requests = select(AccessRequest.id).where(AccessRequest.agency_id == user.agency_id,
                                                  AccessRequest.state == "pending")
        out.append(Panel(_l("Yêu cầu khai thác chờ duyệt"), _count(requests),
                         "archive.access_requests", {"state": "pending"}, tone="info"))
        from edoc.records.disposal import count_eligible
        from edoc.records.fixity import latest_run

        out.append(Panel(_l("Hồ sơ hết thời hạn bảo quản"), count_eligible(user.agency_id),
                         "archive.disposals", tone="secondary"))
        run = latest_run()
        problems = 0
        if run is not None:
            problems = sum(1 for p in run.problems if user.agency_id in (p.agency_ids or []))
        out.append(Panel(_l("Lỗi toàn vẹn (lần kiểm tra gần nhất)"), problems, "archive.fixity",
                         tone="danger" if problems else "success",
                         hint=_l("Chưa chạy kiểm tra") if run is None else ""))
    if perm.can_approve_disposal(user):
        pending = select(Disposal.id).where(Disposal.agency_id == user.agency_id,
                                            Disposal.state == "proposed")
        out.append(Panel(_l("Đề nghị tiêu hủy chờ phê duyệt"), _count(pending),
                         "archive.disposals", tone="warning"))
    return out
