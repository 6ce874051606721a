"""Reading a search request's arguments (shared by the page and the API)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.errors import ValidationError
from edoc.search.query import SCOPES, SearchFilters

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class SearchRequest:
    q: str
    scope: str
    filters: SearchFilters
    page: int
    per_page: int

    def args(self) -> dict[str, str]:
        """The non-empty arguments, for links to other pages of the same search."""
        f = self.filters
        raw = {"q": self.q, "scope": self.scope if self.scope != "all" else "", "type": f.type,
               "state": f.state, "urgency": f.urgency, "direction": f.direction,
               "from": f.date_from.isoformat() if f.date_from else "",
               "to": f.date_to.isoformat() if f.date_to else ""}
        return {k: v for k, v in raw.items() if v}


def _date(args: Any, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_l("Ngày lọc không hợp lệ."), code="invalid_field",
                              field=name) from None


def _int(args: Any, name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(_l("Tham số phân trang không hợp lệ."),
                              code="bad_pagination") from None


def parse_request(args: Any, *, default_per_page: int = 20) -> SearchRequest:
    scope = (args.get("scope") or "all").strip()
    if scope not in SCOPES:
        raise ValidationError(_l("Phạm vi tìm kiếm không hợp lệ."), code="invalid_field",
                              field="scope")
    direction = (args.get("direction") or "").strip() or None
    if direction not in (None, "incoming", "outgoing"):
        raise ValidationError(_l("Chiều văn bản không hợp lệ."), code="invalid_field",
                              field="direction")
    page = max(1, _int(args, "page", 1))
    per_page = _int(args, "per_page", default_per_page)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(_l("per_page phải từ 1 đến %(n)s.", n=MAX_PER_PAGE),
                              code="bad_pagination")
    filters = SearchFilters(
        type=(args.get("type") or "").strip() or None,
        state=(args.get("state") or "").strip() or None,
        urgency=(args.get("urgency") or "").strip() or None,
        direction=direction, date_from=_date(args, "from"), date_to=_date(args, "to"))
    return SearchRequest(q=(args.get("q") or "").strip(), scope=scope, filters=filters,
                         page=page, per_page=per_page)
