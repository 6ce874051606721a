"""The one capture service: bytes and a file name in, a checked file with text and suggestion out.

Used alike by the upload page, the JSON API and the edXML connector. It touches no request,
database or object store: the caller stores ``original`` (and ``pdf`` when it differs), records
the hashes, indexes ``extract.text``, offers ``suggestion`` to the clerk, and queues OCR when
``needs_ocr`` is true.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from edoc.capture.convert import images_to_pdf
from edoc.capture.extract import ExtractResult, extract_docx, extract_pdf
from edoc.capture.filenames import safe_filename
from edoc.capture.filetypes import FileKind, check_type
from edoc.capture.inspect import inspect_pdf, load_docx, open_pdf
from edoc.capture.limits import DEFAULT_LIMITS, CaptureLimits
from edoc.capture.suggest import Suggestion, suggest_metadata
from edoc.errors import PayloadTooLarge

__all__ = ["CapturedFile", "capture", "read_limited"]

_MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CapturedFile:
    filename: str                 # the uploaded name, checked and NFC-normalised
    kind: FileKind
    mime_type: str
    original: bytes               # exactly what was uploaded
    sha256: str                   # of ``original``, hex
    pdf: bytes | None             # PDF rendition: the original PDF, converted images, None (DOCX)
    pdf_filename: str | None
    pdf_sha256: str | None
    page_count: int               # DOCX: pages split at page breaks (approximate)
    extract: ExtractResult
    suggestion: Suggestion

    @property
    def size(self) -> int:
        return len(self.original)

    @property
    def needs_ocr(self) -> bool:
        """A scan without a usable text layer: queue ``ocr_pdf`` on ``pdf`` in the background."""
        return self.extract.needs_ocr


def _too_large(limits: CaptureLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        _l("Tệp tải lên vượt quá dung lượng cho phép (%(limit)d MB).",
           limit=max(1, limits.max_bytes // _MiB)),
        code="payload_too_large", limit=limits.max_bytes)


def read_limited(stream: BinaryIO, *, limits: CaptureLimits = DEFAULT_LIMITS) -> bytes:
    """Read an upload stream, refusing (413) as soon as it passes ``limits.max_bytes``."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(_MiB):
        total += len(chunk)
        if total > limits.max_bytes:
            raise _too_large(limits)
        chunks.append(chunk)
    return b"".join(chunks)


def capture(data: bytes, filename: str, *, limits: CaptureLimits = DEFAULT_LIMITS,
            text_pages: int | None = None) -> CapturedFile:
    """Check, convert and read one uploaded file.

    Order: name (``bad_filename``), size (413), type by content (415 / ``empty_file``), deep
    validation of the kind, images → PDF, text extraction, metadata suggestion from the first
    page. ``text_pages`` limits PDF text extraction to the first pages (for a request that only
    needs the suggestion; the full text can then be extracted in the background).
    """
    name = safe_filename(filename)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    kind = check_type(data, name)
    sha256 = hashlib.sha256(data).hexdigest()
    pdf: bytes | None
    if kind is FileKind.PDF:
        reader = open_pdf(data)  # opened once, for the checks and the text
        info = inspect_pdf(data, limits=limits, reader=reader)
        pdf, pdf_name, pdf_sha = data, name, sha256
        extract = extract_pdf(data, max_pages=text_pages, reader=reader)
        page_count = info.page_count
    elif kind is FileKind.DOCX:
        _, document = load_docx(data, limits=limits)
        pdf, pdf_name, pdf_sha = None, None, None
        extract = extract_docx(data, document=document)
        page_count = extract.page_count
    else:
        converted = images_to_pdf(data, kind, limits=limits)
        pdf = converted.pdf
        pdf_name = str(PurePath(name).with_suffix(".pdf")) if PurePath(name).suffix else (
            f"{name}.pdf")
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        extract = extract_pdf(pdf, max_pages=text_pages)
        page_count = converted.page_count
    return CapturedFile(
        filename=name, kind=kind, mime_type=kind.mime_type, original=data, sha256=sha256,
        pdf=pdf, pdf_filename=pdf_name, pdf_sha256=pdf_sha, page_count=page_count,
        extract=extract, suggestion=suggest_metadata(extract.first_page),
    )
