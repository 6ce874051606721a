"""The PDF the signer signs: made from the latest draft, with the empty number and date fields.

A PDF draft is prepared at once (placeholders painted out, fields added). A DOCX draft is
converted by LibreOffice in the background (``outgoing.render_draft``), which takes seconds. The
fields ``so_ky_hieu`` and ``ngay_ban_hanh`` go in *before* the signature, so that numbering after
it is form filling, which keeps the signer's signature valid (Decree 30: numbered after signing).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from edoc.documents.events import add_event
from edoc.documents.files import attach_file, read_file
from edoc.documents.models import Document, DocumentFile, DocumentText, FileKind
from edoc.drafting import DraftPdf, FieldPlacement, docx_draft_to_pdf, pdf_draft
from edoc.errors import ValidationError
from edoc.extensions import db
from edoc.jobs import enqueue, handler

logger = logging.getLogger(__name__)

RENDER_JOB = "outgoing.render_draft"
PDF_MIMETYPE = "application/pdf"


@dataclass(frozen=True)
class Rendition:
    pdf: bytes
    place: str | None
    pages: int
    text: str


def _field_spec(fp: FieldPlacement):
    from signing.formfields import TextFieldSpec

    style = "bold" if fp.bold else "italic" if fp.italic else "regular"
    return TextFieldSpec(name=fp.name, page=fp.page, box=fp.rect, font_size=fp.font_size,
                         style=style, align=fp.align)


def with_fields(draft: DraftPdf) -> bytes:
    """Add the empty, read-only number and date fields where the placement says."""
    from signing.errors import FieldError, PdfError
    from signing.formfields import add_text_fields

    try:
        return add_text_fields(draft.pdf, [_field_spec(fp) for fp in draft.placement.fields])
    except FieldError as exc:
        if exc.code == "document_already_signed":
            raise ValidationError(_l("Tệp PDF dự thảo đã có chữ ký số. Hãy tải lên bản chưa ký."),
                                  code="draft_already_signed") from None
        raise ValidationError(_l("Không đặt được ô số, ký hiệu và ngày tháng vào tệp PDF."),
                              code="draft_fields_failed", reason=exc.code) from None
    except PdfError as exc:
        raise ValidationError(_l("Tệp PDF không hợp lệ hoặc bị hỏng."), code="invalid_pdf",
                              reason=getattr(exc, "code", "")) from None


def make_rendition(data: bytes, content_type: str) -> Rendition:
    """PDF (with fields) of a draft; DOCX goes through LibreOffice (call from a job)."""
    from edoc.capture import extract_pdf

    draft = pdf_draft(data) if content_type == PDF_MIMETYPE else docx_draft_to_pdf(data)
    pdf = with_fields(draft)
    extract = extract_pdf(pdf)
    return Rendition(pdf=pdf, place=draft.placement.place, pages=extract.page_count,
                     text=extract.text)


def rendition_name(draft: DocumentFile) -> str:
    return str(PurePath(draft.name).with_suffix(".pdf"))


def store_rendition(doc: Document, draft: DocumentFile, r: Rendition, actor=None) -> DocumentFile:
    """Attach the rendition and mark it ready.

    The status columns are written with a plain UPDATE that leaves ``version_id`` alone: the
    background conversion finishing must not turn the drafter's next click into a 409.
    """
    f = attach_file(doc, r.pdf, kind=FileKind.RENDITION, name=rendition_name(draft),
                    content_type=PDF_MIMETYPE, actor=actor)
    values = {"rendition_status": "ready", "date_place": r.place}
    if doc.pages is None:
        values["pages"] = r.pages
    _set_columns(doc, values)
    _store_text(doc, r.text)
    add_event(doc, "rendition_ready", actor, data={"file_id": f.id, "draft_file_id": draft.id})
    return f


def _set_columns(doc: Document, values: dict) -> None:
    db.session.execute(update(Document).where(Document.id == doc.id).values(**values)
                       .execution_options(synchronize_session=False))
    # Keep the loaded object in step without marking it dirty (no version bump at flush).
    for key, value in values.items():
        set_committed_value(doc, key, value)


def _store_text(doc: Document, text: str) -> None:
    row = db.session.get(DocumentText, doc.id)
    if row is None:
        db.session.add(DocumentText(document_id=doc.id, content=text))
    else:
        row.content = text


def prepare(doc: Document, draft: DocumentFile, actor=None) -> None:
    """After a new draft version: a PDF draft gets its rendition now, a DOCX one is queued."""
    if draft.content_type == PDF_MIMETYPE:
        store_rendition(doc, draft, make_rendition(read_file(draft), PDF_MIMETYPE), actor)
        return
    doc.rendition_status = "pending"
    enqueue(RENDER_JOB, {"document_id": doc.id, "file_id": draft.id},
            dedupe_key=f"{RENDER_JOB}:{draft.id}")


@handler(RENDER_JOB, max_attempts=3)
def render_job(payload: dict) -> None:
    """Convert the DOCX draft named in the payload, unless a newer draft superseded it."""
    doc = db.session.scalars(select(Document).where(Document.id == payload["document_id"])
                             .with_for_update()).first()
    if doc is None:
        return
    latest = doc.current_file(FileKind.DRAFT)
    if latest is None or latest.id != payload["file_id"]:
        logger.info("document %s: draft %s superseded, no conversion", doc.id,
                    payload["file_id"])
        return
    try:
        r = make_rendition(read_file(latest), latest.content_type)
    except ValidationError as exc:
        # A file LibreOffice cannot read will not convert on a retry either: say so and stop.
        # (ServiceUnavailable — timeout, no LibreOffice — propagates and is retried.)
        _set_columns(doc, {"rendition_status": "failed"})
        add_event(doc, "rendition_failed", None, note=str(exc.message),
                  data={"draft_file_id": latest.id, "code": exc.code})
        return
    store_rendition(doc, latest, r)
