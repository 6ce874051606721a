"""Background jobs: ``enqueue`` in a transaction, ``handler`` to register, a worker to run them."""
from __future__ import annotations

import threading

from flask import Flask

from edoc.jobs import maintenance
from edoc.jobs.service import enqueue, handler, run_one, run_pending

__all__ = ["enqueue", "handler", "init_app", "run_one", "run_pending", "start_background_worker"]


def init_app(app: Flask) -> None:
    from edoc.jobs import models  # noqa: F401
    from edoc.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)


def start_background_worker(app: Flask, *, interval: float = 1.0):
    """Run the worker in a thread (``make run`` only; production runs ``flask jobs worker``)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            with app.app_context():
                try:
                    maintenance.tick()
                    ran = run_pending(limit=20)
                except Exception:  # keep the demo worker alive; errors are on the job rows
                    app.logger.exception("background worker")
                    ran = 0
            if not ran:
                stop.wait(interval)

    thread = threading.Thread(target=loop, name="edoc-jobs", daemon=True)
    thread.start()
    return stop.set
