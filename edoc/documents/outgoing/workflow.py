"""Serialising changes to one document, and moving it through the transition table.

Every outgoing action first re-reads its document with ``SELECT ... FOR UPDATE`` (PostgreSQL; a
SQLite transaction already holds the write lock from its start). Two clerks issuing the same
document, or a reviewer's double click, then run one after the other: the second sees the state
the first left and gets a clear 409 from the transition table, instead of both doing the work
and one failing only at commit.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from edoc.documents.events import touch, transition
from edoc.documents.models import Document
from edoc.extensions import db


def lock(doc: Document) -> Document:
    """Lock the row and refresh ``doc`` with what is committed now."""
    db.session.flush()
    db.session.scalars(select(Document).where(Document.id == doc.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    return doc


def move(doc: Document, action: str, actor: Any, **kwargs: Any) -> str:
    """``transition`` that always bumps ``version_id``, even when the state stays the same
    (another approval, a new draft file): every action makes the pages showing the old version
    stale."""
    state = transition(doc, action, actor, **kwargs)
    touch(doc)
    return state
