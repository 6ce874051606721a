"""The exchange worker: turn queued exchange jobs into outbox rows, send the outbox, poll the
axis for every hosted agency that has credentials, and send the replies that produced.

``run_cycle`` is one round (``flask exchange sync``); ``run_forever`` loops (``flask exchange
worker``): the outbox every ``interval`` seconds, the axis every AXIS_POLL_SECONDS.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from connectors import ConnectorError
from edoc.auth.models import Agency
from edoc.db import utcnow
from edoc.exchange import outbox
from edoc.exchange.client import NotConfigured, axis_enabled, client_for
from edoc.exchange.credentials import account_for, credentials_for, hosted_agencies
from edoc.exchange.directory import sync_directory
from edoc.exchange.jobs import KINDS
from edoc.exchange.poller import PollReport, poll
from edoc.exchange.settings import setting
from edoc.extensions import db
from edoc.jobs import run_pending

__all__ = ["CycleReport", "poll_agency", "run_cycle", "run_forever", "start_background"]

logger = logging.getLogger(__name__)


@dataclass
class CycleReport:
    jobs: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    received: int = 0
    rejected: int = 0
    retry_later: int = 0  # received messages that failed on our side, tried again next poll
    errors: list[str] = field(default_factory=list)
    directory: dict[str, int] = field(default_factory=dict)

    def add_flush(self, report: outbox.FlushReport) -> None:
        self.sent += report.sent
        self.failed += report.failed
        self.waiting += report.waiting
        self.errors += report.errors


def _set_account_state(agency_id: int, error: str) -> None:
    agency = db.session.get(Agency, agency_id)
    account = account_for(agency) if agency is not None else None
    if account is not None:
        account.last_poll_at, account.last_error = utcnow(), error[:2000]
    db.session.commit()


def poll_agency(agency: Agency, *, directory: bool = False) -> PollReport:
    """Receive what waits for one agency (raises NotConfigured, ConnectorError)."""
    agency_id, organ_id = agency.id, agency.organ_id
    with client_for(agency) as client:
        if directory:
            entries = client.agencies()
            sync_directory(entries)
            db.session.commit()
        report = poll(agency, client)
    _set_account_state(agency_id, "")
    logger.debug("exchange: polled %s: %s", organ_id, report)
    return report


def run_cycle(*, receive: bool = True, directory: bool = False) -> CycleReport:
    report = CycleReport()
    report.jobs = run_pending(kinds=set(KINDS))
    report.add_flush(outbox.flush())
    if receive and axis_enabled():
        agencies = [(a.id, a.organ_id) for a in hosted_agencies()
                    if credentials_for(a) is not None]
        db.session.commit()
        for agency_id, organ_id in agencies:
            try:
                polled = poll_agency(db.session.get(Agency, agency_id), directory=directory)
            except (ConnectorError, NotConfigured) as exc:
                db.session.rollback()
                code = getattr(exc, "code", "connection_failed")
                report.errors.append(f"{organ_id}: {code}")
                logger.warning("exchange: polling %s failed: %s", organ_id, exc)
                _set_account_state(agency_id, str(exc))
                continue
            report.received += polled.received
            report.rejected += polled.rejected
            report.retry_later += polled.errors
            directory = False  # one agency's view of the directory is enough
        report.add_flush(outbox.flush())  # the replies (01, 15/16) go out at once
    return report


def run_forever(app: Flask, *, interval: float = 1.0, stop: threading.Event | None = None,
                poll_seconds: float | None = None) -> None:
    stop = stop or threading.Event()
    last_poll = 0.0
    last_directory = 0.0
    while not stop.is_set():
        with app.app_context():
            every = float(poll_seconds if poll_seconds is not None
                          else setting("AXIS_POLL_SECONDS"))
            now = time.monotonic()
            receive = now - last_poll >= every
            directory = receive and now - last_directory >= 3600
            try:
                run_cycle(receive=receive, directory=directory)
            except Exception:  # keep the worker alive; the reason is on the rows and in the log
                db.session.rollback()
                app.logger.exception("exchange worker cycle")
            finally:
                db.session.remove()
            if receive:
                last_poll = now
            if directory:
                last_directory = now
        stop.wait(interval)


def start_background(app: Flask, *, interval: float = 1.0,
                     poll_seconds: float | None = None):
    """Run the worker loop in a daemon thread; returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(app,),
                              kwargs={"interval": interval, "stop": stop,
                                      "poll_seconds": poll_seconds},
                              name="edoc-exchange", daemon=True)
    thread.start()

    def stop_worker() -> None:
        stop.set()
        thread.join(timeout=30)

    return stop_worker
