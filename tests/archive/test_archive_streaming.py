"""A 30 MB file goes through build, verify and read without being held whole in memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tracemalloc

from archive import (
    DocumentInfo,
    FileRef,
    FixityItem,
    build_package,
    check_fixity,
    read_package,
    verify_package,
)

SIZE = 30 * 1024 * 1024 + 12345
MIB = 1024 * 1024
_BLOCK = b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(4099))


class Generated(io.RawIOBase):
    """``size`` bytes of incompressible data made on demand; remembers the largest read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pos = 0
        self.max_read = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        remaining = self.size - self.pos
        if n is None or n < 0:
            n = remaining  # a whole-file read: the assertions below will catch it
        self.max_read = max(self.max_read, n)
        n = min(n, remaining)
        start = self.pos % len(_BLOCK)
        out = bytearray()
        while len(out) < n:
            piece = _BLOCK[start:start + n - len(out)]
            out += piece
            start = 0
        self.pos += n
        return bytes(out)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def digest_of_generated(size: int) -> str:
    source, hasher = Generated(size), hashlib.sha256()
    while chunk := source.read(MIB):
        hasher.update(chunk)
    return hasher.hexdigest()


def test_large_file_is_streamed(record_factory, tmp_path, fixed):
    sha = digest_of_generated(SIZE)
    refs = [FileRef("scan.pdf", sha, SIZE), FileRef("data.bin", sha, SIZE, "application/x-raw",
                                                    role="appendix")]
    document = DocumentInfo(
        id="big", direction="incoming", type_name="Tờ trình", number="7", notation="TTr-SXD",
        issued_date=dt.date(2025, 4, 1), issuing_agency="Sở Xây dựng",
        subject="Hồ sơ thiết kế (bản quét)", pages=400, files=refs)
    readers: list[Generated] = []

    def open_file(ref: FileRef) -> io.BufferedReader:
        readers.append(Generated(SIZE))
        return readers[-1]  # type: ignore[return-value]

    tracemalloc.start()
    try:
        result = build_package(record_factory(doc_total=1), [document], open_file,
                               tmp_path / "big.zip", **fixed)
        _, build_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        verification = verify_package(result.path)
        _, verify_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [r.max_read for r in readers] == [MIB, MIB]
    assert all(r.pos == SIZE for r in readers)
    assert build_peak < 8 * MIB, build_peak  # the file is 30 MB; chunks are 1 MiB
    assert verify_peak < 8 * MIB, verify_peak
    assert verification.ok, verification.problems
    assert verification.bytes_checked > 2 * SIZE
    assert [p.size for p in result.files] == [SIZE, SIZE]

    _, documents, open_packaged = read_package(result.path, verify=False)
    hasher = hashlib.sha256()
    with open_packaged(documents[0].files[0]) as fh:
        while chunk := fh.read(MIB):
            hasher.update(chunk)
    assert hasher.hexdigest() == sha

    # Fixity over the generator: a changed object of the same size is found.
    report = check_fixity([FixityItem("scan", sha, SIZE), FixityItem("other", sha, SIZE - 1)],
                          lambda key: Generated(SIZE if key == "scan" else SIZE - 1))
    assert report.ok_count == 1 and report.bytes_checked == 2 * SIZE - 1
    assert [m.key for m in report.mismatches] == ["other"]
