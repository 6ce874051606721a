"""Which index entries a user may see: the owning module's own visibility rule, in SQL.

Documents go through :func:`edoc.documents.visibility.visible_clause` itself (a correlated
EXISTS on the document row), so search can never show a document its page would refuse.
Records go through the records module's own list query
(:func:`edoc.records.services.list_records`).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, or_, select

from edoc.search.entries import DOCUMENT, RECORD
from edoc.search.models import SearchEntry

__all__ = ["entry_visible_clause", "record_visible_clause"]


def records_available() -> bool:
    """Records are searchable once the records module is installed and its table exists."""
    from edoc.search.indexer import records_installed

    return records_installed()


def document_part(user: Any):
    from edoc.documents.models import Document
    from edoc.documents.visibility import visible_clause

    return and_(SearchEntry.kind == DOCUMENT,
                exists(select(Document.id).where(Document.id == SearchEntry.object_id,
                                                 visible_clause(user))))


def record_visible_clause(user: Any):
    """SQL condition over ``Record``: the records ``user`` may see, as the records module's own
    list (:func:`edoc.records.services.list_records`) decides."""
    from edoc.records.services import list_records

    if not user.agency_id:
        return false()
    return list_records(user).whereclause


def record_part(user: Any):
    from edoc.search.indexer import record_model

    Record = record_model()
    return and_(SearchEntry.kind == RECORD,
                exists(select(Record.id).where(Record.id == SearchEntry.object_id,
                                               record_visible_clause(user))))


def entry_visible_clause(user: Any, kinds: tuple[str, ...]):
    """Entries of ``kinds`` that ``user`` may see; always limited to the user's agency."""
    if not getattr(user, "agency_id", None):
        return false()
    parts = []
    if DOCUMENT in kinds:
        parts.append(document_part(user))
    if RECORD in kinds and records_available():
        parts.append(record_part(user))
    if not parts:
        return false()
    return and_(SearchEntry.agency_id == user.agency_id,
                parts[0] if len(parts) == 1 else or_(*parts))
