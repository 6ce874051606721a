"""Fixity checks: re-hash stored objects in 1 MiB chunks and compare with recorded digests.

The object store is reached only through ``open_fn(key)``; "not found" is told apart from
other failures (an outage is not a loss), through ``missing_errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from .hashing import CHUNK_SIZE, hash_stream

__all__ = ["FixityError", "FixityItem", "FixityMismatch", "FixityReport", "check_fixity"]


@dataclass(frozen=True)
class FixityItem:
    key: str
    sha256: str
    size: int | None = None


@dataclass(frozen=True)
class FixityMismatch:
    key: str
    expected_sha256: str
    actual_sha256: str
    expected_size: int | None
    actual_size: int

    @property
    def code(self) -> str:
        if self.expected_size is not None and self.expected_size != self.actual_size:
            return "size_mismatch"
        return "checksum_mismatch"


@dataclass(frozen=True)
class FixityError:
    key: str
    message: str


@dataclass(frozen=True)
class FixityReport:
    checked: int  # objects read to the end
    ok_count: int
    bytes_checked: int
    mismatches: tuple[FixityMismatch, ...]
    missing: tuple[str, ...]
    errors: tuple[FixityError, ...]  # could not be read for another reason (retry later)

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing or self.errors)

    @property
    def total(self) -> int:
        return self.checked + len(self.missing) + len(self.errors)


def check_fixity(
    items: Iterable[FixityItem],
    open_fn: Callable[[str], BinaryIO],
    *,
    missing_errors: tuple[type[BaseException], ...] = (FileNotFoundError, KeyError),
    chunk_size: int = CHUNK_SIZE,
) -> FixityReport:
    """Re-hash every item through ``open_fn`` (streamed; nothing is held whole in memory)."""
    checked = ok_count = bytes_checked = 0
    mismatches: list[FixityMismatch] = []
    missing: list[str] = []
    errors: list[FixityError] = []
    for item in items:
        try:
            stream = open_fn(item.key)
        except missing_errors:
            missing.append(item.key)
            continue
        except Exception as exc:  # reported per object; the run goes on
            errors.append(FixityError(item.key, repr(exc)))
            continue
        try:
            with stream:
                digests = hash_stream(stream, chunk_size=chunk_size)
        except missing_errors:
            missing.append(item.key)  # some stores only notice on the first read
            continue
        except Exception as exc:
            errors.append(FixityError(item.key, repr(exc)))
            continue
        checked += 1
        bytes_checked += digests.size
        size_ok = item.size is None or item.size == digests.size
        if size_ok and digests.sha256 == item.sha256.lower():
            ok_count += 1
        else:
            mismatches.append(FixityMismatch(item.key, item.sha256.lower(), digests.sha256,
                                             item.size, digests.size))
    return FixityReport(checked, ok_count, bytes_checked, tuple(mismatches), tuple(missing),
                        tuple(errors))
