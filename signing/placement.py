"""Where a visible signature goes when the caller gives no box (Decree 30 positions)."""

from __future__ import annotations

from pyhanko.pdf_utils.rw_common import PdfHandler

from .acroform import iter_fields
from .appearance import MM, StampLayout
from .pdfio import page_box, resolve_page_index

__all__ = ["auto_box", "signed_widget_rects", "unique_field_name"]

Box = tuple[float, float, float, float]


def signed_widget_rects(handler: PdfHandler, page: int) -> list[Box]:
    """Rectangles of the visible, signed signature widgets on ``page`` in /Annots order."""
    page_ref, _ = handler.find_page_for_modification(resolve_page_index(handler, page))
    annots = page_ref.get_object().get("/Annots")
    rects: list[Box] = []
    if annots is None:
        return rects
    for annot in annots.get_object():
        widget = annot.get_object()
        if widget.get("/Subtype") != "/Widget":
            continue
        field = widget
        while "/FT" not in field and "/Parent" in field:
            field = field["/Parent"]
        # Document time-stamps have zero-size widgets, dropped below; not resolving /V avoids
        # parsing the signature container.
        if field.get("/FT") != "/Sig" or "/V" not in field:
            continue
        x1, y1, x2, y2 = (float(v) for v in widget.get("/Rect", (0, 0, 0, 0)))
        if abs(x2 - x1) > 1 and abs(y2 - y1) > 1:
            rects.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return rects


def _signer_default(page: Box, layout: StampLayout) -> Box:
    # The signer block (Decree 30, ô 7) sits in the right half under the text: centre the
    # stamp at about 72 % of the page width, 30 mm above the bottom edge.
    px1, py1, px2, _ = page
    cx = px1 + (px2 - px1) * 0.72
    x1 = cx - layout.width / 2
    y1 = py1 + 30 * MM
    return (x1, y1, x1 + layout.width, y1 + layout.height)


def _clamp(box: Box, page: Box) -> Box:
    x1, y1, x2, y2 = box
    px1, py1, px2, py2 = page
    dx = max(px1 - x1, 0) - max(x2 - px2, 0)
    dy = max(py1 - y1, 0) - max(y2 - py2, 0)
    return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)


def auto_box(handler: PdfHandler, kind: str, page: int, layout: StampLayout) -> Box:
    """A widget rectangle for ``layout`` on ``page`` following the Decree 30 conventions."""
    pbox = page_box(handler, page)
    _, _, px2, py2 = pbox
    if kind == "appendix":
        # Top right corner of the first page, inside a 15 mm right and 8 mm top margin.
        x2, y2 = px2 - 15 * MM, py2 - 8 * MM
        return _clamp((x2 - layout.width, y2 - layout.height, x2, y2), pbox)
    if kind == "signer":
        return _clamp(_signer_default(pbox, layout), pbox)
    # Seal: its image covers the left third of the signer's signature image, centred vertically.
    rects = signed_widget_rects(handler, page)
    sx1, sy1, sx2, sy2 = rects[-1] if rects else _signer_default(pbox, layout)
    # A signer stamp carries the name line under the image; skip it when estimating the image.
    name_h = min(0.3 * (sy2 - sy1), 22.0)
    img_y1 = sy1 + name_h
    target_right = sx1 + (sx2 - sx1) / 3
    target_cy = (img_y1 + sy2) / 2
    ix, iy, iw, ih = layout.image_box or (0.0, 0.0, layout.width, layout.height)
    x1 = target_right - (ix + iw)
    y1 = target_cy - (iy + ih / 2)
    return _clamp((x1, y1, x1 + layout.width, y1 + layout.height), pbox)


def unique_field_name(handler: PdfHandler, prefix: str) -> str:
    """``prefix1``, ``prefix2``... the first name no AcroForm field uses yet."""
    taken = {name for name, _ in iter_fields(handler)}
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"
