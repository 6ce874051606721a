"""Duplicate warnings: the same document registered twice is a mistake the clerk must see.

A warning, never a refusal: the same notation may legitimately arrive again (a replacement, a
copy for another unit).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from edoc.documents.models import Document, DocumentFile
from edoc.extensions import db
from edoc.search.text import fold
from edoc.storage.base import key_for
from edoc.storage.models import StoredObject


@dataclass(frozen=True)
class Duplicate:
    document_id: int
    reason: str  # same_file | same_number_notation_date
    registration_number: int | None
    state: str


def find_duplicates(doc: Document, sha256: str | None = None) -> list[Duplicate]:
    """Other live documents with the same number, notation and date (and issuing agency), or
    with ``sha256`` as their original file. Pass no ``sha256`` when the file's bytes were first
    stored in this transaction: then no other document can have them."""
    found: dict[int, Duplicate] = {}
    # The few columns needed, not Document entities (each would load its files too).
    base = select(Document.id, Document.notation, Document.issuing_agency,
                  Document.registration_number, Document.state).where(
        Document.agency_id == doc.agency_id, Document.direction == doc.direction,
        Document.id != doc.id, Document.state.not_in(("returned", "cancelled")))
    if doc.number is not None and doc.notation and doc.document_date:
        # SQLite's upper()/lower() know only ASCII: compare Vietnamese text folded, in Python.
        stmt = base.where(Document.number == doc.number,
                          Document.document_date == doc.document_date)
        for d in db.session.execute(stmt.limit(50)):
            if fold(d.notation) != fold(doc.notation):
                continue
            if doc.issuing_agency and d.issuing_agency and \
                    fold(d.issuing_agency) != fold(doc.issuing_agency):
                continue
            found[d.id] = Duplicate(d.id, "same_number_notation_date", d.registration_number,
                                    d.state)
    if sha256:
        # By key, not sha256: the key is the content address and has the unique index.
        stmt = base.where(Document.id.in_(
            select(DocumentFile.document_id).join(StoredObject)
            .where(StoredObject.key == key_for(sha256), DocumentFile.kind == "original")))
        for d in db.session.execute(stmt.limit(10)):
            found.setdefault(d.id, Duplicate(d.id, "same_file", d.registration_number, d.state))
    return list(found.values())


def duplicates_of(doc: Document) -> list[Duplicate]:
    original = doc.current_file("original")
    return find_duplicates(doc, original.sha256 if original else None)
