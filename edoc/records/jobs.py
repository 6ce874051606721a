"""Background jobs of the archive: the scheduled fixity check, package builds, and deleting
the objects of disposed records after the disposal committed."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from edoc.db import utcnow
from edoc.extensions import db
from edoc.jobs import enqueue, handler
from edoc.records.settings import setting

__all__ = ["after_archiving", "enqueue_object_deletion", "schedule_fixity"]

logger = logging.getLogger(__name__)

FIXITY = "records.fixity"
BUILD_PACKAGE = "records.build_package"
DELETE_OBJECTS = "records.delete_objects"


def schedule_fixity(*, now: bool = False) -> None:
    """Make sure the next fixity run is queued (one at a time)."""
    hours = float(setting("ARCHIVE_FIXITY_INTERVAL_HOURS"))
    enqueue(FIXITY, {}, run_after=utcnow() + (timedelta(0) if now else timedelta(hours=hours)),
            dedupe_key=FIXITY)


def after_archiving(record: Any, *, build_package: bool = True) -> None:
    """Queue the package build of a newly archived record, and the fixity schedule."""
    if build_package:
        enqueue(BUILD_PACKAGE, {"record_id": record.id}, dedupe_key=f"package:{record.id}")
    schedule_fixity()


def enqueue_object_deletion(keys: list[str]) -> None:
    if keys:
        enqueue(DELETE_OBJECTS, {"keys": sorted(keys)})


@handler(FIXITY, max_attempts=3)
def fixity_job(payload: dict[str, Any]) -> None:
    from edoc.records.fixity import run_fixity

    run = run_fixity(trigger="job")
    logger.info("fixity run %s: %s checked, %s problems", run.id, run.checked,
                run.mismatches + run.missing + run.errors)
    # The next run is queued in the same transaction as this one's results.
    hours = float(setting("ARCHIVE_FIXITY_INTERVAL_HOURS"))
    db.session.flush()
    from edoc.jobs.models import Job

    pending = db.session.scalar(select(Job.id).where(Job.kind == FIXITY,
                                                     Job.state == "queued"))
    if pending is None:
        # enqueue's dedupe would see this running job itself: add the key afterwards.
        job = enqueue(FIXITY, {}, run_after=utcnow() + timedelta(hours=hours))
        if job is not None:
            job.dedupe_key = FIXITY


@handler(BUILD_PACKAGE, max_attempts=3)
def build_package_job(payload: dict[str, Any]) -> None:
    from edoc.records.models import Record
    from edoc.records.packages import stored_package
    from edoc.records.states import RecordState

    record = db.session.get(Record, payload["record_id"])
    if record is None or record.state != RecordState.ARCHIVED:
        return
    stored_package(record)


@handler(DELETE_OBJECTS, max_attempts=8)
def delete_objects_job(payload: dict[str, Any]) -> None:
    """Delete the bytes of disposed files, unless the same bytes were stored again since."""
    from edoc import audit
    from edoc.storage import get_store
    from edoc.storage.base import ObjectNotFound
    from edoc.storage.models import StoredObject

    store = get_store()
    deleted = []
    for key in payload.get("keys", []):
        if db.session.scalar(select(StoredObject.id).where(StoredObject.key == key)):
            continue  # revived by a new upload of the same bytes
        try:
            store.delete(key)
        except ObjectNotFound:
            continue
        deleted.append(key)
    audit.record("archive.objects_destroyed", agency_id=0, details={"keys": deleted})
