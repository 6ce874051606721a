"""The object-store contract: protocol, value types, errors and content-addressed keys.

Keys are derived from the content (``sha256/ab/cd/<64 hex>``), so a key names exactly one byte
sequence: storing the same bytes twice yields the same key and no second copy, and "overwriting"
an object with other bytes is impossible through the store. Readers can check the bytes
against the key when they are read to the end (``open(key, verify=True)``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

from flask_babel import lazy_gettext as _l

from edoc.errors import BadRequest, Conflict, EdocError, NotFound, ServiceUnavailable

if TYPE_CHECKING:
    from edoc.storage.streams import ObjectReader

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "IntegrityMismatch",
    "ObjectInfo",
    "ObjectLocked",
    "ObjectNotFound",
    "ObjectStore",
    "PutResult",
    "SizeMismatch",
    "StorageError",
    "StorageUnavailable",
    "check_key",
    "check_metadata",
    "key_for",
    "sha256_of_key",
]

DEFAULT_CONTENT_TYPE = "application/octet-stream"

_META_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_METADATA_VALUE = 1024
_KEY_RE = re.compile(r"^sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


# --- errors -----------------------------------------------------------------------------------


class StorageError(ServiceUnavailable):
    """The object store answered, but not in a way we can use (server error, bad response)."""

    code = "storage_error"
    default_message = _l("Kho lưu trữ tệp gặp lỗi. Không có dữ liệu nào bị mất; hãy thử lại sau.")


class StorageUnavailable(StorageError):
    """The object store cannot be reached (connection refused, timeout, TLS failure)."""

    code = "storage_unavailable"
    default_message = _l("Kho lưu trữ tệp tạm thời không phản hồi. Không có dữ liệu nào bị mất; "
                         "hãy thử lại sau.")


class ObjectNotFound(NotFound):
    code = "object_not_found"
    default_message = _l("Không tìm thấy tệp trong kho lưu trữ.")


class ObjectLocked(Conflict):
    """Retention or a legal hold forbids the change (delete, shorter retention)."""

    code = "object_locked"
    default_message = _l("Tệp đang được lưu trữ và khóa, không thể xóa hoặc ghi đè.")


class IntegrityMismatch(EdocError):
    """Stored bytes no longer hash to their key: corruption or tampering behind the app's back."""

    status = 500
    code = "integrity_mismatch"
    default_message = _l("Tệp trong kho lưu trữ không còn khớp với mã băm đã ghi nhận.")


class SizeMismatch(BadRequest):
    """The caller announced a size and the stream delivered a different number of bytes."""

    code = "size_mismatch"
    default_message = _l("Tệp tải lên không đầy đủ (kích thước không khớp). Hãy tải lại.")


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PutResult:
    key: str
    sha256: str
    size: int
    content_type: str
    created: bool = True
    """False when the bytes were already stored (deduplicated, nothing written)."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    retention_until: datetime | None = None
    """None where the backend cannot report it (moto has no GET ?retention); the database row
    (``StoredObject.retention_until``) is the source of truth."""
    legal_hold: bool = False
    created_at: datetime | None = None


# --- keys -------------------------------------------------------------------------------------


def key_for(sha256_hex: str) -> str:
    """The content-addressed key of bytes whose SHA-256 is ``sha256_hex``."""
    return check_key(f"sha256/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}")


def check_key(key: str) -> str:
    """Return ``key`` if it is a well-formed content address; otherwise raise ObjectNotFound.

    Only such keys ever reach a backend, which rules out path traversal in the filesystem store
    and odd names in S3.
    """
    m = _KEY_RE.match(key) if isinstance(key, str) else None
    if not m or not m.group(3).startswith(m.group(1) + m.group(2)):
        raise ObjectNotFound(key=str(key)[:200])
    return key


def sha256_of_key(key: str) -> str:
    return check_key(key).rsplit("/", 1)[1]


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Validate user metadata: keys are lowercase ``[a-z0-9-]`` (what S3 keeps of a header
    name), values any text up to 1024 characters (backends encode them as needed)."""
    out: dict[str, str] = {}
    for k, v in (metadata or {}).items():
        if not isinstance(k, str) or not _META_KEY_RE.match(k):
            raise ValueError(f"invalid metadata key {k!r}: use lowercase a-z, 0-9 and '-'")
        if not isinstance(v, str) or len(v) > MAX_METADATA_VALUE:
            raise ValueError(f"metadata {k!r}: value must be text of at most 1024 characters")
        out[k] = v
    return out


# --- the protocol -----------------------------------------------------------------------------


@runtime_checkable
class ObjectStore(Protocol):
    """What the app needs from an object store. Every method raises only edoc errors:
    StorageUnavailable/StorageError (503), ObjectNotFound (404), ObjectLocked (409),
    SizeMismatch (400), IntegrityMismatch (500)."""

    backend: str
    """Short name recorded in ``stored_objects.backend``: memory, filesystem or minio."""

    def put(self, stream: IO[bytes], *, size: int | None = None,
            content_type: str = DEFAULT_CONTENT_TYPE,
            metadata: Mapping[str, str] | None = None,
            sha256: str | None = None) -> PutResult:
        """Store the stream's bytes under their content address (deduplicated).

        ``sha256``: the digest of these very bytes when the caller computed it already from
        them (the capture does): a store may use it instead of hashing them again. Never pass a
        digest of anything else: the bytes would be filed under another content's address.
        """
        ...

    def open(self, key: str, *, verify: bool = False) -> ObjectReader:
        """A reader of the object's bytes; use it as a context manager (it releases the file or
        HTTP connection on close). With ``verify``, reading to the end raises IntegrityMismatch
        unless the bytes hash to the key (costs ~0.7 ms per MB)."""
        ...

    def stat(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object (every version); ObjectLocked while retained or held."""
        ...

    def set_retention(self, key: str, until: datetime) -> None:
        """Forbid deletion until ``until`` (aware datetime). Never shortens a retention."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> None: ...

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        """A time-limited GET URL, or None where the backend has none."""
        ...

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key with the time it was last written (for gc)."""
        ...

    def check(self) -> None:
        """Raise StorageUnavailable unless the store can serve requests (for /healthz)."""
        ...
