"""FilesystemStore: the embedded default. One file per object under ``<root>/sha256/ab/cd/``.

Durability: the bytes and the JSON sidecar go to temp files under ``<root>/tmp`` (same file
system) and are fsynced; both are renamed into place with :func:`os.replace` (sidecar first, so
an object's data never appears without its metadata), then the object's directory is fsynced
once, and a parent directory only when a level of ``sha256/ab/cd`` was created by this put. So
when ``put`` returns, data and metadata survive a crash, and after a crash an object is either
complete or absent. Objects are read-only files (0444).

Retention and legal hold are enforced by this store (the OS cannot stop root or the owner): they
live in a JSON sidecar ``<hex>.json`` next to the data, which also keeps the content type and
metadata. Keys are validated against the content-address pattern before any path is built, so no
key can reach outside the root.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from edoc.db import utcnow
from edoc.storage.base import (
    DEFAULT_CONTENT_TYPE,
    ObjectInfo,
    ObjectNotFound,
    PutResult,
    SizeMismatch,
    StorageUnavailable,
    check_key,
    check_metadata,
    key_for,
)
from edoc.storage.locks import LockState, check_deletable, with_legal_hold, with_retention
from edoc.storage.streams import ObjectReader, copy_hashing

__all__ = ["FilesystemStore"]

logger = logging.getLogger(__name__)

_SIDECAR = ".json"


def _open_dir(path: Path) -> int:
    return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _fsync_dir(path: Path) -> None:
    fd = _open_dir(path)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _ParallelSync:
    """Runs several fsyncs at once. Each fsync waits for a journal commit; issued together, the
    file system commits them in one (ext4, XFS), so syncing the data and its sidecar (or a
    directory and its new parent) costs about one wait instead of two. A small thread pool,
    made again in a forked child (threads do not survive fork)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="edoc-fsync")
                self._pid = os.getpid()
            return self._pool

    def run(self, fds: list[int]) -> None:
        if len(fds) <= 1:
            for fd in fds:
                os.fsync(fd)
            return
        others = [self._executor().submit(os.fsync, fd) for fd in fds[1:]]
        errors: list[BaseException] = []
        try:
            os.fsync(fds[0])
        except OSError as exc:
            errors.append(exc)
        for future in others:  # wait for every one, even after a failure: fds get closed next
            try:
                future.result()
            except OSError as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


_SYNC = _ParallelSync()

#: an object's mode from its rename into place until its directory is synced, then after: a put
#: of known bytes syncs the directory only when the put that wrote them has not (in flight, or
#: crashed in between). Readable by all in both states, never writable; the owner's execute bit
#: (meaningless for data) is the mark of a put in flight.
_IN_FLIGHT, _DONE = 0o544, 0o444


def _held_bytes(stream: IO[bytes], size: int | None) -> memoryview | None:
    """The rest of an in-memory stream (``BytesIO``) as a view, the stream moved to its end as
    reading it would; None for any other stream (read in chunks while hashing). A wrong
    ``size`` raises SizeMismatch, as :func:`copy_hashing` does."""
    if type(stream) is not io.BytesIO:
        return None
    start = stream.tell()
    view = stream.getbuffer()[start:]
    if size is not None and len(view) != size:
        total = len(view)
        view.release()
        raise SizeMismatch(expected=size, actual=total if total <= size else f">{size}")
    # A view, not bytes() (a copy); the stream cannot be resized while it lives (the put's
    # duration: nothing else writes to a stream being stored).
    stream.seek(0, io.SEEK_END)
    return view


def _unavailable(exc: OSError, what: str) -> StorageUnavailable:
    logger.error("filesystem store: %s failed: %s", what, exc)
    return StorageUnavailable(operation=what, reason=exc.strerror or str(exc))


class FilesystemStore:
    backend = "filesystem"

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.root = Path(root)
        self._fsync = fsync
        # Sidecar read-modify-write (lock changes) is serialised within the process; the app
        # runs one writer process per store folder (gunicorn workers share it only for reads
        # and content-addressed writes, which are idempotent).
        self._lock = threading.Lock()

    # --- paths ------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    @staticmethod
    def _sidecar(path: Path) -> Path:
        return path.with_name(path.name + _SIDECAR)

    def _tmp_dir(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp

    def _makedirs(self, directory: Path) -> list[Path]:
        """Create ``directory`` (and missing parents); return the directories whose entries
        changed, to be fsynced once the object is in place."""
        missing = []
        d = directory
        while not d.is_dir():
            missing.append(d)
            d = d.parent
        changed = []
        for d in reversed(missing):
            with contextlib.suppress(FileExistsError):
                d.mkdir()
            # Synced even when a concurrent put made it first: that put may not have synced it
            # yet when this one returns.
            changed.append(d.parent)
        return changed

    def _sync_dirs(self, target_dir: Path, created: list[Path]) -> None:
        """Make the renames into ``target_dir`` and the directories just created durable."""
        if not self._fsync:
            return
        fds: list[int] = []
        try:
            for d in [target_dir, *reversed(created)]:
                fds.append(_open_dir(d))
            _SYNC.run(fds)
        finally:
            for fd in fds:
                os.close(fd)

    def _temp_file(self, data: bytes, mode: int, *, sync_with: int | None = None) -> str:
        """A synced temp file holding ``data`` (to be renamed into place); ``sync_with``: the fd
        of another written temp file, synced together with this one."""
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir(), prefix="put-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if self._fsync:
                    _SYNC.run([fh.fileno()] + ([] if sync_with is None else [sync_with]))
            os.chmod(tmp_name, mode)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        return tmp_name

    # --- sidecar ----------------------------------------------------------------------------

    def _read_meta(self, path: Path) -> dict[str, Any]:
        try:
            return json.loads(self._sidecar(path).read_text("utf-8"))
        except FileNotFoundError:
            return {}

    @staticmethod
    def _meta_bytes(meta: Mapping[str, Any]) -> bytes:
        return json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def _write_meta(self, path: Path, meta: Mapping[str, Any]) -> None:
        """Replace the sidecar of an existing object atomically and durably."""
        tmp_name = self._temp_file(self._meta_bytes(meta), 0o644)
        try:
            os.replace(tmp_name, self._sidecar(path))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        self._sync_dirs(path.parent, [])

    @staticmethod
    def _lock_state(meta: Mapping[str, Any]) -> LockState:
        until = meta.get("retention_until")
        return LockState(datetime.fromisoformat(until) if until else None,
                         bool(meta.get("legal_hold")))

    # --- the contract -----------------------------------------------------------------------

    def put(self, stream: IO[bytes], *, size: int | None = None,
            content_type: str = DEFAULT_CONTENT_TYPE,
            metadata: Mapping[str, str] | None = None,
            sha256: str | None = None) -> PutResult:
        content_type = content_type or DEFAULT_CONTENT_TYPE
        meta = check_metadata(metadata)
        # Bytes already in memory are hashed first: when the object exists (deduplicated, or
        # written ahead by the exchange's prefetch worker) nothing is copied to a temp file.
        held = _held_bytes(stream, size)
        if held is not None:
            # The caller's digest of these bytes, when it has one (see ObjectStore.put).
            sha, total = sha256 or hashlib.sha256(held).hexdigest(), len(held)
            key = key_for(sha)
            path = self.root / key
            try:
                if path.exists():
                    return self._existing(key, path, sha, total, content_type, meta)
            except OSError as exc:
                raise _unavailable(exc, "put") from exc
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir(), prefix="put-")
        except OSError as exc:
            raise _unavailable(exc, "put") from exc
        side_name = None
        try:
            with os.fdopen(fd, "wb") as fh:
                if held is not None:
                    fh.write(held)
                else:
                    sha, total = copy_hashing(stream, fh.write, size=size)
                fh.flush()
                key = key_for(sha)
                path = self.root / key
                if path.exists():
                    os.unlink(tmp_name)
                    return self._existing(key, path, sha, total, content_type, meta)
                # The sidecar is written, and both files are synced together.
                side_name = self._temp_file(self._meta_bytes({
                    "content_type": content_type, "metadata": meta,
                    "created_at": utcnow().isoformat()}), 0o644, sync_with=fh.fileno())
            os.chmod(tmp_name, _IN_FLIGHT)
            created = self._makedirs(path.parent)
            # Sidecar first: whoever sees the data file also finds its metadata.
            os.replace(side_name, self._sidecar(path))
            os.replace(tmp_name, path)
            # One directory fsync covers both renames.
            self._sync_dirs(path.parent, created)
            with contextlib.suppress(OSError):  # unmarked, a later put only syncs again
                os.chmod(path, _DONE)  # the renames are durable: later puts need not sync
        except OSError as exc:
            self._discard(tmp_name, side_name)
            raise _unavailable(exc, "put") from exc
        except BaseException:
            self._discard(tmp_name, side_name)
            raise
        return PutResult(key, sha, total, content_type)

    def _existing(self, key: str, path: Path, sha: str, size: int, content_type: str,
                  metadata: dict[str, str]) -> PutResult:
        """The bytes are already stored (deduplicated): nothing is written."""
        # Refresh the age so gc cannot collect an orphan this put just revived.
        with contextlib.suppress(PermissionError):
            os.utime(path)
        if self._fsync and stat.S_IMODE(os.stat(path).st_mode) != _DONE:
            # A concurrent put of the same bytes renamed them into place and has not synced the
            # directory yet (or crashed before it could): the caller is about to commit a row
            # pointing here. Synced now, and marked done. (A completed put's object is marked:
            # syncing the directory again would cost a device flush for nothing.)
            _fsync_dir(path.parent)
            with contextlib.suppress(PermissionError):
                os.chmod(path, _DONE)
        meta = self._read_meta(path)
        if not meta:
            # A crash between the two renames of an earlier put (no directory fsync yet) may
            # have kept the data without its sidecar: write it now.
            meta = {"content_type": content_type, "metadata": metadata,
                    "created_at": utcnow().isoformat()}
            with self._lock:
                if not self._sidecar(path).exists():
                    self._write_meta(path, meta)
        return PutResult(key, sha, size, meta.get("content_type", content_type),
                         created=False)

    @staticmethod
    def _discard(*names: str | None) -> None:
        for name in names:
            if name is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)

    def open(self, key: str, *, verify: bool = False) -> ObjectReader:
        path = self._path(key)
        try:
            fh = open(path, "rb")  # noqa: SIM115 - the reader owns and closes it
        except FileNotFoundError as exc:
            raise ObjectNotFound(key=key) from exc
        except OSError as exc:
            raise _unavailable(exc, "open") from exc
        return ObjectReader(fh, key, verify=verify)

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            st = path.stat()
            meta = self._read_meta(path)
        except FileNotFoundError as exc:
            raise ObjectNotFound(key=key) from exc
        except OSError as exc:
            raise _unavailable(exc, "stat") from exc
        lock = self._lock_state(meta)
        created = meta.get("created_at")
        return ObjectInfo(
            key=key, size=st.st_size,
            content_type=meta.get("content_type", DEFAULT_CONTENT_TYPE),
            metadata=dict(meta.get("metadata") or {}),
            retention_until=lock.retention_until, legal_hold=lock.legal_hold,
            created_at=datetime.fromisoformat(created) if created else
            datetime.fromtimestamp(st.st_mtime, UTC),
        )

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ObjectNotFound:
            return False

    def delete(self, key: str) -> None:
        path = self._path(key)
        with self._lock:
            if not path.exists():
                raise ObjectNotFound(key=key)
            check_deletable(self._lock_state(self._read_meta(path)), key)
            try:
                path.unlink()
                self._sidecar(path).unlink(missing_ok=True)
                if self._fsync:
                    _fsync_dir(path.parent)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise _unavailable(exc, "delete") from exc

    def _update_lock(self, key: str, change: Any) -> None:
        path = self._path(key)
        with self._lock:
            if not path.exists():
                raise ObjectNotFound(key=key)
            meta = self._read_meta(path)
            state = change(self._lock_state(meta))
            meta["retention_until"] = (state.retention_until.isoformat()
                                       if state.retention_until else None)
            meta["legal_hold"] = state.legal_hold
            try:
                self._write_meta(path, meta)
            except OSError as exc:
                raise _unavailable(exc, "lock") from exc

    def set_retention(self, key: str, until: datetime) -> None:
        self._update_lock(key, lambda s: with_retention(s, key, until))

    def set_legal_hold(self, key: str, on: bool) -> None:
        self._update_lock(key, lambda s: with_legal_hold(s, on))

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        if not self.exists(key):
            raise ObjectNotFound(key=key)
        return None

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for dirpath, _dirnames, filenames in os.walk(base):
            for name in filenames:
                if name.endswith(_SIDECAR):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                try:
                    check_key(key)
                    mtime = full.stat().st_mtime
                except (ObjectNotFound, FileNotFoundError):
                    continue
                yield key, datetime.fromtimestamp(mtime, UTC)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self._tmp_dir()
            if not os.access(tmp, os.W_OK):
                raise PermissionError(13, "not writable", str(tmp))
        except OSError as exc:
            raise _unavailable(exc, "check") from exc
