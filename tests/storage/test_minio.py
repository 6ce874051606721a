"""MinIO-specific behaviour against moto's S3 over TLS: object lock seen from the S3 API itself,
multipart, versions, metadata encoding, and the store going down and coming back."""
from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request
from minio.commonconfig import GOVERNANCE
from minio.error import S3Error
from sqlalchemy import func, select

from edoc.extensions import csrf, db
from edoc.storage import create_store
from edoc.storage.base import ObjectLocked, StorageError, StorageUnavailable
from edoc.storage.minio import MinioStore
from edoc.storage.models import StoredObject
from edoc.storage.services import save_stream
from tests.storage.conftest import TEST_BUCKET
from tests.support.s3server import S3TestServer

pytestmark = pytest.mark.s3


@pytest.fixture
def backend() -> str:
    return "minio"


def versions(s3: S3TestServer, key: str) -> list:
    return [o for o in s3.minio_client().list_objects(TEST_BUCKET, prefix=key,
                                                       include_version=True)
            if o.object_name == key]


def test_bucket_is_created_with_object_lock(store: MinioStore, s3: S3TestServer) -> None:
    raw = s3.minio_client()
    assert not raw.bucket_exists(TEST_BUCKET)
    store.check()
    assert raw.bucket_exists(TEST_BUCKET)
    assert raw.get_object_lock_config(TEST_BUCKET) is not None
    assert raw.get_bucket_versioning(TEST_BUCKET).status == "Enabled"


def test_locked_object_cannot_be_deleted_through_the_s3_api(store: MinioStore,
                                                             s3: S3TestServer) -> None:
    data = b"archived decision"
    res = store.put(io.BytesIO(data))
    store.set_retention(res.key, datetime.now(UTC) + timedelta(days=2))
    raw = s3.minio_client()
    (version,) = versions(s3, res.key)
    with pytest.raises(S3Error) as exc:
        raw.remove_object(TEST_BUCKET, res.key, version_id=version.version_id)
    assert exc.value.code == "AccessDenied"
    # Writing other bytes under the key only stacks a new version on top; the locked version
    # keeps the original bytes and stays undeletable.
    raw.put_object(TEST_BUCKET, res.key, io.BytesIO(b"forged"), 6)
    got = raw.get_object(TEST_BUCKET, res.key, version_id=version.version_id)
    try:
        assert got.read() == data
    finally:
        got.close()
        got.release_conn()
    with pytest.raises(S3Error):
        raw.remove_object(TEST_BUCKET, res.key, version_id=version.version_id)
    with pytest.raises(ObjectLocked):
        store.delete(res.key)


def test_legal_hold_blocks_the_s3_api_too(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"held"))
    store.set_legal_hold(res.key, True)
    (version,) = versions(s3, res.key)
    with pytest.raises(S3Error):
        s3.minio_client().remove_object(TEST_BUCKET, res.key, version_id=version.version_id)
    store.set_legal_hold(res.key, False)
    store.delete(res.key)
    assert versions(s3, res.key) == []


def test_governance_retention_is_applied_in_the_configured_mode(store: MinioStore,
                                                                s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"governed"))
    until = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    store.set_retention(res.key, until)
    head = s3.minio_client().stat_object(TEST_BUCKET, res.key)
    assert head.metadata["x-amz-object-lock-mode"] == GOVERNANCE
    assert store.stat(res.key).retention_until == until


def test_dedupe_creates_no_second_version(store: MinioStore, s3: S3TestServer) -> None:
    small = store.put(io.BytesIO(b"small"))
    big_data = os.urandom(6 * 1024 * 1024)
    big = store.put(io.BytesIO(big_data))
    assert store.put(io.BytesIO(b"small")).created is False
    assert store.put(io.BytesIO(big_data)).created is False
    assert len(versions(s3, small.key)) == 1
    assert len(versions(s3, big.key)) == 1


def test_large_objects_go_up_in_parts(store: MinioStore, s3: S3TestServer) -> None:
    data = os.urandom(12 * 1024 * 1024)
    res = store.put(io.BytesIO(data))
    etag = s3.minio_client().stat_object(TEST_BUCKET, res.key).etag
    assert etag.endswith("-3")  # 5 + 5 + 2 MiB
    small = store.put(io.BytesIO(b"one request"))
    assert "-" not in s3.minio_client().stat_object(TEST_BUCKET, small.key).etag


def test_metadata_is_header_safe(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"x"), metadata={"filename": "Quyết định 15/QĐ-UBND.pdf"})
    head = s3.minio_client().stat_object(TEST_BUCKET, res.key)
    assert head.metadata["x-amz-meta-filename"].isascii()
    assert store.stat(res.key).metadata["filename"] == "Quyết định 15/QĐ-UBND.pdf"


def test_delete_removes_every_version(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"versioned"))
    s3.minio_client().put_object(TEST_BUCKET, res.key, io.BytesIO(b"other"), 5)
    assert len(versions(s3, res.key)) == 2
    store.delete(res.key)
    assert versions(s3, res.key) == []
    assert not store.exists(res.key)


def test_delete_checks_every_version_before_removing_any(store: MinioStore,
                                                         s3: S3TestServer) -> None:
    """A locked version written behind the app's back (here under a legal hold, straight
    through the S3 API) makes the whole delete refuse, with nothing removed: deleting the
    older, unlocked version first would leave the key pointing at the other bytes."""
    res = store.put(io.BytesIO(b"original"))
    raw = s3.minio_client()
    forged = raw.put_object(TEST_BUCKET, res.key, io.BytesIO(b"forged"), 6, legal_hold=True)
    before = [(v.version_id, v.is_delete_marker) for v in versions(s3, res.key)]
    assert len(before) == 2
    with pytest.raises(ObjectLocked) as exc:
        store.delete(res.key)
    assert [(v.version_id, v.is_delete_marker) for v in versions(s3, res.key)] == before
    assert exc.value.details["legal_hold"] is True
    assert exc.value.details["version_id"] == forged.version_id
    assert "legal hold" in str(exc.value.message)
    with store.open(res.key) as fh:  # the newest version is the forged one, still there
        assert fh.read() == b"forged"


def test_delete_refusal_names_the_retention_date(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"kept ten years"))
    until = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    store.set_retention(res.key, until)
    s3.minio_client().remove_object(TEST_BUCKET, res.key)  # a delete marker on top
    before = [(v.version_id, v.is_delete_marker) for v in versions(s3, res.key)]
    assert sorted(marker for _v, marker in before) == [False, True]
    with pytest.raises(ObjectLocked) as exc:
        store.delete(res.key)
    assert exc.value.details["legal_hold"] is False
    assert datetime.fromisoformat(exc.value.details["retention_until"]) == until
    assert until.strftime("%d/%m/%Y") in str(exc.value.message)
    # The delete marker is not removed either: the refusal touches nothing.
    assert [(v.version_id, v.is_delete_marker) for v in versions(s3, res.key)] == before


def test_delete_after_the_hold_is_lifted(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"held then released"))
    s3.minio_client().put_object(TEST_BUCKET, res.key, io.BytesIO(b"second"), 6)
    store.set_legal_hold(res.key, True)
    with pytest.raises(ObjectLocked):
        store.delete(res.key)
    assert len(versions(s3, res.key)) == 2
    store.set_legal_hold(res.key, False)
    store.delete(res.key)
    assert versions(s3, res.key) == []


def test_retention_covers_every_version(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"original"))
    s3.minio_client().put_object(TEST_BUCKET, res.key, io.BytesIO(b"forged"), 6)
    store.set_retention(res.key, datetime.now(UTC) + timedelta(days=1))
    for v in versions(s3, res.key):
        with pytest.raises(S3Error):
            s3.minio_client().remove_object(TEST_BUCKET, res.key, version_id=v.version_id)


def test_store_down_and_back(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(b"before the outage"))
    s3.stop()
    for call in (lambda: store.put(io.BytesIO(b"during the outage")),
                 lambda: store.open(res.key), lambda: store.stat(res.key),
                 lambda: store.exists(res.key), lambda: store.delete(res.key),
                 lambda: store.set_legal_hold(res.key, True), store.check,
                 lambda: list(store.iter_keys())):
        with pytest.raises(StorageUnavailable) as exc:
            call()
        assert exc.value.status == 503 and exc.value.code == "storage_unavailable"
    s3.start()
    with store.open(res.key, verify=True) as fh:
        assert fh.read() == b"before the outage"
    assert store.put(io.BytesIO(b"after the outage")).created


def test_store_dies_while_reading(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(os.urandom(8 * 1024 * 1024)))
    fh = store.open(res.key)
    fh.read(1024)
    s3.stop()
    with pytest.raises(StorageUnavailable):
        while fh.read(1024 * 1024):
            pass
    fh.close()


def test_full_reads_reuse_pooled_connections(store: MinioStore, s3: S3TestServer) -> None:
    res = store.put(io.BytesIO(os.urandom(300_000)))
    for _ in range(20):
        with store.open(res.key) as fh:
            assert len(fh.read()) == 300_000
    pool = store.client._http.connection_from_url(s3.url)
    assert pool.num_connections <= 2  # one per request would mean connections leak or close


def test_bucket_removed_behind_our_back_is_recreated(store: MinioStore,
                                                     s3: S3TestServer) -> None:
    store.put(io.BytesIO(b"first"))
    s3.reset()  # bucket and objects gone
    with pytest.raises(StorageError) as exc:
        store.put(io.BytesIO(b"second"))
    assert exc.value.status == 503
    res = store.put(io.BytesIO(b"third"))
    assert res.created and store.exists(res.key)
    assert s3.minio_client().get_object_lock_config(TEST_BUCKET) is not None


def test_unknown_bucket_lock_mode_is_refused(s3: S3TestServer) -> None:
    with pytest.raises(ValueError):
        create_store(s3.store_config(lock_mode="FOREVER"))


def test_request_fails_with_503_and_records_nothing_while_store_is_down(
        app: Flask, s3: S3TestServer) -> None:
    @app.post("/api/test-upload")
    @csrf.exempt
    def upload():
        obj = save_stream(request.stream, content_type=request.mimetype,
                          size=request.content_length)
        db.session.commit()
        return {"id": obj.id}, 201

    client = app.test_client()
    headers = {"Content-Type": "application/pdf"}
    assert client.post("/api/test-upload", data=b"%PDF first", headers=headers).status_code == 201

    s3.stop()
    resp = client.post("/api/test-upload", data=b"%PDF during outage", headers=headers)
    assert resp.status_code == 503
    assert resp.json["error"]["code"] == "storage_unavailable"
    assert resp.json["error"]["message"]  # Vietnamese text for the user
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StoredObject)) == 1

    s3.start()
    assert client.post("/api/test-upload", data=b"%PDF after", headers=headers).status_code == 201
    keys = db.session.scalars(select(StoredObject.key)).all()
    raw = s3.minio_client()
    assert len(keys) == 2
    for key in keys:  # every row points at an object that exists
        raw.stat_object(TEST_BUCKET, key)
