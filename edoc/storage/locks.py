"""Retention and legal-hold rules for the stores that enforce them themselves (memory,
filesystem). They mirror S3 object lock: a retained or held object cannot be deleted, and a
retention date can be extended but never shortened."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from edoc.db import utcnow
from edoc.storage.base import ObjectLocked

__all__ = ["LockState", "check_deletable", "with_legal_hold", "with_retention"]


@dataclass(frozen=True)
class LockState:
    retention_until: datetime | None = None
    legal_hold: bool = False

    def locked(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.legal_hold or (self.retention_until is not None and self.retention_until > now)


def _aware(until: datetime) -> datetime:
    if until.tzinfo is None:
        raise ValueError("retention dates must be timezone-aware")
    return until


def with_retention(state: LockState, key: str, until: datetime) -> LockState:
    until = _aware(until)
    current = state.retention_until
    if current is not None and until < current and current > utcnow():
        raise ObjectLocked(key=key, retention_until=current.isoformat(),
                           reason="retention cannot be shortened")
    return replace(state, retention_until=until)


def with_legal_hold(state: LockState, on: bool) -> LockState:
    return replace(state, legal_hold=bool(on))


def check_deletable(state: LockState, key: str) -> None:
    if state.locked():
        raise ObjectLocked(
            key=key, legal_hold=state.legal_hold,
            retention_until=state.retention_until.isoformat() if state.retention_until else None,
        )
