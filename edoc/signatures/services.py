"""Signing documents: the signer's signature, the agency's signature (seal), test signatures.

Each function signs the document's current PDF as an incremental update and stores the result as
a new document file; they flush, the caller commits. The state changes of outgoing documents
belong to ``edoc.documents.outgoing.services``, which calls these.

Order of checks, so that a mistake costs nothing: permissions, then the file and the credential
exist, then the secret opens the key (``wrong_secret``), then the certificate may sign (expired,
revoked, untrusted: refused by the library before any signature is made), then the bytes are
stored. Any error before the last step leaves no object and no row behind.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from flask_babel import lazy_gettext as _l
from pypdf.errors import PyPdfError

from edoc import audit
from edoc.auth.roles import Role
from edoc.documents.files import attach_file, read_file
from edoc.documents.models import Document, DocumentFile, FileKind
from edoc.errors import NotFound, PermissionDenied, ValidationError
from edoc.signatures.images import active_image, image_bytes, signer_block_png
from edoc.signatures.keys import active_credential, unlock
from edoc.signatures.messages import error_message, to_edoc_error
from edoc.signatures.models import CredentialPurpose, ImageKind, SigningCredential
from edoc.signatures.settings import seal_passphrase, setting, trust_settings
from edoc.signatures.verification import PDF_CONTENT_TYPE, current_pdf, is_pdf
from signing import SignatureAppearance, SigningError, SigningKey, sign_pdf

__all__ = [
    "SEAL_KINDS",
    "SIGN_KINDS",
    "apply_agency_seal",
    "apply_signer_signature",
    "sample_pdf",
    "sign_sample",
]

logger = logging.getLogger(__name__)

#: the files a signer signs, in order of preference (the latest PDF of the first kind found)
SIGN_KINDS = (FileKind.ISSUED, FileKind.RENDITION, FileKind.SIGNED, FileKind.ORIGINAL,
              FileKind.DRAFT)
#: the files the clerk seals: the numbered version, else the signed one
SEAL_KINDS = (FileKind.ISSUED, FileKind.SIGNED, FileKind.RENDITION, FileKind.ORIGINAL,
              FileKind.DRAFT)

_NAME_SUFFIXES = (".signed", ".sealed", ".issued")


def _fail(code: str, exc_class: type = ValidationError, **details: Any):
    return exc_class(error_message(code), code=code, **details)


def _output_name(source: DocumentFile, suffix: str) -> str:
    stem = PurePath(source.name).stem or f"document-{source.document_id}"
    for known in _NAME_SUFFIXES:
        if stem.endswith(known):
            stem = stem[: -len(known)]
    return f"{stem}.{suffix}.pdf"


def _pdf_of(doc: Document, kinds: tuple[str, ...]) -> tuple[DocumentFile, bytes]:
    source = current_pdf(doc, kinds)
    if source is None:
        raise _fail("no_pdf", document_id=doc.id)
    data = read_file(source)
    if not is_pdf(data):
        raise _fail("pdf_corrupt", document_id=doc.id, file_id=source.id)
    return source, data


def _template_signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]] | None:
    """The space our own templates leave between the signer's position and name, if any."""
    from edoc.drafting import placement_from_anchors

    try:
        placement = placement_from_anchors(pdf)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return None  # the library reports a broken file properly when it signs
    if placement is None or placement.signature is None:
        return None
    return placement.signature.page, placement.signature.rect


def _sign(pdf: bytes, key: SigningKey, appearance: SignatureAppearance, *, reason: str,
          location: str, **details: Any) -> bytes:
    trust = trust_settings()
    level = str(setting("SIGNING_LEVEL"))
    try:
        return sign_pdf(
            pdf, key, appearance=appearance, level=level,  # type: ignore[arg-type]
            timestamper_url=str(setting("SIGNING_TSA_URL") or "") or None,
            # Without configured roots there is nothing to build a chain to: the library then
            # checks the certificate's dates only.
            trust=trust if trust.trust_roots else None,
            reason=reason, location=location or None)
    except SigningError as exc:
        logger.info("signing refused: %s", exc)
        raise to_edoc_error(exc, **details) from None


def _load_image(kind: str, *, agency_id: int, user_id: int | None, missing: str) -> bytes:
    row = active_image(kind, agency_id=agency_id, user_id=user_id)
    if row is None:
        raise _fail(missing)
    return image_bytes(row)


def _signer_credential(user: Any) -> SigningCredential:
    credential = active_credential(CredentialPurpose.SIGNER, agency_id=user.agency_id,
                                   user_id=user.id)
    if credential is None:
        raise _fail("no_credential")
    return credential


def signer_lines(doc: Document | None, user: Any) -> tuple[str, ...]:
    """The capitalised lines above the signature (Decree 30 ô 7a, 7b), e.g. "KT. CHỦ TỊCH"
    over "PHÓ CHỦ TỊCH"."""
    lines: list[str] = []
    capacity = (getattr(doc, "signing_capacity", "") or "").strip()
    holder = (getattr(doc, "capacity_holder", "") or "").strip()
    if capacity and holder:
        lines.append(f"{capacity} {holder.upper()}")
    position = (getattr(doc, "signer_position", "") or user.position_title or "").strip()
    if position:
        lines.append(position.upper())
    return tuple(lines)


def _hug(rect: tuple[float, float, float, float], image: bytes
         ) -> tuple[float, float, float, float]:
    """Narrow the template's signature space to the image's proportions, centred.

    The widget rectangle then matches the drawn image, which is what the seal is placed
    against (its left third, Decree 30 ô 8); a column-wide rectangle would put the seal left of
    the signature instead of over it.
    """
    from PIL import Image

    with Image.open(io.BytesIO(image)) as img:
        ratio = img.width / img.height
    x1, y1, x2, y2 = rect
    width = min(x2 - x1, (y2 - y1) * ratio)
    centre = (x1 + x2) / 2
    return (centre - width / 2, y1, centre + width / 2, y2)


def _signer_appearance(pdf: bytes, user: Any, image: bytes, lines: tuple[str, ...]
                       ) -> SignatureAppearance:
    box = _template_signature_box(pdf)
    if box is not None:
        # Our templates print the position and the name: the image goes in the space between.
        # The library always draws a name line under a signer's image; a blank name keeps the
        # printed name from appearing twice (to be replaced by a library option to omit it).
        page, rect = box
        return SignatureAppearance(kind="signer", image=image, name=" ", page=page,
                                   box=_hug(rect, image))
    return SignatureAppearance(kind="signer", image=signer_block_png(image, lines),
                               name=user.full_name)


def apply_signer_signature(doc: Document, signer_user: Any, secret: str | None
                           ) -> DocumentFile:
    """Sign the document's current PDF with the signer's credential; store it as ``signed``.

    The visible signature follows Decree 30 (ô 7): the signer's uploaded image, centred between
    their position and full name. Errors: ``not_signer`` (403), ``no_pdf``, ``pdf_corrupt``,
    ``pdf_encrypted``, ``no_credential``, ``signature_image_missing``, ``secret_required``,
    ``wrong_secret``, ``certificate_expired``/``certificate_revoked``/... (422), and
    ``timestamp_failed`` (503). Nothing is stored on error.
    """
    if signer_user.agency_id != doc.agency_id:
        raise NotFound()
    if doc.signer_id is not None and doc.signer_id != signer_user.id:
        raise _fail("not_signer", PermissionDenied, document_id=doc.id)
    credential = _signer_credential(signer_user)
    source, pdf = _pdf_of(doc, SIGN_KINDS)
    image = _load_image(ImageKind.SIGNATURE, agency_id=signer_user.agency_id,
                        user_id=signer_user.id, missing="signature_image_missing")
    key = unlock(credential, secret)
    appearance = _signer_appearance(pdf, signer_user, image, signer_lines(doc, signer_user))
    signed = _sign(pdf, key, appearance, reason=str(_l("Ký số văn bản")),
                   location=_agency_of(doc).place_name, document_id=doc.id)
    row = attach_file(doc, signed, kind=FileKind.SIGNED, name=_output_name(source, "signed"),
                      content_type=PDF_CONTENT_TYPE, actor=signer_user)
    audit.record("signature.signed", actor=signer_user, obj=doc,
                 details={"file_id": row.id, "source_file_id": source.id,
                          "credential_id": credential.id, "serial": credential.serial_number})
    return row


def _agency_of(doc: Document):
    from edoc.auth.models import Agency
    from edoc.extensions import db

    return db.session.get(Agency, doc.agency_id)


def apply_agency_seal(doc: Document, actor: Any, secret: str | None = None) -> DocumentFile:
    """Add the agency's signature (seal) to the current PDF; store it as ``sealed``.

    The seal image overlaps the left third of the signer's image (Decree 30, ô 8), with the
    agency name and the signing time (ISO 8601, +07:00) under it. The key's secret is the
    ``SIGNING_SEAL_PASSPHRASE`` setting when the server holds it, else ``secret`` typed by the
    clerk. Only the agency's clerks may seal (``not_clerk``, 403).

    Appendices filed as separate PDFs get the agency's signature too (Decree 30 Phụ lục I:
    each separate file, top right of its first page, no image, the document's number and
    notation and the signing time): see :func:`_pdf_appendices`. Every file is signed before
    any is stored, so a broken appendix refuses the whole seal with nothing left behind.
    """
    if actor.agency_id != doc.agency_id:
        raise NotFound()
    if not actor.has_role(Role.CLERK):
        raise _fail("not_clerk", PermissionDenied, document_id=doc.id)
    credential = active_credential(CredentialPurpose.SEAL, agency_id=doc.agency_id)
    if credential is None:
        raise _fail("no_seal_credential")
    source, pdf = _pdf_of(doc, SEAL_KINDS)
    image = _load_image(ImageKind.SEAL, agency_id=doc.agency_id, user_id=None,
                        missing="seal_image_missing")
    appendices = _pdf_appendices(doc)
    key = unlock(credential, seal_passphrase() or secret)
    agency = _agency_of(doc)
    box = _template_signature_box(pdf)
    appearance = SignatureAppearance(kind="seal", image=image, organization=agency.name,
                                     page=box[0] if box is not None else None)
    reason = str(_l("Ký số của cơ quan, tổ chức"))
    sealed = _sign(pdf, key, appearance, reason=reason, location=agency.place_name,
                   document_id=doc.id)
    on_appendix = SignatureAppearance(kind="appendix", organization=agency.name,
                                      reference=doc.number_notation or None)
    sealed_appendices = [(f, _sign(data, key, on_appendix, reason=reason,
                                   location=agency.place_name, document_id=doc.id,
                                   file_id=f.id))
                         for f, data in appendices]
    row = attach_file(doc, sealed, kind=FileKind.SEALED, name=_output_name(source, "sealed"),
                      content_type=PDF_CONTENT_TYPE, actor=actor)
    audit.record("signature.sealed", actor=actor, obj=doc,
                 details={"file_id": row.id, "source_file_id": source.id,
                          "credential_id": credential.id, "serial": credential.serial_number})
    _store_sealed_appendices(doc, actor, sealed_appendices, credential)
    return row


def _is_pdf_appendix(f: DocumentFile) -> bool:
    return f.kind == FileKind.APPENDIX and (f.content_type == PDF_CONTENT_TYPE
                                            or f.name.lower().endswith(".pdf"))


def _pdf_appendices(doc: Document) -> list[tuple[DocumentFile, bytes]]:
    """The appendices to seal: the separately filed PDF ones, in filing order. Other formats
    (DOCX) cannot carry a PDF signature and are dispatched as they are, as before."""
    out = []
    for f in doc.files:
        if not _is_pdf_appendix(f):
            continue
        data = read_file(f)
        if not is_pdf(data):
            raise _fail("pdf_corrupt", document_id=doc.id, file_id=f.id)
        out.append((f, data))
    return out


def _store_sealed_appendices(doc: Document, actor: Any,
                             sealed: list[tuple[DocumentFile, bytes]],
                             credential: SigningCredential) -> None:
    """Each sealed appendix becomes the document's ``appendix`` (what is dispatched, exchanged
    and archived); the file as filed stays, as ``appendix_unsealed``, like the drafts of the
    main document. The sealed file keeps its source's revision (its place in the list)."""
    for source, data in sealed:
        source.kind = FileKind.APPENDIX_UNSEALED
        row = attach_file(doc, data, kind=FileKind.APPENDIX,
                          name=_output_name(source, "sealed"), content_type=PDF_CONTENT_TYPE,
                          actor=actor)
        row.revision = source.revision
        audit.record("signature.appendix_sealed", actor=actor, obj=doc,
                     details={"file_id": row.id, "source_file_id": source.id,
                              "credential_id": credential.id,
                              "serial": credential.serial_number})
    if sealed:
        from edoc.extensions import db

        db.session.flush()


# --- test signatures ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def sample_pdf() -> bytes:
    """A one-page Vietnamese PDF to try a key on (nothing about it is stored)."""
    from fpdf import FPDF

    from signing.fonts import find_font

    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", str(find_font("serif")))
    pdf.add_font("Serif", "B", str(find_font("serif-bold")))
    pdf.add_page()
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 10, "VĂN BẢN KÝ THỬ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 13)
    pdf.multi_cell(0, 8, "Tệp này chỉ dùng để kiểm tra khóa ký số, chứng thư số và hình ảnh "
                         "chữ ký. Tệp không được lưu vào hệ thống và không có giá trị pháp lý.")
    return bytes(pdf.output())


def sign_sample(*, actor: Any, secret: str | None, seal: bool = False) -> bytes:
    """Sign :func:`sample_pdf` with the actor's key (or the agency's) and return it, unstored."""
    if seal:
        if not actor.has_role(Role.CLERK, Role.ADMIN):
            raise _fail("not_clerk", PermissionDenied)
        credential = active_credential(CredentialPurpose.SEAL, agency_id=actor.agency_id)
        if credential is None:
            raise _fail("no_seal_credential")
        image = _load_image(ImageKind.SEAL, agency_id=actor.agency_id, user_id=None,
                            missing="seal_image_missing")
        key = unlock(credential, seal_passphrase() or secret)
        appearance = SignatureAppearance(kind="seal", image=image,
                                         organization=actor.agency.name)
    else:
        credential = _signer_credential(actor)
        image = _load_image(ImageKind.SIGNATURE, agency_id=actor.agency_id, user_id=actor.id,
                            missing="signature_image_missing")
        key = unlock(credential, secret)
        appearance = _signer_appearance(sample_pdf(), actor, image, signer_lines(None, actor))
    signed = _sign(sample_pdf(), key, appearance, reason=str(_l("Ký thử")), location="")
    audit.record("signature.test_signed", actor=actor, obj=credential,
                 details={"credential_id": credential.id, "seal": seal})
    return signed
