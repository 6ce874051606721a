"""Stream helpers shared by the backends: hash while copying, and the object reader."""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import IO, Any

from edoc.storage.base import IntegrityMismatch, SizeMismatch, sha256_of_key

__all__ = ["CHUNK_SIZE", "ObjectReader", "copy_hashing", "hash_seekable", "is_seekable"]

CHUNK_SIZE = 1024 * 1024


def copy_hashing(stream: IO[bytes], write: Callable[[bytes], Any], *,
                 size: int | None = None) -> tuple[str, int]:
    """Copy ``stream`` to ``write`` in chunks, returning (sha256 hex, byte count).

    With ``size``, reading stops one byte past it, and a different count raises SizeMismatch, so
    a truncated or overlong upload never reaches a key.
    """
    digest = hashlib.sha256()
    total = 0
    limit = None if size is None else size + 1
    while True:
        want = CHUNK_SIZE if limit is None else min(CHUNK_SIZE, limit - total)
        if want <= 0:
            break
        chunk = stream.read(want)
        if not chunk:
            break
        digest.update(chunk)
        write(chunk)
        total += len(chunk)
    if size is not None and total != size:
        raise SizeMismatch(expected=size, actual=total if total <= size else f">{size}")
    return digest.hexdigest(), total


def hash_seekable(stream: IO[bytes], *, size: int | None = None) -> tuple[str, int, int]:
    """Hash a seekable stream from its current position and rewind it.

    Returns (sha256 hex, byte count, start position). Lets a backend upload straight from the
    caller's stream (an uploaded file spooled by werkzeug, a BytesIO) without copying it first.
    """
    start = stream.tell()
    try:
        sha, total = copy_hashing(stream, _discard, size=size)
    finally:
        stream.seek(start)
    return sha, total, start


def _discard(_chunk: bytes) -> None:
    pass


def is_seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


class ObjectReader(io.RawIOBase):
    """A read-only binary stream over a stored object.

    Closing releases the underlying resource (file handle, pooled HTTP connection) even if the
    caller stopped early; use it as a context manager. With ``verify``, everything read is
    hashed, and reaching the end raises IntegrityMismatch unless the SHA-256 equals the one in
    the key.
    """

    def __init__(self, raw: Any, key: str, *, verify: bool = False,
                 release: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._raw = raw
        self._release = release
        self.key = key
        self._expected = sha256_of_key(key)
        self._hash = hashlib.sha256() if verify else None
        self._size = 0
        self._at_end = False

    def readable(self) -> bool:
        return True

    @property
    def bytes_read(self) -> int:
        return self._size

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed object reader")
        if size is None or size < 0:
            return self.readall()
        if size == 0:
            return b""
        data = self._raw.read(size)
        if data:
            if self._hash is not None:
                self._hash.update(data)
            self._size += len(data)
        else:
            self._end()
        return data

    def readall(self) -> bytes:
        parts = []
        while chunk := self.read(CHUNK_SIZE):
            parts.append(chunk)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        n = len(data)
        memoryview(buffer).cast("B")[:n] = data
        return n

    def _end(self) -> None:
        if self._at_end:
            return
        self._at_end = True
        if self._hash is None:
            return
        actual = self._hash.hexdigest()
        if actual != self._expected:
            raise IntegrityMismatch(key=self.key, expected=self._expected, actual=actual,
                                    size=self._size)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._raw.close()
        finally:
            try:
                if self._release is not None:
                    self._release()
            finally:
                super().close()

    def __enter__(self) -> ObjectReader:
        return self
