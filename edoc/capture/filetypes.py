"""Recognise an upload by its content (magic bytes), never by its name.

Five kinds are accepted: PDF, DOCX, JPEG, PNG and TIFF. Other formats people commonly upload are
recognised only to name them in the error message ("Word 97-2003 (.doc)", "ảnh HEIC" ...). The
extension still has to agree with the content, so a file renamed to look like something else is
refused instead of being stored under a misleading name.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from edoc.errors import UnsupportedFileType, ValidationError

__all__ = ["FileKind", "SniffedType", "check_type", "sniff"]


class FileKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"

    @property
    def mime_type(self) -> str:
        return _MIME[self]

    @property
    def extensions(self) -> tuple[str, ...]:
        return _EXTENSIONS[self]

    @property
    def is_image(self) -> bool:
        return self in (FileKind.JPEG, FileKind.PNG, FileKind.TIFF)


_MIME = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.TIFF: "image/tiff",
}
_EXTENSIONS = {
    FileKind.PDF: (".pdf",),
    FileKind.DOCX: (".docx",),
    FileKind.JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    FileKind.PNG: (".png",),
    FileKind.TIFF: (".tif", ".tiff"),
}
# What each accepted kind is called in messages.
_LABELS = {
    FileKind.PDF: "PDF",
    FileKind.DOCX: "Word (.docx)",
    FileKind.JPEG: "ảnh JPEG",
    FileKind.PNG: "ảnh PNG",
    FileKind.TIFF: "ảnh TIFF",
}


@dataclass(frozen=True, slots=True)
class SniffedType:
    """What the bytes are: an accepted ``kind``, or only a ``label`` for a refused format."""

    kind: FileKind | None
    label: str | None  # Vietnamese name of the format, None when unknown

    @property
    def supported(self) -> bool:
        return self.kind is not None


# Leading bytes of formats we refuse but can name. Order matters only for shared prefixes.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tài liệu Office 97-2003 (.doc/.xls/.ppt)"),
    (b"{\\rtf", "văn bản RTF"),
    (b"GIF87a", "ảnh GIF"),
    (b"GIF89a", "ảnh GIF"),
    (b"BM", "ảnh BMP"),
    (b"II+\x00", "ảnh BigTIFF"),
    (b"MM\x00+", "ảnh BigTIFF"),
    (b"MZ", "tệp chương trình Windows (.exe)"),
    (b"\x7fELF", "tệp chương trình (ELF)"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z"),
    (b"Rar!\x1a\x07", "tệp nén RAR"),
    (b"%!PS", "tệp PostScript"),
    (b"AT&TFORM", "tài liệu DjVu"),
)


def _sniff_zip(data: bytes) -> SniffedType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A Word file whose ZIP structure is broken is still a (corrupt) DOCX to the user.
        if b"word/document.xml" in data[:65536]:
            return SniffedType(FileKind.DOCX, _LABELS[FileKind.DOCX])
        return SniffedType(None, "tệp nén ZIP bị hỏng")
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return SniffedType(FileKind.DOCX, _LABELS[FileKind.DOCX])
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return SniffedType(None, "bảng tính Excel (.xlsx)")
    if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
        return SniffedType(None, "bản trình chiếu PowerPoint (.pptx)")
    if "mimetype" in names and b"application/vnd.oasis.opendocument" in data[:200]:
        return SniffedType(None, "tài liệu OpenDocument (.odt/.ods)")
    return SniffedType(None, "tệp nén ZIP")


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text.lstrip("\ufeff"))


def sniff(data: bytes) -> SniffedType:
    """Identify ``data`` from its content alone."""
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return SniffedType(FileKind.PDF, _LABELS[FileKind.PDF])
    if head.startswith(b"\xff\xd8\xff"):
        return SniffedType(FileKind.JPEG, _LABELS[FileKind.JPEG])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return SniffedType(FileKind.PNG, _LABELS[FileKind.PNG])
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return SniffedType(FileKind.TIFF, _LABELS[FileKind.TIFF])
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(data)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
            return SniffedType(None, "ảnh HEIC/AVIF (ảnh chụp từ điện thoại)")
        return SniffedType(None, "tệp video/âm thanh (MP4)")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return SniffedType(None, "ảnh WebP")
    for magic, label in _OTHER_MAGIC:
        if head.startswith(magic):
            return SniffedType(None, label)
    if b"%PDF-" in head:  # readers accept junk before the header within the first 1024 bytes
        return SniffedType(FileKind.PDF, _LABELS[FileKind.PDF])
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return SniffedType(None, "trang web (HTML)")
    if stripped.startswith(b"<?xml"):
        return SniffedType(None, "tệp XML")
    if _looks_like_text(head):
        return SniffedType(None, "văn bản thuần (.txt)")
    return SniffedType(None, None)


def _extension(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


_ACCEPTED_HINT = "PDF, DOCX, JPEG, PNG, TIFF"


def check_type(data: bytes, filename: str | None = None) -> FileKind:
    """The accepted kind of ``data``, or an error a user can act on.

    - empty data: ValidationError ``empty_file``;
    - a refused or unknown format: UnsupportedFileType (415) ``unsupported_file_type``, naming the
      format when it is known (``details["detected"]``);
    - an accepted format under an extension of another format (``report.pdf`` that is really a
      PNG): UnsupportedFileType ``file_type_mismatch``. A name without an extension is accepted.
    """
    if not data:
        raise ValidationError(_l("Tệp rỗng (0 byte). Hãy chọn lại tệp."), code="empty_file")
    sniffed = sniff(data)
    ext = _extension(filename)
    if sniffed.kind is None:
        if sniffed.label:
            message = _l("Tệp này là %(detected)s, không phải định dạng được hỗ trợ "
                         "(chỉ nhận %(accepted)s).", detected=sniffed.label,
                         accepted=_ACCEPTED_HINT)
        else:
            message = _l("Không nhận ra định dạng tệp. Chỉ nhận %(accepted)s.",
                         accepted=_ACCEPTED_HINT)
        raise UnsupportedFileType(message, code="unsupported_file_type",
                                  detected=sniffed.label, extension=ext or None)
    if ext and ext not in sniffed.kind.extensions:
        raise UnsupportedFileType(
            _l("Tệp có phần mở rộng “%(extension)s” nhưng nội dung thực sự là %(detected)s. "
               "Hãy kiểm tra lại tệp hoặc đổi đúng phần mở rộng.",
               extension=ext, detected=sniffed.label),
            code="file_type_mismatch", detected=sniffed.kind.value, extension=ext)
    return sniffed.kind
