"""The job runner: a job is done exactly when its handler's work commits; a failure rolls the
work back and queues the job again with backoff, until ``max_attempts``."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select


@pytest.fixture
def kinds():
    from edoc.jobs import service

    added: list[str] = []

    def register(kind: str, fn, max_attempts: int = 2) -> str:
        service.handler(kind, max_attempts=max_attempts)(fn)
        added.append(kind)
        return kind

    yield register
    for kind in added:
        service._HANDLERS.pop(kind, None)


def _job(db, kind):
    from edoc.jobs.models import Job

    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.kind == kind))


def _audits(db, action: str) -> int:
    from edoc.audit.models import AuditEntry

    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_done_with_its_work_in_one_commit(app, db, factories, kinds):
    from edoc import audit
    from edoc.jobs import enqueue, run_pending

    agency = factories.agency()
    seen = []

    def work(payload):
        seen.append(payload)
        audit.record("test.job_work", agency_id=payload["agency_id"], details={})

    kind = kinds("test.ok", work)
    enqueue(kind, {"agency_id": agency.id})
    db.session.commit()
    commits = []
    from sqlalchemy import event

    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        assert run_pending(kinds={kind}) == 1
    finally:
        event.remove(db.engine, "commit", listener)
    assert seen == [{"agency_id": agency.id}]
    job = _job(db, kind)
    assert (job.state, job.attempts, job.last_error) == ("done", 1, "")
    assert job.finished_at is not None and job.locked_by
    assert _audits(db, "test.job_work") == 1
    assert len(commits) == 2  # the claim, then the work with the job marked done
    assert run_pending(kinds={kind}) == 0  # not run again


def test_failure_rolls_the_work_back_and_retries_then_fails(app, db, factories, kinds):
    from edoc import audit
    from edoc.jobs import enqueue, run_pending
    from edoc.jobs.models import Job

    agency = factories.agency()

    def broken(payload):
        audit.record("test.job_work", agency_id=payload["agency_id"], details={})
        raise RuntimeError("disk on fire")

    kind = kinds("test.broken", broken, max_attempts=2)
    enqueue(kind, {"agency_id": agency.id})
    db.session.commit()
    assert run_pending(kinds={kind}) == 1
    job = _job(db, kind)
    assert (job.state, job.attempts) == ("queued", 1)
    assert "disk on fire" in job.last_error and job.finished_at is None
    assert _audits(db, "test.job_work") == 0  # the handler's work was rolled back
    assert run_pending(kinds={kind}) == 0  # backing off: not due yet
    db.session.get(Job, job.id).run_after = job.run_after.replace(year=2000)  # due now
    db.session.commit()
    assert run_pending(kinds={kind}) == 1
    job = _job(db, kind)
    assert (job.state, job.attempts) == ("failed", 2)
    assert job.finished_at is not None
    assert _audits(db, "test.job_work") == 0


def test_a_commit_that_fails_leaves_the_job_to_retry(app, db, factories, kinds, monkeypatch):
    """The work and the "done" mark commit together: if that commit fails, neither holds."""
    from edoc import audit
    from edoc.jobs import enqueue, run_pending, service

    agency = factories.agency()
    kind = kinds("test.commit_fails",
                 lambda p: audit.record("test.job_work", agency_id=p["agency_id"], details={}))
    enqueue(kind, {"agency_id": agency.id})
    db.session.commit()
    real_execute = db.session.execute
    calls = []

    def failing_execute(stmt, *args, **kwargs):
        if getattr(stmt, "is_dml", False) and "finished_at" in str(stmt):
            calls.append(1)
            raise RuntimeError("connection lost")
        return real_execute(stmt, *args, **kwargs)

    monkeypatch.setattr(service.db.session, "execute", failing_execute, raising=False)
    assert run_pending(kinds={kind}) == 1
    monkeypatch.undo()
    assert calls == [1]
    job = _job(db, kind)
    assert (job.state, job.attempts) == ("queued", 1)
    assert "connection lost" in job.last_error
    assert _audits(db, "test.job_work") == 0


def test_concurrent_workers_run_each_job_once(app, db, factories, kinds):
    """Workers claiming at once (threads with their own sessions here) never take the same job:
    on PostgreSQL the claim's subquery skips rows another worker has locked."""
    import threading

    from edoc.jobs import enqueue, run_pending

    ran: list[int] = []
    lock = threading.Lock()

    def work(payload):
        with lock:
            ran.append(payload["n"])

    kind = kinds("test.concurrent", work)
    for n in range(40):
        enqueue(kind, {"n": n})
    db.session.commit()
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                counts.append(run_pending(kinds={kind}))
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(ran) == list(range(40))
    assert sum(counts) == 40
    from edoc.jobs.models import Job

    db.session.expire_all()
    states = db.session.scalars(select(Job.state).where(Job.kind == kind)).all()
    assert states == ["done"] * 40
