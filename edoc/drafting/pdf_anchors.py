"""Field rectangles from the named destinations our bookmarks become in the converted PDF.

A destination is ``[page /XYZ left top zoom]``. For the emptied, centred number and date lines
``left`` is the centre of the line's column and ``top`` the top of the line (measured on
LibreOffice 7.4 output: within 1 pt of the text box pdfminer reports for the same line with text).
The rectangle spans the column's text width and one line, with a little room above and below so
that accents (Ố, Ữ) and descenders fit.
"""
from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from edoc.drafting import anchors
from edoc.drafting.layout import (
    CELL_INSET_MM,
    DATE_SIZE,
    HEADER_COLUMNS_MM,
    NUMBER_SIZE,
    SIGNATURE_COLUMNS_MM,
    SIGNER_SIZE,
)
from edoc.drafting.placement import (
    DATE_FIELD,
    NUMBER_FIELD,
    FieldPlacement,
    Placement,
    SignatureBox,
)

__all__ = ["placement_from_anchors", "read_anchors"]

_PT_PER_MM = 72 / 25.4
_ABOVE, _BELOW = 0.25, 1.3  # room above the line top / below it, in font sizes


def read_anchors(pdf_bytes: bytes) -> dict[str, tuple[int, float, float]]:
    """Our anchors found among the PDF's named destinations: name → (page index, left, top)."""
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        destinations = reader.named_destinations
    except (PdfReadError, ValueError, KeyError, TypeError):
        return {}
    found: dict[str, tuple[int, float, float]] = {}
    for key, dest in destinations.items():
        name = str(key).lstrip("/")
        if name not in anchors.ALL:
            continue
        try:
            page = reader.get_destination_page_number(dest)
            left, top = float(dest.left), float(dest.top)
        except (TypeError, ValueError, AttributeError, KeyError):
            continue
        if page >= 0:
            found[name] = (page, left, top)
    return found


def _line_field(name: str, anchor: tuple[int, float, float], *, column_mm: float,
                size: float, italic: bool, page_width: float) -> FieldPlacement:
    page, centre, top = anchor
    half = (column_mm - 2 * CELL_INSET_MM) * _PT_PER_MM / 2
    x0, x1 = max(0.0, centre - half), min(page_width, centre + half)
    rect = (round(x0, 2), round(top - _BELOW * size, 2), round(x1, 2),
            round(top + _ABOVE * size, 2))
    return FieldPlacement(name=name, page=page, rect=rect, font_size=size, italic=italic)


def placement_from_anchors(pdf_bytes: bytes) -> Placement | None:
    """The placement of a PDF converted from one of our templates; None without both anchors."""
    found = read_anchors(pdf_bytes)
    if anchors.NUMBER not in found or anchors.DATE not in found:
        return None
    reader = PdfReader(io.BytesIO(pdf_bytes))
    width = float(reader.pages[found[anchors.NUMBER][0]].mediabox.width)
    number = _line_field(NUMBER_FIELD, found[anchors.NUMBER], column_mm=HEADER_COLUMNS_MM[0],
                         size=NUMBER_SIZE, italic=False, page_width=width)
    date = _line_field(DATE_FIELD, found[anchors.DATE], column_mm=HEADER_COLUMNS_MM[1],
                       size=DATE_SIZE, italic=True, page_width=width)
    return Placement(number=number, date=date, source="template",
                     signature=_signature_box(found), found=(NUMBER_FIELD, DATE_FIELD))


def _signature_box(found: dict[str, tuple[int, float, float]]) -> SignatureBox | None:
    space, name = found.get(anchors.SIGNATURE), found.get(anchors.SIGNER_NAME)
    if space is None or name is None or space[0] != name[0] or name[2] >= space[2]:
        return None
    page, centre, top = space
    half = (SIGNATURE_COLUMNS_MM[1] - 2 * CELL_INSET_MM) * _PT_PER_MM / 2
    # The name's destination top sits about 1 pt under its capitals' tops: keep clear of them.
    rect = (round(centre - half, 2), round(name[2] + 0.15 * SIGNER_SIZE, 2),
            round(centre + half, 2), round(top, 2))
    return SignatureBox(page=page, rect=rect)
