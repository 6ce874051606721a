"""Command line of the axis simulator.

    python -m connectors.simulator --db sim.sqlite3 --host 127.0.0.1 --port 8765 [--agencies a.json]
    python -m connectors.simulator --db sim.sqlite3 add-agency --organ-id 000.00.00.H44 \\
        --name "UBND tỉnh Phú Thọ" --system-id edoc.phutho --secret-env AXIS_SECRET
    python -m connectors.simulator --db sim.sqlite3 list-agencies

``--agencies`` reads a JSON list of objects with organ_id, name, system_id, secret (and optional
parent_id, email, telephone, fax) and registers them before serving.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .store import Agency, SimulatorStore


def _load_agencies(path: str) -> list[Agency]:
    items = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(items, list):
        raise SystemExit("--agencies must hold a JSON list")
    fields = set(Agency.__dataclass_fields__)
    return [Agency(**{k: str(v) for k, v in item.items() if k in fields}) for item in items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.simulator", description="edXML interconnection axis simulator"
    )
    parser.add_argument("--db", required=True, help="SQLite file (created if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--agencies", help="JSON file of agencies to register at start")
    parser.add_argument(
        "--hub-organ-id", default="", help="OrganId written into the TraceHeader the hub appends"
    )
    sub = parser.add_subparsers(dest="command")
    add = sub.add_parser("add-agency", help="register or update an agency")
    add.add_argument("--organ-id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--system-id", required=True)
    add.add_argument(
        "--secret-env", required=True, help="name of the environment variable holding the secret"
    )
    add.add_argument("--parent-id", default="")
    add.add_argument("--email", default="")
    sub.add_parser("list-agencies", help="print registered agencies (without secrets)")
    args = parser.parse_args(argv)

    if args.command == "add-agency":
        secret = os.environ.get(args.secret_env, "")
        if not secret:
            print(f"environment variable {args.secret_env} is empty", file=sys.stderr)
            return 2
        SimulatorStore(args.db).upsert_agencies(
            [
                Agency(
                    organ_id=args.organ_id,
                    name=args.name,
                    system_id=args.system_id,
                    secret=secret,
                    parent_id=args.parent_id,
                    email=args.email,
                )
            ]
        )
        return 0
    if args.command == "list-agencies":
        for agency in SimulatorStore(args.db).agencies():
            print(f"{agency.organ_id}\t{agency.system_id}\t{agency.name}")
        return 0

    from werkzeug.serving import make_server

    from .app import create_simulator_app

    agencies = _load_agencies(args.agencies) if args.agencies else []
    app = create_simulator_app(args.db, agencies=agencies, hub_organ_id=args.hub_organ_id)
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"axis simulator on http://{args.host}:{server.server_port} (db {args.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
