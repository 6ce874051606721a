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
    return {"pool_pre_ping": True}


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
