"""Archived objects cannot be deleted or overwritten: not through the app, and not directly
through the S3 API of the test server (moto over TLS, object lock in COMPLIANCE mode). The
fixity job finds an object changed behind the app's back, on MinIO and on the filesystem."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from minio.error import S3Error
from sqlalchemy import select

from edoc.records.archive_models import FixityProblem, FixityRun
from edoc.records.models import Record
from edoc.storage import get_store
from edoc.storage.base import ObjectLocked
from tests.records.helpers import archived_record, ok, post
from tests.storage.conftest import s3, s3_server  # noqa: F401 - the moto server fixtures

BUCKET = "edoc-archive-test"


def _stored(db, record_id: int):
    from edoc.records.locking import archival_files

    db.session.expire_all()
    record = db.session.get(Record, record_id)
    return [f.stored for d in record.documents for f in archival_files(d)]


def _read(raw, key: str, version_id: str | None = None) -> bytes:
    got = raw.get_object(BUCKET, key, version_id=version_id)
    try:
        return got.read()
    finally:
        got.close()
        got.release_conn()


def _versions(raw, key: str) -> list:
    return [o for o in raw.list_objects(BUCKET, prefix=key, include_version=True)
            if o.object_name == key]


@pytest.fixture
def minio_config(s3):  # noqa: F811
    return s3.store_config(bucket=BUCKET, lock_mode="COMPLIANCE")


@pytest.mark.s3
class TestMinio:
    @pytest.fixture
    def config_overrides(self, minio_config):
        return minio_config

    def test_locked_object_survives_delete_and_overwrite(self, client, office, make_document,
                                                         db, s3, signed_pdf):  # noqa: F811
        record = archived_record(client, office, [make_document(data=signed_pdf)])
        (obj,) = _stored(db, record["id"])
        raw = s3.minio_client()
        (version,) = _versions(raw, obj.key)

        # Through the app: the store refuses, whatever the caller.
        with pytest.raises(ObjectLocked):
            get_store().delete(obj.key)
        # Directly through the S3 API: deleting the locked version is refused by the server.
        with pytest.raises(S3Error) as exc:
            raw.remove_object(BUCKET, obj.key, version_id=version.version_id)
        assert exc.value.code == "AccessDenied"
        # Overwriting only stacks a new version: the locked one keeps the original bytes.
        raw.put_object(BUCKET, obj.key, io.BytesIO(b"%PDF-1.7 forged"), 15)
        assert _read(raw, obj.key, version.version_id) == signed_pdf
        assert _read(raw, obj.key) == b"%PDF-1.7 forged"  # what a plain GET now serves
        with pytest.raises(S3Error):
            raw.remove_object(BUCKET, obj.key, version_id=version.version_id)

        # The fixity job reads what the app would serve, and reports the change.
        run = ok(post(client, "/fixity/runs", office.headers("archivist")), 201)
        assert run["mismatches"] == 1
        (problem,) = run["problems"]
        assert problem["key"] == obj.key and problem["kind"] == "size_mismatch"
        assert problem["record_ids"] == [record["id"]]

        # Deleting through the app is still refused, and the locked version is intact.
        with pytest.raises(ObjectLocked):
            get_store().delete(obj.key)
        assert _read(raw, obj.key, version.version_id) == signed_pdf

    def test_permanent_record_objects_are_held(self, client, office, make_document, db,
                                               s3):  # noqa: F811
        record = archived_record(client, office, [make_document()], retention="permanent")
        (obj,) = _stored(db, record["id"])
        raw = s3.minio_client()
        (version,) = _versions(raw, obj.key)
        assert raw.is_object_legal_hold_enabled(BUCKET, obj.key, version.version_id)
        with pytest.raises(S3Error):
            raw.remove_object(BUCKET, obj.key, version_id=version.version_id)


@pytest.mark.config(STORAGE_BACKEND="filesystem")
def test_fixity_job_finds_a_changed_file_on_the_filesystem(app, client, office, make_document,
                                                           db):
    from edoc.jobs import run_pending
    from edoc.jobs.models import Job

    good, victim = make_document("Còn nguyên"), make_document("Bị sửa", number=2)
    record = archived_record(client, office, [good, victim])
    run_pending()  # builds the package; the first fixity run is scheduled for later
    job = db.session.scalar(select(Job).where(Job.kind == "records.fixity",
                                              Job.state == "queued"))
    assert job is not None and job.dedupe_key == "records.fixity"

    target = next(o for o in _stored(db, record["id"])
                  if o.id == victim.current_file().stored_object_id)
    path = Path(app.config["STORAGE_PATH"]) / target.key
    os.chmod(path, 0o644)  # someone with shell access on the server
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    from edoc.db import utcnow

    job.run_after = utcnow()
    db.session.commit()
    assert run_pending(kinds={"records.fixity"}) == 1
    db.session.expire_all()
    run = db.session.scalar(select(FixityRun).order_by(FixityRun.id.desc()))
    assert run.trigger == "job" and run.checked == 3  # two files and the package
    (problem,) = db.session.scalars(select(FixityProblem).where(FixityProblem.run_id == run.id))
    assert problem.kind == "checksum_mismatch" and problem.key == target.key
    assert problem.expected == target.sha256 and problem.actual != target.sha256
    # The job queued its next run, and the problem is on the agency's audit chain.
    nxt = db.session.scalars(select(Job).where(Job.kind == "records.fixity",
                                               Job.state == "queued")).all()
    assert len(nxt) == 1 and nxt[0].run_after > utcnow()
    from edoc.audit.models import AuditEntry

    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "archive.fixity_problem"))
    assert entry.chain == office.agency.id and entry.details["records"] == [record["id"]]


@pytest.mark.config(STORAGE_BACKEND="filesystem")
def test_fixity_reports_a_missing_file(app, runner, client, office, make_document, db):
    record = archived_record(client, office, [make_document()])
    (obj,) = _stored(db, record["id"])
    path = Path(app.config["STORAGE_PATH"]) / obj.key
    path.unlink()
    result = runner.invoke(args=["archive", "fixity"])
    assert result.exit_code == 1
    assert f"missing\t{obj.key}" in result.output
