"""Verify an archival package: zip safety, BagIt, METS schema, METS file list, signatures.

Every finding is a Problem with a stable code; a package is accepted only with none:

- package_unreadable, package_checksum_mismatch, member_corrupt (zip CRC), unsafe_member,
  package_layout_invalid, package_too_large;
- bag_invalid, bag_oxum_mismatch, bag_file_missing, bag_unexpected_file,
  bag_checksum_mismatch (all from the ``bagit`` library);
- mets_missing, mets_unparseable, mets_schema_invalid, metadata_invalid;
- unsafe_reference, file_missing, file_size_mismatch, file_checksum_mismatch,
  file_not_described (a payload file METS does not list);
- signature_invalid, signature_check_error (only with ``check_signatures``).
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import bagit
from lxml import etree

from .errors import InvalidMetadata
from .hashing import Digests, copy_and_hash, hash_stream
from .layout import PackageLayout
from .metadata import document_from_xml, record_from_xml
from .mets import MetsContent, parse_mets
from .mets_schema import safe_parser, validate_edoc_metadata, validate_mets

__all__ = [
    "Problem",
    "SignatureCheck",
    "VerificationResult",
    "interpret_signature_result",
    "verify_package",
]

SignatureChecker = Callable[[bytes], Any]


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    path: str | None = None


@dataclass(frozen=True)
class SignatureCheck:
    path: str  # relative to the bag's data/ directory
    name: str  # original file name
    ok: bool
    result: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    problems: tuple[Problem, ...]
    objid: str | None = None
    sha256: str | None = None  # of the zip (None for a directory)
    files_checked: int = 0
    bytes_checked: int = 0
    signatures: tuple[SignatureCheck, ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.problems)


def interpret_signature_result(result: Any) -> bool:
    """Map whatever the signature callback returned to pass/fail.

    bool as is; an object with ``ok``, ``bottom_line`` (pyHanko status) or ``valid`` uses the
    attribute; a list/tuple passes only when non-empty and every element passes; a mapping
    uses its "ok" or "valid" key; anything else by truthiness. Raising means failure.
    """
    if isinstance(result, bool):
        return result
    for attr in ("ok", "bottom_line", "valid"):
        if hasattr(result, attr) and not callable(getattr(result, attr)):
            return bool(getattr(result, attr))
    if isinstance(result, dict):
        for key in ("ok", "valid"):
            if key in result:
                return bool(result[key])
    if isinstance(result, list | tuple):
        return bool(result) and all(interpret_signature_result(r) for r in result)
    return bool(result)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, path: str | None = None) -> None:
        self.problems.append(Problem(code, message, path))


def _safe_relative(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    return ".." not in parts and not (parts and ":" in parts[0])


def _extract(zip_path: Path, target: Path, out: _Collector,
             max_unpacked_size: int | None) -> tuple[Path | None, dict[str, Digests]]:
    """Unpack the bag safely, hashing each member on the way. Returns (bag dir, digests)."""
    digests: dict[str, Digests] = {}
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        out.add("package_unreadable", f"not a readable zip: {exc}")
        return None, digests
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        tops = {n.split("/", 1)[0] for n in names}
        bad = [n for n in names if not _safe_relative(n)]
        links = [i.filename for i in infos if stat.S_ISLNK(i.external_attr >> 16)]
        dupes = {n for n in names if names.count(n) > 1}
        if bad or links or dupes:
            out.add("unsafe_member", f"unsafe zip members: {sorted({*bad, *links, *dupes})[:5]}")
            return None, digests
        if len(tops) != 1 or any("/" not in n for n in names):
            out.add("package_layout_invalid", "the zip must hold exactly one bag folder")
            return None, digests
        declared = sum(i.file_size for i in infos)
        if max_unpacked_size is not None and declared > max_unpacked_size:
            out.add("package_too_large", f"{declared} bytes unpacked exceed the limit")
            return None, digests
        top = tops.pop()
        for info in infos:
            if info.is_dir():
                (target / info.filename).mkdir(parents=True, exist_ok=True)
                continue
            dest = target / info.filename
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, dest.open("wb") as fh:
                    digests[info.filename.split("/", 1)[1]] = copy_and_hash(src, (fh,))
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                out.add("member_corrupt", f"{info.filename}: {exc}", info.filename)
        return target / top, digests


def _check_bag(bag_dir: Path, out: _Collector) -> None:
    try:
        bag = bagit.Bag(str(bag_dir))
        missing, unexpected = bag.compare_manifests_with_fs()
    except bagit.BagError as exc:
        out.add("bag_invalid", str(exc))
        return
    for path in sorted(missing):
        out.add("bag_file_missing", f"{path} is in the manifest but not in the bag", path)
    for path in sorted(unexpected):
        out.add("bag_unexpected_file", f"{path} is in the bag but not in any manifest", path)
    for _attempt in range(2):
        try:
            bag.validate(processes=1)
        except bagit.BagValidationError as exc:
            details = list(exc.details or [])
            for d in details:
                if isinstance(d, bagit.ChecksumMismatch):
                    out.add("bag_checksum_mismatch", str(d), d.path)
            if not details and "Payload-Oxum" in str(exc) and "Payload-Oxum" in bag.info:
                out.add("bag_oxum_mismatch", str(exc))
                # bagit stops at the Oxum; without it the checksums are still compared, so
                # the report names the changed files too.
                del bag.info["Payload-Oxum"]
                continue
            if not details:
                out.add("bag_invalid", str(exc))
        except bagit.BagError as exc:
            out.add("bag_invalid", str(exc))
        break


def _load_mets(data_dir: Path, layout: PackageLayout, out: _Collector) -> MetsContent | None:
    mets_path = data_dir / layout.mets_name
    if not mets_path.is_file():
        out.add("mets_missing", f"{layout.mets_name} is not in the payload")
        return None
    try:
        tree = etree.parse(str(mets_path), safe_parser())
    except etree.XMLSyntaxError as exc:
        out.add("mets_unparseable", str(exc))
        return None
    if tree.docinfo.doctype:
        out.add("mets_unparseable", "METS must not carry a DOCTYPE")
        return None
    errors = validate_mets(tree)
    if errors:
        out.add("mets_schema_invalid", "; ".join(errors[:5]))
        return None
    try:
        content = parse_mets(tree.getroot())
        for element in (content.record, *(d.metadata for d in content.documents)):
            errors = validate_edoc_metadata(element)
            if errors:
                raise InvalidMetadata("; ".join(errors[:5]))
        record_from_xml(content.record)
        for doc in content.documents:
            document_from_xml(doc.metadata, ())
    except (InvalidMetadata, ValueError) as exc:
        out.add("metadata_invalid", str(exc))
        return None
    return content


def _check_files(data_dir: Path, content: MetsContent, layout: PackageLayout,
                 digests: dict[str, Digests], out: _Collector) -> tuple[int, int]:
    checked = bytes_checked = 0
    described = {layout.mets_name}
    for f in content.files.values():
        if not _safe_relative(f.href):
            out.add("unsafe_reference", f"{f.id} points outside the package: {f.href!r}")
            continue
        described.add(f.href)
        path = data_dir / f.href
        if not path.is_file():
            out.add("file_missing", f"{f.href} ({f.name}) is listed in METS but absent", f.href)
            continue
        known = digests.get(f"data/{f.href}")
        if known is None:
            with path.open("rb") as fh:
                known = hash_stream(fh)
        checked += 1
        bytes_checked += known.size
        if known.size != f.size:
            out.add("file_size_mismatch", f"{f.href}: {known.size} bytes, METS says {f.size}",
                    f.href)
        elif known.sha256 != f.sha256:
            out.add("file_checksum_mismatch", f"{f.href}: sha256 differs from METS", f.href)
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(data_dir).as_posix()
        if rel not in described:
            out.add("file_not_described", f"{rel} is in the payload but not in METS", rel)
    return checked, bytes_checked


def _check_signatures(data_dir: Path, content: MetsContent, checker: SignatureChecker,
                      roles: tuple[str, ...], out: _Collector) -> list[SignatureCheck]:
    checks = []
    for f in content.files.values():
        path = data_dir / f.href
        if f.use not in roles or f.mimetype != "application/pdf" or not path.is_file():
            continue
        if not _safe_relative(f.href):
            continue
        data = path.read_bytes()  # signature validation needs the whole file anyway
        try:
            result = checker(data)
            ok = interpret_signature_result(result)
        except Exception as exc:  # the app's verifier may raise anything
            out.add("signature_check_error", f"{f.href}: {exc!r}", f.href)
            checks.append(SignatureCheck(f.href, f.name, False, exc))
            continue
        if not ok:
            out.add("signature_invalid", f"{f.href} ({f.name}): signature not valid", f.href)
        checks.append(SignatureCheck(f.href, f.name, ok, result))
    return checks


@contextmanager
def _bag_directory(path: Path, out: _Collector, work_dir: str | os.PathLike[str] | None,
                   max_unpacked_size: int | None) -> Iterator[tuple[Path | None,
                                                                     dict[str, Digests]]]:
    if path.is_dir():
        yield path, {}
        return
    with tempfile.TemporaryDirectory(prefix="verify-", dir=work_dir) as tmp:
        yield _extract(path, Path(tmp), out, max_unpacked_size)


def verify_package(
    path: str | os.PathLike[str],
    *,
    check_signatures: SignatureChecker | None = None,
    signature_roles: tuple[str, ...] = ("original",),
    expected_sha256: str | None = None,
    layout: PackageLayout | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    max_unpacked_size: int | None = None,
) -> VerificationResult:
    """Check a package zip (or an unpacked bag directory) and report every problem found.

    ``check_signatures(pdf_bytes)`` is called for each PDF whose METS USE is in
    ``signature_roles``; see :func:`interpret_signature_result` for its return value.
    ``expected_sha256`` is the zip's digest recorded when the package was built: it catches
    a package that was unpacked, altered and re-bagged consistently.
    """
    layout = layout or PackageLayout()
    package = Path(path)
    out = _Collector()
    zip_sha = None
    if package.is_file():
        with package.open("rb") as fh:
            zip_sha = hash_stream(fh).sha256
        if expected_sha256 and zip_sha != expected_sha256.lower():
            out.add("package_checksum_mismatch", "the zip differs from the recorded digest")
    elif not package.is_dir():
        out.add("package_unreadable", f"{package} does not exist")
        return VerificationResult(False, tuple(out.problems))

    objid = None
    checked = bytes_checked = 0
    signatures: list[SignatureCheck] = []
    with _bag_directory(package, out, work_dir, max_unpacked_size) as (bag_dir, digests):
        if bag_dir is not None:
            _check_bag(bag_dir, out)
            data_dir = bag_dir / "data"
            content = _load_mets(data_dir, layout, out) if data_dir.is_dir() else None
            if content is not None:
                objid = content.objid
                checked, bytes_checked = _check_files(data_dir, content, layout, digests, out)
                if check_signatures is not None:
                    signatures = _check_signatures(data_dir, content, check_signatures,
                                                   signature_roles, out)
            elif not data_dir.is_dir():
                out.add("mets_missing", "the bag has no data/ folder")
    return VerificationResult(
        ok=not out.problems, problems=tuple(out.problems), objid=objid, sha256=zip_sha,
        files_checked=checked, bytes_checked=bytes_checked, signatures=tuple(signatures),
    )
