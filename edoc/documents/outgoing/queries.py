"""The outgoing list (filters shared with the incoming list) and each role's work boxes."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import aliased, lazyload

from edoc.documents.models import Document, ReviewStep
from edoc.documents.outgoing import permissions as can
from edoc.documents.queries import Filters, count, document_list
from edoc.errors import ValidationError
from edoc.i18n import local_today

#: box key → (label, states); the rest of the condition is in :func:`box_clause`
BOXES: dict[str, Any] = {
    "to_review": _l("Chờ tôi duyệt"),
    "to_sign": _l("Chờ ký"),
    "to_issue": _l("Chờ cấp số"),
    "to_seal": _l("Chờ ký số cơ quan"),
    "to_dispatch": _l("Chờ phát hành"),
    "my_drafts": _l("Dự thảo của tôi"),
}


def _my_turn(user: Any):
    """The first pending step of the document's review is the user's."""
    earlier = aliased(ReviewStep)
    return exists(select(ReviewStep.id).where(
        ReviewStep.document_id == Document.id, ReviewStep.reviewer_id == user.id,
        ReviewStep.decision == "pending",
        # correlated to the step (not to Document, which would be two levels up)
        ~exists(select(earlier.id).where(earlier.document_id == ReviewStep.document_id,
                                         earlier.decision == "pending",
                                         earlier.position < ReviewStep.position))))


def box_clause(user: Any, box: str):
    if box == "to_review":
        return and_(Document.state == "in_review", _my_turn(user))
    if box == "to_sign":
        return and_(Document.state == "approved", Document.signer_id == user.id)
    if box == "to_issue":
        return Document.state == "signed"
    if box == "to_seal":
        return Document.state == "issued"
    if box == "to_dispatch":
        return Document.state == "sealed"
    if box == "my_drafts":
        return and_(Document.drafter_id == user.id,
                    Document.state.in_(("draft", "in_review", "approved")))
    raise ValidationError(_l("Hộp văn bản không hợp lệ."), code="invalid_field", field="box")


def boxes_for(user: Any) -> list[str]:
    """The boxes that make sense for the user's roles."""
    out = []
    if can.can_draft(user):
        out.append("my_drafts")
    out.append("to_review")
    if can.is_leader(user):
        out.append("to_sign")
    if can.is_clerk(user):
        out += ["to_issue", "to_seal", "to_dispatch"]
    return out


def outgoing_list(user: Any, args: Any) -> tuple[Select, Filters]:
    """The visible outgoing documents matching the request's filters, newest first.

    Ordered by creation time (then id) rather than by id alone: the (agency, direction,
    created_at) index then yields the first page without sorting the whole agency's documents.
    """
    f = Filters.from_args(args)
    stmt = document_list(user, "outgoing", dataclasses.replace(f, box=None), today=local_today())
    if f.box:
        stmt = stmt.where(box_clause(user, f.box))
    return stmt.order_by(None).order_by(Document.created_at.desc(), Document.id.desc()), f


@dataclass(frozen=True)
class ListPage:
    documents: list[Document]
    #: how many documents were counted (no more than the window)
    counted: int
    #: whether there are more documents than were counted
    more: bool


def list_page(stmt: Select, *, page: int, per_page: int, pages_ahead: int) -> ListPage:
    """One page of a document list, and how many documents follow, up to ``pages_ahead`` pages.

    An exact total would mean reading every visible row of the agency (100,000 and more after a
    few years) on every view. Instead one narrow query takes the ids in list order up to the end
    of the window: the first rows come straight from the (agency, direction, created_at) index,
    and a rare filter costs one scan, not one for the count and one for the page.
    """
    from edoc.extensions import db

    window = (page + pages_ahead) * per_page
    ids = list(db.session.scalars(stmt.with_only_columns(Document.id).limit(window + 1)))
    wanted = ids[(page - 1) * per_page:page * per_page]
    by_id = {d.id: d for d in db.session.scalars(
        select(Document).where(Document.id.in_(wanted))
        # The list shows no files: do not load them (the relationship loads eagerly).
        .options(lazyload(Document.files)))} if wanted else {}
    return ListPage(documents=[by_id[i] for i in wanted], counted=min(len(ids), window),
                    more=len(ids) > window)


def box_counts(user: Any) -> dict[str, int]:
    """The size of each of the user's work boxes (home page panels)."""
    return {box: count(select(Document.id).where(
        Document.agency_id == user.agency_id, Document.direction == "outgoing",
        box_clause(user, box))) for box in boxes_for(user)}
