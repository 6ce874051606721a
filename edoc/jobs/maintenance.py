"""Housekeeping the job workers do between jobs: refreshing SQLite's planner statistics."""
from __future__ import annotations

import logging
import os
import time

from flask import current_app

logger = logging.getLogger(__name__)

_last_refresh: dict[int, float] = {}  # per process: a forked worker starts its own clock


def tick() -> None:
    """Run what is due (in an app context). Errors are logged, never raised: housekeeping must
    not stop the worker that runs the jobs."""
    from edoc.database import refresh_statistics
    from edoc.extensions import db

    minutes = int(current_app.config.get("SQLITE_ANALYZE_MINUTES", 60))
    if minutes <= 0:
        return
    now, pid = time.monotonic(), os.getpid()
    last = _last_refresh.get(pid)
    if last is not None and now - last < minutes * 60:
        return
    _last_refresh[pid] = now
    try:
        started = time.perf_counter()
        if refresh_statistics(db.engine):
            logger.info("SQLite statistics refreshed in %.0f ms",
                        (time.perf_counter() - started) * 1000)
    except Exception:  # a locked database now is retried at the next interval
        logger.exception("refreshing the SQLite statistics failed")
