"""A live edoc (demo data, axis simulator, background worker) and a real Chromium for the journeys.

The app runs as ``make run`` runs it, in this process on a free port, with its own instance folder
(SQLite, filesystem object store, test PKI). Playwright drives Debian's ``chromium``: no browser is
downloaded. Each journey saves screenshots under ``tests/e2e/screenshots/``.
"""
from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]


@dataclass
class LiveSystem:
    url: str
    app: object
    instance: Path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_system(tmp_path_factory) -> Iterator[LiveSystem]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from edoc import create_app
    from edoc.devserver import prepare_demo, start_background

    instance = tmp_path_factory.mktemp("e2e-instance")
    axis_port = _free_port()
    app = create_app({
        "ENV": "development", "SECRET_KEY": "e2e-secret-key-0123456789-0123456789",
        "DATABASE_URL": f"sqlite:///{instance / 'edoc.sqlite3'}",
        "STORAGE_PATH": str(instance / "objects"), "SIGNING_TEST_PKI_DIR": str(instance / "pki"),
        "AXIS_URL": f"http://127.0.0.1:{axis_port}", "AXIS_POLL_SECONDS": 1,
    })
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
    prepare_demo(app)
    stops = start_background(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveSystem(f"http://127.0.0.1:{server.server_port}", app, instance)
    finally:
        server.shutdown()
        for stop in stops:
            if stop:
                stop()


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API keeps an asyncio loop running in this thread while it is
    open, and any later ``asyncio.run()`` in the process (pyHanko signing, for one) would fail."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: run scripts/system-deps.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_system):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900},
                                  base_url=live_system.url)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


#: how long a screenshot waits for Chromium's PDF viewer to show the document before it is taken
#: anyway (the shot is evidence, not an assertion)
PDF_PAINT_TIMEOUT_MS = 5000
_PDF_SIZED = ("() => { const s = document.getElementById('sizer'); "
              "return !!s && s.offsetHeight > 0; }")


def _wait_for_pdf_viewer(page) -> None:
    """Chromium's PDF viewer is an extension frame that loads and paints after the page's load
    event; a screenshot taken at once shows an empty grey box. Wait (bounded) until the viewer
    has laid out the document, then give it one short moment to paint the first page."""
    from playwright.sync_api import Error

    if page.locator("[data-testid=pdf-preview]").count() == 0:
        return
    deadline = time.monotonic() + PDF_PAINT_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames[1:]:  # the viewer's frames, under the <object>
            try:
                if frame.evaluate(_PDF_SIZED):
                    page.wait_for_timeout(400)
                    return
            except Error:  # the viewer frame navigated or went away meanwhile
                pass
        page.wait_for_timeout(100)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    _wait_for_pdf_viewer(page)
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = "edoc-demo") -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def logout(page) -> None:
    page.goto("/")
    page.click(".navbar .dropdown-toggle")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/login")
