"""A received document message becomes an incoming document, through the capture service.

The main file (the first PDF, else the first attachment) goes through
:func:`edoc.documents.incoming.capture.capture_incoming`, which checks it (type, size,
corruption, encryption, zip bombs), stores it, creates the document in state ``received`` and
queues the signature check of its PDF (E4). The other attachments are kept as appendices. Status
01 is queued in the same transaction. The same DocumentId from the same sender makes one
document, however often it arrives.
"""
from __future__ import annotations

import logging
import mimetypes

from connectors.edxml import Attachment, BusinessType, EdocMessage
from edoc.auth.models import Agency
from edoc.capture import CapturedFile
from edoc.db import utcnow
from edoc.documents.files import attach_file
from edoc.documents.models import Document, FileKind
from edoc.errors import EdocError, ServiceUnavailable
from edoc.exchange.errors import Rejected
from edoc.exchange.mapping import incoming_meta
from edoc.exchange.models import ExchangeMessage
from edoc.exchange.status import find_incoming, queue_status, ref_dict
from edoc.signatures.verification import Prechecked

__all__ = ["prepare_capture", "receive_document"]

logger = logging.getLogger(__name__)

PDF = "application/pdf"

#: content types kept for appendices; anything else is stored as opaque bytes, so that a
#: hostile type (text/html ...) is never served back to a browser as such
SAFE_TYPES = frozenset({
    PDF, "image/png", "image/jpeg", "image/tiff", "application/zip",
    "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
})


def _is_pdf(att: Attachment) -> bool:
    return (att.content_type.lower() == PDF or att.name.lower().endswith(".pdf")
            or att.data[:5] == b"%PDF-")


def main_attachment(msg: EdocMessage) -> Attachment:
    if not msg.attachments:
        raise Rejected("no_attachment", "the document message carries no file")
    return next((a for a in msg.attachments if _is_pdf(a)), msg.attachments[0])


def _safe_type(att: Attachment) -> str:
    declared = (att.content_type or "").split(";")[0].strip().lower()
    if declared in SAFE_TYPES:
        return declared
    guessed = mimetypes.guess_type(att.name)[0]
    return guessed if guessed in SAFE_TYPES else "application/octet-stream"


def prepare_capture(msg: EdocMessage) -> CapturedFile | None:
    """The capture of the main file of a new document message (type checks, first-page text,
    suggestion), computed ahead of applying it, outside its transaction (the prefetch worker).
    None when there is nothing to capture or it fails: applying the message captures again and
    refuses the file with its reason."""
    from edoc.capture import capture

    if msg.business.business_type != BusinessType.NEW or not msg.attachments:
        return None
    main = main_attachment(msg)
    try:
        return capture(main.data, main.name)
    except Exception:  # the apply captures again and says why
        return None


def receive_document(agency: Agency, msg: EdocMessage, row: ExchangeMessage, *,
                     captured: CapturedFile | None = None,
                     checked: Prechecked | None = None) -> Document:
    """Create the incoming document of ``msg`` (or find the one it already made).

    ``captured``: :func:`prepare_capture` of ``msg``, when done ahead; ``checked``: the
    signature report of its main file, when made ahead."""
    from edoc.documents.incoming.capture import capture_incoming

    existing = find_incoming(agency, msg.document_id, msg.sender.organ_id)
    if existing is not None:
        row.document_id = existing.id
        row.info = {**row.info, "duplicate_of": existing.id}
        logger.info("exchange: %s already received as document %s", msg.document_id,
                    existing.id)
        return existing
    main = main_attachment(msg)
    try:
        result = capture_incoming(
            agency.id, main.data, main.name, incoming_meta(msg), actor=None,
            received_via="axis", received_at=utcnow(),
            extra={"exchange_document_id": msg.document_id,
                   "issuing_organ_id": msg.sender.organ_id}, captured=captured,
            checked=checked)
    except ServiceUnavailable:
        raise  # our store or database: not the sender's fault, try again later
    except EdocError as exc:
        raise Rejected("attachment_refused", str(exc.message), file_code=exc.code,
                       file=main.name) from None
    doc = result.document
    for att in msg.attachments:
        if att is not main:
            attach_file(doc, att.data, kind=FileKind.APPENDIX, name=att.name[:255],
                        content_type=_safe_type(att))
    row.document_id = doc.id
    # Not flushed here: it goes in with the flush that ends applying the message.
    queue_status(agency, _ref(msg), "01", document_id=doc.id, flush=False)
    return doc


def _ref(msg: EdocMessage):
    from connectors.edxml import ResponseFor

    return ResponseFor(organ_id=msg.sender.organ_id, code=str(msg.code),
                       promulgation_date=msg.promulgation.date, document_id=msg.document_id)


def response_info(msg: EdocMessage) -> dict:
    return {"response_for": ref_dict(_ref(msg))}
