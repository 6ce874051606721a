"""Run the simulator in-process on 127.0.0.1 (port from the OS), for tests and demos."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_simulator_app
from .store import Agency

__all__ = ["start"]


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in test output."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def start(
    db_path: str,
    agencies: Iterable[Agency] = (),
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> tuple[str, Callable[[], None]]:
    """Serve a simulator on ``db_path`` in a daemon thread; return ``(base_url, stop)``.

    ``options`` go to ``create_simulator_app`` (protocol, edxml_config, hub_organ_id, clock,
    faults). ``stop()`` shuts the server down and waits for its thread; starting again on the
    same file (and, if wanted, the same port) continues where it stopped.
    """
    app = create_simulator_app(str(db_path), agencies=agencies, **options)
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    # A short poll interval makes stop() return quickly (the default waits up to 0.5 s).
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="axis-simulator",
        daemon=True,
    )
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return f"http://{host}:{server.server_port}", stop
