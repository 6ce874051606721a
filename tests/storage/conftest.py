"""Fixtures for the storage tests: the moto S3 server over TLS and one store per backend.

``s3_server`` is started once per session; ``s3`` gives it running and empty to one test. The
lead may move ``s3_server`` into tests/conftest.py for other suites; the rest builds on it.
Tests that use the app (``app`` from tests/conftest.py) get the store of the ``backend``
parameter through ``config_overrides``.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edoc.storage import ObjectStore, create_store
from tests.support.s3server import S3TestServer

BACKENDS = ("memory", "filesystem", pytest.param("minio", marks=pytest.mark.s3))
TEST_BUCKET = "edoc-test"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3TestServer]:
    server = S3TestServer(tmp_path_factory.mktemp("s3-tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server: S3TestServer) -> Iterator[S3TestServer]:
    """The S3 server, running and empty (a test may stop it; it is started again after)."""
    s3_server.start()
    s3_server.reset()
    yield s3_server
    s3_server.start()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def storage_config(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict:
    """Flask config keys selecting the ``backend`` store (a fresh, empty one)."""
    if backend == "memory":
        return {"STORAGE_BACKEND": "memory"}
    if backend == "filesystem":
        return {"STORAGE_BACKEND": "filesystem", "STORAGE_PATH": str(tmp_path / "objects")}
    s3: S3TestServer = request.getfixturevalue("s3")
    return s3.store_config(bucket=TEST_BUCKET, lock_mode="GOVERNANCE")


@pytest.fixture
def config_overrides(storage_config: dict, request: pytest.FixtureRequest) -> dict:
    """Overrides tests/conftest.py's fixture: the app uses the ``backend`` store."""
    marker = request.node.get_closest_marker("config")
    return {**storage_config, **(marker.kwargs if marker else {})}


@pytest.fixture
def store(storage_config: dict) -> ObjectStore:
    return create_store(storage_config)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line proving the S3 (moto over TLS) tests ran: they must never be skipped."""
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed"):
        counts[outcome] = sum(1 for rep in terminalreporter.stats.get(outcome, [])
                              if getattr(rep, "when", "call") in ("call", "setup")
                              and "s3" in getattr(rep, "keywords", {}))
    if any(counts.values()):
        terminalreporter.write_line(
            "S3 contract (MinioStore against moto over TLS on 127.0.0.1): "
            + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
