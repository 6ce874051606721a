"""From a draft (DOCX or PDF) to the PDF the signer signs, with the field placement.

- :func:`docx_draft_to_pdf`: empty the placeholder lines of our templates, convert with
  LibreOffice, read the anchors; a DOCX without our anchors (made elsewhere, or whose bookmarks
  the drafter deleted) is handled like an uploaded PDF.
- :func:`pdf_draft`: find the number and date lines of an uploaded PDF and paint their
  placeholders white.

Next steps (not here): ``signing.add_text_fields(pdf, placement.fields)`` before signing, and
``signing.fill_fields(signed_pdf, field_values(placement, ...))`` at issuance.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from edoc.drafting import anchors
from edoc.drafting.anchors import blank_placeholders
from edoc.drafting.libreoffice import docx_to_pdf
from edoc.drafting.locate import apply_covers, locate_number_and_date
from edoc.drafting.pdf_anchors import placement_from_anchors
from edoc.drafting.placement import Placement
from edoc.drafting.spec import place_of_date_line

__all__ = ["DraftPdf", "docx_draft_to_pdf", "pdf_draft"]


@dataclass(frozen=True)
class DraftPdf:
    pdf: bytes
    placement: Placement


def docx_draft_to_pdf(docx_bytes: bytes, *, timeout: float = 120, pdfa: bool = False,
                      soffice: str | None = None) -> DraftPdf:
    """Convert a DOCX draft to PDF and say where the number and the date go."""
    blanked = blank_placeholders(docx_bytes)
    pdf = docx_to_pdf(blanked.docx, timeout=timeout, pdfa=pdfa, soffice=soffice)
    placement = placement_from_anchors(pdf) if {anchors.NUMBER, anchors.DATE} <= \
        blanked.anchors else None
    if placement is None:
        return pdf_draft(pdf)
    place = place_of_date_line(blanked.removed.get(anchors.DATE, ""))
    return DraftPdf(pdf=pdf, placement=replace(placement, place=place))


def pdf_draft(pdf_bytes: bytes) -> DraftPdf:
    """Prepare an unsigned PDF draft: locate the lines and white out their placeholders."""
    placement = locate_number_and_date(pdf_bytes)
    return DraftPdf(pdf=apply_covers(pdf_bytes, placement), placement=placement)
