"""``make run``: prepare the embedded demo (SQLite, filesystem store, demo data) and serve it.

Steps, each idempotent so that a second ``make run`` keeps the data of the first:
create ``instance/``, migrate the database, run each registered demo preparation step (test PKI,
demo province, axis simulator registration ...), print the demo logins, start the background
services registered by the domains (the axis simulator, the exchange worker) and serve the app.
"""
from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

logger = logging.getLogger("edoc.devserver")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--axis-port", type=int, default=5080)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from edoc import create_app

    os.environ.setdefault("EDOC_AXIS_URL", f"http://127.0.0.1:{args.axis_port}")
    app = create_app()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    with app.app_context():
        upgrade()
    demo = prepare_demo(app)
    background = start_background(app)
    from edoc.demo import USERS

    print(f"\n  edoc is running at http://{args.host}:{args.port}/")
    print(f"  Demo logins (password for every account: {demo.password}):")
    for username, full_name, role, _pos, _unit in USERS:
        print(f"    {username:<12} / {username + '.tinh':<17} {role.value:<10} {full_name}")
    print()
    try:
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    finally:
        for stop in background:
            if stop:
                stop()


def prepare_demo(app):
    """Run every domain's demo preparation (test PKI, simulator registration ...) and seed the
    demo province. Idempotent. Returns the :class:`~edoc.demo.DemoProvince`."""
    from edoc.demo import seed_demo
    from edoc.extensions import db

    with app.app_context():
        for step in app.extensions.get("edoc.demo_prepare", []):
            step(app)
        demo = seed_demo()
        db.session.commit()
        return demo


def start_background(app) -> list:
    """Start the background services the domains registered (axis simulator, exchange loop, job
    worker). Returns their stop callables."""
    from edoc.jobs import start_background_worker

    stops = [start(app) for start in app.extensions.get("edoc.demo_background", [])]
    stops.append(start_background_worker(app))
    return stops


if __name__ == "__main__":
    main()
