"""Who may see a document, as a predicate and as the equivalent SQL filter.

Within their agency, clerks and leaders see every document except other people's unsubmitted
drafts. Other staff see ordinary incoming documents and issued outgoing ones (an office works in
the open), and otherwise only what they are involved in: assigned (personally or through their
unit), drafting, reviewing, signing. Confidential documents (mật, tối mật, tuyệt mật) are thus
seen only by clerks, leaders and the people involved. Other agencies' documents are never visible.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, or_, select

from edoc.auth.roles import Role
from edoc.documents.models import Assignment, AssignmentParty, Document, ReviewStep

PRIVILEGED = (Role.CLERK, Role.LEADER)


def _involved_clause(user: Any):
    party = exists(select(AssignmentParty.id).join(Assignment).where(
        Assignment.document_id == Document.id,
        or_(AssignmentParty.user_id == user.id,
            and_(AssignmentParty.unit_id.is_not(None), AssignmentParty.unit_id == user.unit_id))))
    reviewer = exists(select(ReviewStep.id).where(ReviewStep.document_id == Document.id,
                                                  ReviewStep.reviewer_id == user.id))
    return or_(Document.drafter_id == user.id, Document.signer_id == user.id,
               Document.created_by_id == user.id, Document.submitted_to_id == user.id,
               party, reviewer)


def visible_clause(user: Any):
    """SQL condition: documents ``user`` may see."""
    same_agency = Document.agency_id == user.agency_id
    if user.has_role(*PRIVILEGED):
        drafts_ok = or_(Document.state != "draft", _involved_clause(user))
        return and_(same_agency, drafts_ok)
    # Ordinary staff see ordinary incoming documents, and outgoing ones once they are issued;
    # drafts and documents under review stay with the people working on them.
    ordinary = and_(Document.confidentiality == "thuong",
                    or_(Document.direction == "incoming",
                        Document.state.in_(("issued", "sealed", "dispatched", "revoked"))))
    return and_(same_agency, or_(ordinary, _involved_clause(user))) if user.agency_id else false()


def can_view(user: Any, doc: Document) -> bool:
    from edoc.extensions import db

    if doc.agency_id != user.agency_id:
        return False
    stmt = select(Document.id).where(Document.id == doc.id, visible_clause(user))
    return db.session.scalar(stmt) is not None


def get_visible(user: Any, doc_id: int, *, direction: str | None = None,
                for_update: bool = False) -> Document:
    """The document if ``user`` may see it, else NotFound (never 403: no existence leaks)."""
    from edoc.errors import NotFound
    from edoc.extensions import db

    stmt = select(Document).where(Document.id == doc_id, visible_clause(user))
    if direction:
        stmt = stmt.where(Document.direction == direction)
    doc = db.session.scalar(stmt)
    if doc is None:
        raise NotFound()
    return doc
