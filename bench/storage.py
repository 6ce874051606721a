"""Object-store benchmark (one run).

1. put and get of 1 MB and 50 MB objects through MinioStore versus the raw minio client against
   the same moto S3 server over TLS (in-process, 127.0.0.1). Target: the store adds <= 10 %.
2. FilesystemStore writing 50 MB objects with fsync. Target: >= 150 MB/s.

Each round alternates raw and store calls on fresh content (the store deduplicates), and the
table shows medians. Run: ``.venv/bin/python bench/storage.py [--rounds-1mb N] [--rounds-50mb N]``
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edoc.storage import create_store
from edoc.storage.base import key_for
from edoc.storage.filesystem import FilesystemStore
from edoc.storage.streams import hash_seekable
from tests.support.s3server import S3TestServer

MB = 1024 * 1024
BUCKET = "bench"
CHUNK = MB


def fresh(base: bytearray, i: int) -> bytes:
    """Distinct content per round (the store would deduplicate repeats)."""
    base[:8] = i.to_bytes(8, "big")
    return bytes(base)


def timed(fn: Callable[[], object]) -> float:
    return timed_result(fn)[0]


def timed_result(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def drain(fh) -> int:
    n = 0
    while chunk := fh.read(CHUNK):
        n += len(chunk)
    return n


def bench_s3(s3: S3TestServer, size: int, rounds: int) -> dict[str, list[float]]:
    s3.reset()
    store = create_store(s3.store_config(bucket=BUCKET, lock_mode="GOVERNANCE"))
    store.check()  # creates the bucket (object lock on, as in production)
    # The raw client is the store's own minio.Minio (same TLS pool, timeouts and retries), so
    # the difference is what the store adds: hashing, dedupe check, error translation, reader.
    raw = store.client
    base = bytearray(os.urandom(size))
    times: dict[str, list[float]] = {
        k: [] for k in ("raw put", "store put", "raw get", "store get", "store get+verify")
    }

    def raw_get(name: str) -> None:
        resp = raw.get_object(BUCKET, name)
        try:
            assert drain(resp) == size
        finally:
            resp.close()
            resp.release_conn()

    def store_get(key: str, verify: bool) -> None:
        with store.open(key, verify=verify) as fh:
            assert drain(fh) == size

    for i in range(rounds + 1):  # round 0 warms up connections and moto's lazy backend
        raw_data = fresh(base, 2 * i)
        store_data = fresh(base, 2 * i + 1)
        name = f"raw/{i}"
        # Alternate who goes first, so neither side always meets a warm or a cold server.
        if i % 2:
            t_raw = timed(lambda d=raw_data, n=name: raw.put_object(BUCKET, n, io.BytesIO(d), size))
            t_store, put = timed_result(lambda d=store_data: store.put(io.BytesIO(d), size=size))
        else:
            t_store, put = timed_result(lambda d=store_data: store.put(io.BytesIO(d), size=size))
            t_raw = timed(lambda d=raw_data, n=name: raw.put_object(BUCKET, n, io.BytesIO(d), size))
        key = put.key
        if i % 2:
            t_raw_get = timed(lambda n=name: raw_get(n))
            t_store_get = timed(lambda k=key: store_get(k, False))
        else:
            t_store_get = timed(lambda k=key: store_get(k, False))
            t_raw_get = timed(lambda n=name: raw_get(n))
        t_verify = timed(lambda k=key: store_get(k, True))
        # Keep moto's memory and temp files small: drop this round's objects (not timed).
        for v in raw.list_objects(BUCKET, prefix=name, include_version=True):
            raw.remove_object(BUCKET, name, version_id=v.version_id)
        store.delete(key)
        if i:
            times["raw put"].append(t_raw)
            times["store put"].append(t_store)
            times["raw get"].append(t_raw_get)
            times["store get"].append(t_store_get)
            times["store get+verify"].append(t_verify)
    return times


def bench_components(s3: S3TestServer, rounds: int = 15) -> list[tuple[str, float]]:
    """What the store adds to a put, measured alone: hashing, and the HEAD of large puts."""
    s3.reset()
    store = create_store(s3.store_config(bucket=BUCKET, lock_mode="GOVERNANCE"))
    store.check()
    absent = key_for("0" * 64)
    rows = []
    for label, size in (
        ("sha256 of 1 MB (seekable stream)", MB),
        ("sha256 of 50 MB (seekable stream)", 50 * MB),
    ):
        stream = io.BytesIO(os.urandom(size))
        rows.append(
            (
                label,
                statistics.median(
                    timed(lambda st=stream: hash_seekable(st)) for _ in range(rounds)
                ),
            )
        )
    rows.append(
        (
            "HEAD (dedupe check, puts > 5 MiB only)",
            statistics.median(timed(lambda: store.exists(absent)) for _ in range(rounds)),
        )
    )
    return rows


def bench_filesystem(root: Path, size: int, rounds: int) -> list[float]:
    store = FilesystemStore(root)
    base = bytearray(os.urandom(size))
    out = []
    for i in range(rounds + 1):
        data = fresh(base, i)
        t = timed(lambda d=data: store.put(io.BytesIO(d), size=size))
        if i:
            out.append(t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds-1mb", type=int, default=30)
    parser.add_argument("--rounds-50mb", type=int, default=15)
    parser.add_argument("--rounds-fs", type=int, default=10)
    args = parser.parse_args()
    med = statistics.median
    with tempfile.TemporaryDirectory(prefix="edoc-bench-") as tmp:
        with S3TestServer(Path(tmp) / "tls") as s3:
            rows = []
            for label, size, rounds in (
                ("1 MB", MB, args.rounds_1mb),
                ("50 MB", 50 * MB, args.rounds_50mb),
            ):
                t = bench_s3(s3, size, rounds)
                for op in ("put", "get"):
                    r, s = med(t[f"raw {op}"]), med(t[f"store {op}"])
                    rows.append((f"{op} {label}", r, s, rounds))
                r, s = med(t["raw get"]), med(t["store get+verify"])
                rows.append((f"get {label}, verify=True", r, s, rounds))
            components = bench_components(s3)
        fs_root = Path(tmp) / "fs"
        fs_times = bench_filesystem(fs_root, 50 * MB, args.rounds_fs)

    print("## MinioStore vs raw minio client (moto S3 over TLS, 127.0.0.1)\n")
    print("| operation | raw minio (ms) | MinioStore (ms) | store overhead | rounds |")
    print("|---|---:|---:|---:|---:|")
    for name, r, s, n in rows:
        print(f"| {name} | {r * 1000:.1f} | {s * 1000:.1f} | {(s / r - 1) * 100:+.1f} % | {n} |")
    print(
        "\nTarget: plain put/get overhead <= +10 %. `verify=True` (hash on read) is opt-in "
        "and shown for information.\n"
    )
    print(
        "Store overhead by component (medians; the rest of a put or get is the same "
        "minio-py call):\n"
    )
    print("| component | ms |")
    print("|---|---:|")
    for name, t in components:
        print(f"| {name} | {t * 1000:.1f} |")
    print()
    print("## FilesystemStore, 50 MB objects, fsync on\n")
    print("| median (ms) | throughput (MB/s) | best (MB/s) | rounds |")
    print("|---:|---:|---:|---:|")
    m = med(fs_times)
    print(f"| {m * 1000:.1f} | {50 / m:.0f} | {50 / min(fs_times):.0f} | {len(fs_times)} |")
    print("\nTarget: >= 150 MB/s (MB = 2^20 bytes).")


if __name__ == "__main__":
    main()
