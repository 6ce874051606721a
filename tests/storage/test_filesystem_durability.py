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


def test_put_into_an_existing_directory_costs_three_fsyncs(store, monkeypatch) -> None:
    first = store.put(io.BytesIO(b"first object"))
    # Another object for the same leaf directory (same first four hex digits of its digest).
    data = next(d for n in range(10_000_000) if hashlib.sha256(
        d := f"object {n}".encode()).hexdigest()[:4] == first.sha256[:4])
    rec = Recorder(monkeypatch, store.root)
    res = store.put(io.BytesIO(data))
    assert os.path.dirname(res.key) == os.path.dirname(first.key)
    _, data_tmp = _renamed_to(rec, res.key)
    _, side_tmp = _renamed_to(rec, res.key + ".json")
    assert [what for op, what in rec.ops if op == "fsync"] == [
        data_tmp, side_tmp, os.path.dirname(res.key)]
    assert rec.count("mkdir") == 0


def test_deduplicated_put_writes_nothing_but_syncs_the_directory(store, monkeypatch) -> None:
    first = store.put(io.BytesIO(b"same bytes"), content_type="text/plain")
    rec = Recorder(monkeypatch, store.root)
    again = store.put(io.BytesIO(b"same bytes"), content_type="application/pdf")
    assert again.created is False and again.key == first.key
    assert again.content_type == "text/plain"  # the stored one
    # A concurrent put of the same bytes may not have synced its rename yet.
    assert rec.ops == [("fsync", os.path.dirname(first.key))]


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
