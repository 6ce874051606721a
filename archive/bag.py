"""Write a BagIt bag (RFC 8493) straight into a zip, streaming every member.

We do not call ``bagit.make_bag``: it works on a directory in place and changes the process's
working directory (os.chdir), which is unsafe in a threaded web app or worker. The tag files
are small and fully specified, so they are written here; the ``bagit`` library validates the
result (archive.verify, and the tests).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO

from .hashing import CHUNK_SIZE, Digests, copy_and_hash

__all__ = ["BAGIT_VERSION", "BagZipWriter"]

BAGIT_VERSION = "1.0"
_STORED_SUFFIXES = (".pdf", ".zip", ".jpg", ".jpeg", ".png", ".gif", ".mp4", ".mp3", ".gz")
_ZIP64_LIMIT = 1 << 31


def _clean_tag_value(value: str) -> str:
    # Tag values are one line each; a newline would start a new (forged) tag.
    return " ".join(value.split())


class BagZipWriter:
    """Adds members under ``<bag_name>/`` with a fixed timestamp and records payload digests.

    Call :meth:`write_tag_files` last; member order is the order of the calls.
    """

    def __init__(self, zf: zipfile.ZipFile, bag_name: str, created: datetime,
                 algorithms: tuple[str, ...]) -> None:
        self._zf = zf
        self.bag_name = bag_name
        self.algorithms = algorithms
        self._date_time = created.timetuple()[:6]
        self.payload: dict[str, Digests] = {}  # path relative to the bag ("data/...")
        self._tags: dict[str, Digests] = {}

    def _zinfo(self, relpath: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.bag_name}/{relpath}", date_time=self._date_time)
        info.create_system = 3  # unix: the permission bits below mean what they say
        info.external_attr = 0o100644 << 16
        stored = relpath.lower().endswith(_STORED_SUFFIXES)
        # Already-compressed formats are stored: deflating them costs CPU for nothing.
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        return info

    def add_stream(self, relpath: str, source: BinaryIO, *, expected_size: int = 0,
                   tee: Iterable[BinaryIO] = (), payload: bool = True) -> Digests:
        info = self._zinfo(relpath)
        with self._zf.open(info, "w", force_zip64=expected_size >= _ZIP64_LIMIT) as out:
            digests = copy_and_hash(source, (out, *tee), algorithms=self.algorithms,
                                    chunk_size=CHUNK_SIZE)
        (self.payload if payload else self._tags)[relpath] = digests
        return digests

    def add_bytes(self, relpath: str, data: bytes, *, payload: bool = True) -> Digests:
        return self.add_stream(relpath, io.BytesIO(data), payload=payload)

    def write_bagit_txt(self) -> None:
        text = f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n"
        self.add_bytes("bagit.txt", text.encode(), payload=False)

    def write_tag_files(self, info: dict[str, str]) -> None:
        """bag-info.txt (with Payload-Oxum), manifest-<alg>.txt and tagmanifest-<alg>.txt."""
        total = sum(d.size for d in self.payload.values())
        fields = {**info, "Payload-Oxum": f"{total}.{len(self.payload)}"}
        bag_info = "".join(f"{k}: {_clean_tag_value(v)}\n" for k, v in fields.items() if v)
        self.add_bytes("bag-info.txt", bag_info.encode("utf-8"), payload=False)
        for alg in self.algorithms:
            lines = "".join(f"{self.payload[p].hexdigests[alg]}  {p}\n"
                            for p in sorted(self.payload))
            self.add_bytes(f"manifest-{alg}.txt", lines.encode("utf-8"), payload=False)
        tag_digests = dict(self._tags)
        for alg in self.algorithms:
            lines = "".join(f"{tag_digests[p].hexdigests[alg]}  {p}\n"
                            for p in sorted(tag_digests))
            self.add_bytes(f"tagmanifest-{alg}.txt", lines.encode("utf-8"), payload=False)
