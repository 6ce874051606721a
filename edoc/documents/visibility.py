"""Who may see a document, as a predicate and as the equivalent SQL filter.

Within their agency, clerks and leaders see every document except other people's unsubmitted
drafts. Other staff see ordinary incoming documents and issued outgoing ones (an office works in
the open), and otherwise only what they are involved in: assigned (personally or through their
unit), drafting, reviewing, signing. Confidential documents (mật, tối mật, tuyệt mật) are thus
seen only by clerks, leaders and the people involved. Other agencies' documents are never visible.

Other modules narrow the rule for their own reasons through :func:`add_visibility_rule` (the
archive: documents filed in an archived record are the archivist's, others go through an access
request). The narrowing is part of :func:`visible_clause` itself, so lists, pages, file
downloads, the API and search (which reads this rule) all agree.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import and_, exists, false, or_, select

from edoc.auth.roles import Role
from edoc.documents.models import Assignment, AssignmentParty, Document, ReviewStep

PRIVILEGED = (Role.CLERK, Role.LEADER)

_RULES_KEY = "edoc.documents.visibility_rules"


def add_visibility_rule(app: Flask, rule: Callable[[Any], Any]) -> None:
    """Register ``rule(user) -> SQL condition over documents`` that every visible document
    must also meet (ANDed into :func:`visible_clause`). A rule may read only ``documents``
    columns and correlated subqueries on other tables (search mirrors the columns it reads)."""
    rules: list = app.extensions.setdefault(_RULES_KEY, [])
    if rule not in rules:
        rules.append(rule)


def _extra_rules(user: Any) -> list[Any]:
    if not has_app_context():
        return []
    return [rule(user) for rule in current_app.extensions.get(_RULES_KEY, ())]


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
    if not user.agency_id:
        return false()
    same_agency = Document.agency_id == user.agency_id
    if user.has_role(*PRIVILEGED):
        seen = or_(Document.state != "draft", _involved_clause(user))
    else:
        # Ordinary staff see ordinary incoming documents, and outgoing ones once they are
        # issued; drafts and documents under review stay with the people working on them.
        ordinary = and_(Document.confidentiality == "thuong",
                        or_(Document.direction == "incoming",
                            Document.state.in_(("issued", "sealed", "dispatched", "revoked"))))
        seen = or_(ordinary, _involved_clause(user))
    return and_(same_agency, seen, *_extra_rules(user))


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
