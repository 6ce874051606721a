"""Duplicate warnings: the same document registered twice is a mistake the clerk must see.

A warning, never a refusal: the same notation may legitimately arrive again (a replacement, a
copy for another unit).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, select

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
    # (ids are positive: -1 stands for a document without one yet, which is not excluded)
    params = {"agency_id": doc.agency_id, "direction": doc.direction,
              "doc_id": -1 if doc.id is None else doc.id}
    if doc.number is not None and doc.notation and doc.document_date:
        # SQLite's upper()/lower() know only ASCII: compare Vietnamese text folded, in Python.
        rows = db.session.execute(_same_number(), {**params, "number": doc.number,
                                                   "document_date": doc.document_date})
        for d in rows:
            if fold(d.notation) != fold(doc.notation):
                continue
            if doc.issuing_agency and d.issuing_agency and \
                    fold(d.issuing_agency) != fold(doc.issuing_agency):
                continue
            found[d.id] = Duplicate(d.id, "same_number_notation_date", d.registration_number,
                                    d.state)
    if sha256:
        # By key, not sha256: the key is the content address and has the unique index.
        for d in db.session.execute(_same_file(), {**params, "key": key_for(sha256)}):
            found.setdefault(d.id, Duplicate(d.id, "same_file", d.registration_number, d.state))
    return list(found.values())


def _others():
    """Other live documents of the agency and direction, the few columns needed (not Document
    entities, each of which would load its files too)."""
    return select(Document.id, Document.notation, Document.issuing_agency,
                  Document.registration_number, Document.state).where(
        Document.agency_id == bindparam("agency_id"),
        Document.direction == bindparam("direction"), Document.id != bindparam("doc_id"),
        Document.state.not_in(("returned", "cancelled")))


# The statements are built once (building and keying one cost more than running it).
@functools.cache
def _same_number():
    return _others().where(Document.number == bindparam("number"),
                           Document.document_date == bindparam("document_date")).limit(50)


@functools.cache
def _same_file():
    return _others().where(Document.id.in_(
        select(DocumentFile.document_id).join(StoredObject)
        .where(StoredObject.key == bindparam("key"), DocumentFile.kind == "original"))
    ).limit(10)


def duplicates_of(doc: Document) -> list[Duplicate]:
    original = doc.current_file("original")
    return find_duplicates(doc, original.sha256 if original else None)
