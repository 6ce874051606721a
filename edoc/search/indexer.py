"""Keeping the index in step with the data.

A session hook does it in the same transaction as the change: ``before_flush`` notes which
documents (and records) changed and how, ``after_flush`` writes their entries through the
session's connection, so the index commits or rolls back with the data. A change to the words
(subject, number, notation, issuing agency, type, notes, extracted text) rebuilds the entry; a
change of state, urgency, confidentiality or date only updates those columns.

Writes that bypass the ORM unit of work (``update(Document)`` statements) are not seen; the
columns such statements touch today are not indexed, and ``flask search reindex`` rebuilds
everything from the tables (in batches, committing each, so it can run on a live system).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from edoc.search.backends import backend_for
from edoc.search.entries import (
    DOCUMENT,
    DOCUMENT_ATTR_FIELDS,
    DOCUMENT_FIELDS,
    DOCUMENT_TEXT_FIELDS,
    RECORD,
    RECORD_ATTR_FIELDS,
    RECORD_FIELDS,
    RECORD_TEXT_FIELDS,
    IndexEntry,
    document_entry,
    record_entry,
)
from edoc.search.models import SearchEntry

__all__ = ["index_document", "index_documents", "index_record", "index_records",
           "install_session_hooks", "reindex", "remove"]

logger = logging.getLogger(__name__)

_PENDING = "edoc.search.pending"
_ENABLED = "edoc.search"


def record_model():
    """The records module's Record class when that module is installed in the app (never
    imported otherwise: its models reference tables only that module defines)."""
    if not records_installed():
        return None
    from edoc.records.models import Record

    return Record


def records_installed() -> bool:
    """Whether the records module is installed in the current app (``edoc.records.init_app``)."""
    from flask import current_app, has_app_context

    return has_app_context() and "edoc.records" in current_app.extensions


# --- building entries from the tables -----------------------------------------------------------

def _document_rows(conn: Any, ids: Iterable[int] | None = None, *, after: int = 0,
                   limit: int | None = None):
    from edoc.documents.models import Document, DocumentText

    cols = [getattr(Document, f) for f in DOCUMENT_FIELDS]
    stmt = (select(*cols, DocumentText.content)
            .outerjoin(DocumentText, DocumentText.document_id == Document.id))
    if ids is not None:
        stmt = stmt.where(Document.id.in_(list(ids)))
    else:
        stmt = stmt.where(Document.id > after).order_by(Document.id).limit(limit)
    return conn.execute(stmt).mappings().all()


def _record_rows(conn: Any, ids: Iterable[int] | None = None, *, after: int = 0,
                 limit: int | None = None):
    record = record_model()
    cols = [getattr(record, f) for f in RECORD_FIELDS]
    stmt = select(*cols)
    if ids is not None:
        stmt = stmt.where(record.id.in_(list(ids)))
    else:
        stmt = stmt.where(record.id > after).order_by(record.id).limit(limit)
    return conn.execute(stmt).mappings().all()


def index_documents(conn: Any, ids: Iterable[int], *,
                    inserted: Mapping[int, Mapping[str, Any]] | None = None) -> int:
    """(Re)index these documents from the tables; ids without a row lose their entry.

    ``inserted``: rows of documents inserted in the current flush, id -> their columns and
    ``content``, as the tables now hold them (no need to read them back)."""
    ids = set(ids)
    if not ids:
        return 0
    inserted = inserted or {}
    rows = [*(inserted[i] for i in ids if i in inserted),
            *(_document_rows(conn, ids - inserted.keys()) if ids - inserted.keys() else ())]
    entries = [document_entry(r, r["content"]) for r in rows]
    backend = backend_for(conn)
    backend.write(conn, entries)
    backend.delete(conn, DOCUMENT, ids - {e.object_id for e in entries})
    return len(entries)


def index_records(conn: Any, ids: Iterable[int]) -> int:
    ids = set(ids)
    if not ids or record_model() is None:
        return 0
    rows = _record_rows(conn, ids)
    entries = [record_entry(r) for r in rows]
    backend = backend_for(conn)
    backend.write(conn, entries)
    backend.delete(conn, RECORD, ids - {e.object_id for e in entries})
    return len(entries)


def _connection(conn: Any | None) -> Any:
    if conn is not None:
        return conn
    from edoc.extensions import db

    db.session.flush()
    return db.session.connection()


def index_document(document: Any, *, conn: Any | None = None) -> None:
    """Index one document now (the session hook already does this on every flush)."""
    index_documents(_connection(conn), [document if isinstance(document, int) else document.id])


def index_record(record: Any, *, conn: Any | None = None) -> None:
    """Index one record (hồ sơ): its title, code, notation, heading, keywords, description.

    For the records module; the session hook also indexes records when their rows change."""
    index_records(_connection(conn), [record if isinstance(record, int) else record.id])


def remove(kind: str, object_id: int, *, conn: Any | None = None) -> None:
    """Drop the entry of an object (``kind``: ``document`` or ``record``)."""
    conn = _connection(conn)
    backend_for(conn).delete(conn, kind, [object_id])


def write_entries(conn: Any, entries: list[IndexEntry]) -> None:
    backend_for(conn).write(conn, entries)


# --- the session hook ---------------------------------------------------------------------------

@dataclass
class _Pending:
    full: dict[tuple[str, int | None], Any]
    attrs: dict[tuple[str, int], tuple[Any, set[str]]]
    deleted: set[tuple[str, int]]


def _changed(obj: Any, names: Iterable[str]) -> set[str]:
    state = inspect(obj)
    return {n for n in names if state.attrs[n].history.has_changes()}


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if not session.info.get(_ENABLED, _enabled_by_default()):
        return
    from edoc.documents.models import Document, DocumentText

    record = record_model()
    pending = _Pending(full={}, attrs={}, deleted=set())
    for obj in session.new:
        if isinstance(obj, Document) or (record is not None and isinstance(obj, record)):
            pending.full[(_kind(obj), id(obj))] = obj
        elif isinstance(obj, DocumentText):
            pending.full[(DOCUMENT, id(obj))] = obj
    for obj in session.dirty:
        if isinstance(obj, Document):
            _note_dirty(pending, obj, DOCUMENT, DOCUMENT_TEXT_FIELDS, DOCUMENT_ATTR_FIELDS)
        elif record is not None and isinstance(obj, record):
            _note_dirty(pending, obj, RECORD, RECORD_TEXT_FIELDS, RECORD_ATTR_FIELDS)
        elif isinstance(obj, DocumentText) and _changed(obj, ("content",)):
            pending.full[(DOCUMENT, id(obj))] = obj
    for obj in session.deleted:
        if isinstance(obj, Document) or (record is not None and isinstance(obj, record)):
            pending.deleted.add((_kind(obj), obj.id))
        elif isinstance(obj, DocumentText):
            pending.full[(DOCUMENT, id(obj))] = obj
    if pending.full or pending.attrs or pending.deleted:
        session.info[_PENDING] = pending


def _kind(obj: Any) -> str:
    from edoc.documents.models import Document

    return DOCUMENT if isinstance(obj, Document) else RECORD


def _note_dirty(pending: _Pending, obj: Any, kind: str, text_fields: Iterable[str],
                attr_fields: Iterable[str]) -> None:
    if _changed(obj, text_fields):
        pending.full[(kind, id(obj))] = obj
        return
    changed = _changed(obj, attr_fields)
    if changed:
        pending.attrs[(kind, obj.id)] = (obj, changed)


def _utc(value: Any) -> Any:
    """A column value as read back from the table (datetimes come back in UTC)."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _inserted_documents(session: Session, pending: _Pending) -> dict[int, dict[str, Any]]:
    """The rows of the documents this flush inserted, from the objects themselves.

    Their text can only be a ``DocumentText`` inserted in the same flush (the foreign key
    admits no earlier one); without it the document has none yet."""
    from edoc.documents.models import Document, DocumentText

    new = session.new
    docs: dict[int, Any] = {}
    texts: dict[int, Any] = {}
    for (kind, _), obj in pending.full.items():
        if kind != DOCUMENT or obj not in new:
            continue
        if isinstance(obj, Document):
            docs[obj.id] = obj
        elif isinstance(obj, DocumentText):
            texts[obj.document_id] = obj
    rows = {}
    for doc_id, doc in docs.items():
        row = {f: _utc(getattr(doc, f)) for f in DOCUMENT_FIELDS}
        text = texts.get(doc_id)
        row["content"] = text.content if text is not None else None
        rows[doc_id] = row
    return rows


def _object_id(obj: Any) -> int | None:
    from edoc.documents.models import DocumentText

    return obj.document_id if isinstance(obj, DocumentText) else obj.id


def _after_flush(session: Session, _ctx: Any) -> None:
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    conn = session.connection()
    backend = backend_for(conn)
    full: dict[str, set[int]] = {DOCUMENT: set(), RECORD: set()}
    for (kind, _), obj in pending.full.items():
        object_id = _object_id(obj)
        if object_id is not None:
            full[kind].add(object_id)
    for kind, object_id in pending.deleted:
        full[kind].discard(object_id)
    for kind in (DOCUMENT, RECORD):
        gone = {o for k, o in pending.deleted if k == kind}
        if gone:
            backend.delete(conn, kind, gone)
    index_documents(conn, full[DOCUMENT], inserted=_inserted_documents(session, pending))
    index_records(conn, full[RECORD])
    for (kind, object_id), (obj, changed) in pending.attrs.items():
        if object_id in full[kind] or (kind, object_id) in pending.deleted:
            continue
        if kind == DOCUMENT and changed & {"document_date", "received_at"}:
            index_documents(conn, [object_id])  # the entry date falls back between these
            continue
        values = {f: getattr(obj, f) for f in changed}
        if "document_date" in values:
            values["date"] = values.pop("document_date")
        if "start_date" in values:
            values["date"] = values.pop("start_date")
        if "mode" in values:
            values["confidentiality"] = values.pop("mode")
        backend.update_attributes(conn, kind, object_id, values)


def _enabled_by_default() -> bool:
    from flask import current_app, has_app_context

    return has_app_context() and _ENABLED in current_app.extensions


def install_session_hooks() -> None:
    """Listen on every ORM session (idempotent). Sessions outside an app that has search
    initialised (``init_app``) are left alone."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


# --- rebuilding ---------------------------------------------------------------------------------

def reindex(session: Session, *, kinds: Iterable[str] = (DOCUMENT, RECORD),
            batch_size: int = 500, fresh: bool = False,
            progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rebuild the entries of ``kinds`` from the tables, oldest first, committing each batch;
    then drop entries whose object is gone. Returns the number indexed per kind.

    ``fresh`` empties the kind's entries first (search misses them until their batch is done),
    which renumbers entries in object order: the recency order broad queries rely on.
    """
    counts: dict[str, int] = {}
    for kind in kinds:
        if kind == RECORD and record_model() is None:
            continue
        fetch = _document_rows if kind == DOCUMENT else _record_rows
        if fresh:
            _delete_all(session.connection(), kind)
            session.commit()
        done, after = 0, 0
        while True:
            conn = session.connection()
            rows = fetch(conn, after=after, limit=batch_size)
            if not rows:
                break
            entries = [document_entry(r, r["content"]) if kind == DOCUMENT else record_entry(r)
                       for r in rows]
            write_entries(conn, entries)
            session.commit()
            done += len(rows)
            after = rows[-1]["id"]
            if progress:
                progress(kind, done)
        _drop_orphans(session.connection(), kind)
        session.commit()
        counts[kind] = done
    backend_for(session.connection()).rebuild_spans(session.connection(), exact=fresh)
    session.commit()
    return counts


def _delete_all(conn: Any, kind: str) -> None:
    from sqlalchemy import delete

    from edoc.search.models import SearchKey

    conn.execute(delete(SearchKey).where(SearchKey.entry_id.in_(
        select(SearchEntry.id).where(SearchEntry.kind == kind))))
    conn.execute(delete(SearchEntry).where(SearchEntry.kind == kind))


def _drop_orphans(conn: Any, kind: str) -> None:
    from sqlalchemy import exists

    if kind == DOCUMENT:
        from edoc.documents.models import Document as model
    else:
        model = record_model()
    alive = exists(select(model.id).where(model.id == SearchEntry.object_id))
    orphans = select(SearchEntry.object_id).where(SearchEntry.kind == kind, ~alive)
    ids = [i for (i,) in conn.execute(orphans)]
    if ids:
        backend_for(conn).delete(conn, kind, ids)
        logger.info("search: dropped %d orphan %s entries", len(ids), kind)
