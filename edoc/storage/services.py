"""Storage services: store bytes then record them, verify, collect garbage, lock.

The rule (DESIGN.md rule 5): bytes go to the object store first, then the row is flushed; the
request or command commits. If the store fails, no row exists; if the transaction rolls back,
an unreferenced object stays behind and ``collect_garbage`` removes it after the grace period.
These functions flush but never commit.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import IO

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from edoc.db import utcnow
from edoc.extensions import db
from edoc.storage import ObjectStore, get_store
from edoc.storage.base import (
    DEFAULT_CONTENT_TYPE,
    IntegrityMismatch,
    ObjectLocked,
    ObjectNotFound,
    PutResult,
    StorageError,
)
from edoc.storage.models import StoredObject
from edoc.storage.streams import CHUNK_SIZE, ObjectReader

__all__ = [
    "GcReport",
    "Saved",
    "VerifyProblem",
    "VerifyReport",
    "collect_garbage",
    "lock_object",
    "open_stored",
    "save_stream",
    "store_stream",
    "unlock_object",
    "verify_objects",
]

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Saved:
    obj: StoredObject
    created: bool
    """True when this transaction recorded the bytes: no other committed row refers to them."""


def save_stream(stream: IO[bytes], *, content_type: str = DEFAULT_CONTENT_TYPE,
                size: int | None = None,
                metadata: Mapping[str, str] | None = None) -> StoredObject:
    """Store the stream's bytes and return their (possibly pre-existing) row, flushed.

    Raises StorageUnavailable (503) before any row is touched if the store is down.
    """
    return store_stream(stream, content_type=content_type, size=size, metadata=metadata).obj


def store_stream(stream: IO[bytes], *, content_type: str = DEFAULT_CONTENT_TYPE,
                 size: int | None = None,
                 metadata: Mapping[str, str] | None = None,
                 sha256: str | None = None) -> Saved:
    """:func:`save_stream`, also telling whether the row is new (one statement when it is).

    The caller's pending changes are not flushed by these statements (they do not depend on
    them): they go together with the caller's next flush. ``sha256``: see ``ObjectStore.put``.
    """
    store = get_store()
    extra = {"sha256": sha256} if sha256 else {}
    res = store.put(stream, size=size, content_type=content_type, metadata=metadata, **extra)
    with db.session.no_autoflush:
        return _record(res, store.backend)


def _record(res: PutResult, backend: str) -> Saved:
    """The row of the stored bytes: inserted unless their key has one (then that one).

    Known bytes (``res.created`` False) are most often bytes written ahead of their row (the
    exchange's prefetch worker stores what the poller records next), so the INSERT is tried
    first there too: one statement for them, two for bytes stored twice (rare)."""
    if not res.created and db.session.get_bind().dialect.name not in _UPSERT:
        obj = _by_key(res.key)  # no single-statement upsert here: look first
        if obj is not None:
            return Saved(obj, created=False)
    obj = _insert_row(res, backend)
    if obj is not None:
        return Saved(obj, created=True)
    # Another transaction recorded the same bytes first: use its row.
    obj = _by_key(res.key)
    if obj is None:
        raise LookupError(f"stored object {res.key} neither inserted nor found")
    return Saved(obj, created=False)


def _insert_row(res: PutResult, backend: str) -> StoredObject | None:
    """INSERT the row unless its key is taken (then None), in one statement: no SAVEPOINT.

    On PostgreSQL a concurrent uncommitted insert of the same key makes this wait for that
    transaction; if it commits, the conflict returns no row and the caller reads theirs.
    """
    values = {"key": res.key, "backend": backend, "sha256": res.sha256, "size": res.size,
              "content_type": res.content_type, "created_at": utcnow(), "legal_hold": False}
    dialect = db.session.get_bind().dialect.name
    if dialect in _UPSERT:
        # A Core statement, built once: the ORM's INSERT .. RETURNING entity costs several
        # times more. The row holds exactly ``values``; the object is made from them and put
        # in the session as loaded from the database.
        new_id = db.session.connection().execute(_upsert_stmt(dialect), values).scalar()
        if new_id is None:
            return None
        obj = StoredObject(id=new_id, retention_until=None, **values)
        make_transient_to_detached(obj)
        # merge, not add: after a rollback the session may still map this id (reused by the
        # database) to an expired instance of the row that was rolled back.
        return db.session.merge(obj, load=False)
    obj = StoredObject(**values)
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        return None
    return obj


_UPSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}


@functools.cache
def _upsert_stmt(dialect: str):
    table = StoredObject.__table__
    return (_UPSERT[dialect](table).on_conflict_do_nothing(index_elements=[table.c.key])
            .returning(table.c.id))


def _by_key(key: str) -> StoredObject | None:
    return db.session.scalar(select(StoredObject).where(StoredObject.key == key))


def open_stored(obj: StoredObject, *, verify: bool = False) -> ObjectReader:
    """A reader of the object's bytes (a context manager)."""
    return get_store().open(obj.key, verify=verify)


def lock_object(obj: StoredObject, until: datetime, *, legal_hold: bool = False) -> None:
    """Retain ``obj`` until ``until`` (never shortening a retention) and optionally hold it.

    The database row is the source of truth for the dates (moto cannot report them).
    """
    if obj.retention_until is not None and until < obj.retention_until:
        raise ObjectLocked(key=obj.key, retention_until=obj.retention_until.isoformat(),
                           reason="retention cannot be shortened")
    store = get_store()
    store.set_retention(obj.key, until)
    obj.retention_until = until
    if legal_hold:
        store.set_legal_hold(obj.key, True)
        obj.legal_hold = True
    db.session.flush()


def unlock_object(obj: StoredObject) -> None:
    """Release a legal hold (retention dates stay: they only expire)."""
    get_store().set_legal_hold(obj.key, False)
    obj.legal_hold = False
    db.session.flush()


# --- verify -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyProblem:
    key: str
    kind: str  # "missing", "mismatch" (bytes differ), "size" (recorded size differs), "error"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}\t{self.key}\t{self.detail}"


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    bytes_read: int
    problems: tuple[VerifyProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows() -> Iterator[tuple[str, str, int]]:
    stmt = (select(StoredObject.key, StoredObject.sha256, StoredObject.size)
            .order_by(StoredObject.id)
            .execution_options(yield_per=BATCH))
    for row in db.session.execute(stmt):
        yield row[0], row[1], row[2]


def verify_objects() -> VerifyReport:
    """Re-hash every stored object and compare it with its row's sha256 and size."""
    store = get_store()
    problems: list[VerifyProblem] = []
    checked = total = 0
    for key, expected_sha, expected_size in _rows():
        checked += 1
        digest = hashlib.sha256()
        size = 0
        try:
            with store.open(key) as fh:
                while chunk := fh.read(CHUNK_SIZE):
                    digest.update(chunk)
                    size += len(chunk)
        except ObjectNotFound:
            problems.append(VerifyProblem(key, "missing", "no object in the store"))
            continue
        except (StorageError, IntegrityMismatch) as exc:
            problems.append(VerifyProblem(key, "error", exc.code))
            continue
        total += size
        actual = digest.hexdigest()
        if actual != expected_sha:
            problems.append(VerifyProblem(key, "mismatch",
                                          f"sha256 {actual} (recorded {expected_sha})"))
        elif size != expected_size:
            problems.append(VerifyProblem(key, "size", f"{size} bytes (recorded "
                                                       f"{expected_size})"))
    for p in problems:
        logger.error("storage verify: %s", p)
    return VerifyReport(checked, total, tuple(problems))


# --- garbage collection -----------------------------------------------------------------------


@dataclass(frozen=True)
class GcReport:
    scanned: int
    deleted: tuple[str, ...]
    locked: tuple[str, ...]
    """Unreferenced but retained or held: left alone."""
    dry_run: bool = False


def collect_garbage(grace: timedelta, *, dry_run: bool = False,
                    now: datetime | None = None) -> GcReport:
    """Delete stored objects that no ``stored_objects`` row references and that were written
    more than ``grace`` ago (younger ones may belong to a transaction still in flight)."""
    store = get_store()
    cutoff = (now or utcnow()) - grace
    scanned = 0
    deleted: list[str] = []
    locked: list[str] = []
    keys = store.iter_keys()
    while batch := list(islice(keys, BATCH)):
        scanned += len(batch)
        old = [k for k, written in batch if written < cutoff]
        if not old:
            continue
        referenced = set(db.session.scalars(
            select(StoredObject.key).where(StoredObject.key.in_(old))))
        for key in old:
            if key in referenced:
                continue
            if dry_run:
                (locked if _is_locked(store, key, now or utcnow()) else deleted).append(key)
                continue
            try:
                store.delete(key)
            except ObjectLocked:
                locked.append(key)
                continue
            except ObjectNotFound:
                continue
            deleted.append(key)
            logger.info("storage gc: deleted %s", key)
    return GcReport(scanned, tuple(deleted), tuple(locked), dry_run)


def _is_locked(store: ObjectStore, key: str, now: datetime) -> bool:
    try:
        info = store.stat(key)
    except ObjectNotFound:
        return False
    return info.legal_hold or (info.retention_until is not None and info.retention_until > now)
