"""Read a package back (import): record, documents and a way to open each file."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from lxml import etree

from .errors import ArchiveError, InvalidMetadata, PackageInvalid
from .layout import PackageLayout
from .metadata import document_from_xml, record_from_xml
from .mets import MetsContent, parse_mets
from .mets_schema import safe_parser
from .model import DocumentInfo, FileRef, RecordInfo
from .verify import VerificationResult, verify_package

__all__ = ["PackageContents", "PackageFiles", "read_package"]


class _ZipMember(io.RawIOBase):
    """A zip member stream that also closes its ZipFile, so callers handle one object."""

    def __init__(self, zip_path: Path, member: str) -> None:
        self._zf = zipfile.ZipFile(zip_path)
        try:
            self._fh = self._zf.open(member)
        except BaseException:
            self._zf.close()
            raise

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._fh.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._fh.read(size)

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
            self._zf.close()
        super().close()


class PackageFiles:
    """Opens the files of a read package: ``files(ref)`` -> binary stream (close it)."""

    def __init__(self, package: Path, members: dict[FileRef, str], objid: str,
                 verification: VerificationResult | None) -> None:
        self._package = package
        self._members = members
        self.objid = objid
        self.verification = verification

    def member_of(self, ref: FileRef) -> str:
        member = self._members.get(ref)
        if member is None:  # an equal file under another name is the same bytes
            member = next((m for r, m in self._members.items() if r.sha256 == ref.sha256), None)
        if member is None:
            raise ArchiveError(f"{ref.name} is not in this package", code="file_not_in_package")
        return member

    def __call__(self, ref: FileRef) -> BinaryIO:
        member = self.member_of(ref)
        if self._package.is_dir():
            return (self._package / member).open("rb")
        return io.BufferedReader(_ZipMember(self._package, member))  # type: ignore[return-value]


class PackageContents(NamedTuple):
    record: RecordInfo
    documents: tuple[DocumentInfo, ...]
    open_file: PackageFiles


def _read_mets_bytes(package: Path, layout: PackageLayout) -> tuple[bytes, str]:
    """METS bytes and the bag's folder name (relative member prefix)."""
    if package.is_dir():
        return (package / "data" / layout.mets_name).read_bytes(), ""
    with zipfile.ZipFile(package) as zf:
        tops = {n.split("/", 1)[0] for n in zf.namelist()}
        if len(tops) != 1:
            raise PackageInvalid("the zip must hold exactly one bag folder",
                                 code="package_layout_invalid")
        top = tops.pop()
        return zf.read(f"{top}/data/{layout.mets_name}"), f"{top}/"


def _documents(content: MetsContent, prefix: str) -> tuple[tuple[DocumentInfo, ...],
                                                          dict[FileRef, str]]:
    members: dict[FileRef, str] = {}
    documents = []
    for doc in sorted(content.documents, key=lambda d: d.ordinal):
        refs = []
        for file_id in doc.file_ids:
            f = content.files.get(file_id)
            if f is None:
                raise InvalidMetadata(f"fptr to unknown file {file_id}")
            source = content.files.get(f.rendition.source_id) if f.rendition else None
            ref = FileRef(name=f.name, sha256=f.sha256, size=f.size, content_type=f.mimetype,
                          role=f.use,  # type: ignore[arg-type]  # checked by FileRef
                          derived_from=source.name if source is not None else None)
            refs.append(ref)
            members[ref] = f"{prefix}data/{f.href}"
        documents.append(document_from_xml(doc.metadata, tuple(refs)))
    return tuple(documents), members


def read_package(
    path: str | os.PathLike[str],
    *,
    verify: bool = True,
    check_signatures: Callable[[bytes], Any] | None = None,
    expected_sha256: str | None = None,
    layout: PackageLayout | None = None,
) -> PackageContents:
    """Read a package built by build_package (zip or unpacked bag directory).

    With ``verify`` (default) the package is fully verified first and PackageInvalid
    (``problems`` = the verification problems) is raised unless it passes.
    """
    layout = layout or PackageLayout()
    package = Path(path)
    verification = None
    if verify:
        verification = verify_package(package, check_signatures=check_signatures,
                                      expected_sha256=expected_sha256, layout=layout)
        if not verification.ok:
            codes = ", ".join(sorted(verification.codes))
            raise PackageInvalid(f"package refused: {codes}", problems=verification.problems)
    try:
        mets_bytes, prefix = _read_mets_bytes(package, layout)
        root = etree.fromstring(mets_bytes, safe_parser())
        content = parse_mets(root)
        record = record_from_xml(content.record)
        documents, members = _documents(content, prefix)
    except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise PackageInvalid(f"cannot read package: {exc}", code="package_unreadable") from exc
    except InvalidMetadata as exc:
        raise PackageInvalid(f"bad package metadata: {exc}", code="metadata_invalid") from exc
    return PackageContents(record, documents, PackageFiles(package, members, content.objid,
                                                           verification))
