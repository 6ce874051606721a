"""The canonical form of an audit entry and its hash.

Pure functions, shared by the writer and the verifier.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(*, chain: int, seq: int, at: datetime, actor_id: int | None, actor_name: str,
              action: str, object_type: str, object_id: str, details: dict[str, Any],
              prev_hash: str) -> bytes:
    doc = {
        "chain": chain, "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "object_type": object_type, "object_id": object_id, "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()
