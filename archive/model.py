"""Frozen value types describing a record (hồ sơ), its documents and their files.

Field names follow the metadata of Decree 30/2020 Phụ lục VI and the TT 05/2025 readings
(spec §4.1); the mapping to XML element names is in archive/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .errors import InvalidMetadata
from .retention import Retention

__all__ = [
    "DIRECTIONS",
    "FILE_ROLES",
    "DocumentInfo",
    "FileRef",
    "RecordInfo",
]

FileRole = Literal["original", "rendition", "appendix"]
FILE_ROLES: tuple[str, ...] = ("original", "rendition", "appendix")
Direction = Literal["incoming", "outgoing", "internal"]
DIRECTIONS: tuple[str, ...] = ("incoming", "outgoing", "internal")

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidMetadata(message)


def _tuple(obj: object, name: str, value: Sequence) -> None:
    # Callers pass lists; the frozen value keeps an immutable, hashable tuple.
    object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True)
class FileRef:
    """A file of a document as the app stores it (pointer plus integrity data).

    ``derived_from`` names the original a rendition was made from.
    """

    name: str
    sha256: str
    size: int
    content_type: str = "application/pdf"
    role: FileRole = "original"
    derived_from: str | None = None

    def __post_init__(self) -> None:
        _require(bool(self.name.strip()), "file name is empty")
        _require("/" not in self.name and "\\" not in self.name and "\x00" not in self.name,
                 f"file name {self.name!r} must not contain a path")
        object.__setattr__(self, "sha256", self.sha256.lower())
        _require(bool(_SHA256.fullmatch(self.sha256)), f"bad sha256 for {self.name!r}")
        _require(self.size >= 0, f"negative size for {self.name!r}")
        _require(self.role in FILE_ROLES, f"unknown file role {self.role!r}")
        _require(bool(self.content_type.strip()), f"empty content type for {self.name!r}")


@dataclass(frozen=True)
class DocumentInfo:
    """One document (văn bản) of a record with its files.

    ``number``/``notation`` are the two parts of "15/QĐ-UBND" (CodeNumber, CodeNotation).
    """

    id: str
    direction: Direction
    type_name: str
    number: str
    notation: str
    issued_date: date
    issuing_agency: str
    subject: str
    signer: str = ""
    signer_position: str = ""
    pages: int = 0
    files: Sequence[FileRef] = ()
    language: str = "01"
    arrival_number: str = ""
    arrival_date: date | None = None
    retention: Retention | None = None
    mode: str = ""
    description: str = ""
    extra: Sequence[tuple[str, str]] = ()

    def __post_init__(self) -> None:
        _tuple(self, "files", self.files)
        _tuple(self, "extra", tuple(tuple(pair) for pair in self.extra))
        _require(bool(self.id.strip()), "document id is empty")
        _require(self.direction in DIRECTIONS, f"unknown direction {self.direction!r}")
        _require(bool(self.subject.strip()), f"document {self.id}: subject is empty")
        _require(self.pages >= 0, f"document {self.id}: negative pages")
        names = [f.name for f in self.files]
        _require(len(names) == len(set(names)), f"document {self.id}: duplicate file names")
        for ref in self.files:
            _require(ref.derived_from is None or ref.derived_from in names,
                     f"document {self.id}: {ref.name} derives from an unknown file")

    @property
    def number_notation(self) -> str:
        """"15/QĐ-UBND" (or just one part when the other is empty)."""
        return "/".join(p for p in (self.number, self.notation) if p)


@dataclass(frozen=True)
class RecordInfo:
    """A record (hồ sơ) of the file plan.

    ``code`` is the full file code (mã hồ sơ: organ id + year + số và ký hiệu hồ sơ);
    ``file_catalog`` (year) and ``file_notation`` (e.g. "01.TCCB") are its parts.
    Code-list fields (``mode``, ``language``, ``confidence_level``) hold the codes of spec
    §4.2; their tables are in archive.codes and are only secondary readings.
    ``extra`` carries TT 05/2025 fields this model does not name (inforSign, riskRecovery...).
    """

    code: str
    title: str
    start_date: date
    end_date: date | None
    retention: Retention
    agency_name: str
    organ_id: str
    doc_total: int = 0
    page_total: int = 0
    file_catalog: int | None = None
    file_notation: str = ""
    language: str = "01"
    keywords: Sequence[str] = ()
    mode: str = "01"
    confidence_level: str = "01"
    creator: str = ""
    file_plan_heading: str = ""
    description: str = ""
    extra: Sequence[tuple[str, str]] = field(default=())

    def __post_init__(self) -> None:
        _tuple(self, "keywords", self.keywords)
        _tuple(self, "extra", tuple(tuple(pair) for pair in self.extra))
        _require(bool(self.code.strip()), "record code is empty")
        _require(bool(self.title.strip()), "record title is empty")
        _require(bool(self.agency_name.strip()), "agency name is empty")
        _require(self.doc_total >= 0 and self.page_total >= 0, "negative totals")
        _require(self.end_date is None or self.end_date >= self.start_date,
                 "record end date is before its start date")
        _require(not isinstance(self.retention, str), "retention must be a Retention")
