"""Recording audit entries in the same transaction as the action they describe.

``record()`` only queues an entry on the session. Just before the transaction commits, the queued
entries are chained: the chain head row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
transactions already hold the write lock), each entry gets the next sequence number and the hash of
its predecessor, and the head moves on. Locking at the very end keeps the lock short. If the
transaction rolls back, its entries vanish with it, just as the action did.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, text, update
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
    # Queued outside a transaction (a job handler right after its claim committed, before any
    # statement), the entry would belong to none: a rollback of the work that follows would
    # not drop it (rolling back a session with no transaction fires no rollback event) and the
    # next commit would chain it. So a transaction is begun for it (no connection is taken
    # until the first statement: on SQLite, no write lock yet).
    txn = (session.get_nested_transaction() or session.get_transaction()
           or session.begin())
    session.info.setdefault(_PENDING, []).append(
        _Pending(action, utcnow(), actor, obj, agency_id,
                 details if callable(details) else dict(details or {}), txn))


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


_HEADS = AuditHead.__table__
_ENTRIES = AuditEntry.__table__
# Core statements on the tables, built once: the entries are write-only here (no ORM
# bookkeeping needed), and building a statement cost more than running it.
_LOCK = (select(_HEADS.c.seq, _HEADS.c.entry_hash)
         .where(_HEADS.c.chain == bindparam("head_chain")).with_for_update())
_MOVE = (update(_HEADS).where(_HEADS.c.chain == bindparam("head_chain"))
         .values(seq=bindparam("head_seq"), entry_hash=bindparam("head_hash")))


# PostgreSQL: the entries go in with the head's move, in one statement whose text does not
# depend on their number (a multi-row VALUES would be compiled anew every time): the rows travel
# as one JSON array, read back into audit_entries rows by json_populate_recordset.
_APPEND_PG = text(
    "WITH appended AS (INSERT INTO audit_entries (chain, seq, at, actor_id, actor_name, action, "
    "object_type, object_id, details, prev_hash, entry_hash) SELECT chain, seq, at, actor_id, "
    "actor_name, action, object_type, object_id, details, prev_hash, entry_hash "
    "FROM json_populate_recordset(NULL::audit_entries, CAST(:rows AS json))) "
    "UPDATE audit_heads SET seq = :head_seq, entry_hash = :head_hash WHERE chain = :head_chain")


def _lock_head(session: Session, chain: int) -> tuple[int, str]:
    """Lock the chain's head row (creating it for a new chain); its sequence number and hash."""
    head = session.execute(_LOCK, {"head_chain": chain}).first()
    if head is not None:
        return head.seq, head.entry_hash
    try:
        with session.begin_nested():
            session.execute(insert(_HEADS).values(chain=chain, seq=0, entry_hash=GENESIS))
    except IntegrityError:
        pass  # a concurrent transaction created it first; lock theirs
    head = session.execute(_LOCK, {"head_chain": chain}).first()
    assert head is not None
    return head.seq, head.entry_hash


def _append(session: Session, chain: int, rows: list[dict[str, Any]]) -> None:
    """Insert the chained entries and move the head to the last one."""
    last = rows[-1]
    move = {"head_chain": chain, "head_seq": last["seq"], "head_hash": last["entry_hash"]}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_APPEND_PG, {**move, "rows": json.dumps(
            [{**row, "at": row["at"].astimezone(UTC).isoformat()} for row in rows])})
        return
    session.execute(insert(_ENTRIES), rows)
    session.execute(_MOVE, move)


def _flush_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # give new objects their ids
    by_chain: dict[int, list[_Pending]] = {}
    for p in pending:
        by_chain.setdefault(_chain_of(p), []).append(p)
    for chain in sorted(by_chain):  # fixed lock order: no deadlock between chains
        seq, prev_hash = _lock_head(session, chain)
        rows = []
        for p in by_chain[chain]:
            seq += 1
            fields = {
                "chain": chain, "seq": seq, "at": p.at,
                "actor_id": getattr(p.actor, "id", None),
                "actor_name": getattr(p.actor, "username", "") or "",
                "action": p.action,
                "object_type": p.obj.__class__.__name__ if p.obj is not None else "",
                "object_id": str(getattr(p.obj, "id", "") or "") if p.obj is not None else "",
                "details": dict(p.details()) if callable(p.details) else p.details,
                "prev_hash": prev_hash,
            }
            prev_hash = entry_hash(**fields)
            rows.append({**fields, "entry_hash": prev_hash})
        _append(session, chain, rows)


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
