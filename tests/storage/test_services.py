"""Storage services and the ``flask storage`` commands, against every backend where it matters."""
from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request
from sqlalchemy import func, select

from edoc.extensions import csrf, db
from edoc.storage import get_store
from edoc.storage.base import ObjectLocked
from edoc.storage.models import StoredObject
from edoc.storage.services import (
    collect_garbage,
    lock_object,
    open_stored,
    save_stream,
    store_stream,
    unlock_object,
    verify_objects,
)


@pytest.fixture
def app(app: Flask) -> Flask:
    """The app of tests/conftest.py (on the ``backend`` store), plus an upload endpoint."""

    @app.post("/api/test-files")
    @csrf.exempt
    def upload():
        obj = save_stream(request.stream, content_type=request.mimetype,
                          size=request.content_length)
        db.session.commit()
        return {"id": obj.id, "key": obj.key, "sha256": obj.sha256}, 201

    return app


def count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredObject))


def test_save_stream_stores_then_records(app: Flask, backend: str) -> None:
    obj = save_stream(io.BytesIO(b"%PDF-1.7 minutes"), content_type="application/pdf")
    assert obj.id is not None  # flushed
    assert (obj.backend, obj.size, obj.content_type) == (backend, 16, "application/pdf")
    assert len(obj.sha256) == 64 and obj.key.endswith(obj.sha256)
    again = save_stream(io.BytesIO(b"%PDF-1.7 minutes"), content_type="application/pdf")
    assert again.id == obj.id
    db.session.commit()
    with open_stored(obj, verify=True) as fh:
        assert fh.read() == b"%PDF-1.7 minutes"
    assert count_rows() == 1


def test_save_stream_does_not_commit(app: Flask) -> None:
    obj = save_stream(io.BytesIO(b"rolled back"), content_type="text/plain")
    key = obj.key
    db.session.rollback()
    assert count_rows() == 0
    # The bytes stay behind as an orphan for gc.
    assert get_store().exists(key)
    report = collect_garbage(timedelta(hours=1), now=datetime.now(UTC) + timedelta(hours=2))
    assert report.deleted == (key,)
    assert not get_store().exists(key)


def test_upload_endpoint_round_trip(app: Flask) -> None:
    client = app.test_client()
    resp = client.post("/api/test-files", data=b"x" * 5000,
                       headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    obj = db.session.get(StoredObject, resp.json["id"])
    assert obj is not None and obj.size == 5000


def test_gc_keeps_referenced_young_and_locked(app: Flask) -> None:
    store = get_store()
    referenced = save_stream(io.BytesIO(b"referenced"), content_type="text/plain")
    db.session.commit()
    orphan = store.put(io.BytesIO(b"orphan")).key
    held = store.put(io.BytesIO(b"held orphan")).key
    store.set_legal_hold(held, True)
    retained = store.put(io.BytesIO(b"retained orphan")).key
    store.set_retention(retained, datetime.now(UTC) + timedelta(days=30))

    young = collect_garbage(timedelta(hours=24))
    assert young.scanned == 4 and young.deleted == () and young.locked == ()

    later = datetime.now(UTC) + timedelta(hours=25)
    dry = collect_garbage(timedelta(hours=24), dry_run=True, now=later)
    assert dry.deleted == (orphan,) and set(dry.locked) == {held, retained}
    assert store.exists(orphan)

    report = collect_garbage(timedelta(hours=24), now=later)
    assert report.deleted == (orphan,)
    assert set(report.locked) == {held, retained}
    assert not store.exists(orphan)
    assert store.exists(referenced.key) and store.exists(held) and store.exists(retained)


def test_lock_object_records_and_enforces(app: Flask) -> None:
    obj = save_stream(io.BytesIO(b"archived"), content_type="text/plain")
    until = (datetime.now(UTC) + timedelta(days=365)).replace(microsecond=0)
    lock_object(obj, until, legal_hold=True)
    db.session.commit()
    obj = db.session.get(StoredObject, obj.id)
    assert obj.retention_until == until and obj.legal_hold is True
    with pytest.raises(ObjectLocked):
        lock_object(obj, until - timedelta(days=1))
    with pytest.raises(ObjectLocked):
        get_store().delete(obj.key)
    unlock_object(obj)
    assert obj.legal_hold is False
    with pytest.raises(ObjectLocked):  # still retained
        get_store().delete(obj.key)


def test_verify_clean(app: Flask) -> None:
    for i in range(3):
        save_stream(io.BytesIO(f"file {i}".encode()), content_type="text/plain")
    db.session.commit()
    report = verify_objects()
    assert report.ok and report.checked == 3 and report.bytes_read == 18
    result = app.test_cli_runner().invoke(args=["storage", "verify"])
    assert result.exit_code == 0, result.output
    assert "checked 3 objects" in result.output


@pytest.mark.parametrize("backend", ["filesystem"])
def test_verify_reports_bytes_changed_on_disk(app: Flask) -> None:
    good = save_stream(io.BytesIO(b"untouched"), content_type="text/plain")
    bad = save_stream(io.BytesIO(b"original content"), content_type="text/plain")
    gone = save_stream(io.BytesIO(b"will vanish"), content_type="text/plain")
    db.session.commit()
    root = get_store().root
    path = root / bad.key
    path.chmod(0o644)
    path.write_bytes(b"original c0ntent")  # same size, one byte changed
    (root / gone.key).unlink()
    bad_key, gone_key, good_key = bad.key, gone.key, good.key
    result = app.test_cli_runner().invoke(args=["storage", "verify"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"mismatch\t{bad_key}\t") for line in lines), result.output
    assert f"missing\t{gone_key}\tno object in the store" in lines
    assert good_key not in result.output
    assert "checked 3 objects" in lines[-1] and "2 problem(s)" in lines[-1]


def test_gc_command(app: Flask) -> None:
    kept = save_stream(io.BytesIO(b"kept"), content_type="text/plain")
    db.session.commit()
    orphan = get_store().put(io.BytesIO(b"orphan")).key
    kept_key = kept.key
    runner = app.test_cli_runner()
    result = runner.invoke(args=["storage", "gc"])  # default grace 24 h: nothing is old
    assert result.exit_code == 0 and "deleted 0" in result.output
    result = runner.invoke(args=["storage", "gc", "--grace-hours", "0", "--dry-run"])
    assert result.exit_code == 0
    assert f"would delete\t{orphan}" in result.output
    result = runner.invoke(args=["storage", "gc", "--grace-hours", "0"])
    assert f"deleted\t{orphan}" in result.output and kept_key not in result.output
    assert not get_store().exists(orphan) and get_store().exists(kept_key)


def test_check_command(app: Flask, backend: str) -> None:
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 0 and f"{backend}: ok" in result.output


def test_store_stream_tells_whether_the_row_is_new(app: Flask) -> None:
    first = store_stream(io.BytesIO(b"%PDF-1.7 new bytes"), content_type="application/pdf")
    again = store_stream(io.BytesIO(b"%PDF-1.7 new bytes"), content_type="application/pdf")
    assert first.created is True and again.created is False
    assert again.obj is first.obj
    db.session.commit()
    later = store_stream(io.BytesIO(b"%PDF-1.7 new bytes"), content_type="application/pdf")
    assert later.created is False and later.obj.id == first.obj.id
    assert count_rows() == 1


def test_stored_orphan_gets_a_new_row(app: Flask) -> None:
    """Bytes left in the store by a rolled-back transaction: the store dedupes them, the row is
    new (so no document can refer to them yet)."""
    key = get_store().put(io.BytesIO(b"orphan bytes")).key
    saved = store_stream(io.BytesIO(b"orphan bytes"), content_type="text/plain")
    assert saved.created is True and saved.obj.key == key
    assert count_rows() == 1


def test_save_stream_does_not_flush_the_callers_pending_rows(app: Flask) -> None:
    from edoc.auth.models import Agency

    agency = Agency(organ_id="000.00.99.H01", name="Thử", notation="T")
    db.session.add(agency)
    save_stream(io.BytesIO(b"independent"), content_type="text/plain")
    assert agency in db.session.new  # goes in with the caller's own flush
    db.session.flush()
    assert agency.id is not None


@pytest.mark.parametrize("backend", ["filesystem"], indirect=True)
def test_two_transactions_saving_the_same_bytes_share_one_row(app: Flask) -> None:
    """The second transaction's INSERT meets the first one's uncommitted row: it waits
    (PostgreSQL: the unique index; SQLite: the write lock), then uses the committed row."""
    data = b"%PDF-1.7 the same scan uploaded twice at once"
    mine = save_stream(io.BytesIO(data), content_type="application/pdf")
    started = threading.Event()
    result: dict = {}

    def other() -> None:
        with app.app_context():
            try:
                started.set()
                obj = save_stream(io.BytesIO(data), content_type="application/pdf")
                result["id"] = obj.id
                db.session.commit()
            except BaseException as exc:  # reported below
                result["error"] = exc
                db.session.rollback()
            finally:
                db.session.remove()

    thread = threading.Thread(target=other)
    thread.start()
    started.wait(10)
    time.sleep(0.3)  # let it reach the INSERT (if it has not, it finds the row: same outcome)
    db.session.commit()
    thread.join(30)
    assert not thread.is_alive()
    assert "error" not in result, result
    assert result["id"] == mine.id
    assert count_rows() == 1


def test_bytes_written_ahead_are_recorded_in_one_statement(app: Flask) -> None:
    """The exchange's prefetch worker writes the bytes before the poller records them: their
    row is inserted at once, without looking for it first."""
    from sqlalchemy import event

    get_store().put(io.BytesIO(b"written ahead"))
    db.session.connection()  # the transaction begun: only the store's statements are counted
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        saved = store_stream(io.BytesIO(b"written ahead"), content_type="text/plain")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert saved.created is True
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
