"""Which index entries a user may see: the owning module's own visibility rule, in SQL.

Documents: :func:`edoc.documents.visibility.visible_clause` itself, with its ``documents``
columns replaced by the entry's copies of them (agency, direction, state, confidentiality, the
drafter, signer, creator and addressee; the entry's ``object_id`` for ``documents.id``, so the
rule's own subqueries on assignments and review steps still run against the live tables). The
copies are kept in step by the indexer in the same transaction. Reading the rule rather than
restating it means search can never show a document its page would refuse; and if the rule
starts to read a column the entry does not mirror, building the query fails loudly
(:class:`UnmirroredColumn`) instead of guessing. Mirroring is what keeps a candidate cheap: a
visit to the documents row for each of a thousand candidates was the largest cost of a query
on a million documents.

Records go through the records module's own list query
(:func:`edoc.records.services.list_records`) as a correlated EXISTS.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, and_, exists, false, or_, select
from sqlalchemy.sql import visitors

from edoc.search.entries import DOCUMENT, DOCUMENT_PEOPLE_FIELDS, RECORD
from edoc.search.models import SearchEntry

__all__ = ["UnmirroredColumn", "entry_visible_clause", "record_visible_clause"]

#: documents column -> search_entries column holding the same value for document entries
MIRRORED = {"id": "object_id", "agency_id": "agency_id", "direction": "direction",
            "state": "state", "confidentiality": "confidentiality",
            **{f: f for f in DOCUMENT_PEOPLE_FIELDS}}


class UnmirroredColumn(RuntimeError):
    """The documents visibility rule reads a column the search index does not mirror."""


def records_available() -> bool:
    """Records are searchable once the records module is installed and its table exists."""
    from edoc.search.indexer import records_installed

    return records_installed()


def document_part(user: Any):
    from edoc.documents.models import Document
    from edoc.documents.visibility import visible_clause

    documents, entries = Document.__table__, SearchEntry.__table__

    def mirror(element: Any) -> Any:
        if isinstance(element, Column) and element.table is documents:
            name = MIRRORED.get(element.key)
            if name is None:
                raise UnmirroredColumn(
                    f"documents.{element.key} is read by the visibility rule but not mirrored "
                    "in search_entries: add it to edoc.search (entries, models, access)")
            return entries.c[name]
        return None

    rule = visitors.replacement_traverse(visible_clause(user), {}, mirror)
    return and_(SearchEntry.kind == DOCUMENT, rule)


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


class _Viewer:
    """What the visibility rules may read of a user, and nothing else.

    The rules are built for this stand-in, so the clause depends on these values only and can
    be kept (:func:`entry_visible_clause`); a rule that starts to read anything else fails
    here (AttributeError) instead of being served a clause built for another user.
    """

    __slots__ = ("agency_id", "id", "roles", "unit_id")

    def __init__(self, user: Any) -> None:
        self.id, self.agency_id, self.unit_id = user.id, user.agency_id, user.unit_id
        self.roles = frozenset(user.roles)

    def key(self) -> tuple:
        return (self.id, self.agency_id, self.unit_id, tuple(sorted(self.roles)))

    def has_role(self, *roles: Any) -> bool:
        return bool(self.roles.intersection(roles))


#: built clauses by viewer and kinds: building one (the documents rule rewritten onto the
#: entry's columns, the records rule) cost more CPU than running a typical search's SQL
_CLAUSES: dict[tuple, Any] = {}
_CLAUSES_MAX = 512


def entry_visible_clause(user: Any, kinds: tuple[str, ...]):
    """Entries of ``kinds`` that ``user`` may see; always limited to the user's agency."""
    if not getattr(user, "agency_id", None):
        return false()
    from edoc.documents import visibility

    viewer = _Viewer(user)
    records = records_available()
    # The rules themselves are part of the key: a rule replaced at run time (tests do) is
    # never answered with a clause built from the one before.
    rules = (visibility.visible_clause, _records_rule() if records else None)
    key = (viewer.key(), kinds, rules)
    clause = _CLAUSES.get(key)
    if clause is None:
        if len(_CLAUSES) >= _CLAUSES_MAX:
            _CLAUSES.clear()
        clause = _CLAUSES[key] = _build_clause(viewer, kinds)
    return clause


def _records_rule() -> Any:
    from edoc.records import services

    return services.list_records


def _build_clause(user: Any, kinds: tuple[str, ...]):
    parts = []
    if DOCUMENT in kinds:
        parts.append(document_part(user))
    if RECORD in kinds and records_available():
        parts.append(record_part(user))
    if not parts:
        return false()
    return and_(SearchEntry.agency_id == user.agency_id,
                parts[0] if len(parts) == 1 else or_(*parts))
