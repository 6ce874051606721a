"""The transport side of receiving: list the axis inbox, fetch, apply, acknowledge.

Messages are applied one at a time, in the order the axis lists them (a revocation must not
overtake the document it revokes), each in its own transaction (:func:`inbound.ingest`). Around
that sequential core, the slow parts run ahead or behind in a small thread pool: fetching the
next messages over HTTP, parsing them and writing their bytes to the object store (fsync) before
their turn comes; acknowledging over HTTP once a message's transaction has committed. For a long
inbox the fetching and parsing run in worker processes instead (:mod:`edoc.exchange.prefetch`),
so that they use another core than the applying thread. The acknowledgement of a message is only
ever sent after its commit; the applying thread notes the acknowledgements that went out in
short batched updates (neither the pool threads nor the worker processes write rows).
"""
from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select, update

from connectors import EnvelopeInvalid, RemoteRejected
from connectors.protocol import ReceivedItem
from edoc.auth.models import Agency
from edoc.capture import CapturedFile
from edoc.db import utcnow
from edoc.exchange import prefetch
from edoc.exchange.envelope import parse
from edoc.exchange.inbound import Outcome, Parsed, ingest, outcome
from edoc.exchange.models import ExchangeMessage, InState
from edoc.exchange.settings import setting
from edoc.extensions import db
from edoc.signatures.settings import trust_settings
from edoc.signatures.verification import Prechecked
from edoc.storage import get_store

__all__ = ["PollReport", "poll"]

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    received: int = 0
    rejected: int = 0
    errors: int = 0  # failed on our side: left on the axis, tried again next poll
    acknowledged: int = 0
    messages: list[int] = field(default_factory=list)


@dataclass
class _Fetched:
    item: ReceivedItem
    data: bytes
    parsed: Parsed
    captured: CapturedFile | None = None
    checked: Prechecked | None = None  # the signature report of the captured PDF


def _key(item: ReceivedItem) -> str:
    return f"axis:{item.doc_id}"


def _prefetch(app: Flask, client, item: ReceivedItem) -> _Fetched:
    """Fetch, parse, capture a new document's main file, and put the bytes in the object store
    (no database rows yet: applying the message records them, finding the objects already
    there)."""
    data = client.fetch(item.doc_id)
    try:
        parsed: Parsed = parse(data)
    except EnvelopeInvalid as exc:
        return _Fetched(item, data, exc)
    with app.app_context():
        captured = prefetch.capture_and_store(get_store(), data, parsed)
    return _Fetched(item, data, parsed, captured)


def _prefetch_in(workers: Executor, item: ReceivedItem) -> _Fetched:
    """The same, done by a worker process (this pool thread only waits for it)."""
    data, parsed, captured, checked = workers.submit(prefetch.fetch_parse_store,
                                                     item.doc_id).result()
    return _Fetched(item, data, parsed, captured, checked)


@dataclass(frozen=True)
class _Ack:
    row_id: int
    axis_id: str
    status: str  # done | fail
    description: str


def _ack_of(row: ExchangeMessage | Outcome) -> _Ack | None:
    if row.ack_state != "pending" or not row.axis_doc_id:
        return None
    status = "done" if row.state == InState.PROCESSED else "fail"
    description = "" if status == "done" else f"{row.error_code}: {row.last_error}"[:500]
    return _Ack(row.id, row.axis_doc_id, status, description)


def _send_ack(client, ack: _Ack) -> _Ack:
    """The transport acknowledgement (HTTP only: the row is updated by the applying thread)."""
    try:
        client.acknowledge(ack.axis_id, ack.status, description=ack.description)
    except RemoteRejected as exc:
        if exc.code != "already_acknowledged":
            raise
    return ack


#: acknowledgements that went out, noted together in one short transaction (a row still
#: ``pending`` after a crash is only acknowledged again by the next poll, which the axis accepts)
ACK_BATCH = 16


def _record_acks(futures: list[Future], report: PollReport, *, wait: bool) -> list[Future]:
    """Note the acknowledgements that went out (one short transaction) once ACK_BATCH of them
    are done (all of them with ``wait``), then raise the error of one that failed, if any;
    return those not noted yet."""
    done = [f for f in futures if wait or f.done()]
    if not done or (not wait and len(done) < ACK_BATCH
                    and not any(f.exception() is not None for f in done)):
        return futures
    acks = [f.result() for f in done if f.exception() is None]
    now = utcnow()
    for status in ("done", "fail"):
        ids = [a.row_id for a in acks if a.status == status]
        if ids:
            db.session.execute(update(ExchangeMessage).where(ExchangeMessage.id.in_(ids))
                               .values(ack_state=status, acked_at=now))
    db.session.commit()
    report.acknowledged += len(acks)
    for f in done:
        if f.exception() is not None:
            raise f.exception()
    return [f for f in futures if f not in done]


def _applied_before(agency_id: int, items: list[ReceivedItem]) -> dict[str, tuple[int, str]]:
    keys = [_key(i) for i in items]
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 500):
        rows = db.session.execute(select(ExchangeMessage.dedupe_key, ExchangeMessage.id,
                                         ExchangeMessage.state).where(
            ExchangeMessage.agency_id == agency_id,
            ExchangeMessage.dedupe_key.in_(keys[start:start + 500])))
        for key, row_id, state in rows:
            found[key] = (row_id, state)
    return found


def _reack(row_id: int) -> _Ack | None:
    """A message applied before whose acknowledgement was lost: acknowledge it again."""
    row = db.session.get(ExchangeMessage, row_id)
    if row.ack_state != "pending":
        row.ack_state = "pending"
    ack = _ack_of(row)
    db.session.commit()
    return ack


def _poll_kind(app: Flask, agency_id: int, client, items: list[ReceivedItem],
               pool: ThreadPoolExecutor, window: int, report: PollReport) -> None:
    before = _applied_before(agency_id, items)
    db.session.commit()
    acks: list[Future] = []
    todo: list[ReceivedItem] = []
    for item in items:
        done = before.get(_key(item))
        if done is not None and done[1] in (InState.PROCESSED, InState.REJECTED):
            ack = _reack(done[0])
            if ack is not None:
                acks.append(pool.submit(_send_ack, client, ack))
        else:
            todo.append(item)
    processes = int(setting("AXIS_PREFETCH_PROCESSES"))
    workers = None
    if processes > 0 and len(todo) >= prefetch.PROCESS_BATCH:
        workers = prefetch.process_pool(processes, client, app.config,
                                        trust=trust_settings(app))
    if workers is not None:
        window = max(window, 2 * processes)

        def submit(item: ReceivedItem) -> Future:
            return pool.submit(_prefetch_in, workers, item)
    else:
        def submit(item: ReceivedItem) -> Future:
            return pool.submit(_prefetch, app, client, item)

    ahead: deque[Future] = deque()
    queue = iter(todo)
    try:
        for item in queue:
            ahead.append(submit(item))
            if len(ahead) >= window:
                break
        while ahead:
            fetched: _Fetched = ahead.popleft().result()  # in order; raises TransportError
            nxt = next(queue, None)
            if nxt is not None:
                ahead.append(submit(nxt))
            key = _key(fetched.item)
            row = ingest(db.session.get(Agency, agency_id), fetched.data, source="axis",
                         dedupe_key=key, item=fetched.item, parsed=fetched.parsed,
                         unseen=key not in before, captured=fetched.captured,
                         checked=fetched.checked)
            applied = outcome(row)
            row_id, state, ack = applied.id, applied.state, _ack_of(applied)
            db.session.commit()
            report.messages.append(row_id)
            if state == InState.ERROR:
                report.errors += 1
                continue  # stays in the axis inbox: tried again on the next poll
            if state == InState.PROCESSED:
                report.received += 1
            else:
                report.rejected += 1
            if ack is not None:  # only now, after the commit
                acks.append(pool.submit(_send_ack, client, ack))
            acks = _record_acks(acks, report, wait=False)
    except BaseException:
        db.session.rollback()  # release the database before waiting for the other threads
        raise
    finally:
        for future in ahead:
            future.cancel()
        for future in acks:
            future.exception()  # wait: no acknowledgement is left running
    _record_acks(acks, report, wait=True)


def poll(agency: Agency, client, *, kinds: tuple[str, ...] = ("edoc", "status"),
         concurrency: int | None = None) -> PollReport:
    """Receive everything waiting for ``agency`` (documents first, then statuses).

    Raises TransportError when the axis is unreachable (what was applied stays applied and
    acknowledged)."""
    report = PollReport()
    agency_id = agency.id
    db.session.commit()
    app = current_app._get_current_object()
    threads = max(1, int(concurrency or setting("AXIS_CONCURRENCY")))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="axis-io") as pool:
        for kind in kinds:
            items = list(client.list_received(message_type=kind))
            if items:
                _poll_kind(app, agency_id, client, items, pool, threads, report)
    return report
