"""SQLite's planner statistics: gathered by the jobs worker, on an interval, never on PostgreSQL."""
from __future__ import annotations

from sqlalchemy import text

from edoc.database import refresh_statistics
from edoc.jobs import maintenance


def _agencies(n: int) -> None:
    from edoc.auth.services import create_agency
    from edoc.extensions import db

    for i in range(n):
        create_agency(organ_id=f"000.00.{i:02d}.H99", name=f"UBND xã Thống Kê {i}")
    db.session.commit()


def test_refresh_gathers_the_planner_statistics(app, db):
    _agencies(3)
    ran = refresh_statistics(db.engine)
    if db.engine.dialect.name == "postgresql":
        assert ran is False  # autovacuum's job there
        return
    assert ran is True
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT tbl, stat FROM sqlite_stat1 WHERE tbl = 'agencies'")).all()
    assert rows, "no statistics for a table with rows"
    assert all(stat.split()[0] == "3" for _tbl, stat in rows)  # the row count the planner uses


def test_the_worker_refreshes_once_per_interval(app, monkeypatch):
    calls = []
    monkeypatch.setattr("edoc.database.refresh_statistics", lambda engine: calls.append(1))
    monkeypatch.setattr(maintenance, "_last_refresh", {})
    maintenance.tick()
    maintenance.tick()
    assert len(calls) == 1
    clock = [maintenance.time.monotonic()]
    monkeypatch.setattr(maintenance.time, "monotonic", lambda: clock[0])
    clock[0] += 61 * 60  # past the default 60 minutes
    maintenance.tick()
    assert len(calls) == 2


def test_an_interval_of_zero_turns_it_off(app, monkeypatch):
    calls = []
    monkeypatch.setattr("edoc.database.refresh_statistics", lambda engine: calls.append(1))
    monkeypatch.setattr(maintenance, "_last_refresh", {})
    app.config["SQLITE_ANALYZE_MINUTES"] = 0
    maintenance.tick()
    assert calls == []


def test_a_failure_does_not_stop_the_worker(app, monkeypatch):
    def broken(engine):
        raise RuntimeError("database is locked")

    logged = []
    monkeypatch.setattr("edoc.database.refresh_statistics", broken)
    monkeypatch.setattr(maintenance, "_last_refresh", {})
    # The logger itself, not caplog: the app's logging setup may stop propagation to the root.
    monkeypatch.setattr(maintenance.logger, "exception", lambda msg, *a: logged.append(msg))
    maintenance.tick()  # logged, not raised
    assert logged == ["refreshing the SQLite statistics failed"]
