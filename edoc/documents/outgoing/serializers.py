"""The JSON of an outgoing document: the common document shape plus review, comments, files."""
from __future__ import annotations

from typing import Any

from edoc.documents.models import Comment, Document, FileKind, ReviewStep
from edoc.documents.serializers import delivery_json, document_json, file_json

__all__ = ["comment_json", "delivery_json", "outgoing_json", "step_json"]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def step_json(s: ReviewStep) -> dict[str, Any]:
    return {"id": s.id, "round": s.round, "position": s.position, "reviewer_id": s.reviewer_id,
            "reviewer": s.reviewer.full_name if s.reviewer else None, "decision": s.decision,
            "decided_at": _iso(s.decided_at), "comment": s.comment}


def comment_json(c: Comment) -> dict[str, Any]:
    return {"id": c.id, "author_id": c.author_id,
            "author": c.author.full_name if c.author else None, "at": _iso(c.at), "body": c.body,
            "file_revision": c.file_revision}


def outgoing_json(doc: Document, *, detail: bool = False, **extra: Any) -> dict[str, Any]:
    data = {"capacity_holder": doc.capacity_holder, "drafter_notation": doc.drafter_notation,
            "rendition_status": doc.rendition_status, "generated": doc.draft_inputs is not None,
            "registration_year": doc.registration_year}
    if detail:
        from edoc.documents.outgoing.review import all_steps, comments, current_round, current_step

        steps = all_steps(doc)
        current = current_step(doc, [s for s in steps if s.round == current_round(doc)])
        draft = doc.current_file(FileKind.DRAFT)
        data.update({
            "draft_inputs": doc.draft_inputs,
            "draft_file": file_json(draft) if draft else None,
            "appendices": [file_json(f) for f in doc.files if f.kind == FileKind.APPENDIX],
            "review": {"round": current_round(doc),
                       "current_reviewer_id": current.reviewer_id if current else None,
                       "steps": [step_json(s) for s in steps]},
            "comments": [comment_json(c) for c in comments(doc)],
        })
    data.update(extra)
    return document_json(doc, extra=data)
