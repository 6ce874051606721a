"""Archived files are locked in the object store until the retention ends; permanent records
and legal holds; retention may only grow."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from edoc.records.models import Record
from edoc.storage import get_store
from edoc.storage.base import ObjectLocked
from tests.records.helpers import archived_record, error_code, ok, post

VN = timezone(timedelta(hours=7))


def _objects(db, record_id: int):
    from edoc.records.locking import archival_files

    db.session.expire_all()
    record = db.session.get(Record, record_id)
    return [f.stored for d in record.documents for f in archival_files(d)]


@pytest.mark.config(STORAGE_BACKEND="filesystem")
def test_files_are_locked_until_the_retention_ends(client, office, make_document, db):
    record = archived_record(client, office, [make_document(), make_document("Khác", number=2)])
    objects = _objects(db, record["id"])
    assert len(objects) == 2
    until = datetime(2031, 1, 1, tzinfo=VN)  # the day after 31/12/2030, local time
    store = get_store()
    for obj in objects:
        assert obj.retention_until == until and not obj.legal_hold
        assert store.stat(obj.key).retention_until == until
        with pytest.raises(ObjectLocked):
            store.delete(obj.key)
        assert store.exists(obj.key)


def test_permanent_records_get_a_legal_hold_and_a_long_retention(client, office,
                                                                  make_document, db):
    record = archived_record(client, office, [make_document()], retention="permanent")
    assert record["retention_until"] is None
    (obj,) = _objects(db, record["id"])
    assert obj.legal_hold is True
    assert obj.retention_until > datetime.now(UTC) + timedelta(days=365 * 99)
    assert get_store().stat(obj.key).legal_hold is True


def test_legal_hold_on_a_record(client, office, make_document, db):
    shared = make_document("Văn bản dùng chung")
    term = archived_record(client, office, [shared])
    (obj,) = _objects(db, term["id"])
    assert not obj.legal_hold
    leader = office.headers("leader")
    r = post(client, f"/records/{term['id']}/legal-hold", leader, on=True, reason="")
    assert r.status_code == 422 and error_code(r) == "reason_required"
    rec = ok(post(client, f"/records/{term['id']}/legal-hold", leader, on=True,
                  reason="Thanh tra đang xem xét"))
    assert rec["legal_hold"] is True
    (obj,) = _objects(db, term["id"])
    assert obj.legal_hold and get_store().stat(obj.key).legal_hold
    # An officer may not lift it.
    r = post(client, f"/records/{term['id']}/legal-hold", office.headers("officer"), on=False)
    assert r.status_code == 403
    rec = ok(post(client, f"/records/{term['id']}/legal-hold", leader, on=False))
    (obj,) = _objects(db, term["id"])
    assert rec["legal_hold"] is False and not obj.legal_hold
    assert not get_store().stat(obj.key).legal_hold


def test_a_shared_object_keeps_the_strongest_lock(client, office, make_document, db):
    """The same bytes in two documents are one object: a permanent record's hold stays when
    a term record's legal hold is lifted."""
    from tests.records.helpers import make_pdf

    data = make_pdf("Bản chụp dùng chung")
    permanent = archived_record(client, office, [make_document("A", data=data)],
                                retention="permanent", notation="01.VP")
    term = archived_record(client, office, [make_document("B", data=data, number=3)],
                           notation="02.VP")
    (obj_a,) = _objects(db, permanent["id"])
    (obj_b,) = _objects(db, term["id"])
    assert obj_a.id == obj_b.id and obj_a.legal_hold
    leader = office.headers("leader")
    ok(post(client, f"/records/{term['id']}/legal-hold", leader, on=True, reason="Kiểm tra"))
    ok(post(client, f"/records/{term['id']}/legal-hold", leader, on=False))
    (obj,) = _objects(db, term["id"])
    assert obj.legal_hold  # still needed by the permanent record


def test_retention_of_an_archived_record_may_only_grow(client, office, make_document, db):
    record = archived_record(client, office, [make_document()], retention="10")
    archivist = office.headers("archivist")
    r = post(client, f"/records/{record['id']}/retention", archivist, retention="5")
    assert r.status_code == 409 and error_code(r) == "retention_not_increased"
    rec = ok(post(client, f"/records/{record['id']}/retention", archivist, retention="20"))
    assert rec["retention"]["years"] == 20 and rec["retention_until"] == "2040-12-31"
    (obj,) = _objects(db, record["id"])
    assert obj.retention_until == datetime(2041, 1, 1, tzinfo=VN)
    r = post(client, f"/records/{record['id']}/retention", office.headers("officer"),
             retention="permanent")
    assert r.status_code == 403


def test_records_outside_the_archive_are_not_locked(client, office, make_document, db):
    from tests.records.helpers import closed_record

    record = closed_record(client, office, [make_document()])
    (obj,) = _objects(db, record["id"])
    assert obj.retention_until is None
    get_store().delete(obj.key)  # nothing protects it yet
