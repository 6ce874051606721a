"""Fixtures for the storage tests: the moto S3 server over TLS and one store per backend.

The S3 server is started once per session (``s3_server``) and emptied before each test that
uses it. The lead may move ``s3_server`` into tests/conftest.py; the rest builds on it.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from edoc.storage import EXTENSION_KEY, ObjectStore, create_store
from tests.support.s3server import S3TestServer

BACKENDS = ("memory", "filesystem", "minio")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3TestServer]:
    server = S3TestServer(tmp_path_factory.mktemp("s3-tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server: S3TestServer) -> Iterator[S3TestServer]:
    """The S3 server, running and empty (a test may have stopped it)."""
    s3_server.start()
    s3_server.reset()
    yield s3_server
    s3_server.start()


def store_config(backend: str, tmp_path: Path, s3: S3TestServer | None) -> dict:
    if backend == "memory":
        return {"STORAGE_BACKEND": "memory"}
    if backend == "filesystem":
        return {"STORAGE_BACKEND": "filesystem", "STORAGE_PATH": str(tmp_path / "objects")}
    assert s3 is not None
    return s3.store_config(bucket="edoc-test", lock_mode="GOVERNANCE")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> ObjectStore:
    s3 = request.getfixturevalue("s3") if backend == "minio" else None
    return create_store(store_config(backend, tmp_path, s3))


@pytest.fixture
def make_app(tmp_path: Path):
    """A minimal Flask app with edoc's db, error handlers and the given store config.

    Enough for the storage services and CLI until every test can use ``create_app``.
    """
    from edoc.errors import register_error_handlers
    from edoc.extensions import babel, db
    from edoc.storage import init_app

    def factory(config: dict) -> Flask:
        app = Flask("edoc_storage_test")
        app.config.update(
            TESTING=True,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.sqlite3'}",
            STORAGE_GC_GRACE_HOURS=24,
            **config,
        )
        db.init_app(app)
        babel.init_app(app)
        init_app(app)
        register_error_handlers(app)
        with app.app_context():
            db.create_all()
        assert EXTENSION_KEY in app.extensions
        return app

    return factory
