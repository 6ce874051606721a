"""Audit entries queued in a transaction: chained only at the real commit, details resolved then."""
from __future__ import annotations

from sqlalchemy import func, select

from edoc.auth.roles import Role


def _entries(db) -> list:
    from edoc.audit.models import AuditEntry

    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_callable_details_are_resolved_after_the_last_flush(app, factories, db):
    from edoc.audit import record
    from edoc.auth.models import OrgUnit

    user = factories.user(Role.CLERK)
    db.session.commit()
    unit = OrgUnit(agency_id=user.agency_id, name="Phòng Tư pháp", notation="TP")
    db.session.add(unit)
    # Not flushed: the id does not exist yet when the entry is queued.
    record("test.unit_added", actor=user, obj=user, details=lambda: {"unit_id": unit.id})
    assert unit.id is None
    db.session.commit()
    entry = _entries(db)[-1]
    assert entry.action == "test.unit_added"
    assert entry.details == {"unit_id": unit.id} and unit.id is not None


def test_a_released_savepoint_does_not_chain_its_entries_early(app, factories, db):
    from edoc.audit import record
    from edoc.audit.models import AuditEntry, AuditHead

    user = factories.user(Role.CLERK)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    record("test.outer", actor=user, obj=user)
    with db.session.begin_nested():
        record("test.inner", actor=user, obj=user)
    # Releasing the SAVEPOINT fires before_commit too: nothing is written (and the chain head
    # is not locked) until the transaction itself commits.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    db.session.commit()
    entries = _entries(db)
    assert [e.action for e in entries[-2:]] == ["test.outer", "test.inner"]
    head = db.session.get(AuditHead, entries[-1].chain)
    assert head.seq == entries[-1].seq and head.entry_hash == entries[-1].entry_hash


def test_entries_of_a_released_savepoint_roll_back_with_the_transaction(app, factories, db):
    from edoc.audit import record
    from edoc.audit.models import AuditEntry

    user = factories.user(Role.CLERK)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    with db.session.begin_nested():
        record("test.inner", actor=user, obj=user)
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
