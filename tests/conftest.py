"""Fixtures shared by the whole suite.

Every test that uses the ``app`` fixture runs twice: once on SQLite and once on PostgreSQL (test
ids end in ``[sqlite]`` / ``[postgres]``). The schema is created once per database and emptied
after each test, so tests may commit freely (concurrency tests need real commits). Where no
PostgreSQL answers, the PostgreSQL run is skipped with a loud message, except under CI, where it
fails: CI must exercise PostgreSQL.
"""
from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.factories import Factories

POSTGRES_URL = os.environ.get("EDOC_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

BASE_CONFIG = {
    "ENV": "testing",
    "SECRET_KEY": "test-secret-key-not-for-production-use-0123456789",
    "STORAGE_BACKEND": "memory",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing: tests log in thousands of times
    "WTF_CSRF_ENABLED": True,
    "SERVER_NAME": "edoc.test",
}


def _loud(message: str) -> None:
    bar = "!" * 78
    sys.stderr.write(f"\n{bar}\n{message}\n{bar}\n")


def _postgres_database() -> str:
    """Create a fresh database for this run; give its URL."""
    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"edoc_test_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The ``app`` fixture keeps an app context pushed so that tests can use the database; Flask
    would otherwise reuse that context (and its ``g`` and database session) for every request.
    """

    _inside = False

    def open(self, *args, **kwargs):
        if self._inside:  # a redirect being followed: already in the request's own context
            return super().open(*args, **kwargs)
        # End the test's own transaction first: on SQLite it holds the write lock (every
        # transaction begins IMMEDIATE), which would make the request wait for it.
        from edoc.extensions import db

        db.session.commit()
        kwargs.setdefault("buffered", True)  # streamed bodies are read inside the context too
        self._inside = True
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            self._inside = False


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "edoc.sqlite3"
        url = f"sqlite:///{path}"
        _create_schema(url)
        yield url
        return
    try:
        url = _postgres_database()
    except Exception as exc:  # no server, no permission ...
        message = f"PostgreSQL at {POSTGRES_URL} is not usable: {exc!r}"
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL suite. " + message)
        _loud("SKIPPING THE POSTGRESQL RUN. " + message)
        pytest.skip(message)
    _create_schema(url)
    yield url
    _drop_postgres_database(url)


def _create_schema(url: str) -> None:
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def _empty_all_tables(db) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())
            has_seq = conn.execute(text(
                "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first()
            if has_seq:
                conn.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def config_overrides(request) -> dict:
    """Per-test settings: ``@pytest.mark.config(MAX_UPLOAD_MB=1)``."""
    marker = request.node.get_closest_marker("config")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def app(database_url, config_overrides, tmp_path):
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url,
                      "STORAGE_PATH": str(tmp_path / "objects"), **config_overrides})
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        db.session.remove()
        _empty_all_tables(db)
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factories(app) -> Factories:
    return Factories(app)


@pytest.fixture
def db(app):
    from edoc.extensions import db

    return db


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Lines proving that both database runs happened (the PostgreSQL one must run in CI)."""
    for backend in ("sqlite", "postgres"):
        counts = {}
        for outcome in ("passed", "failed", "error", "skipped"):
            counts[outcome] = sum(
                1 for rep in terminalreporter.stats.get(outcome, [])
                if getattr(rep, "when", "call") in ("call", "setup")
                and f"[{backend}" in getattr(rep, "nodeid", ""))
        if any(counts.values()):
            terminalreporter.write_line(
                f"Database run on {backend}: "
                + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
