"""``make run``: the axis simulator beside the app, the demo province exchanging through it.

* :func:`prepare` (a ``edoc.demo_prepare`` step): stable demo secrets in
  ``instance/axis-demo.json`` and both demo agencies registered in the simulator's database
  ``instance/axis.sqlite3``;
* :func:`seed_credentials` (a demo seeder): the same secrets stored, encrypted, as the demo
  agencies' axis credentials;
* :func:`start` (a ``edoc.demo_background`` entry): ``python -m connectors.simulator`` on the
  host and port of AXIS_URL, then the exchange worker in a thread; returns the stop function.
"""
from __future__ import annotations

import json
import logging
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from edoc.exchange.settings import setting

__all__ = ["prepare", "seed_credentials", "start"]

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:5080"
DEMO_POLL_SECONDS = 3.0


def _enabled(app: Flask) -> bool:
    if not setting("AXIS_DEMO_SIMULATOR", app):
        return False
    host = urlsplit(setting("AXIS_URL", app) or DEFAULT_URL).hostname
    return host in ("127.0.0.1", "localhost", "::1")


def _paths(app: Flask) -> tuple[Path, Path]:
    instance = Path(app.instance_path)
    return instance / "axis.sqlite3", instance / "axis-demo.json"


def _demo_secrets(app: Flask) -> dict[str, str]:
    """One random secret per demo system id, kept so that a second ``make run`` reuses them."""
    from connectors.simulator import DEMO_PROVINCE, DEMO_WARD

    _, path = _paths(app)
    try:
        stored = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        stored = {}
    changed = False
    for _organ, _name, system_id in (DEMO_PROVINCE, DEMO_WARD):
        if not stored.get(system_id):
            stored[system_id] = secrets.token_urlsafe(32)
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2), "utf-8")
        path.chmod(0o600)
    return stored


def prepare(app: Flask) -> None:
    if not _enabled(app):
        return
    from connectors.simulator import SimulatorStore, demo_agencies

    if not setting("AXIS_URL", app):
        app.config["AXIS_URL"] = DEFAULT_URL
    db_path, _ = _paths(app)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    SimulatorStore(db_path).upsert_agencies(
        demo_agencies(secrets_by_system=_demo_secrets(app)))


def seed_credentials(demo) -> None:
    """Demo seeder: the demo agencies' axis credentials (idempotent)."""
    from flask import current_app

    from connectors.simulator import DEMO_PROVINCE, DEMO_WARD
    from edoc.exchange.credentials import credentials_for, set_credentials

    app = current_app._get_current_object()
    if not _enabled(app):
        return
    given = _demo_secrets(app)
    for agency, (_organ, _name, system_id) in ((demo.province.agency, DEMO_PROVINCE),
                                               (demo.ward.agency, DEMO_WARD)):
        current = credentials_for(agency)
        if current is None or current.system_id != system_id or \
                current.secret != given[system_id]:
            set_credentials(agency, system_id, given[system_id])


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def start(app: Flask):
    """Start the simulator (unless one already listens there) and the exchange worker."""
    from edoc.exchange.worker import start_background

    if not _enabled(app):
        return None
    url = urlsplit(setting("AXIS_URL", app) or DEFAULT_URL)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    db_path, _ = _paths(app)
    process = None
    if not _listening(host, port):
        log_path = db_path.with_name("axis-simulator.log")
        with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [sys.executable, "-m", "connectors.simulator", "--db", str(db_path),
                 "--host", host, "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not _listening(host, port):
            if process.poll() is not None or time.monotonic() > deadline:
                logger.error("axis simulator did not start, see %s", log_path)
                if process.poll() is None:
                    process.kill()
                process = None
                break
            time.sleep(0.1)
        else:
            print(f"  Axis simulator: http://{host}:{port}/ (database {db_path})")
    stop_worker = start_background(app, poll_seconds=min(DEMO_POLL_SECONDS,
                                                         float(setting("AXIS_POLL_SECONDS", app))))

    def stop() -> None:
        stop_worker()
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    return stop
