"""check_fixity finds changed, missing and unreadable objects, streaming."""

from __future__ import annotations

import hashlib
import io

from archive import FixityItem, check_fixity


class NotFound(Exception):
    """What an object store adapter raises for an absent key."""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_changed_and_missing_objects_are_reported():
    store = {"a": b"alpha" * 1000, "b": b"bravo", "c": b"charlie"}
    items = [FixityItem(k, sha(v), len(v)) for k, v in store.items()]
    items.append(FixityItem("gone", sha(b"x"), 1))
    store["b"] = b"brav0"  # same size, different bytes
    store["c"] = b"charlie!"  # different size

    report = check_fixity(items, lambda key: io.BytesIO(store[key]))

    assert not report.ok
    assert (report.checked, report.ok_count, report.total) == (3, 1, 4)
    assert report.bytes_checked == 5000 + 5 + 8
    assert report.missing == ("gone",)
    assert [(m.key, m.code) for m in report.mismatches] == [
        ("b", "checksum_mismatch"), ("c", "size_mismatch")]
    assert report.mismatches[0].actual_sha256 == sha(b"brav0")
    assert report.errors == ()


def test_store_errors_are_not_losses():
    def open_fn(key: str) -> io.BytesIO:
        if key == "down":
            raise ConnectionError("timeout")
        if key == "absent":
            raise NotFound(key)
        return io.BytesIO(b"ok")

    items = [FixityItem("fine", sha(b"ok")), FixityItem("down", sha(b"ok")),
             FixityItem("absent", sha(b"ok"))]
    report = check_fixity(items, open_fn, missing_errors=(NotFound,))
    assert report.ok_count == 1
    assert report.missing == ("absent",)
    assert [e.key for e in report.errors] == ["down"]
    assert "timeout" in report.errors[0].message


def test_all_good_and_uppercase_digests():
    data = b"x" * 10
    report = check_fixity([FixityItem("k", sha(data).upper(), None)],
                          lambda key: io.BytesIO(data))
    assert report.ok and report.ok_count == 1 and report.bytes_checked == 10


def test_reads_in_chunks_and_closes_streams():
    class Tracking(io.BytesIO):
        largest = 0

        def read(self, size: int = -1) -> bytes:
            Tracking.largest = max(Tracking.largest, size)
            return super().read(size)

    opened: list[Tracking] = []

    def open_fn(key: str) -> Tracking:
        opened.append(Tracking(b"y" * (3 * 1024 * 1024 + 7)))
        return opened[-1]

    report = check_fixity([FixityItem("big", sha(b"y" * (3 * 1024 * 1024 + 7)))], open_fn)
    assert report.ok
    assert 0 < Tracking.largest <= 1024 * 1024
    assert all(s.closed for s in opened)
