"""Review of an outgoing draft: an ordered list of reviewers, each approving in turn.

A submission opens a *round*: one :class:`ReviewStep` per reviewer, in order. The first pending
step is the current one; only its reviewer may approve or return. The last approval makes the
draft ``approved``; a return sends it back to ``draft`` with a comment. Any change to the draft
after that closes the round (its open steps become ``superseded``) and the next submission opens
a new round, so every reviewer approves the new version. Comments form one thread on the
document.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from edoc.auth import permissions as perm
from edoc.auth.models import User
from edoc.db import utcnow
from edoc.documents import notifications
from edoc.documents.events import check_version
from edoc.documents.models import Comment, Document, FileKind, ReviewStep
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing.metadata import as_id_list, users_in_agency
from edoc.documents.outgoing.workflow import lock, move
from edoc.documents.states import OutAction, OutState
from edoc.errors import Conflict, ValidationError
from edoc.extensions import db

MAX_COMMENT = 4000


def current_round(doc: Document) -> int:
    return db.session.scalar(select(func.max(ReviewStep.round)).where(
        ReviewStep.document_id == doc.id)) or 0


def round_steps(doc: Document, round_: int | None = None) -> list[ReviewStep]:
    round_ = current_round(doc) if round_ is None else round_
    return list(db.session.scalars(select(ReviewStep).where(
        ReviewStep.document_id == doc.id, ReviewStep.round == round_)
        .order_by(ReviewStep.position)))


def all_steps(doc: Document) -> list[ReviewStep]:
    return list(db.session.scalars(select(ReviewStep).where(ReviewStep.document_id == doc.id)
                                   .order_by(ReviewStep.round, ReviewStep.position)))


def current_step(doc: Document, steps: list[ReviewStep] | None = None) -> ReviewStep | None:
    """The step whose reviewer decides now (None unless the draft is in review)."""
    if doc.state != OutState.IN_REVIEW:
        return None
    for step in steps if steps is not None else round_steps(doc):
        if step.decision == "pending":
            return step
    return None


def supersede_open_steps(doc: Document) -> None:
    """The draft changed: the current round's pending and approved steps no longer count."""
    for step in round_steps(doc):
        if step.decision in ("pending", "approved"):
            step.decision = "superseded"


def _comment_text(value: Any, *, required: bool) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_l("Ý kiến không hợp lệ."), code="invalid_field", field="comment")
    text = (value or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(_l("Ý kiến không hợp lệ."), code="invalid_field", field="comment")
    if required and not text:
        raise ValidationError(_l("Cần ghi ý kiến khi trả lại dự thảo."), code="comment_required",
                              field="comment")
    return text


def _draft_revision(doc: Document) -> int | None:
    f = doc.current_file(FileKind.DRAFT)
    return f.revision if f else None


def add_comment(doc: Document, actor: User, body: Any) -> Comment:
    text = _comment_text(body, required=True)
    reviewer_ids = {s.reviewer_id for s in all_steps(doc)}
    perm.require(can.can_comment(actor, doc, reviewer_ids))
    c = Comment(document_id=doc.id, author_id=actor.id, body=text,
                file_revision=_draft_revision(doc))
    db.session.add(c)
    db.session.flush()
    return c


def comments(doc: Document) -> list[Comment]:
    return list(db.session.scalars(select(Comment).where(Comment.document_id == doc.id)
                                   .order_by(Comment.at, Comment.id)))


def submit(doc: Document, actor: User, reviewer_ids: Any = None, *,
           expected_version: int | None = None) -> Document:
    """Open a review round. Without ``reviewer_ids`` the previous round's reviewers are reused."""
    lock(doc)
    perm.require(can.can_submit(actor, doc))
    check_version(doc, expected_version)
    ids = as_id_list(reviewer_ids, "reviewer_ids")
    if not ids:
        ids = [s.reviewer_id for s in round_steps(doc)]
    if not ids:
        raise ValidationError(_l("Cần chọn ít nhất một người duyệt."), code="reviewers_required",
                              field="reviewer_ids")
    reviewers = users_in_agency(doc.agency_id, ids, "reviewer_ids")
    if not doc.subject.strip():
        raise ValidationError(_l("Cần nhập trích yếu trước khi trình duyệt."),
                              code="draft_field_missing", field="subject")
    if doc.signer_id is None:
        raise ValidationError(_l("Cần chọn người ký trước khi trình duyệt."),
                              code="draft_field_missing", field="signer_id")
    round_ = current_round(doc) + 1
    move(doc, OutAction.SUBMIT, actor,
         data={"round": round_, "reviewer_ids": [r.id for r in reviewers]})
    for position, reviewer in enumerate(reviewers, start=1):
        db.session.add(ReviewStep(document_id=doc.id, round=round_, position=position,
                                  reviewer_id=reviewer.id))
    notifications.notify([reviewers[0]], doc, "review_requested",
                         _("Dự thảo chờ bạn duyệt: %(s)s", s=doc.subject[:200]))
    db.session.flush()
    return doc


def _my_step(doc: Document, actor: User) -> ReviewStep:
    """The actor's current step, or the precise reason why there is none."""
    steps = round_steps(doc)
    mine = [s for s in steps if s.reviewer_id == actor.id]
    if doc.state != OutState.IN_REVIEW:
        # approving twice, or after the draft moved on: the transition table's 409
        from edoc.documents.states import next_state

        next_state(doc.direction, doc.state, OutAction.APPROVE_STEP)
    if not mine:
        perm.require(False, _l("Bạn không có tên trong danh sách duyệt của dự thảo này."))
    step = current_step(doc, steps)
    if step is None or step.reviewer_id != actor.id:
        if all(s.decision != "pending" for s in mine):
            raise Conflict(_l("Bạn đã cho ý kiến về dự thảo này."), code="already_decided")
        raise Conflict(_l("Chưa đến lượt bạn duyệt dự thảo này."), code="not_your_turn",
                       current_reviewer_id=step.reviewer_id if step else None)
    return step


def approve(doc: Document, actor: User, comment: Any = None, *,
            expected_version: int | None = None) -> Document:
    lock(doc)
    check_version(doc, expected_version)
    step = _my_step(doc, actor)
    text = _comment_text(comment, required=False)
    step.decision, step.decided_at, step.comment = "approved", utcnow(), text
    if text:
        db.session.add(Comment(document_id=doc.id, author_id=actor.id, body=text,
                               file_revision=_draft_revision(doc)))
    db.session.flush()
    following = current_step(doc)
    action = OutAction.APPROVE_STEP if following is not None else OutAction.APPROVE_FINAL
    move(doc, action, actor, note=text,
         data={"round": step.round, "position": step.position})
    if following is not None:
        notifications.notify([following.reviewer], doc, "review_requested",
                             _("Dự thảo chờ bạn duyệt: %(s)s", s=doc.subject[:200]))
    else:
        notifications.notify([doc.signer, doc.drafter], doc, "approved",
                             _("Dự thảo đã được duyệt, chờ ký: %(s)s", s=doc.subject[:200]))
    db.session.flush()
    return doc


def return_draft(doc: Document, actor: User, comment: Any, *,
                 expected_version: int | None = None) -> Document:
    """Send the draft back to the drafter with a comment: the current reviewer during review,
    the signer once it is approved."""
    lock(doc)
    check_version(doc, expected_version)
    text = _comment_text(comment, required=True)
    if doc.state == OutState.APPROVED:
        perm.require(can.can_return_approved(actor, doc))
    else:
        step = _my_step(doc, actor)
        step.decision, step.decided_at, step.comment = "returned", utcnow(), text
    supersede_open_steps(doc)
    db.session.add(Comment(document_id=doc.id, author_id=actor.id, body=text,
                           file_revision=_draft_revision(doc)))
    move(doc, OutAction.RETURN, actor, note=text)
    notifications.notify([doc.drafter], doc, "returned",
                         _("Dự thảo bị trả lại: %(s)s", s=doc.subject[:200]))
    db.session.flush()
    return doc
