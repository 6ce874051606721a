"""Archived records are frozen: every change attempt is refused AND audited.

Two layers:

1. The records services call :func:`refuse` before touching an archived record (a PATCH, a
   new document, closing it again ...).
2. A ``before_flush`` guard on every session catches what slips past them: another module
   editing a document filed in an archived record, a file added to or removed from such a
   document, a record row changed or deleted directly.

Both queue the refusal in ``session.info`` and raise :class:`RecordFrozen` (409). The refusal
is written as an audit entry (``record.change_refused``) however the transaction ends:

- rolled back (the error handler, a form wrapper, the job runner, a CLI command) or closed
  without a rollback (a script that stops, a torn-down request): when the root transaction
  has ended, in a transaction of its own (``after_transaction_end``);
- committed after all, because the attempt was caught or made inside a SAVEPOINT that was
  rolled back while the rest went on (batch signing): in that commit (``before_commit``, ahead
  of the audit chaining).

So the refusal survives the rollback of what it refused, in requests, jobs and scripts alike,
and is written once (the same refusal queued twice, e.g. a retried flush, counts once).

Services that legitimately change an archived record (legal hold, a longer retention,
disposal) say so with :func:`allow`.
"""
from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session

from edoc.records.errors import RecordFrozen
from edoc.records.states import FROZEN_STATES

__all__ = ["allow", "audit_after_rollback", "current_actor", "install", "refuse"]

logger = logging.getLogger(__name__)

_REFUSED = "edoc.records.refused"
_ALLOWED = "edoc.records.allowed"
_FRESH = "edoc.records.fresh_documents"
#: columns that change on every write and say nothing about the content
_BOOKKEEPING = frozenset({"updated_at", "version_id"})


@dataclass(frozen=True)
class _Refusal:
    action: str
    object_type: str
    object_id: int | None
    agency_id: int
    actor_id: int | None
    actor_name: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Permit:
    record_ids: frozenset[int]
    record_fields: frozenset[str]
    delete_files: bool


_REF_CLASSES: dict[str, type] = {}


def _ref(name: str, id_: int | None, username: str = "") -> Any:
    """What audit.record needs of an object: its class name and id, captured before the
    rollback so that nothing has to be reloaded."""
    cls = _REF_CLASSES.setdefault(name, type(name, (), {}))
    obj = cls()
    obj.id, obj.username = id_, username
    return obj


def current_actor() -> Any:
    """The user acting in this request (API token or session), or None."""
    try:
        from flask import g, has_request_context
        from flask_login import current_user

        if not has_request_context():
            return None
        user = getattr(g, "api_user", None)
        if user is None and getattr(current_user, "is_authenticated", False):
            user = current_user._get_current_object()
        return user
    except Exception:  # outside an app context: no actor
        return None


def audit_after_rollback(action: str, obj: Any, *, actor: Any = None,
                         details: dict[str, Any] | None = None,
                         session: Session | None = None) -> None:
    """Queue an audit entry that is written after the current transaction rolls back.

    For refusals: the error raised next rolls back the transaction (and any audit entry queued
    in it), yet the attempt must stay on record.
    """
    if session is None:
        from edoc.extensions import db

        session = db.session()
    actor = actor if actor is not None else current_actor()
    refusal = _Refusal(
        action=action, object_type=obj.__class__.__name__, object_id=getattr(obj, "id", None),
        agency_id=obj.agency_id, actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "", details=dict(details or {}))
    queued = session.info.setdefault(_REFUSED, [])
    if refusal not in queued:  # the same pending change refused again on a second flush
        queued.append(refusal)


def _queue(session: Session, record: Any, attempt: str, actor: Any,
           details: dict[str, Any]) -> RecordFrozen:
    audit_after_rollback("record.change_refused", record, actor=actor, session=session,
                         details={"attempt": attempt, "record_code": record.code, **details})
    logger.warning("refused %s on archived record %s", attempt, record.code)
    return RecordFrozen(record_id=record.id, record_code=record.code, attempt=attempt,
                        **details)


def refuse(record: Any, attempt: str, *, actor: Any = None, session: Session | None = None,
           **details: Any) -> RecordFrozen:
    """Queue the audit of a refused change to ``record`` and return the error to raise."""
    if session is None:
        from edoc.extensions import db

        session = db.session()
    return _queue(session, record, attempt, actor, details)


@contextlib.contextmanager
def allow(record_ids: Iterable[int], *, fields: Iterable[str] = (), delete_files: bool = False,
          session: Session | None = None) -> Iterator[None]:
    """Let the enclosed code change ``fields`` of these archived records (and, with
    ``delete_files``, remove their documents' files). The change must be flushed inside."""
    if session is None:
        from edoc.extensions import db

        session = db.session()
    permit = _Permit(frozenset(record_ids), frozenset(fields), delete_files)
    permits = session.info.setdefault(_ALLOWED, [])
    permits.append(permit)
    try:
        yield
        session.flush()
    finally:
        permits.remove(permit)


def _permits(session: Session) -> list[_Permit]:
    return session.info.get(_ALLOWED, [])


def _allowed_fields(session: Session, record_id: int) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for p in _permits(session):
        if record_id in p.record_ids:
            out |= p.record_fields
    return out


def _may_delete_files(session: Session, record_id: int) -> bool:
    return any(p.delete_files and record_id in p.record_ids for p in _permits(session))


def _changed_columns(obj: Any) -> set[str]:
    state = inspect(obj)
    changed = set()
    for attr in state.mapper.column_attrs:
        if state.attrs[attr.key].history.has_changes():
            changed.add(attr.key)
    return changed - _BOOKKEEPING


def _committed_state(obj: Any) -> str | None:
    hist = inspect(obj).attrs.state.history
    if hist.deleted:
        return hist.deleted[0]
    return obj.state if not hist.added else None


class _Fresh:
    """Ids of the documents this transaction inserted, while it touched no record or filing.

    Such a document cannot be filed in a frozen record: filing it would have needed a
    ``record_documents`` row, added through the ORM in this same transaction (nothing writes
    that table otherwise), and the first record or filing row seen in a flush switches this
    shortcut off until the transaction ends. So the guard needs no query for them (capture and
    registration change a just-inserted document in several flushes)."""

    __slots__ = ("ids", "transaction", "usable")

    def __init__(self, transaction: Any) -> None:
        self.transaction = transaction
        self.ids: set[int] = set()
        self.usable = True


def _fresh(session: Session) -> _Fresh:
    """This transaction's :class:`_Fresh` (a new one once the transaction changed)."""
    transaction = session.get_transaction()
    fresh = session.info.get(_FRESH)
    if fresh is None or fresh.transaction is not transaction:
        fresh = session.info[_FRESH] = _Fresh(transaction)
    return fresh


@functools.cache
def _filed_frozen():
    """(document id, record id) of the given documents filed in a frozen record."""
    from edoc.records.models import Record, RecordDocument

    filed, records = RecordDocument.__table__.c, Record.__table__.c
    return (select(filed.document_id, filed.record_id)
            .join_from(RecordDocument.__table__, Record.__table__,
                       records.id == filed.record_id)
            .where(filed.document_id.in_(bindparam("ids", expanding=True)),
                   records.state.in_(sorted(FROZEN_STATES))))


class _Guard:
    def __init__(self, session: Session) -> None:
        self.session = session

    def frozen_records_of(self, document_ids: set[int]) -> dict[int, Any]:
        """document id -> its record, for documents filed in a frozen record."""
        from edoc.records.models import Record

        if not document_ids:
            return {}
        # Nearly always none: the ids alone first (a Core statement built once), the records
        # loaded only for those found.
        rows = self.session.execute(_filed_frozen(), {"ids": sorted(document_ids)}).all()
        return {doc_id: self.session.get(Record, record_id) for doc_id, record_id in rows}

    def frozen_record(self, record_id: int | None) -> Any:
        from edoc.records.models import Record

        if record_id is None:
            return None
        record = self.session.get(Record, record_id)
        if record is None:
            return None
        state = _committed_state(record)
        return record if state in FROZEN_STATES else None

    def fail(self, record: Any, attempt: str, **details: Any) -> None:
        raise _queue(self.session, record, attempt, None, details)

    def check(self) -> None:
        from edoc.documents.models import Document, DocumentFile
        from edoc.records.models import Record, RecordDocument

        session = self.session
        new, dirty, deleted = list(session.new), list(session.dirty), list(session.deleted)
        if not any(isinstance(o, Record | RecordDocument | Document | DocumentFile)
                   for o in (*new, *dirty, *deleted)):
            return
        if any(isinstance(o, Record | RecordDocument) for o in (*new, *dirty, *deleted)):
            _fresh(session).usable = False
        with session.no_autoflush:
            for obj in dirty:
                if (isinstance(obj, Record) and session.is_modified(obj)
                        and _committed_state(obj) in FROZEN_STATES):
                    changed = _changed_columns(obj) - _allowed_fields(session, obj.id)
                    if changed:
                        self.fail(obj, "record.update", fields=sorted(changed))
            for obj in deleted:
                if isinstance(obj, Record) and _committed_state(obj) in FROZEN_STATES:
                    self.fail(obj, "record.delete")
            for obj in (*new, *deleted):
                if isinstance(obj, RecordDocument):
                    record = self.frozen_record(obj.record_id)
                    if record is not None:
                        attempt = "document.add" if obj in new else "document.remove"
                        self.fail(record, attempt, document_id=obj.document_id)
            self._check_documents(new, dirty, deleted)

    def _check_documents(self, new: list, dirty: list, deleted: list) -> None:
        from edoc.documents.models import Document, DocumentFile

        session = self.session
        fresh = _fresh(session)
        # Inserted in this flush (an id given up front) or earlier in this transaction: in no
        # record (see _Fresh), nothing to look at.
        skip = (fresh.ids | {o.id for o in new if isinstance(o, Document)}
                if fresh.usable else set())
        docs: dict[int, tuple[str, dict[str, Any]]] = {}
        for obj in dirty:
            if isinstance(obj, Document):
                if obj.id not in skip and session.is_modified(obj):
                    changed = _changed_columns(obj)
                    if changed:
                        docs.setdefault(obj.id, ("document.update",
                                                 {"fields": sorted(changed)}))
            elif (isinstance(obj, DocumentFile) and obj.document_id not in skip
                  and session.is_modified(obj)):
                changed = _changed_columns(obj)
                if changed:
                    docs.setdefault(obj.document_id, ("file.update", {"file_id": obj.id}))
        for obj in deleted:
            if isinstance(obj, Document):
                docs.setdefault(obj.id, ("document.delete", {}))
        for obj in new:
            if isinstance(obj, DocumentFile):
                doc_id = obj.document_id if obj.document_id is not None else getattr(
                    obj.document, "id", None)
                if doc_id is not None and doc_id not in skip:
                    docs.setdefault(doc_id, ("file.add", {"name": obj.name, "kind": obj.kind}))
        deleted_files = [o for o in deleted if isinstance(o, DocumentFile)]
        ids = set(docs) | {f.document_id for f in deleted_files}
        ids -= skip
        frozen = self.frozen_records_of({i for i in ids if i is not None})
        for f in deleted_files:
            record = frozen.get(f.document_id)
            if record is not None and not _may_delete_files(session, record.id):
                self.fail(record, "file.delete", document_id=f.document_id, file_id=f.id)
        for doc_id, (attempt, details) in docs.items():
            record = frozen.get(doc_id)
            if record is not None:
                self.fail(record, attempt, document_id=doc_id, **details)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    _Guard(session).check()


def _after_flush(session: Session, flush_context: Any) -> None:
    """Note the documents just inserted (their ids are known now) for :class:`_Fresh`."""
    from edoc.documents.models import Document

    inserted = [o.id for o in session.new if isinstance(o, Document)]
    if inserted:
        fresh = _fresh(session)
        if fresh.usable:
            fresh.ids.update(inserted)


def _is_root(transaction: Any) -> bool:
    return transaction.parent is None and not transaction.nested


def _audit(session: Session, refusals: list[_Refusal]) -> None:
    from edoc import audit

    for r in refusals:
        audit.record(r.action,
                     actor=_ref("User", r.actor_id, r.actor_name) if r.actor_id else None,
                     obj=_ref(r.object_type, r.object_id), agency_id=r.agency_id,
                     details=r.details, session=session)


def _before_commit(session: Session) -> None:
    """Refusals still queued when the transaction commits (caught, or refused inside a
    SAVEPOINT that was rolled back) go into this commit. They stay queued until it has
    succeeded: a commit that fails ends in :func:`_after_transaction_end`."""
    if session.in_nested_transaction():
        return  # releasing a SAVEPOINT: wait for the real commit
    refusals = session.info.get(_REFUSED)
    if refusals:
        _audit(session, refusals)


def _after_commit(session: Session) -> None:
    session.info.pop(_REFUSED, None)  # written by _before_commit, now committed


def _after_transaction_end(session: Session, transaction: Any) -> None:
    """The root transaction ended without committing the refusals it queued (rolled back,
    or the session closed): write them in a session and transaction of their own. The
    transaction's connection is released by now, so this takes no lock it still holds."""
    if not _is_root(transaction):
        return  # a savepoint: the outer transaction decides
    refusals: list[_Refusal] = session.info.pop(_REFUSED, [])
    if not refusals:
        return
    try:
        with Session(bind=session.get_bind()) as own:
            _audit(own, refusals)
            own.commit()
    except Exception:  # the refusal itself stands; only its audit entry is lost
        logger.exception("could not audit %d refused change(s) on archived records",
                         len(refusals))


def install(session_class: Any = Session) -> None:
    """Hook the guard and the refusal audit into every session made by ``session_class``."""
    if getattr(install, "_installed", False):
        return
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_flush", _after_flush)
    # Ahead of the audit chaining's own before_commit, which must see these entries.
    event.listen(session_class, "before_commit", _before_commit, insert=True)
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_transaction_end", _after_transaction_end)
    install._installed = True  # type: ignore[attr-defined]
