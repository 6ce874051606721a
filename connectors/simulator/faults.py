"""Planned failures, so tests can watch the client retry against the real simulator."""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["FaultPlan"]


@dataclass
class _Fault:
    status: int
    after_processing: bool
    path: str | None
    remaining: int


class FaultPlan:
    """Answer the next ``count`` matching requests with ``status`` instead of the real answer.

    ``after_processing=True`` runs the request first (a message is stored) and then answers with
    the error, as an axis that fails after committing would: the client retries and the
    simulator's deduplication has to keep the message single.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self.seen: list[str] = []  # path of every request received, in order

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        path: str | None = None,
        after_processing: bool = False,
    ) -> None:
        with self._lock:
            self._faults.append(_Fault(status, after_processing, path, count))

    def take(self, path: str, *, after_processing: bool) -> int | None:
        """The status to answer with for this request phase, or None to answer normally."""
        with self._lock:
            for fault in self._faults:
                if fault.after_processing != after_processing or fault.remaining <= 0:
                    continue
                if fault.path is not None and fault.path != path:
                    continue
                fault.remaining -= 1
                return fault.status
        return None

    def record(self, path: str) -> None:
        with self._lock:
            self.seen.append(path)
