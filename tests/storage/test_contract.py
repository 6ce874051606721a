"""The ObjectStore contract: the same tests against memory, filesystem and minio (moto over TLS).

The minio cases show up as ``test_...[minio]`` in ``pytest -v``; they are never skipped.
"""
from __future__ import annotations

import hashlib
import io
import os
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from edoc.storage import ObjectStore
from edoc.storage.base import (
    IntegrityMismatch,
    ObjectInfo,
    ObjectLocked,
    ObjectNotFound,
    PutResult,
    SizeMismatch,
    key_for,
)
from tests.storage.conftest import TEST_BUCKET


class OneShot(io.RawIOBase):
    """A non-seekable stream (like a socket or a chunked request body)."""

    def __init__(self, data: bytes, chunk: int = 65536) -> None:
        self._buf = io.BytesIO(data)
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._buf.read(min(len(b), self._chunk))
        b[: len(data)] = data
        return len(data)


def put_bytes(store: ObjectStore, data: bytes, **kw) -> PutResult:
    return store.put(io.BytesIO(data), **kw)


def read_all(store: ObjectStore, key: str, **kw) -> bytes:
    with store.open(key, **kw) as fh:
        return fh.read()


def test_store_satisfies_protocol(store: ObjectStore, backend: str) -> None:
    assert isinstance(store, ObjectStore)
    assert store.backend == backend


def test_round_trip_returns_content_address(store: ObjectStore) -> None:
    data = "Công văn số 15/UBND-VP về việc họp giao ban".encode() * 100
    res = put_bytes(store, data, content_type="text/plain; charset=utf-8")
    sha = hashlib.sha256(data).hexdigest()
    assert res == PutResult(f"sha256/{sha[:2]}/{sha[2:4]}/{sha}", sha, len(data),
                            "text/plain; charset=utf-8", created=True)
    assert read_all(store, res.key) == data
    assert read_all(store, res.key, verify=True) == data


def test_non_seekable_stream_and_empty_object(store: ObjectStore) -> None:
    data = os.urandom(300_000)
    res = store.put(OneShot(data), content_type="application/pdf")
    assert res.sha256 == hashlib.sha256(data).hexdigest() and res.size == len(data)
    assert read_all(store, res.key) == data
    empty = put_bytes(store, b"")
    assert empty.size == 0 and empty.sha256 == hashlib.sha256(b"").hexdigest()
    assert read_all(store, empty.key) == b""
    assert store.stat(empty.key).size == 0


def test_put_reads_from_current_position(store: ObjectStore) -> None:
    stream = io.BytesIO(b"HEADER" + b"payload")
    stream.seek(6)
    res = store.put(stream)
    assert read_all(store, res.key) == b"payload"


def test_dedupe_same_content_same_key(store: ObjectStore) -> None:
    data = b"%PDF-1.7 same bytes twice"
    first = put_bytes(store, data, content_type="application/pdf")
    second = store.put(OneShot(data), content_type="application/pdf")
    assert second.key == first.key and second.sha256 == first.sha256
    assert first.created and not second.created
    assert [k for k, _ in store.iter_keys()] == [first.key]


def test_size_is_verified(store: ObjectStore) -> None:
    with pytest.raises(SizeMismatch):
        put_bytes(store, b"12345", size=6)
    with pytest.raises(SizeMismatch):
        put_bytes(store, b"1234567", size=6)
    assert list(store.iter_keys()) == []
    assert put_bytes(store, b"123456", size=6).size == 6


def test_metadata_and_stat(store: ObjectStore) -> None:
    data = b"x" * 1234
    res = put_bytes(store, data, content_type="application/pdf",
                    metadata={"filename": "Tờ trình số 15.pdf", "agency": "000.00.01.H53"})
    info = store.stat(res.key)
    assert isinstance(info, ObjectInfo)
    assert (info.key, info.size, info.content_type) == (res.key, 1234, "application/pdf")
    assert info.metadata == {"filename": "Tờ trình số 15.pdf", "agency": "000.00.01.H53"}
    assert info.retention_until is None and info.legal_hold is False
    assert info.created_at is not None
    assert abs(info.created_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_bad_metadata_key_is_refused(store: ObjectStore) -> None:
    with pytest.raises(ValueError):
        put_bytes(store, b"data", metadata={"File Name": "x"})


def test_missing_object(store: ObjectStore) -> None:
    key = key_for(hashlib.sha256(b"never stored").hexdigest())
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.open(key)
    with pytest.raises(ObjectNotFound):
        store.stat(key)
    with pytest.raises(ObjectNotFound):
        store.delete(key)
    with pytest.raises(ObjectNotFound):
        store.set_retention(key, datetime.now(UTC) + timedelta(days=1))


@pytest.mark.parametrize("key", ["../../etc/passwd", "sha256/ab/cd/../../x",
                                 "sha256/00/00/" + "f" * 64, "/abs/path", ""])
def test_malformed_keys_never_reach_the_backend(store: ObjectStore, key: str) -> None:
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.open(key)
    with pytest.raises(ObjectNotFound):
        store.delete(key)


def test_delete_and_exists(store: ObjectStore) -> None:
    res = put_bytes(store, b"to be deleted")
    assert store.exists(res.key)
    store.delete(res.key)
    assert not store.exists(res.key)
    with pytest.raises(ObjectNotFound):
        store.open(res.key)
    assert list(store.iter_keys()) == []
    again = put_bytes(store, b"to be deleted")  # can be stored again afterwards
    assert again.created and read_all(store, again.key) == b"to be deleted"


def test_large_object(store: ObjectStore) -> None:
    data = os.urandom(20 * 1024 * 1024 + 123)
    res = store.put(OneShot(data, chunk=1 << 20), size=len(data), content_type="application/pdf")
    assert res.size == len(data)
    h = hashlib.sha256()
    with store.open(res.key, verify=True) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    assert h.hexdigest() == res.sha256 == hashlib.sha256(data).hexdigest()
    assert store.stat(res.key).size == len(data)


def test_reader_releases_on_early_close(store: ObjectStore) -> None:
    res = put_bytes(store, os.urandom(2 * 1024 * 1024))
    for _ in range(15):  # more than the HTTP pool holds: leaked connections would block
        with store.open(res.key) as fh:
            assert len(fh.read(10)) == 10
        assert fh.closed
    assert store.stat(res.key).size == 2 * 1024 * 1024


def test_retention_blocks_delete_and_overwrite(store: ObjectStore) -> None:
    data = b"archived record"
    res = put_bytes(store, data)
    until = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    store.set_retention(res.key, until)
    with pytest.raises(ObjectLocked) as exc:
        store.delete(res.key)
    assert exc.value.status == 409 and exc.value.code == "object_locked"
    # The only way to write under a key is to store the same bytes: nothing changes.
    again = put_bytes(store, data)
    assert again.key == res.key and not again.created
    assert read_all(store, res.key, verify=True) == data
    assert store.stat(res.key).retention_until == until
    with pytest.raises(ObjectLocked):
        store.delete(res.key)


def test_retention_can_be_extended_not_shortened(store: ObjectStore) -> None:
    res = put_bytes(store, b"retained")
    until = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    store.set_retention(res.key, until)
    with pytest.raises(ObjectLocked):
        store.set_retention(res.key, until - timedelta(days=5))
    store.set_retention(res.key, until + timedelta(days=5))
    assert store.stat(res.key).retention_until == until + timedelta(days=5)


@pytest.mark.parametrize("backend", ["memory", "filesystem"])
def test_expired_retention_allows_delete(store: ObjectStore) -> None:
    # Local stores only: S3 refuses to set a retain-until date in the past, and a test cannot
    # wait for one to expire.
    res = put_bytes(store, b"expired")
    store.set_retention(res.key, datetime.now(UTC) - timedelta(seconds=1))
    store.delete(res.key)
    assert not store.exists(res.key)


def test_legal_hold_blocks_delete_until_released(store: ObjectStore) -> None:
    res = put_bytes(store, b"under investigation")
    store.set_legal_hold(res.key, True)
    assert store.stat(res.key).legal_hold is True
    with pytest.raises(ObjectLocked):
        store.delete(res.key)
    assert store.exists(res.key)
    store.set_legal_hold(res.key, False)
    assert store.stat(res.key).legal_hold is False
    store.delete(res.key)
    assert not store.exists(res.key)


def test_presigned_url(store: ObjectStore, backend: str, request: pytest.FixtureRequest) -> None:
    data = b"shared by link"
    res = put_bytes(store, data)
    url = store.presigned_url(res.key, timedelta(minutes=5))
    if backend != "minio":
        assert url is None
        return
    s3 = request.getfixturevalue("s3")
    assert url is not None and url.startswith(f"{s3.url}/{TEST_BUCKET}/{res.key}?")
    req = urllib.request.Request(url, headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, context=s3.ssl_context(), timeout=30) as resp:
        assert resp.read() == data


def test_iter_keys_lists_every_object_with_its_time(store: ObjectStore) -> None:
    before = datetime.now(UTC) - timedelta(minutes=5)
    keys = {put_bytes(store, f"object {i}".encode()).key for i in range(5)}
    listed = dict(store.iter_keys())
    assert set(listed) == keys
    assert all(before < t < datetime.now(UTC) + timedelta(minutes=5) for t in listed.values())


def test_verify_on_read_detects_wrong_bytes(store: ObjectStore, backend: str,
                                            request: pytest.FixtureRequest) -> None:
    data = b"original bytes"
    res = put_bytes(store, data)
    tamper_with(store, backend, res.key, b"tampered bytes", request)
    with pytest.raises(IntegrityMismatch) as exc:
        read_all(store, res.key, verify=True)
    assert exc.value.details["expected"] == res.sha256
    assert exc.value.details["actual"] == hashlib.sha256(b"tampered bytes").hexdigest()
    assert read_all(store, res.key) == b"tampered bytes"  # without verify: what is there


def tamper_with(store: ObjectStore, backend: str, key: str, data: bytes,
                request: pytest.FixtureRequest) -> None:
    """Change an object's bytes behind the store's back."""
    if backend == "memory":
        store._objects[key].data = data  # type: ignore[attr-defined]
    elif backend == "filesystem":
        path = store.root / key  # type: ignore[attr-defined]
        path.chmod(0o644)
        path.write_bytes(data)
    else:
        s3 = request.getfixturevalue("s3")
        s3.minio_client().put_object(TEST_BUCKET, key, io.BytesIO(data), len(data))


def test_check_passes(store: ObjectStore) -> None:
    store.check()
