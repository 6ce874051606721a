"""MinioStore: S3/MinIO backend. The only module in edoc that imports ``minio``.

- The bucket is created on first use with object lock on (which turns on versioning), so the
  app starts while MinIO is down; requests then fail with 503.
- put: the key is the content's SHA-256, so the bytes are hashed before the upload starts:
  a seekable stream (werkzeug's spooled upload, a file, BytesIO) is hashed in place and
  rewound, anything else is spooled to a temp file while hashing. Objects up to 5 MiB go up in
  one conditional PUT (``If-None-Match: *``; 412 means "already stored"); larger ones are
  checked with HEAD and sent as a multipart upload (5 MiB parts, 3 in parallel).
- Locks: retention (mode ``MINIO_LOCK_MODE``) and legal hold apply to every version of the key.
  A retention is never shortened: the current date is read from HEAD, because moto (the test
  server) implements neither GET ?retention nor the refusal of shorter COMPLIANCE dates.
- Every vendor error (S3Error, ServerError, urllib3 and socket errors) is translated here into
  edoc storage errors.
"""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import quote, unquote

import certifi
import urllib3
from flask_babel import lazy_gettext as _l
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.retention import Retention

from edoc.storage.base import (
    DEFAULT_CONTENT_TYPE,
    ObjectInfo,
    ObjectLocked,
    ObjectNotFound,
    PutResult,
    StorageError,
    StorageUnavailable,
    check_key,
    check_metadata,
    key_for,
)
from edoc.storage.streams import ObjectReader, copy_hashing, hash_seekable, is_seekable

__all__ = ["MinioStore"]

logger = logging.getLogger(__name__)

SINGLE_PUT_MAX = 5 * 1024 * 1024  # minio-py's minimum part size: above it, multipart
PART_SIZE = 5 * 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
_META_PREFIX = "x-amz-meta-"
_NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchObject", "NoSuchBucket"}
_UNAVAILABLE_STATUS = {502, 503, 504}


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class _Translate(contextlib.AbstractContextManager):
    """Turn vendor exceptions raised inside the block into edoc storage errors."""

    def __init__(self, operation: str, key: str | None = None, *,
                 access_denied_means_locked: bool = False) -> None:
        self.operation = operation
        self.key = key
        self.locked = access_denied_means_locked

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is None:
            return
        err = translate(exc, self.operation, self.key, locked=self.locked)
        if err is not None:
            raise err from exc


def translate(exc: BaseException, operation: str, key: str | None = None, *,
              locked: bool = False) -> Exception | None:
    """The edoc error for a vendor exception, or None to let it through unchanged."""
    details = {"operation": operation, "key": key}
    if isinstance(exc, S3Error):
        if exc.code in _NOT_FOUND and operation != "put":
            return ObjectNotFound(**details)
        if locked and exc.code == "AccessDenied":
            return ObjectLocked(**details)
        logger.error("S3 %s %s failed: %s %s", operation, key, exc.code, exc.message)
        return StorageError(**details, s3_code=exc.code)
    if isinstance(exc, ServerError):
        logger.error("S3 %s %s: server error %s", operation, key, exc)
        cls = StorageUnavailable if exc.status_code in _UNAVAILABLE_STATUS else StorageError
        return cls(**details, http_status=exc.status_code)
    if isinstance(exc, InvalidResponseError | MinioException):
        logger.error("S3 %s %s: invalid response %s", operation, key, exc)
        return StorageError(**details)
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError):
        logger.warning("S3 %s %s: unreachable: %s", operation, key, exc)
        return StorageUnavailable(**details)
    return None


class _Body:
    """The HTTP response body, with transport errors translated while the caller reads."""

    def __init__(self, response: Any, key: str) -> None:
        self._response = response
        self._key = key

    def read(self, n: int) -> bytes:
        with _Translate("read", self._key):
            return self._response.read(n)

    def close(self) -> None:
        self._response.close()

    def release(self) -> None:
        self._response.release_conn()


class MinioStore:
    backend = "minio"

    def __init__(self, client: Minio, bucket: str, *, lock_mode: str = COMPLIANCE) -> None:
        lock_mode = lock_mode.upper()
        if lock_mode not in {COMPLIANCE, GOVERNANCE}:
            raise ValueError(f"MINIO_LOCK_MODE must be COMPLIANCE or GOVERNANCE, not {lock_mode!r}")
        self.client = client
        self.bucket = bucket
        self.lock_mode = lock_mode
        self._bucket_ready = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MinioStore:
        endpoint = str(config.get("MINIO_ENDPOINT") or "")
        if not endpoint:
            raise ValueError("MINIO_ENDPOINT must be set for the minio store")
        secure = bool(config.get("MINIO_SECURE", True))
        timeout = urllib3.Timeout(connect=float(config.get("MINIO_CONNECT_TIMEOUT", 5)),
                                  read=float(config.get("MINIO_READ_TIMEOUT", 60)))
        # Few, fast retries: a request must fail with 503 within seconds when MinIO is down.
        retries = urllib3.Retry(total=2, connect=2, read=0, status=0, redirect=0,
                                backoff_factor=0.1)
        pool: dict[str, Any] = {"timeout": timeout, "retries": retries, "maxsize": 10}
        if secure:
            pool["cert_reqs"] = "CERT_REQUIRED"
            pool["ca_certs"] = (config.get("MINIO_CA_FILE") or os.environ.get("SSL_CERT_FILE")
                                or certifi.where())
        client = Minio(
            endpoint,
            access_key=str(config.get("MINIO_ACCESS_KEY") or ""),
            secret_key=str(config.get("MINIO_SECRET_KEY") or ""),
            secure=secure,
            region=str(config.get("MINIO_REGION") or "us-east-1"),
            http_client=urllib3.PoolManager(**pool),
        )
        return cls(client, str(config.get("MINIO_BUCKET") or "edoc"),
                   lock_mode=str(config.get("MINIO_LOCK_MODE") or COMPLIANCE))

    # --- bucket -----------------------------------------------------------------------------

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with _Translate("create_bucket"):
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket, object_lock=True)
                    logger.info("created bucket %s with object lock", self.bucket)
                except S3Error as exc:
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
        self._bucket_ready = True

    # --- put --------------------------------------------------------------------------------

    def put(self, stream: IO[bytes], *, size: int | None = None,
            content_type: str = DEFAULT_CONTENT_TYPE,
            metadata: Mapping[str, str] | None = None,
            sha256: str | None = None) -> PutResult:  # the digest is made while copying
        content_type = content_type or DEFAULT_CONTENT_TYPE
        meta = check_metadata(metadata)
        if is_seekable(stream):
            sha, total, _start = hash_seekable(stream, size=size)
            return self._upload(stream, sha, total, content_type, meta)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            sha, total = copy_hashing(stream, spool.write, size=size)
            spool.seek(0)
            return self._upload(spool, sha, total, content_type, meta)

    def _headers(self, content_type: str, meta: Mapping[str, str]) -> dict[str, str]:
        headers = {"Content-Type": content_type}
        # S3 metadata travels in headers, which are ASCII: percent-encode the values.
        headers.update({_META_PREFIX + k: quote(v, safe="") for k, v in meta.items()})
        return headers

    def _upload(self, data: IO[bytes], sha: str, size: int, content_type: str,
                meta: Mapping[str, str]) -> PutResult:
        key = key_for(sha)
        self._ensure_bucket()
        created = True
        with _Translate("put", key):
            try:
                if size <= SINGLE_PUT_MAX:
                    created = self._put_single(key, data.read(size), content_type, meta)
                elif self._exists(key):
                    created = False
                else:
                    self.client.put_object(
                        self.bucket, key, data, size, content_type=content_type,
                        metadata={_META_PREFIX + k: quote(v, safe="") for k, v in meta.items()},
                        part_size=PART_SIZE,
                    )
            except S3Error as exc:
                if exc.code == "NoSuchBucket":
                    # Removed behind our back: recreate it on the next call; this one fails.
                    self._bucket_ready = False
                raise
        return PutResult(key, sha, size, content_type, created=created)

    def _put_single(self, key: str, body: bytes, content_type: str,
                    meta: Mapping[str, str]) -> bool:
        """One conditional PUT; False if the key already existed (412)."""
        headers = self._headers(content_type, meta)
        headers["If-None-Match"] = "*"
        try:
            # minio-py's public put_object cannot send If-None-Match (it would turn it into
            # user metadata); _put_object is the single-request primitive put_object itself
            # uses. The conditional PUT saves a HEAD round trip per upload.
            self.client._put_object(self.bucket, key, body, headers)
        except S3Error as exc:
            if exc.code == "PreconditionFailed":
                return False
            raise
        return True

    # --- read -------------------------------------------------------------------------------

    def open(self, key: str, *, verify: bool = False) -> ObjectReader:
        check_key(key)
        with _Translate("open", key):
            response = self.client.get_object(self.bucket, key)
        body = _Body(response, key)
        return ObjectReader(body, key, verify=verify, release=body.release)

    def _head(self, key: str, version_id: str | None = None) -> Any:
        return self.client.stat_object(self.bucket, key, version_id=version_id)

    def _exists(self, key: str) -> bool:
        try:
            self._head(key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                return False
            raise
        return True

    def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        with _Translate("stat", key):
            obj = self._head(key)
        headers = obj.metadata or {}
        meta = {k.lower()[len(_META_PREFIX):]: unquote(v) for k, v in headers.items()
                if k.lower().startswith(_META_PREFIX)}
        return ObjectInfo(
            key=key, size=int(obj.size or 0),
            content_type=obj.content_type or DEFAULT_CONTENT_TYPE,
            metadata=meta,
            retention_until=_parse_http_date(headers.get("x-amz-object-lock-retain-until-date")),
            legal_hold=(headers.get("x-amz-object-lock-legal-hold") or "").upper() == "ON",
            created_at=obj.last_modified,
        )

    def exists(self, key: str) -> bool:
        try:
            check_key(key)
        except ObjectNotFound:
            return False
        with _Translate("exists", key):
            return self._exists(key)

    def _versions(self, key: str) -> list[Any]:
        """Every version and delete marker stored under exactly ``key``."""
        return [o for o in self.client.list_objects(self.bucket, prefix=key,
                                                     include_version=True)
                if o.object_name == key]

    # --- delete and locks -------------------------------------------------------------------

    def delete(self, key: str) -> None:
        check_key(key)
        with _Translate("delete", key):
            versions = self._versions(key)
        if not versions or all(v.is_delete_marker for v in versions):
            raise ObjectNotFound(operation="delete", key=key)
        # Every content version is checked before any is removed: deleting version by version
        # and stopping at the first AccessDenied would leave the key half deleted (an older,
        # unlocked version gone, a locked one - possibly written behind the app's back - left).
        with _Translate("delete", key):
            self._refuse_if_locked(key, [v.version_id for v in versions
                                         if not v.is_delete_marker])
        # Oldest first: should a lock appear after the check, the content version it protects
        # fails before anything else of the key is touched.
        versions.sort(key=lambda v: (v.last_modified is None, v.last_modified))
        with _Translate("delete", key, access_denied_means_locked=True):
            for v in versions:
                self.client.remove_object(self.bucket, key, version_id=v.version_id)

    def _refuse_if_locked(self, key: str, version_ids: list[str | None]) -> None:
        """ObjectLocked naming the first version under a legal hold or an unexpired retention.

        Read from HEAD (retain-until date and legal-hold status), like :meth:`set_retention`:
        MinIO and moto both return them there (moto has no GET ?retention)."""
        now = datetime.now(UTC)
        for version_id in version_ids:
            headers = self._head(key, version_id).metadata or {}
            until = _parse_http_date(headers.get("x-amz-object-lock-retain-until-date"))
            if until is not None and until.tzinfo is None:
                until = until.replace(tzinfo=UTC)
            held = (headers.get("x-amz-object-lock-legal-hold") or "").upper() == "ON"
            if held:
                message = _l("Tệp đang bị giữ theo yêu cầu pháp lý (legal hold) nên không thể "
                             "xóa. Hãy gỡ lệnh giữ trước.")
            elif until is not None and until > now:
                message = _l("Tệp còn thời hạn khóa lưu trữ đến %(until)s (giờ UTC) nên không "
                             "thể xóa.", until=until.strftime("%d/%m/%Y %H:%M"))
            else:
                continue
            raise ObjectLocked(
                message, key=key, operation="delete", version_id=version_id, legal_hold=held,
                retention_until=until.isoformat() if until is not None else None,
                lock_mode=headers.get("x-amz-object-lock-mode"))

    def _content_versions(self, key: str) -> list[str | None]:
        with _Translate("lock", key):
            versions = [v.version_id for v in self._versions(key) if not v.is_delete_marker]
        if not versions:
            raise ObjectNotFound(operation="lock", key=key)
        return versions

    def set_retention(self, key: str, until: datetime) -> None:
        check_key(key)
        if until.tzinfo is None:
            raise ValueError("retention dates must be timezone-aware")
        for version_id in self._content_versions(key):
            with _Translate("retention", key):
                current = _parse_http_date(self._head(key, version_id).metadata.get(
                    "x-amz-object-lock-retain-until-date"))
            if current is not None and until < current:
                raise ObjectLocked(key=key, retention_until=current.isoformat(),
                                   reason="retention cannot be shortened")
            with _Translate("retention", key, access_denied_means_locked=True):
                self.client.set_object_retention(self.bucket, key,
                                                 Retention(self.lock_mode, until),
                                                 version_id=version_id)

    def set_legal_hold(self, key: str, on: bool) -> None:
        check_key(key)
        for version_id in self._content_versions(key):
            with _Translate("legal_hold", key):
                if on:
                    self.client.enable_object_legal_hold(self.bucket, key, version_id)
                else:
                    self.client.disable_object_legal_hold(self.bucket, key, version_id)

    # --- listing, URLs, health --------------------------------------------------------------

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        check_key(key)
        with _Translate("presign", key):
            return self.client.presigned_get_object(self.bucket, key, expires=expires)

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        self._ensure_bucket()
        with _Translate("list"):
            for obj in self.client.list_objects(self.bucket, prefix="sha256/", recursive=True):
                name = obj.object_name or ""
                try:
                    check_key(name)
                except ObjectNotFound:
                    continue
                yield name, obj.last_modified

    def check(self) -> None:
        self._bucket_ready = False  # re-check: the bucket may have been removed meanwhile
        self._ensure_bucket()
