"""Streaming hashing: files are read in fixed chunks, never whole into memory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["CHUNK_SIZE", "Digests", "MultiHasher", "copy_and_hash", "hash_stream"]

CHUNK_SIZE = 1024 * 1024  # 1 MiB: large enough for throughput, small enough for memory


@dataclass(frozen=True)
class Digests:
    size: int
    hexdigests: dict[str, str]

    @property
    def sha256(self) -> str:
        return self.hexdigests["sha256"]


class MultiHasher:
    """Feeds the same bytes to several hash algorithms and counts them."""

    def __init__(self, algorithms: Iterable[str] = ("sha256",)) -> None:
        self._hashers = {name: hashlib.new(name) for name in algorithms}
        self.size = 0

    def update(self, chunk: bytes) -> None:
        for hasher in self._hashers.values():
            hasher.update(chunk)
        self.size += len(chunk)

    def digests(self) -> Digests:
        return Digests(self.size, {n: h.hexdigest() for n, h in self._hashers.items()})


def copy_and_hash(
    source: BinaryIO,
    targets: Iterable[BinaryIO] = (),
    *,
    algorithms: Iterable[str] = ("sha256",),
    chunk_size: int = CHUNK_SIZE,
) -> Digests:
    """Read ``source`` to its end in chunks, writing each chunk to every target while hashing."""
    hasher = MultiHasher(algorithms)
    outputs = tuple(targets)
    while True:
        chunk = source.read(chunk_size)
        if not chunk:
            break
        hasher.update(chunk)
        for out in outputs:
            out.write(chunk)
    return hasher.digests()


def hash_stream(source: BinaryIO, *, algorithms: Iterable[str] = ("sha256",),
                chunk_size: int = CHUNK_SIZE) -> Digests:
    return copy_and_hash(source, (), algorithms=algorithms, chunk_size=chunk_size)
