"""Fixity: re-hash the archive's objects and report what no longer matches.

Each run takes the ``ARCHIVE_FIXITY_BATCH`` least recently checked objects held by archived
records (so a large archive is covered over several runs), re-hashes them through the object
store with :func:`archive.check_fixity`, and keeps a :class:`FixityRun` with one
:class:`FixityProblem` per changed, missing or unreadable object. Problems are audited
(``archive.fixity_problem``) on the chains of the agencies holding the object.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, update

from archive import FixityItem, check_fixity
from edoc import audit
from edoc.db import utcnow
from edoc.extensions import db
from edoc.records.archive_models import ArchiveHolding, FixityProblem, FixityRun
from edoc.records.models import Record
from edoc.records.settings import setting
from edoc.records.states import RecordState
from edoc.storage import get_store
from edoc.storage.base import ObjectNotFound
from edoc.storage.models import StoredObject

__all__ = ["latest_run", "run_fixity"]


def _batch(limit: int) -> list[StoredObject]:
    # Never checked first, then the longest unchecked (holdings of one object move together).
    last_check = func.max(ArchiveHolding.last_fixity_at)
    stmt = (select(StoredObject).join(ArchiveHolding,
                                      ArchiveHolding.stored_object_id == StoredObject.id)
            .join(Record, Record.id == ArchiveHolding.record_id)
            .where(Record.state == RecordState.ARCHIVED)
            .group_by(StoredObject.id)
            .order_by(last_check.asc().nulls_first(), StoredObject.id))
    if limit > 0:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def _holders(object_ids: list[int]) -> dict[int, tuple[set[int], set[int]]]:
    out: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    rows = db.session.execute(select(ArchiveHolding.stored_object_id, ArchiveHolding.agency_id,
                                     ArchiveHolding.record_id)
                              .where(ArchiveHolding.stored_object_id.in_(object_ids)))
    for object_id, agency_id, record_id in rows:
        out[object_id][0].add(agency_id)
        out[object_id][1].add(record_id)
    return out


def run_fixity(*, trigger: str = "job", limit: int | None = None,
               actor: Any = None) -> FixityRun:
    """Check one batch of archived objects; flushes the run and its problems."""
    limit = int(setting("ARCHIVE_FIXITY_BATCH")) if limit is None else limit
    run = FixityRun(trigger=trigger)
    db.session.add(run)
    objects = _batch(limit)
    by_key = {o.key: o for o in objects}
    store = get_store()
    report = check_fixity([FixityItem(o.key, o.sha256, o.size) for o in objects],
                          lambda key: store.open(key), missing_errors=(ObjectNotFound,))
    run.finished_at = utcnow()
    run.checked, run.ok_count, run.bytes_checked = report.checked, report.ok_count, \
        report.bytes_checked
    run.mismatches, run.missing, run.errors = (len(report.mismatches), len(report.missing),
                                               len(report.errors))
    db.session.flush()
    problems: list[tuple[StoredObject, str, str, str, str]] = []
    for m in report.mismatches:
        problems.append((by_key[m.key], m.code, m.expected_sha256 if m.code ==
                         "checksum_mismatch" else str(m.expected_size),
                         m.actual_sha256 if m.code == "checksum_mismatch" else
                         str(m.actual_size), ""))
    problems += [(by_key[k], "missing", "", "", "") for k in report.missing]
    problems += [(by_key[e.key], "error", "", "", e.message[:2000]) for e in report.errors]
    holders = _holders([o.id for o in objects]) if problems else {}
    bad_ids = set()
    for obj, kind, expected, actual, detail in problems:
        agencies, records = holders.get(obj.id, (set(), set()))
        db.session.add(FixityProblem(run_id=run.id, stored_object_id=obj.id, key=obj.key,
                                     kind=kind, expected=expected, actual=actual, detail=detail,
                                     agency_ids=sorted(agencies), record_ids=sorted(records)))
        bad_ids.add(obj.id)
        for agency_id in sorted(agencies) or [0]:
            audit.record("archive.fixity_problem", actor=actor, agency_id=agency_id,
                         details={"run_id": run.id, "key": obj.key, "kind": kind,
                                  "records": sorted(records)})
    now = utcnow()
    ids = [o.id for o in objects]
    if ids:
        db.session.execute(update(ArchiveHolding)
                           .where(ArchiveHolding.stored_object_id.in_(ids))
                           .values(last_fixity_at=now, last_fixity_ok=True))
    if bad_ids:
        db.session.execute(update(ArchiveHolding)
                           .where(ArchiveHolding.stored_object_id.in_(bad_ids))
                           .values(last_fixity_ok=False))
    audit.record("archive.fixity_run", actor=actor, agency_id=0,
                 details={"run_id": run.id, "checked": run.checked, "problems": len(problems)})
    db.session.flush()
    return run


def latest_run() -> FixityRun | None:
    return db.session.scalar(select(FixityRun).order_by(FixityRun.id.desc()).limit(1))
