"""MemoryStore: the object store for unit tests. Same contract, bytes kept in a dict."""
from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO

from edoc.db import utcnow
from edoc.storage.base import (
    DEFAULT_CONTENT_TYPE,
    ObjectInfo,
    ObjectNotFound,
    PutResult,
    check_key,
    check_metadata,
    key_for,
)
from edoc.storage.locks import LockState, check_deletable, with_legal_hold, with_retention
from edoc.storage.streams import ObjectReader, copy_hashing

__all__ = ["MemoryStore"]


@dataclass
class _Entry:
    data: bytes
    content_type: str
    metadata: dict[str, str]
    created_at: datetime
    lock: LockState = field(default_factory=LockState)


class MemoryStore:
    backend = "memory"

    def __init__(self) -> None:
        self._objects: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def put(self, stream: IO[bytes], *, size: int | None = None,
            content_type: str = DEFAULT_CONTENT_TYPE,
            metadata: Mapping[str, str] | None = None,
            sha256: str | None = None) -> PutResult:  # the digest is made while copying
        meta = check_metadata(metadata)
        buf = io.BytesIO()
        sha, total = copy_hashing(stream, buf.write, size=size)
        key = key_for(sha)
        with self._lock:
            entry = self._objects.get(key)
            if entry is not None:
                entry.created_at = utcnow()  # a revived orphan must not be collected now
                return PutResult(key, sha, total, entry.content_type, created=False)
            self._objects[key] = _Entry(buf.getvalue(), content_type or DEFAULT_CONTENT_TYPE,
                                        meta, utcnow())
        return PutResult(key, sha, total, content_type or DEFAULT_CONTENT_TYPE)

    def _get(self, key: str) -> _Entry:
        entry = self._objects.get(check_key(key))
        if entry is None:
            raise ObjectNotFound(key=key)
        return entry

    def open(self, key: str, *, verify: bool = False) -> ObjectReader:
        return ObjectReader(io.BytesIO(self._get(key).data), key, verify=verify)

    def stat(self, key: str) -> ObjectInfo:
        e = self._get(key)
        return ObjectInfo(key, len(e.data), e.content_type, dict(e.metadata),
                          e.lock.retention_until, e.lock.legal_hold, e.created_at)

    def exists(self, key: str) -> bool:
        try:
            self._get(key)
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        with self._lock:
            check_deletable(self._get(key).lock, key)
            del self._objects[key]

    def set_retention(self, key: str, until: datetime) -> None:
        with self._lock:
            e = self._get(key)
            e.lock = with_retention(e.lock, key, until)

    def set_legal_hold(self, key: str, on: bool) -> None:
        with self._lock:
            e = self._get(key)
            e.lock = with_legal_hold(e.lock, on)

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        self._get(key)
        return None

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        with self._lock:
            items = [(k, e.created_at) for k, e in self._objects.items()]
        yield from items

    def check(self) -> None:
        return None
