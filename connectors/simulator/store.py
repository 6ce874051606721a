"""SQLite storage of the axis simulator (stdlib sqlite3, WAL): agencies, messages, deliveries
and seen nonces. Every call takes a connection of its own from a small pool, so the threaded
server needs no locks, and a restart on the same file loses nothing that was acknowledged to a
client. Connections are kept open: opening one per call, and closing the last one (which
checkpoints the WAL into the database file), cost more than the requests themselves."""

from __future__ import annotations

import datetime as dt
import queue
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Agency", "Delivery", "SimulatorStore", "StoredMessage"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agencies (
    organ_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    system_id  TEXT NOT NULL UNIQUE,
    secret     TEXT NOT NULL,
    parent_id  TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    telephone  TEXT NOT NULL DEFAULT '',
    fax        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS messages (
    id                TEXT PRIMARY KEY,
    sender_system     TEXT NOT NULL,
    sender_organ      TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    message_type      TEXT NOT NULL,
    document_id       TEXT NOT NULL,
    title             TEXT NOT NULL,
    notation          TEXT NOT NULL,
    received_sha256   TEXT NOT NULL,
    body              BLOB NOT NULL,
    body_sha256       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (sender_system, client_message_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES messages(id),
    receiver     TEXT NOT NULL,
    status       TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    acked_at     TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_inbox ON deliveries (receiver, status);
CREATE TABLE IF NOT EXISTS nonces (
    system_id  TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (system_id, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);
"""

#: idle connections kept per store (the threaded server rarely runs more requests at once)
_POOL_SIZE = 8

PENDING = ("initial", "processing")


@dataclass(frozen=True, kw_only=True)
class Agency:
    """A connected agency: its OrganId, name and the system credentials it signs requests with."""

    organ_id: str
    name: str
    system_id: str
    secret: str
    parent_id: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""

    def __repr__(self) -> str:  # keep the secret out of logs
        return (
            f"Agency(organ_id={self.organ_id!r}, name={self.name!r}, system_id={self.system_id!r})"
        )


@dataclass(frozen=True, kw_only=True)
class StoredMessage:
    id: str
    sender_organ: str
    message_type: str
    received_sha256: str
    duplicate: bool


@dataclass(frozen=True, kw_only=True)
class Delivery:
    id: str
    message_id: str
    sender: str
    receiver: str
    message_type: str
    status: str
    description: str
    document_id: str
    title: str
    notation: str
    body_sha256: str
    body_length: int
    created_at: dt.datetime
    updated_at: dt.datetime
    acked_at: dt.datetime | None


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class SimulatorStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        # WAL with synchronous=NORMAL: a killed simulator process loses nothing (tests kill it),
        # only a power cut could drop the last commits; no fsync per commit. Every request
        # commits its nonce (replay protection), every acknowledgement its status: syncing each
        # cost the simulator a quarter of its CPU in the exchange bench, on the same machine.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.row_factory = sqlite3.Row
        return conn

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection used by this call alone (from the pool, or a new one)."""
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            yield conn
        except BaseException:
            conn.close()  # its state is unknown: not reused
            raise
        if conn.in_transaction or self._idle.qsize() >= _POOL_SIZE:
            conn.close()
        else:
            self._idle.put(conn)

    def close(self) -> None:
        """Close the idle connections (the store stays usable: later calls open new ones)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ------------------------------------------------------------------ agencies

    def upsert_agencies(self, agencies: Iterable[Agency]) -> None:
        with self._transaction() as conn:
            for a in agencies:
                conn.execute(
                    "INSERT INTO agencies (organ_id, name, system_id, secret, parent_id, email,"
                    " telephone, fax) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (organ_id) DO UPDATE SET name=excluded.name,"
                    " system_id=excluded.system_id, secret=excluded.secret,"
                    " parent_id=excluded.parent_id, email=excluded.email,"
                    " telephone=excluded.telephone, fax=excluded.fax",
                    (
                        a.organ_id,
                        a.name,
                        a.system_id,
                        a.secret,
                        a.parent_id,
                        a.email,
                        a.telephone,
                        a.fax,
                    ),
                )

    def agencies(self) -> list[Agency]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM agencies ORDER BY organ_id").fetchall()
        return [Agency(**dict(row)) for row in rows]

    def agency_by_system(self, system_id: str) -> Agency | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM agencies WHERE system_id = ?", (system_id,)
            ).fetchone()
        return Agency(**dict(row)) if row else None

    # ------------------------------------------------------------------ nonces

    def remember_nonce(self, system_id: str, nonce: str, expires_at: float, now: float) -> bool:
        with self._transaction() as conn:
            conn.execute("DELETE FROM nonces WHERE expires_at < ?", (now,))
            try:
                conn.execute("INSERT INTO nonces VALUES (?, ?, ?)", (system_id, nonce, expires_at))
            except sqlite3.IntegrityError:
                return False
        return True

    # ------------------------------------------------------------------ messages

    def find_message(self, sender_system: str, client_message_id: str) -> StoredMessage | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, sender_organ, message_type, received_sha256 FROM messages"
                " WHERE sender_system = ? AND client_message_id = ?",
                (sender_system, client_message_id),
            ).fetchone()
        if row is None:
            return None
        return StoredMessage(
            id=row["id"],
            sender_organ=row["sender_organ"],
            message_type=row["message_type"],
            received_sha256=row["received_sha256"],
            duplicate=True,
        )

    def add_message(
        self,
        *,
        sender_system: str,
        sender_organ: str,
        client_message_id: str,
        message_type: str,
        document_id: str,
        title: str,
        notation: str,
        received_sha256: str,
        body: bytes,
        body_sha256: str,
        receivers: Iterable[str],
        now: dt.datetime,
    ) -> StoredMessage:
        """Store a message and one delivery per receiver; an already stored message id returns
        the existing message with ``duplicate=True`` (the send is idempotent)."""
        message_id = str(uuid.uuid4())
        stamp = _iso(now)
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO messages (id, sender_system, sender_organ, client_message_id,"
                    " message_type, document_id, title, notation, received_sha256, body,"
                    " body_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        sender_system,
                        sender_organ,
                        client_message_id,
                        message_type,
                        document_id,
                        title,
                        notation,
                        received_sha256,
                        body,
                        body_sha256,
                        stamp,
                    ),
                )
                for receiver in dict.fromkeys(receivers):
                    conn.execute(
                        "INSERT INTO deliveries (id, message_id, receiver, status, created_at,"
                        " updated_at) VALUES (?, ?, ?, 'initial', ?, ?)",
                        (str(uuid.uuid4()), message_id, receiver, stamp, stamp),
                    )
        except sqlite3.IntegrityError:
            existing = self.find_message(sender_system, client_message_id)
            if existing is None:
                raise
            return existing
        return StoredMessage(
            id=message_id,
            sender_organ=sender_organ,
            message_type=message_type,
            received_sha256=received_sha256,
            duplicate=False,
        )

    _DELIVERY_SELECT = (
        "SELECT d.id, d.message_id, m.sender_organ AS sender, d.receiver, m.message_type,"
        " d.status, d.description, m.document_id, m.title, m.notation, m.body_sha256,"
        " length(m.body) AS body_length, d.created_at, d.updated_at, d.acked_at"
        " FROM deliveries d JOIN messages m ON m.id = d.message_id"
    )

    @staticmethod
    def _delivery(row: sqlite3.Row) -> Delivery:
        d = dict(row)
        for key in ("created_at", "updated_at", "acked_at"):
            d[key] = _dt(d[key])
        return Delivery(**d)

    def inbox(self, receiver: str, message_type: str) -> list[Delivery]:
        with self._connect() as conn:
            rows = conn.execute(
                self._DELIVERY_SELECT
                + " WHERE d.receiver = ? AND m.message_type = ? AND d.status IN (?, ?)"
                " ORDER BY d.created_at, d.id",
                (receiver, message_type, *PENDING),
            ).fetchall()
        return [self._delivery(r) for r in rows]

    def body_for(self, delivery_id: str, receiver: str) -> bytes | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT m.body FROM deliveries d JOIN messages m ON m.id = d.message_id"
                " WHERE d.id = ? AND d.receiver = ?",
                (delivery_id, receiver),
            ).fetchone()
        return bytes(row["body"]) if row else None

    def acknowledge(
        self, delivery_id: str, receiver: str, status: str, description: str, now: dt.datetime
    ) -> str:
        """Set a delivery's transport status. Returns "ok", "not_found" or "conflict" (a final
        status cannot change into another one; repeating it is fine)."""
        stamp = _iso(now)
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT status FROM deliveries WHERE id = ? AND receiver = ?",
                (delivery_id, receiver),
            ).fetchone()
            if row is None:
                return "not_found"
            current = row["status"]
            if current not in PENDING:
                return "ok" if current == status else "conflict"
            conn.execute(
                "UPDATE deliveries SET status = ?, description = ?, updated_at = ?,"
                " acked_at = CASE WHEN ? IN ('done', 'fail') THEN ? ELSE acked_at END"
                " WHERE id = ?",
                (status, description, stamp, status, stamp, delivery_id),
            )
        return "ok"

    def sent(self, sender_organ: str, message_type: str, message_id: str | None) -> list[Delivery]:
        query = self._DELIVERY_SELECT + " WHERE m.sender_organ = ? AND m.message_type = ?"
        args: list[str] = [sender_organ, message_type]
        if message_id:
            query += " AND m.id = ?"
            args.append(message_id)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY d.created_at, d.receiver", args).fetchall()
        return [self._delivery(r) for r in rows]
