"""Text extraction for search and for the metadata suggestion.

PDF: PDFium (pypdf as fallback), page by page, plus whether the pages need OCR (a scanned page
has an image and no meaningful text layer). DOCX: python-docx's XML, paragraphs and tables in
document order, split into pages at explicit page breaks and at the page breaks Word recorded
when it last laid the document out (so ``pages[0]`` is the first page of a Word file too,
approximately).
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from edoc.capture.filetypes import FileKind
from edoc.capture.inspect import load_docx, open_pdf, pdf_corrupt_error
from edoc.capture.limits import DEFAULT_LIMITS, CaptureLimits

__all__ = ["ExtractResult", "extract_docx", "extract_pdf", "extract_text", "is_meaningful"]

logger = logging.getLogger(__name__)

# A page with an image and fewer letters/digits than this is a scan: scanner apps stamp a short
# text watermark ("Scanned with CamScanner", about 20 letters) that is not a text layer.
MIN_PAGE_CHARS = 50


@dataclass(frozen=True, slots=True)
class ExtractResult:
    text: str                    # all pages, separated by a blank line
    pages: tuple[str, ...]       # text per page (DOCX: split at page breaks, approximate)
    page_count: int
    needs_ocr: bool              # some pages are scans without a usable text layer
    ocr_pages: tuple[int, ...] = ()  # 0-based indexes of those pages
    # Pages that need OCR but carry some text (a watermark, a poor old OCR layer): ocrmypdf's
    # --skip-text would skip them, so they call for --redo-ocr.
    ocr_mode: str | None = None  # "skip", "redo" or None when no OCR is needed

    @property
    def first_page(self) -> str:
        return self.pages[0] if self.pages else ""


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    # Ð (U+00D0) is what OCR engines and legacy fonts produce for Đ.
    text = text.replace("\u00d0", "Đ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _alnum_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def is_meaningful(text: str, *, min_chars: int = MIN_PAGE_CHARS) -> bool:
    """Enough letters and digits, and mostly letters/digits rather than symbols or private-use
    glyph codes (what a font without a Unicode map extracts to)."""
    visible = [ch for ch in text if not ch.isspace()]
    alnum = _alnum_count(text)
    return alnum >= min_chars and alnum >= 0.5 * len(visible)


# --- PDF ---------------------------------------------------------------------------------------

def _has_image(resources, depth: int = 0) -> bool:
    """Whether the resources (or forms nested in them) draw a raster image."""
    if resources is None or depth > 4:
        return False
    try:
        xobjects = resources.get("/XObject")
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        for ref in xobjects.values():
            xobj = ref.get_object()
            subtype = xobj.get("/Subtype")
            if subtype == "/Image":
                return True
            if subtype == "/Form" and _has_image(xobj.get("/Resources"), depth + 1):
                return True
    except Exception as exc:  # a broken resource dictionary: treat as no image
        logger.debug("cannot read page resources: %s", exc)
    return False


def _page_has_image(page) -> bool:
    if _has_image(page.get("/Resources")):
        return True
    try:  # inline images (BI ... ID ... EI) are rare in scans but cheap to look for
        contents = page.get_contents()
        return contents is not None and b"\nBI" in contents.get_data()
    except Exception:
        return False


def extract_pdf(data: bytes, *, max_pages: int | None = None, reader=None) -> ExtractResult:
    """Text of each page of a PDF (the first ``max_pages`` only, when given).

    Raises ValidationError ``pdf_corrupt``/``pdf_encrypted`` when the file does not open; a page
    whose text cannot be extracted counts as a page without text.

    pypdf opens the file (its checks decide what is refused) and looks for images; the text
    comes from PDFium (about four times faster, the same Vietnamese text on our samples), with
    pypdf's extraction as the fallback for a file or page PDFium cannot read. ``reader``:
    ``open_pdf(data)`` when the caller has it already.
    """
    if reader is None:
        reader = open_pdf(data)
    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise pdf_corrupt_error(exc) from exc
    wanted = page_count if max_pages is None else min(page_count, max_pages)
    fast = _pdfium_texts(data, wanted)
    pages: list[str] = []
    ocr_pages: list[int] = []
    redo = False
    for index in range(wanted):
        page = None
        text = fast[index] if index < len(fast) else None
        if text is None:
            page, text = _pypdf_page_text(reader, index)
        pages.append(text)
        if not is_meaningful(text):
            if page is None:
                page = _pypdf_page(reader, index)
            if page is not None and _page_has_image(page):
                ocr_pages.append(index)
                redo = redo or _alnum_count(text) > 0
    ocr_mode = ("redo" if redo else "skip") if ocr_pages else None
    return ExtractResult(text="\n\n".join(pages), pages=tuple(pages), page_count=page_count,
                         needs_ocr=bool(ocr_pages), ocr_pages=tuple(ocr_pages),
                         ocr_mode=ocr_mode)


def _pypdf_page(reader, index: int):
    try:
        return reader.pages[index]
    except Exception as exc:
        logger.info("page %d unreadable: %s", index, exc)
        return None


def _pypdf_page_text(reader, index: int) -> tuple[Any, str]:
    page = _pypdf_page(reader, index)
    if page is None:
        return None, ""
    try:
        return page, _clean(page.extract_text() or "")
    except Exception as exc:  # odd fonts and broken streams: keep the other pages
        logger.info("text extraction failed on page %d: %s: %s", index, type(exc).__name__, exc)
        return page, ""


# PDFium is not thread-safe: one document at a time per process.
_PDFIUM_LOCK = threading.Lock()


def _pdfium_texts(data: bytes, count: int) -> list[str | None]:
    """Text of the first ``count`` pages by PDFium; None for a page it cannot read, [] when it
    cannot open the file (or is not installed)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # optional accelerator
        return []
    out: list[str | None] = []
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except Exception as exc:  # pypdf opened it: let pypdf read it
            logger.info("PDFium cannot open the PDF (%s): using pypdf", exc)
            return []
        try:
            if len(doc) < count:
                return []
            for index in range(count):
                out.append(_pdfium_page_text(doc, index))
        finally:
            doc.close()
    return out


def _pdfium_page_text(doc, index: int) -> str | None:
    try:
        page = doc[index]
        try:
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
    except Exception as exc:
        logger.info("PDFium cannot read page %d (%s): using pypdf", index, exc)
        return None
    # PDFium reports a hyphen that breaks a word at a line end as U+0002 (or U+FFFE): the
    # hyphen, as pypdf reads it.
    return _clean(raw.translate(_PDFIUM_HYPHENS))


_PDFIUM_HYPHENS = {0x02: "-", 0xFFFE: "-"}


# --- DOCX --------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PAGE_BREAK = "\f"
# Not text of the document as it reads: properties, the fallback copy of a text box (its
# mc:Choice twin is read), and tracked deletions.
_SKIPPED = frozenset({_MC_FALLBACK, f"{_W}pPr", f"{_W}rPr", f"{_W}del", f"{_W}moveFrom"})


class _DocxWalker:
    """Collects lines in document order; ``\\f`` in the stream marks a page break."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def block(self, element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == f"{_W}p":
                self.paragraph(child)
            elif tag == f"{_W}tbl":
                self.table(child)
            elif tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"):
                self.block(child)

    def paragraph(self, p) -> None:
        ppr = p.find(f"{_W}pPr")
        if ppr is not None and ppr.find(f"{_W}pageBreakBefore") is not None:
            val = ppr.find(f"{_W}pageBreakBefore").get(f"{_W}val", "true")
            if val not in ("0", "false", "off"):
                self.parts.append(_PAGE_BREAK)
        self.parts.append("\n")
        self.inline(p)
        self.parts.append("\n")
        if ppr is not None and ppr.find(f"{_W}sectPr") is not None:
            self.parts.append(_PAGE_BREAK)  # a section ends here; Word usually starts a new page

    def inline(self, element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == f"{_W}t":
                self.parts.append(child.text or "")
            elif tag == f"{_W}tab":
                self.parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                is_page = child.get(f"{_W}type") == "page"
                self.parts.append(_PAGE_BREAK if is_page else "\n")
            elif tag == f"{_W}lastRenderedPageBreak":
                self.parts.append(_PAGE_BREAK)
            elif tag == f"{_W}noBreakHyphen":
                self.parts.append("-")
            elif tag == f"{_W}p":  # a paragraph inside a text box
                self.parts.append("\n")
                self.inline(child)
                self.parts.append("\n")
            elif tag == f"{_W}tbl":
                self.table(child)
            else:
                self.inline(child)

    def table(self, tbl) -> None:
        # Cell by cell, each cell's paragraphs as lines: the Decree 30 header is a two-column
        # table (agency | national motto), read column block by column block.
        for row in tbl.iterchildren(f"{_W}tr"):
            for cell in row.iterchildren(f"{_W}tc"):
                self.block(cell)


def extract_docx(data: bytes, *, limits: CaptureLimits = DEFAULT_LIMITS,
                 document=None) -> ExtractResult:
    """Paragraphs and tables of a DOCX in document order (body only: no headers/footers).

    ``document`` may be a python-docx Document already opened with :func:`load_docx`.
    """
    if document is None:
        document = load_docx(data, limits=limits)[1]
    walker = _DocxWalker()
    walker.block(document.element.body)
    raw_pages = "".join(walker.parts).split(_PAGE_BREAK)
    pages = [_clean(p) for p in raw_pages]
    # Breaks at the very start or end, or doubled (a rendered break next to an explicit one),
    # do not make pages.
    pages = [p for p in pages if p] or [""]
    return ExtractResult(text="\n\n".join(pages), pages=tuple(pages), page_count=len(pages),
                         needs_ocr=False)


def extract_text(data: bytes, kind: FileKind, *, limits: CaptureLimits = DEFAULT_LIMITS,
                 max_pages: int | None = None) -> ExtractResult:
    """Text of a PDF or DOCX. Images have no text until converted to PDF and OCRed."""
    if kind is FileKind.PDF:
        return extract_pdf(data, max_pages=max_pages)
    if kind is FileKind.DOCX:
        return extract_docx(data, limits=limits)
    raise ValueError(f"no text extraction for {kind}")
