"""Find the number line and the date line on page 1 of a PDF not made from our templates.

Uploaded drafts usually carry visible placeholders: "Số:      /QĐ-UBND" and "Hà Nội, ngày ……
tháng …… năm 2025". :func:`locate_number_and_date` reads page 1 with pdfminer.six (characters
with their boxes), splits each text line where a wide gap separates the header's two columns,
and takes the topmost segment in the upper part of the page that
- starts with "Số:" (number line), or
- holds "ngày", "tháng" and "năm" in that order (date line; the text before "ngày" is the place).
Each found line becomes a field over the same spot (centred on the line, one line high, a little
wider so the filled text fits) and a *cover*: the placeholder's own box, painted white by
:func:`apply_covers` before the fields are added, so the filled line replaces it cleanly.
Unsigned drafts only: painting changes the page content.

When a line is not found (scanned page, unusual layout) the field goes to the standard place
under the header of an A4 Decree 30 layout, scaled to the page size.
"""
from __future__ import annotations

import io
import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTAnno, LTChar, LTContainer, LTTextLine
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

from edoc.drafting.placement import (
    DATE_FIELD,
    NUMBER_FIELD,
    FieldPlacement,
    Placement,
    Rect,
)
from edoc.errors import ValidationError

__all__ = ["apply_covers", "locate_number_and_date"]

#: Only the upper part of page 1 holds the header (fraction of the page height from the bottom).
_HEADER_FLOOR = 0.55
#: A horizontal gap wider than this many font sizes separates the two header columns.
_COLUMN_GAP = 4.0
_NUMBER_RE = re.compile(r"\s*so\s*:")
# The whole segment must be a date line: an optional place (no digits), then "ngày … tháng …
# năm …" with only digits, dots, ellipses, underscores or spaces in the gaps. A body sentence
# mentioning a date does not match.
_GAP = r"[\d\.…_\s]*"
_DATE_RE = re.compile(rf"[^\d]{{0,60}}?\bngay{_GAP}thang{_GAP}nam{_GAP}$")
_DATE_WORD = re.compile(r"ngay")
_ABOVE, _BELOW = 0.3, 0.35  # field room around the text box, in font sizes
_WIDEN = 2.0  # extra width on each side, in font sizes

# Standard spots (A4 Decree 30 layout), as fractions of the page: column centre x, line top y.
_FALLBACK = {NUMBER_FIELD: (0.29, 0.886), DATE_FIELD: (0.685, 0.886)}
_FALLBACK_SIZE = 13.0
_FALLBACK_WIDTH = {NUMBER_FIELD: 0.29, DATE_FIELD: 0.48}  # fraction of the page width


@dataclass(frozen=True)
class _Segment:
    clusters: tuple[str, ...]  # one base character with its marks (NFC), or a virtual space
    boxes: tuple[tuple[float, float, float, float] | None, ...]  # per cluster
    size: float
    folded: str  # lower case, no diacritics, đ → d
    owner: tuple[int, ...]  # cluster index of each folded character

    def bbox(self) -> Rect:
        boxes = [b for b in self.boxes if b is not None]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def text_before(self, folded_index: int) -> str:
        return "".join(self.clusters[:self.owner[folded_index]])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _text_lines(container) -> Iterator[LTTextLine]:
    for item in container:
        if isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTContainer):
            yield from _text_lines(item)


def _segments(line: LTTextLine) -> Iterator[_Segment]:
    # Each entry: [text, box, size]. Combining marks drawn as glyphs of their own (decomposed
    # text) join the preceding character, so "Số" matches whichever way it was encoded.
    chars: list[list] = []
    last_x1: float | None = None
    for item in line:
        if isinstance(item, LTChar):
            text = item.get_text()
            box = (item.x0, item.y0, item.x1, item.y1)
            if text and all(unicodedata.combining(c) for c in text) and chars and \
                    chars[-1][1] is not None:
                prev = chars[-1]
                prev[0] += text
                prev[1] = (min(prev[1][0], box[0]), min(prev[1][1], box[1]),
                           max(prev[1][2], box[2]), max(prev[1][3], box[3]))
                continue
            size = item.size or (item.y1 - item.y0)
            if last_x1 is not None and item.x0 - last_x1 > _COLUMN_GAP * size and chars:
                yield _make_segment(chars)
                chars = []
            last_x1 = item.x1
            chars.append([text, box, size])
        elif isinstance(item, LTAnno):
            text = item.get_text()
            if text.strip() == "" and text != "\n" and chars:
                chars.append([" ", None, 0.0])
    if chars:
        yield _make_segment(chars)


def _make_segment(chars: list[list]) -> _Segment:
    while chars and chars[-1][1] is None:
        chars.pop()
    clusters = tuple(unicodedata.normalize("NFC", c[0]) for c in chars)
    folded, owner = [], []
    for index, cluster in enumerate(clusters):
        for ch in _fold(cluster):
            folded.append(ch)
            owner.append(index)
    sizes = [c[2] for c in chars if c[1] is not None] or [_FALLBACK_SIZE]
    return _Segment(clusters=clusters, boxes=tuple(c[1] for c in chars),
                    size=float(statistics.median(sizes)), folded="".join(folded),
                    owner=tuple(owner))


def _first_page(pdf_bytes: bytes) -> tuple[float, float, list[_Segment]]:
    try:
        page = next(extract_pages(io.BytesIO(pdf_bytes), page_numbers=[0], maxpages=1,
                                  laparams=LAParams()))
    except StopIteration:
        raise ValidationError(_l("Tệp PDF không có trang nào."), code="invalid_pdf") from None
    except (PDFSyntaxError, PSException, ValueError, TypeError, KeyError) as exc:
        raise ValidationError(_l("Tệp PDF không hợp lệ hoặc bị hỏng."), code="invalid_pdf",
                              reason=type(exc).__name__) from None
    x0, y0, x1, y1 = page.bbox
    segments = [seg for line in _text_lines(page) for seg in _segments(line)
                if any(b is not None for b in seg.boxes)]
    return x1 - x0, y1 - y0, segments


def _field(name: str, bbox: Rect, size: float, *, italic: bool, width: float) -> FieldPlacement:
    x0, y0, x1, y1 = bbox
    size = max(8.0, min(18.0, round(size * 2) / 2))
    fx0, fx1 = max(0.0, x0 - _WIDEN * size), min(width, x1 + _WIDEN * size)
    rect = (round(fx0, 2), round(y0 - _BELOW * size, 2), round(fx1, 2),
            round(y1 + _ABOVE * size, 2))
    return FieldPlacement(name=name, page=0, rect=rect, font_size=size, italic=italic)


def _fallback_field(name: str, width: float, height: float, *, italic: bool) -> FieldPlacement:
    cx, top = _FALLBACK[name]
    half = _FALLBACK_WIDTH[name] * width / 2
    size = _FALLBACK_SIZE
    rect = (round(cx * width - half, 2), round(top * height - 1.3 * size, 2),
            round(cx * width + half, 2), round(top * height + 0.25 * size, 2))
    return FieldPlacement(name=name, page=0, rect=rect, font_size=size, italic=italic)


def _pad(bbox: Rect, pad: float) -> Rect:
    return (round(bbox[0] - pad, 2), round(bbox[1] - pad, 2), round(bbox[2] + pad, 2),
            round(bbox[3] + pad, 2))


def locate_number_and_date(pdf_bytes: bytes) -> Placement:
    """Where to put ``so_ky_hieu`` and ``ngay_ban_hanh`` on page 1 of an arbitrary draft PDF."""
    width, height, segments = _first_page(pdf_bytes)
    header = [s for s in segments if s.bbox()[3] >= height * _HEADER_FLOOR]
    header.sort(key=lambda s: -s.bbox()[3])  # topmost first

    number = date = None
    place: str | None = None
    covers: list[tuple[int, Rect]] = []
    for seg in header:
        if number is None and _NUMBER_RE.match(seg.folded):
            bbox = seg.bbox()
            number = _field(NUMBER_FIELD, bbox, seg.size, italic=False, width=width)
            covers.append((0, _pad(bbox, 1.0)))
        elif date is None and _DATE_RE.fullmatch(seg.folded.strip()):
            bbox = seg.bbox()
            date = _field(DATE_FIELD, bbox, seg.size, italic=True, width=width)
            covers.append((0, _pad(bbox, 1.0)))
            word = _DATE_WORD.search(seg.folded)
            head = seg.text_before(word.start()) if word else ""
            place = head.strip().rstrip(",").strip() or None
        if number is not None and date is not None:
            break

    found = tuple(n for n, f in ((NUMBER_FIELD, number), (DATE_FIELD, date)) if f is not None)
    return Placement(
        number=number or _fallback_field(NUMBER_FIELD, width, height, italic=False),
        date=date or _fallback_field(DATE_FIELD, width, height, italic=True),
        source="detected" if found else "fallback",
        place=place,
        covers=tuple(covers),
        found=found,
    )


def _is_signed(reader: PdfReader) -> bool:
    root = reader.trailer["/Root"]
    acroform = root.get("/AcroForm")
    if acroform is None:
        return False
    acroform = acroform.get_object()
    for field in acroform.get("/Fields", []):
        field = field.get_object()
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            return True
    return False


def apply_covers(pdf_bytes: bytes, placement: Placement) -> bytes:
    """Paint the placement's covers white, so the placeholders under the fields disappear.

    Only for drafts: refuses a PDF that already carries a signature, which this would break.
    """
    if not placement.covers:
        return pdf_bytes
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        signed = _is_signed(reader)
    except (PdfReadError, ValueError, KeyError, TypeError):
        raise ValidationError(_l("Tệp PDF không hợp lệ hoặc bị hỏng."),
                              code="invalid_pdf") from None
    if signed:
        raise ValidationError(_l("Tệp PDF đã được ký số; không thể chuẩn bị lại vị trí số và "
                                 "ngày ban hành."), code="draft_already_signed")
    writer = PdfWriter(clone_from=reader)
    by_page: dict[int, list[Rect]] = {}
    for page_index, rect in placement.covers:
        by_page.setdefault(page_index, []).append(rect)
    for page_index, rects in by_page.items():
        page = writer.pages[page_index]
        cover = "".join(f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f\n"
                        for x0, y0, x1, y1 in rects)
        contents = page.get_contents()
        own = contents.get_data() if contents is not None else b""
        # The page's own content goes inside q/Q so its graphics state cannot leak into the
        # cover, which is drawn last, above the placeholder text.
        stream = ContentStream(None, writer)
        stream.set_data(b"q\n" + own + b"\nQ\nq 1 1 1 rg\n" + cover.encode("ascii") + b"Q\n")
        page.replace_contents(stream)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
