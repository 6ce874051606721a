"""Enqueueing and running background jobs.

``enqueue`` adds a row in the caller's transaction, so a job exists if and only if the action that
caused it committed. ``run_pending`` claims due jobs one at a time (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers can run; SQLite serialises anyway), runs the handler in its own
transaction and commits; a failing handler is rolled back and retried with exponential backoff
until ``max_attempts``, its last error kept on the row. A worker that dies while running a job
leaves it ``running``; it is taken again once its lock is older than ``STALE_AFTER``.
"""
from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from edoc.db import utcnow
from edoc.extensions import db
from edoc.jobs.models import Job

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)
BACKOFF_BASE_S = 5
BACKOFF_MAX_S = 3600

Handler = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class _Registered:
    fn: Handler
    max_attempts: int


_HANDLERS: dict[str, _Registered] = {}


def handler(kind: str, *, max_attempts: int = 5) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``. It receives the payload."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = _Registered(fn, max_attempts)
        return fn

    return register


def enqueue(kind: str, payload: dict[str, Any] | None = None, *,
            run_after: datetime | None = None, dedupe_key: str | None = None,
            fresh: bool = False) -> Job | None:
    """Add a job to the current transaction. With ``dedupe_key``, skip it if one is pending.

    The row is not flushed here but with the caller's next flush or the commit, together with
    the caller's other changes: a flush of its own would cost a round of the unit of work (and
    of the archive guard's checks) in the middle of the caller's work. A second ``enqueue`` of
    the same key in this transaction still sees it: the dedupe query autoflushes.
    ``fresh``: the job is about something created in this very transaction (a new document), so
    no job with its ``dedupe_key`` can be pending: no query.
    """
    if dedupe_key is not None and not fresh:
        pending = db.session.scalar(select(Job).where(
            Job.dedupe_key == dedupe_key, Job.state.in_(("queued", "running"))))
        if pending is not None:
            return None
    reg = _HANDLERS.get(kind)
    job = Job(kind=kind, payload=dict(payload or {}), run_after=run_after or utcnow(),
              max_attempts=reg.max_attempts if reg else 5, dedupe_key=dedupe_key)
    db.session.add(job)
    return job


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


@dataclass(frozen=True)
class _Claimed:
    """What the worker needs of a claimed job, read before the claim commits (the commit
    expires the row: reading it afterwards would load it again)."""
    id: int
    kind: str
    payload: dict[str, Any]


_JOBS = Job.__table__


def _claim(kinds: set[str] | None) -> _Claimed | None:
    """Take the next due job: one UPDATE ... RETURNING of the row its subquery picks (on
    PostgreSQL ``FOR UPDATE SKIP LOCKED``, so concurrent workers pick different jobs; SQLite
    serialises writers anyway), committed at once."""
    now = utcnow()
    jobs = _JOBS.c
    due = or_(and_(jobs.state == "queued", jobs.run_after <= now),
              and_(jobs.state == "running", jobs.locked_at < now - STALE_AFTER))
    pick = select(jobs.id).where(due).order_by(jobs.run_after, jobs.id).limit(1)
    if kinds:
        pick = pick.where(jobs.kind.in_(kinds))
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        update(_JOBS).where(jobs.id == pick.scalar_subquery())
        .values(state="running", locked_at=now, locked_by=_worker_id(),
                attempts=jobs.attempts + 1)
        .returning(jobs.id, jobs.kind, jobs.payload)).first()
    if claimed is None:
        db.session.rollback()
        return None
    db.session.commit()
    return _Claimed(claimed.id, claimed.kind, dict(claimed.payload or {}))


def run_one(kinds: set[str] | None = None) -> bool:
    """Run the next due job, if any. Returns whether one ran (successfully or not)."""
    job = _claim(kinds)
    if job is None:
        return False
    job_id, kind, payload = job.id, job.kind, job.payload
    reg = _HANDLERS.get(kind)
    try:
        if reg is None:
            raise LookupError(f"no handler for job kind {kind!r}")
        reg.fn(payload)
        # Marked done in the handler's own transaction: the job is done exactly when its work
        # is committed (a worker dying between two commits left it "running", to be run again
        # once stale), and one commit per job is saved.
        db.session.execute(update(Job).where(Job.id == job_id)
                           .values(state="done", finished_at=utcnow(), last_error="")
                           .execution_options(synchronize_session=False))
        db.session.commit()
    except Exception as exc:  # a job's failure must not stop the worker
        db.session.rollback()
        logger.warning("job %s (%s) failed: %s", job_id, kind, exc)
        _record_failure(job_id, exc)
        return True
    return True


def _record_failure(job_id: int, exc: Exception) -> None:
    job = db.session.get(Job, job_id)
    job.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
    job.locked_at, job.locked_by = None, ""
    if job.attempts >= job.max_attempts:
        job.state = "failed"
        job.finished_at = utcnow()
    else:
        job.state = "queued"
        delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (job.attempts - 1))
        job.run_after = utcnow() + timedelta(seconds=delay)
    db.session.commit()


def run_pending(*, limit: int | None = None, kinds: set[str] | None = None) -> int:
    """Run due jobs until none is left (or ``limit``). Returns how many ran."""
    count = 0
    while limit is None or count < limit:
        if not run_one(kinds):
            break
        count += 1
    return count
