"""Engine tuning per database dialect.

SQLite (the embedded default) allows one writer at a time. Starting every transaction with
``BEGIN IMMEDIATE`` takes the write lock up front, so two clerks taking a register number at once
queue behind each other (``busy_timeout``) instead of failing with "database is locked" when a
read transaction tries to upgrade. PostgreSQL needs nothing here: numbering locks its counter row.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_S = 60


def engine_options(uri: str) -> dict:
    """Options for ``SQLALCHEMY_ENGINE_OPTIONS``; read by Flask-SQLAlchemy at ``init_app``."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}}
    # JIT compilation kicks in on the cost estimates of large list queries and costs 100-300 ms per
    # query on short OLTP statements; edoc's queries gain nothing from it.
    return {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}}


def init_app(app: Flask) -> None:
    from edoc.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migration_include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: leave out the full-text objects that migrations create with
    explicit SQL (SQLite FTS5 tables and their shadow tables, expression GIN indexes)."""
    if type_ == "table" and name and "_fts" in name:
        return False
    return not (type_ == "index" and name and name.endswith("_fts"))
