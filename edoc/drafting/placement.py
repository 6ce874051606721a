"""Where the number and the date of issue go on a draft PDF, and what to write there.

A :class:`Placement` names two form fields, ``so_ky_hieu`` (the number line, e.g.
``Số: 15/QĐ-UBND``) and ``ngay_ban_hanh`` (the place-and-date line, e.g.
``Vĩnh Phúc, ngày 05 tháng 3 năm 2025``), each with a page and a rectangle in PDF points
(origin at the bottom left of the page, as in the PDF's default user space), plus the font size
and style the Decree prescribes for that line. The signing package adds the empty fields before
the signer signs (``signing.add_text_fields``) and the clerk fills them at issuance
(``signing.fill_fields``, an incremental update that keeps the signature valid).

Each field holds the *whole line*, centred in its rectangle: the line's length changes with the
number and the date, and Decree 30 centres both lines under the agency name and the motto.
:func:`field_values` builds the values.

``covers`` are areas to paint white before the fields are added, where an uploaded PDF carried a
visible placeholder such as ``Số:   /QĐ-UBND`` that the filled line replaces (see
:mod:`edoc.drafting.locate`). Drafts made from our templates need none.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from edoc.drafting.spec import format_date_line, format_number_line
from signing.formfields import TextFieldSpec

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "FieldPlacement",
    "Placement",
    "Rect",
    "SignatureBox",
    "field_values",
    "text_field_specs",
]

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, y upwards


@dataclass(frozen=True)
class FieldPlacement:
    name: str
    page: int  # 0-based
    rect: Rect
    font_size: float
    italic: bool = False
    bold: bool = False
    align: Literal["left", "center", "right"] = "center"


@dataclass(frozen=True)
class SignatureBox:
    """The free space between the signer's position and name (ô 7c, §3.7), for the signature
    image."""

    page: int
    rect: Rect


@dataclass(frozen=True)
class Placement:
    number: FieldPlacement
    date: FieldPlacement
    #: "template": from the anchors of our own templates; "detected": found in the text of an
    #: uploaded PDF; "fallback": the standard position under the header (nothing was found).
    source: Literal["template", "detected", "fallback"]
    #: The place name printed before "ngày" when it was read from the PDF, else None.
    place: str | None = None
    signature: SignatureBox | None = None
    covers: tuple[tuple[int, Rect], ...] = ()
    #: The field names whose line was actually found (the others are at standard positions).
    found: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[FieldPlacement, FieldPlacement]:
        return (self.number, self.date)


def field_values(placement: Placement, *, number: int, notation: str, issued_on: dt.date,
                 place: str | None = None) -> dict[str, str]:
    """The values to fill in at issuance, keyed by field name.

    ``place`` is the agency's place name; the place read from an uploaded PDF wins, because that
    is what the drafter printed.
    """
    where = placement.place or place
    return {
        placement.number.name: format_number_line(number, notation),
        placement.date.name: format_date_line(where, issued_on),
    }


def text_field_specs(placement: Placement) -> list[TextFieldSpec]:
    """The placement as ``signing.formfields.add_text_fields`` takes it."""
    return [TextFieldSpec(name=f.name, page=f.page, box=f.rect, font_size=f.font_size,
                          style="bold" if f.bold else "italic" if f.italic else "regular",
                          align=f.align)
            for f in placement.fields]
