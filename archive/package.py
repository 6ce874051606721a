"""Build the archival package of a record: a zipped BagIt bag with a METS document.

Zip layout (``<bag>`` = OBJID with ":" -> "_"; paths under data/ come from PackageLayout)::

    <bag>/bagit.txt
    <bag>/data/representations/rep1/data/<code>.<NNN>.pdf     signed originals, unchanged
    <bag>/data/representations/rep1/data/<code>.<NNN>-plK.pdf appendices
    <bag>/data/representations/rep2/data/<code>.<NNN>.pdf     PDF/A renditions
    <bag>/data/schemas/{mets,xlink,edoc-archive-1}.xsd
    <bag>/data/METS.xml
    <bag>/bag-info.txt, manifest-sha256.txt, manifest-sha512.txt, tagmanifest-*.txt

Members are written in that order, each file streamed once from ``open_file`` through the
hashers into the zip. With ``created`` and ``package_id`` fixed, and no renditions, the same
input gives the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .bag import BagZipWriter
from .errors import ArchiveError, InvalidMetadata, PackageBuildError
from .hashing import hash_stream
from .layout import VIETNAM_TZ, PackageLayout
from .mets import MetsFile, RenditionEvent, build_mets
from .mets_schema import (
    EDOC_XSD_PATH,
    METS_XSD_PATH,
    XLINK_XSD_PATH,
    safe_parser,
    validate_mets,
)
from .model import DocumentInfo, FileRef, RecordInfo
from .rendition import Rendition, convert_to_pdfa

__all__ = ["PackageResult", "PackageWarning", "PackagedFile", "build_package"]

OpenFile = Callable[[FileRef], BinaryIO]
RenditionFn = Callable[[Path, Path], Rendition | None]


@dataclass(frozen=True)
class PackagedFile:
    path: str  # member name in the zip
    name: str  # original file name
    sha256: str
    sha512: str | None
    size: int
    role: str
    document_id: str | None


@dataclass(frozen=True)
class PackageWarning:
    code: str
    message: str
    document_id: str | None = None
    file_name: str | None = None


@dataclass(frozen=True)
class PackageResult:
    path: Path
    objid: str
    bag_name: str
    sha256: str  # of the zip file: store it to detect a re-made package later
    size: int
    files: tuple[PackagedFile, ...]
    documents: tuple[DocumentInfo, ...]  # as packaged, renditions included
    renditions_created: int
    warnings: tuple[PackageWarning, ...]


def _is_pdf(ref: FileRef) -> bool:
    return ref.content_type == "application/pdf" or ref.name.lower().endswith(".pdf")


def _rendition_name(name: str, taken: set[str]) -> str:
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    candidate, n = f"{stem}.pdfa.pdf", 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}.pdfa-{n}.pdf"
    return candidate


def _resolve_rendition_fn(renditions: RenditionFn | bool | None) -> RenditionFn | None:
    if renditions is True:
        return convert_to_pdfa
    if renditions in (None, False):
        return None
    return renditions  # type: ignore[return-value]


class _Builder:
    def __init__(self, *, record: RecordInfo, writer: BagZipWriter, layout: PackageLayout,
                 open_file: OpenFile, rendition_fn: RenditionFn | None, tmp: Path) -> None:
        self.record = record
        self.writer = writer
        self.layout = layout
        self.open_file = open_file
        self.rendition_fn = rendition_fn
        self.tmp = tmp
        self.mets_files: list[MetsFile] = []
        self.packaged: list[PackagedFile] = []
        self.warnings: list[PackageWarning] = []
        self.renditions_created = 0
        self._paths: set[str] = set()

    def _unique_path(self, path: str) -> str:
        base, n = path, 1
        while path in self._paths:
            stem, dot, ext = base.rpartition(".")
            path = f"{stem}~{n}{dot}{ext}"
            n += 1
        self._paths.add(path)
        return path

    def _add(self, *, source: BinaryIO, ref: FileRef, document: DocumentInfo, ordinal: int,
             file_id: str, path: str, tee: Sequence[BinaryIO] = (),
             event: RenditionEvent | None = None, check: bool = True) -> None:
        digests = self.writer.add_stream(f"data/{path}", source, expected_size=ref.size, tee=tee)
        if check and (digests.sha256 != ref.sha256 or digests.size != ref.size):
            raise PackageBuildError(
                f"document {document.id}: {ref.name} read {digests.size} bytes sha256 "
                f"{digests.sha256}, its FileRef says {ref.size} bytes {ref.sha256}",
                code="source_mismatch")
        self.mets_files.append(MetsFile(
            id=file_id, href=path, sha256=digests.sha256, size=digests.size,
            mimetype=ref.content_type, use=ref.role, name=ref.name, document=ordinal,
            rendition=event))
        self.packaged.append(PackagedFile(
            path=f"{self.writer.bag_name}/data/{path}", name=ref.name, sha256=digests.sha256,
            sha512=digests.hexdigests.get("sha512"), size=digests.size, role=ref.role,
            document_id=document.id))

    def add_document(self, document: DocumentInfo, ordinal: int) -> DocumentInfo:
        counters = {"original": 0, "appendix": 0, "rendition": 0}
        has_rendition = {f.derived_from for f in document.files if f.role == "rendition"}
        names = {f.name for f in document.files}
        new_refs: list[FileRef] = []
        file_no = 0
        pending: list[tuple[FileRef, str, Path]] = []  # (original, its METS id, staged copy)
        for ref in document.files:
            file_no += 1
            file_id = f"FILE-{ordinal:03d}-{file_no:02d}"
            path = self._unique_path(self.layout.file_path(
                self.record.code, ordinal, counters[ref.role], ref.name, ref.role))
            counters[ref.role] += 1
            wants_rendition = (self.rendition_fn is not None and ref.role != "rendition"
                               and _is_pdf(ref) and ref.name not in has_rendition)
            staged = self.tmp / f"{file_id}.pdf"
            try:
                source = self.open_file(ref)
            except ArchiveError:
                raise
            except Exception as exc:
                raise PackageBuildError(f"document {document.id}: cannot open {ref.name}: "
                                        f"{exc}", code="source_unavailable") from exc
            with contextlib.ExitStack() as stack:
                stack.enter_context(contextlib.closing(source))
                tee = [stack.enter_context(staged.open("wb"))] if wants_rendition else []
                source_id = next((m.id for m in self.mets_files
                                  if m.document == ordinal and m.name == ref.derived_from),
                                 None)
                event = (RenditionEvent(source_id, "supplied", "", ref.content_type)
                         if ref.role == "rendition" and source_id else None)
                self._add(source=source, ref=ref, document=document, ordinal=ordinal,
                          file_id=file_id, path=path, tee=tee, event=event)
            if wants_rendition:
                pending.append((ref, file_id, staged))

        for ref, source_id, staged in pending:
            file_no += 1
            made = self._render(document, ref, staged)
            staged.unlink(missing_ok=True)
            if made is None:
                continue
            name = _rendition_name(ref.name, names)
            names.add(name)
            with made.path.open("rb") as fh:
                digests = hash_stream(fh)
            rendition_ref = FileRef(name=name, sha256=digests.sha256, size=digests.size,
                                    content_type="application/pdf", role="rendition",
                                    derived_from=ref.name)
            path = self._unique_path(self.layout.file_path(
                self.record.code, ordinal, counters["rendition"], name, "rendition"))
            counters["rendition"] += 1
            event = RenditionEvent(source_id, made.tool, made.tool_version, made.format)
            with made.path.open("rb") as fh:
                self._add(source=fh, ref=rendition_ref, document=document, ordinal=ordinal,
                          file_id=f"FILE-{ordinal:03d}-{file_no:02d}", path=path, event=event)
            made.path.unlink(missing_ok=True)
            new_refs.append(rendition_ref)
            self.renditions_created += 1
        if new_refs:
            return replace(document, files=(*document.files, *new_refs))
        return document

    def _render(self, document: DocumentInfo, ref: FileRef, staged: Path) -> Rendition | None:
        assert self.rendition_fn is not None
        target = staged.with_suffix(".pdfa.pdf")
        try:
            made = self.rendition_fn(staged, target)
        except ArchiveError as exc:
            self.warnings.append(PackageWarning(exc.code, str(exc), document.id, ref.name))
            return None
        except Exception as exc:  # a converter bug must not fail the package
            self.warnings.append(PackageWarning("rendition_failed", repr(exc), document.id,
                                                ref.name))
            return None
        if made is None or not Path(made.path).is_file():
            self.warnings.append(PackageWarning(
                "rendition_unavailable", "no PDF/A rendition was produced", document.id,
                ref.name))
            return None
        return made

    def add_schemas(self) -> None:
        for n, xsd in enumerate((METS_XSD_PATH, XLINK_XSD_PATH, EDOC_XSD_PATH), start=1):
            path = f"{self.layout.schemas_dir}/{xsd.name}"
            with xsd.open("rb") as fh:
                digests = self.writer.add_stream(f"data/{path}", fh)
            self.mets_files.append(MetsFile(
                id=f"FILE-SCHEMA-{n}", href=path, sha256=digests.sha256, size=digests.size,
                mimetype="application/xml", use="schema", name=xsd.name))


def _check_documents(record: RecordInfo, documents: Sequence[DocumentInfo]) -> list[
        PackageWarning]:
    ids = [d.id for d in documents]
    if len(ids) != len(set(ids)):
        raise InvalidMetadata("duplicate document ids in the record")
    warnings = []
    if record.doc_total and record.doc_total != len(documents):
        warnings.append(PackageWarning(
            "document_count_mismatch",
            f"record says {record.doc_total} documents, {len(documents)} given"))
    if not documents:
        warnings.append(PackageWarning("no_documents", "the record has no documents"))
    return warnings


def build_package(
    record: RecordInfo,
    documents: Sequence[DocumentInfo],
    open_file: OpenFile,
    out_path: str | os.PathLike[str],
    *,
    renditions: RenditionFn | bool | None = None,
    layout: PackageLayout | None = None,
    created: datetime | None = None,
    package_id: uuid.UUID | str | None = None,
    work_dir: str | os.PathLike[str] | None = None,
) -> PackageResult:
    """Write the package of ``record`` to ``out_path`` (a .zip), atomically.

    ``open_file(ref)`` returns a readable binary stream of a file; the bytes must match the
    FileRef's sha256 and size (else PackageBuildError ``source_mismatch``).
    ``renditions``: None/False = none; True = :func:`archive.rendition.convert_to_pdfa`;
    or a callable ``(src, dst) -> Rendition | None``. A failed conversion becomes a warning.
    ``created`` (default now, +07:00) dates the METS and the zip members.
    """
    layout = layout or PackageLayout()
    out = Path(out_path)
    created = created or datetime.now(VIETNAM_TZ)
    if created.tzinfo is None:
        created = created.replace(tzinfo=VIETNAM_TZ)
    created = created.astimezone(VIETNAM_TZ)
    pkg_uuid = package_id if isinstance(package_id, uuid.UUID) else (
        uuid.UUID(package_id) if package_id else uuid.uuid4())
    objid = layout.objid(pkg_uuid)
    bag_name = layout.bag_name(objid)
    warnings = _check_documents(record, documents)

    fd, tmp_name = tempfile.mkstemp(prefix=".package-", suffix=".zip", dir=out.parent)
    os.close(fd)
    tmp_zip = Path(tmp_name)
    try:
        with tempfile.TemporaryDirectory(prefix="archive-", dir=work_dir) as staging, \
                zipfile.ZipFile(tmp_zip, "w", allowZip64=True) as zf:
            writer = BagZipWriter(zf, bag_name, created, layout.checksums)
            writer.write_bagit_txt()
            builder = _Builder(record=record, writer=writer, layout=layout, open_file=open_file,
                               rendition_fn=_resolve_rendition_fn(renditions),
                               tmp=Path(staging))
            packaged_docs = tuple(builder.add_document(doc, n)
                                  for n, doc in enumerate(documents, start=1))
            if layout.include_schemas:
                builder.add_schemas()
            try:
                mets = build_mets(objid=objid, record=record, documents=packaged_docs,
                                  files=builder.mets_files, layout=layout, created=created)
            except ValueError as exc:  # lxml refuses control characters in text
                raise InvalidMetadata(f"metadata cannot be written as XML: {exc}") from exc
            errors = validate_mets(etree.fromstring(mets, safe_parser()))
            if errors:  # a bug in build_mets, never the caller's fault
                raise PackageBuildError("; ".join(errors[:5]), code="mets_invalid")
            writer.add_bytes(f"data/{layout.mets_name}", mets)
            writer.write_tag_files({
                "Source-Organization": record.agency_name,
                "Organization-Identifier": record.organ_id,
                "External-Identifier": record.code,
                "External-Description": record.title,
                "Internal-Sender-Identifier": objid,
                "Bagging-Date": created.date().isoformat(),
                "Bag-Software-Agent": f"{layout.agent_software} archive",
            })
        with tmp_zip.open("rb") as fh:
            zip_digests = hash_stream(fh)
        os.replace(tmp_zip, out)
    except BaseException:
        tmp_zip.unlink(missing_ok=True)
        raise
    return PackageResult(
        path=out, objid=objid, bag_name=bag_name, sha256=zip_digests.sha256,
        size=zip_digests.size, files=tuple(builder.packaged), documents=packaged_docs,
        renditions_created=builder.renditions_created,
        warnings=tuple(warnings + builder.warnings),
    )
