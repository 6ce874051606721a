"""FilesystemStore durability: what is synced, in which order, and how a half-done put heals.

The order of file-system calls is recorded (fsync, rename, mkdir) and checked against the rule:
when ``put`` returns, the data, its sidecar and every directory entry leading to them have been
synced, and the data file never appears before its sidecar.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edoc.storage.base import SizeMismatch
from edoc.storage.filesystem import FilesystemStore


class Recorder:
    """Wraps os.fsync / os.replace / Path.mkdir to log (operation, path) in call order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
        self.root = root
        self.ops: list[tuple[str, str]] = []
        real_fsync, real_replace, real_mkdir = os.fsync, os.replace, Path.mkdir

        def fsync(fd: int) -> None:
            self.ops.append(("fsync", self._rel(os.readlink(f"/proc/self/fd/{fd}"))))
            real_fsync(fd)

        def replace(src, dst) -> None:
            real_replace(src, dst)
            self.ops.append(("rename", f"{self._rel(src)} -> {self._rel(dst)}"))

        def mkdir(path: Path, *args, **kwargs) -> None:
            existed = path.is_dir()
            real_mkdir(path, *args, **kwargs)
            if not existed:
                self.ops.append(("mkdir", self._rel(path)))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(Path, "mkdir", mkdir)

    def _rel(self, path) -> str:
        rel = os.path.relpath(os.fspath(path), self.root)
        return "." if rel == "." else rel

    def index(self, op: str, target: str) -> int:
        return self.ops.index((op, target))

    def count(self, op: str) -> int:
        return sum(1 for o, _ in self.ops if o == op)


@pytest.fixture
def store(tmp_path: Path) -> FilesystemStore:
    s = FilesystemStore(tmp_path / "objects")
    s.check()  # creates the root and tmp/ up front, like the app at start
    return s


def _renamed_to(rec: Recorder, target: str) -> tuple[int, str]:
    for i, (op, what) in enumerate(rec.ops):
        if op == "rename" and what.endswith(f"-> {target}"):
            return i, what.split(" -> ")[0]
    raise AssertionError(f"{target} never renamed into place: {rec.ops}")


def test_put_syncs_data_sidecar_and_every_new_directory(store, monkeypatch) -> None:
    rec = Recorder(monkeypatch, store.root)
    res = store.put(io.BytesIO(b"%PDF-1.7 Quyet dinh so 15"), content_type="application/pdf")
    leaf = os.path.dirname(res.key)  # sha256/ab/cd
    data_at, data_tmp = _renamed_to(rec, res.key)
    side_at, side_tmp = _renamed_to(rec, res.key + ".json")
    # Each temp file is synced before it is renamed into place; the sidecar goes first.
    assert rec.index("fsync", data_tmp) < data_at
    assert rec.index("fsync", side_tmp) < side_at < data_at
    # After the last rename: the object's directory, then each directory whose entries changed
    # because a level was created (sha256, sha256/ab, and the root for sha256 itself).
    synced_after = {what for op, what in rec.ops[data_at + 1:] if op == "fsync"}
    assert synced_after == {leaf, os.path.dirname(leaf), "sha256", "."}
    assert [what for op, what in rec.ops if op == "mkdir"] == [
        "sha256", "sha256/" + res.sha256[:2], leaf]


def test_put_into_an_existing_directory_takes_three_fsyncs_in_two_rounds(store, monkeypatch):
    first = store.put(io.BytesIO(b"first object"))
    # Another object for the same leaf directory (same first four hex digits of its digest).
    data = next(d for n in range(10_000_000) if hashlib.sha256(
        d := f"object {n}".encode()).hexdigest()[:4] == first.sha256[:4])
    rec = Recorder(monkeypatch, store.root)
    res = store.put(io.BytesIO(data))
    assert os.path.dirname(res.key) == os.path.dirname(first.key)
    _, data_tmp = _renamed_to(rec, res.key)
    _, side_tmp = _renamed_to(rec, res.key + ".json")
    synced = [what for op, what in rec.ops if op == "fsync"]
    # The two temp files are synced together (in either order), then the directory.
    assert len(synced) == 3
    assert set(synced[:2]) == {data_tmp, side_tmp} and synced[2] == os.path.dirname(res.key)
    assert rec.count("mkdir") == 0


def test_deduplicated_put_writes_and_syncs_nothing_once_the_first_put_completed(store,
                                                                                monkeypatch):
    first = store.put(io.BytesIO(b"same bytes"), content_type="text/plain")
    assert os.stat(store.root / first.key).st_mode & 0o777 == 0o444
    rec = Recorder(monkeypatch, store.root)
    again = store.put(io.BytesIO(b"same bytes"), content_type="application/pdf")
    assert again.created is False and again.key == first.key
    assert again.content_type == "text/plain"  # the stored one
    assert rec.ops == []


def test_deduplicated_put_syncs_the_directory_of_a_put_still_in_flight(store, monkeypatch):
    """The bytes were renamed into place by a put that has not synced the directory yet (or
    crashed before it could): the caller is about to commit a row pointing at them, so this put
    syncs the directory, and marks the object done."""
    first = store.put(io.BytesIO(b"same bytes"), content_type="text/plain")
    path = store.root / first.key
    os.chmod(path, 0o544)  # as the first put leaves it between its rename and its sync
    rec = Recorder(monkeypatch, store.root)
    store.put(io.BytesIO(b"same bytes"))
    assert rec.ops == [("fsync", os.path.dirname(first.key))]
    assert os.stat(path).st_mode & 0o777 == 0o444
    rec.ops.clear()
    store.put(io.BytesIO(b"same bytes"))
    assert rec.ops == []


def test_an_object_is_marked_done_only_after_its_directory_is_synced(store, monkeypatch):
    modes: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        for p in store.root.glob("sha256/*/*/*"):
            if not p.name.endswith(".json"):
                modes.append((os.readlink(f"/proc/self/fd/{fd}"), p.stat().st_mode & 0o777))

    monkeypatch.setattr(os, "fsync", fsync)
    res = store.put(io.BytesIO(b"marked bytes"))
    leaf = str(store.root / os.path.dirname(res.key))
    # Until (and while) the object's directory is synced it carries the in-flight mark.
    assert [m for target, m in modes if target == leaf] == [0o544]
    assert os.stat(store.root / res.key).st_mode & 0o777 == 0o444


def test_known_bytes_in_memory_are_not_copied_to_a_temp_file(store, monkeypatch) -> None:
    """Bytes already held in memory are hashed first: storing them again (the exchange's
    prefetch worker wrote them ahead) writes no temp file at all; other streams still do."""
    import tempfile

    first = store.put(io.BytesIO(b"prefetched bytes"), content_type="application/pdf")
    made: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        made.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    stream = io.BytesIO(b"HEADERprefetched bytes")
    stream.seek(6)
    again = store.put(stream, size=16)
    assert (again.key, again.created, made) == (first.key, False, [])
    assert stream.read() == b""  # consumed, as reading it would
    stream.write(b"more")  # the stream is released again (a live view would forbid resizing)

    class Chunks(io.RawIOBase):  # not in memory: copied to a temp file while hashing
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            return self._data.readinto(b)

    assert store.put(Chunks(b"prefetched bytes")).created is False and len(made) == 1
    assert not list((store.root / "tmp").iterdir())
    with pytest.raises(SizeMismatch):
        store.put(io.BytesIO(b"prefetched bytes"), size=15)


def test_data_without_sidecar_is_healed_by_the_next_put(store) -> None:
    """A crash after the data rename reached the disk but not the sidecar's: the bytes are
    complete (synced before the rename); the next put of them writes the missing metadata."""
    res = store.put(io.BytesIO(b"half done"), content_type="application/pdf")
    sidecar = store.root / (res.key + ".json")
    sidecar.unlink()
    again = store.put(io.BytesIO(b"half done"), content_type="application/pdf",
                      metadata={"source": "axis"})
    assert again.created is False
    meta = json.loads(sidecar.read_text("utf-8"))
    assert meta["content_type"] == "application/pdf" and meta["metadata"] == {"source": "axis"}
    assert store.stat(res.key).content_type == "application/pdf"


def test_lock_changes_sync_the_sidecar_and_its_directory(store, monkeypatch) -> None:
    res = store.put(io.BytesIO(b"retained"))
    rec = Recorder(monkeypatch, store.root)
    store.set_retention(res.key, datetime.now(UTC) + timedelta(days=1))
    at, tmp = _renamed_to(rec, res.key + ".json")
    assert rec.index("fsync", tmp) < at
    assert ("fsync", os.path.dirname(res.key)) in rec.ops[at + 1:]


def test_without_fsync_nothing_is_synced(tmp_path, monkeypatch) -> None:
    store = FilesystemStore(tmp_path / "objects", fsync=False)
    rec = Recorder(monkeypatch, store.root)
    res = store.put(io.BytesIO(b"test data"))
    assert rec.count("fsync") == 0
    assert (store.root / res.key).read_bytes() == b"test data"


def test_files_synced_together_are_synced_at_the_same_time(store, monkeypatch) -> None:
    """The data and its sidecar are fsynced side by side (one journal commit for both)."""
    import threading

    real_fsync = os.fsync
    inside = []
    overlap = threading.Event()
    lock = threading.Lock()

    def slow_fsync(fd: int) -> None:
        with lock:
            inside.append(fd)
            if len(inside) > 1:
                overlap.set()
        overlap.wait(2)  # the first one waits until the second one has started
        with lock:
            inside.remove(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    store.put(io.BytesIO(b"synced together"))
    assert overlap.is_set()


def test_a_failed_sync_fails_the_put_and_leaves_nothing(store, monkeypatch) -> None:
    real_fsync = os.fsync
    calls = []

    def failing(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    from edoc.storage.base import StorageUnavailable

    with pytest.raises(StorageUnavailable):
        store.put(io.BytesIO(b"never stored"))
    assert not list((store.root / "tmp").iterdir())
    assert not (store.root / "sha256").exists()


def _put_in_child(root: str) -> None:
    FilesystemStore(root).put(io.BytesIO(b"written by a forked child"))


def test_a_forked_child_syncs_with_its_own_threads(store) -> None:
    """Like a gunicorn worker forked from a master that already stored something: the sync
    threads of the parent do not exist in the child, the child makes its own."""
    import multiprocessing

    store.put(io.BytesIO(b"parent first"))  # the parent's sync threads now exist
    child = multiprocessing.get_context("fork").Process(target=_put_in_child,
                                                        args=(str(store.root),))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert any(p.read_bytes() == b"written by a forked child"
               for p in (store.root / "sha256").rglob("*") if p.is_file())


def test_a_digest_the_caller_has_is_not_computed_again(store, monkeypatch) -> None:
    """The capture hashed the bytes: the put takes its digest (for new and known bytes) and
    files them under it; without one, the put hashes them itself."""
    import edoc.storage.filesystem as filesystem

    data = b"%PDF-1.7 captured bytes"
    digest = hashlib.sha256(data).hexdigest()
    calls: list[int] = []
    real = hashlib.sha256

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(filesystem.hashlib, "sha256", counting)
    new = store.put(io.BytesIO(data), content_type="application/pdf", sha256=digest)
    again = store.put(io.BytesIO(data), sha256=digest)
    assert calls == []
    assert (new.sha256, new.created, again.key, again.created) == (digest, True, new.key, False)
    assert store.open(new.key, verify=True).read() == data  # (reading it back hashes it)
    calls.clear()
    other = store.put(io.BytesIO(b"no digest given"))
    assert calls == [1] and other.sha256 == real(b"no digest given").hexdigest()
