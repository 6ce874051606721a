"""Recording audit entries in the same transaction as the action they describe.

``record()`` only queues an entry on the session. Just before the transaction commits, the queued
entries are chained: the chain head row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
transactions already hold the write lock), each entry gets the next sequence number and the hash of
its predecessor, and the head moves on. Locking at the very end keeps the lock short. If the
transaction rolls back, its entries vanish with it, just as the action did.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edoc.audit.chain import GENESIS, entry_hash
from edoc.audit.models import AuditEntry, AuditHead
from edoc.db import utcnow

logger = logging.getLogger(__name__)

_PENDING = "edoc.audit.pending"


@dataclass
class _Pending:
    action: str
    at: datetime
    actor: Any
    obj: Any
    agency_id: int | None
    #: a dict, or a callable returning one when the entry is chained (after the last flush)
    details: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    #: the (possibly nested) transaction the entry was queued in: rolling back that SAVEPOINT
    #: drops the entry, rolling back another one does not
    txn: Any = None


def record(action: str, *, actor: Any = None, obj: Any = None, agency_id: int | None = None,
           details: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
           session: Session | None = None) -> None:
    """Queue an audit entry on the current transaction.

    :param action: dotted name such as ``document.registered``
    :param actor: the user acting, or None for the system
    :param obj: the object acted on (its class name and id are recorded after flush)
    :param agency_id: the chain; defaults to the object's or the actor's agency
    :param details: a dict, or a callable returning one, called when the entry is chained
        (after the final flush): for ids of rows added but not flushed yet, so the caller
        need not flush just to name them
    """
    if session is None:
        from edoc.extensions import db

        session = db.session()
    session.info.setdefault(_PENDING, []).append(
        _Pending(action, utcnow(), actor, obj, agency_id,
                 details if callable(details) else dict(details or {}),
                 session.get_nested_transaction() or session.get_transaction()))


def _chain_of(p: _Pending) -> int:
    if p.agency_id is not None:
        return p.agency_id
    for candidate in (p.obj, p.actor):
        agency_id = getattr(candidate, "agency_id", None)
        if agency_id is not None:
            return agency_id
    if p.obj is not None and p.obj.__class__.__name__ == "Agency":
        return p.obj.id
    return 0


def _lock_head(session: Session, chain: int) -> AuditHead:
    stmt = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    head = session.scalar(stmt)
    if head is not None:
        return head
    try:
        with session.begin_nested():
            session.add(AuditHead(chain=chain, seq=0, entry_hash=GENESIS))
    except IntegrityError:
        pass  # a concurrent transaction created it first; lock theirs
    head = session.scalar(stmt)
    assert head is not None
    return head


def _flush_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # give new objects their ids
    by_chain: dict[int, list[_Pending]] = {}
    for p in pending:
        by_chain.setdefault(_chain_of(p), []).append(p)
    for chain in sorted(by_chain):  # fixed lock order: no deadlock between chains
        head = _lock_head(session, chain)
        for p in by_chain[chain]:
            fields = {
                "chain": chain, "seq": head.seq + 1, "at": p.at,
                "actor_id": getattr(p.actor, "id", None),
                "actor_name": getattr(p.actor, "username", "") or "",
                "action": p.action,
                "object_type": p.obj.__class__.__name__ if p.obj is not None else "",
                "object_id": str(getattr(p.obj, "id", "") or "") if p.obj is not None else "",
                "details": dict(p.details()) if callable(p.details) else p.details,
                "prev_hash": head.entry_hash,
            }
            digest = entry_hash(**fields)
            session.add(AuditEntry(entry_hash=digest, **fields))
            head.seq, head.entry_hash = fields["seq"], digest
    session.flush()


def install(session_class) -> None:
    """Hook the chaining into every session made by ``session_class``."""

    @event.listens_for(session_class, "before_commit")
    def _before_commit(session: Session) -> None:
        # Releasing a SAVEPOINT also fires before_commit: the entries wait for the real commit
        # (the chain head stays unlocked until then; a later rollback still drops them).
        if session.in_nested_transaction():
            return
        _flush_pending(session)

    @event.listens_for(session_class, "after_soft_rollback")
    def _after_soft_rollback(session: Session, previous_transaction) -> None:
        pending = session.info.get(_PENDING)
        if not pending:
            return
        if not previous_transaction.nested:
            session.info.pop(_PENDING, None)  # the whole transaction is gone
            return
        session.info[_PENDING] = [p for p in pending
                                  if not _within(p.txn, previous_transaction)]


def _within(txn: Any, ancestor: Any) -> bool:
    while txn is not None:
        if txn is ancestor:
            return True
        txn = txn.parent
    return False
