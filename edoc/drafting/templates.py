"""Decree 30 drafts as DOCX: :func:`render_draft` lays out a :class:`DraftSpec`.

Layout (Phụ lục I): A4 portrait, margins 20/20/30/15 mm (top, bottom, left, right), Times New
Roman, body 14 pt; header table (:mod:`.layout`), type name and subject (not for a công văn,
whose subject is the "V/v" line under its number), the content (:mod:`.bodies`), the signature
block; page numbers centred in the top margin from page 2.

The number and the date stay placeholders ("Số: ……/QĐ-UBND", "Vĩnh Phúc, ngày …… tháng ……
năm 20……"), each marked by a bookmark: at conversion the placeholder text is removed and the
bookmark tells where the form fields go (see :mod:`.anchors`). Any Decree 30 type except the
copies can be drafted; công văn, quyết định, tờ trình, báo cáo, thông báo, kế hoạch and giấy mời
get their own structure, the other types the generic one (heading, subject, body).
"""
from __future__ import annotations

import io

import docx
from flask_babel import lazy_gettext as _l

from edoc.drafting.bodies import add_body
from edoc.drafting.layout import (
    BODY_SIZE,
    MARGINS_MM,
    add_header,
    add_heading,
    add_signature_block,
)
from edoc.drafting.ooxml import add_page_number_header, setup_document
from edoc.drafting.spec import DraftSpec
from edoc.errors import ValidationError

__all__ = ["DOCX_MIMETYPE", "TEMPLATE_TYPES", "render_draft"]

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: The types with a structure of their own; every other non-copy type uses the generic one.
TEMPLATE_TYPES = ("cong_van", "quyet_dinh", "to_trinh", "bao_cao", "thong_bao", "ke_hoach",
                  "giay_moi")

_WITHOUT_HEADING = frozenset({"cong_van", "thu_cong"})


def render_draft(spec: DraftSpec) -> bytes:
    """The DOCX bytes of a draft laid out as Decree 30 prescribes for ``spec.type_key``.

    Raises :class:`~edoc.errors.ValidationError` when the spec cannot be laid out (unknown or
    copy type, missing agency/subject/signer, bad capacity/urgency, giấy mời without details).
    """
    spec.validate()
    doc_type = spec.document_type()
    if spec.type_key == "giay_moi" and spec.invitation is None:
        raise ValidationError(_l("Giấy mời cần thời gian, địa điểm và thành phần được mời."),
                              code="draft_field_missing", field="invitation")

    document = docx.Document()
    _drop_thumbnail(document)
    setup_document(document, body_size=BODY_SIZE, margins_mm=MARGINS_MM)
    _drop_initial_paragraph(document)
    document.core_properties.title = spec.subject.strip()
    document.core_properties.author = spec.agency_name.strip()
    document.core_properties.subject = doc_type.name

    without_heading = spec.type_key in _WITHOUT_HEADING
    add_header(document, spec, notation=spec.notation(), is_cong_van=without_heading)
    if not without_heading:
        add_heading(document, doc_type.heading, spec.subject)
    add_body(document, spec)
    add_signature_block(document, spec)
    add_page_number_header(document, size=BODY_SIZE)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _drop_thumbnail(document) -> None:
    """python-docx's blank template ships a thumbnail of itself; file browsers would show it."""
    rels = document.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            rels.pop(rel_id)


def _drop_initial_paragraph(document) -> None:
    """python-docx's blank template starts with no paragraph; keep the body starting with the
    header table so the number and date sit right under the top margin."""
    body = document.element.body
    for p in body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        if not p.xpath("string(.)"):
            body.remove(p)
