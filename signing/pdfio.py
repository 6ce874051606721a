"""Opening PDF bytes for reading or for an incremental update, with errors translated."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyhankoPdfError
from pyhanko.pdf_utils.misc import PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler, find_inherited_value_in_tree

from .errors import PdfError
from .speedups import PdfBytes

__all__ = ["open_reader", "open_writer", "page_box", "page_count", "resolve_page_index"]

# Anything pyHanko's parser may raise on garbage input: its own errors plus the plain Python
# ones it lets escape from malformed objects.
_PARSE_ERRORS = (PyhankoPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError)


def _check_header(data: bytes) -> None:
    # PDF readers accept junk before the header, but only within the first 1024 bytes.
    if b"%PDF-" not in data[:1024]:
        raise PdfError("the data is not a PDF file (no %PDF- header)", code="pdf_corrupt")


def _check_usable(reader: PdfFileReader) -> None:
    if reader.encrypted:
        raise PdfError("the PDF is encrypted; remove the password first", code="pdf_encrypted")
    try:
        root = reader.root
        pages = root["/Pages"]
        count = int(pages["/Count"])
    except _PARSE_ERRORS as exc:
        raise PdfError(f"the PDF has no readable page tree: {exc}", code="pdf_corrupt") from None
    if count < 1:
        raise PdfError("the PDF has no pages", code="pdf_corrupt")


def open_reader(data: bytes) -> PdfFileReader:
    """A pyHanko reader over ``data``; strict parsing first, lenient if that fails."""
    _check_header(data)
    for strict in (True, False):
        try:
            # PdfBytes: the signatures' byte ranges are hashed straight from ``data``
            reader = PdfFileReader(PdfBytes(data), strict=strict)
        except PdfStrictReadError:
            continue
        except _PARSE_ERRORS as exc:
            raise PdfError(f"the PDF cannot be parsed: {exc}", code="pdf_corrupt") from None
        _check_usable(reader)
        return reader
    raise PdfError("the PDF cannot be parsed", code="pdf_corrupt")  # pragma: no cover


def open_writer(data: bytes) -> IncrementalPdfFileWriter:
    """A writer that appends an incremental update to ``data`` (earlier revisions untouched)."""
    _check_header(data)
    for strict in (True, False):
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=strict)
        except PdfStrictReadError:
            continue
        except _PARSE_ERRORS as exc:
            raise PdfError(f"the PDF cannot be parsed: {exc}", code="pdf_corrupt") from None
        _check_usable(writer.prev)
        return writer
    raise PdfError("the PDF cannot be parsed", code="pdf_corrupt")  # pragma: no cover


def page_count(handler: PdfHandler) -> int:
    return int(handler.root["/Pages"]["/Count"])


def resolve_page_index(handler: PdfHandler, page: int) -> int:
    """Turn a possibly negative page index into a checked zero-based one."""
    count = page_count(handler)
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise PdfError(f"page {page} does not exist (the PDF has {count})", code="page_missing")
    return index


def page_box(handler: PdfHandler, page: int) -> tuple[float, float, float, float]:
    """The visible area of a page (CropBox, else MediaBox, inherited) as ``(x1, y1, x2, y2)``."""
    page_ref, _ = handler.find_page_for_modification(resolve_page_index(handler, page))
    page_obj = page_ref.get_object()
    box = None
    for key in ("/CropBox", "/MediaBox"):
        box = find_inherited_value_in_tree(page_obj, key, "/Parent")
        if box is not None:
            break
    if box is None:
        return (0.0, 0.0, 595.28, 841.89)  # A4, the Decree 30 paper size
    x1, y1, x2, y2 = (float(v) for v in box)
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
