"""Document production: Decree 30 DOCX drafts, PDF conversion, number/date field placement.

Pure functions on data, bytes and paths (no request, no database); errors are
:mod:`edoc.errors` classes with Vietnamese messages. See each module's docstring for the why.
"""
from __future__ import annotations

from edoc.drafting.conversion import DraftPdf, docx_draft_to_pdf, pdf_draft
from edoc.drafting.libreoffice import convert_to_pdf, docx_to_pdf, find_soffice
from edoc.drafting.locate import apply_covers, locate_number_and_date
from edoc.drafting.pdf_anchors import placement_from_anchors
from edoc.drafting.placement import (
    DATE_FIELD,
    NUMBER_FIELD,
    FieldPlacement,
    Placement,
    SignatureBox,
    field_values,
    text_field_specs,
)
from edoc.drafting.spec import (
    SIGNING_CAPACITIES,
    DraftSpec,
    Invitation,
    format_date_line,
    format_number_line,
    notation_for,
)
from edoc.drafting.templates import DOCX_MIMETYPE, TEMPLATE_TYPES, render_draft

__all__ = [
    "DATE_FIELD",
    "DOCX_MIMETYPE",
    "NUMBER_FIELD",
    "SIGNING_CAPACITIES",
    "TEMPLATE_TYPES",
    "DraftPdf",
    "DraftSpec",
    "FieldPlacement",
    "Invitation",
    "Placement",
    "SignatureBox",
    "apply_covers",
    "convert_to_pdf",
    "docx_draft_to_pdf",
    "docx_to_pdf",
    "field_values",
    "find_soffice",
    "format_date_line",
    "format_number_line",
    "locate_number_and_date",
    "notation_for",
    "pdf_draft",
    "placement_from_anchors",
    "render_draft",
    "text_field_specs",
]
