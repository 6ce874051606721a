"""Signing, numbering and sealing an approved draft (Decree 30 Điều 14-15, Phụ lục I).

1. The signer signs the rendition (the signature glue, :mod:`edoc.signatures`): ``signed``.
2. The clerk takes the next number of the outgoing register book for the year and writes the
   number line (``Số: 15/QĐ-UBND``) and the place-and-date line into the form fields placed
   before signing, as an incremental update that is pure form filling: ``issued``.
3. The clerk adds the agency's signature (the seal): ``sealed``.

The number is taken inside the request's transaction, right before the PDF is filled and stored;
if anything fails the transaction rolls back and so does the counter: no gaps.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.auth import permissions as perm
from edoc.auth.models import Agency, OrgUnit, User
from edoc.db import utcnow
from edoc.documents import notifications
from edoc.documents.doctypes import get_type
from edoc.documents.events import check_version
from edoc.documents.files import attach_file, read_file
from edoc.documents.models import Document, FileKind
from edoc.documents.numbering import choose_book, take_next_number
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing.rendition import PDF_MIMETYPE
from edoc.documents.outgoing.workflow import lock, move
from edoc.documents.states import OutAction, next_state
from edoc.drafting import (
    DATE_FIELD,
    NUMBER_FIELD,
    format_date_line,
    format_number_line,
    notation_for,
)
from edoc.errors import Conflict, ValidationError
from edoc.extensions import db
from edoc.i18n import local_today


def _check_step(doc: Document, action: str) -> None:
    """Refuse early (409) before any cryptographic or numbering work."""
    next_state(doc.direction, doc.state, action)


def sign(doc: Document, actor: User, secret: Any, *,
         expected_version: int | None = None) -> Document:
    """The designated signer signs the approved rendition with their key.

    ``secret`` opens the key (passphrase or PIN; a remote signing service needs none): the
    signature module checks it (``secret_required``, ``wrong_secret``).
    """
    lock(doc)
    perm.require(can.can_sign(actor, doc),
                 _l("Chỉ người ký được chỉ định trên văn bản mới ký được."))
    check_version(doc, expected_version)
    _check_step(doc, OutAction.SIGN)
    if doc.rendition_status == "failed":
        raise ValidationError(_l("Không tạo được bản PDF của dự thảo; hãy tải lên tệp khác."),
                              code="rendition_failed")
    if doc.rendition_status != "ready":
        raise Conflict(_l("Bản PDF của dự thảo đang được tạo; hãy thử lại sau ít phút."),
                       code="rendition_pending")
    from edoc.signatures.services import apply_signer_signature

    f = apply_signer_signature(doc, actor, secret if isinstance(secret, str) else None)
    move(doc, OutAction.SIGN, actor, data={"file_id": f.id})
    db.session.flush()
    return doc


def document_notation(doc: Document) -> str:
    """Ký hiệu (§3.3): ``QĐ-UBND``; for a công văn the agency and the drafting unit,
    ``UBND-VP``."""
    agency = db.session.get(Agency, doc.agency_id)
    if not agency.notation.strip():
        raise ValidationError(_l("Cơ quan chưa khai báo chữ viết tắt tên cơ quan (ký hiệu)."),
                              code="agency_notation_missing")
    unit = db.session.get(OrgUnit, doc.drafting_unit_id) if doc.drafting_unit_id else None
    return notation_for(get_type(doc.type_key).abbreviation, agency.notation,
                        unit.notation if unit else None)


def _issued_on(value: Any) -> dt.date:
    today = local_today()
    if value in (None, ""):
        return today
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_l("Ngày ban hành không hợp lệ (định dạng YYYY-MM-DD)."),
                              code="invalid_field", field="issued_on") from None
    if day > today:
        raise ValidationError(_l("Ngày ban hành không được sau ngày hôm nay."),
                              code="invalid_field", field="issued_on")
    return day


def issue(doc: Document, actor: User, *, register_book_id: Any = None, issued_on: Any = None,
          expected_version: int | None = None) -> Document:
    """Number and date the signed document; the fields are filled, the signature stays valid."""
    lock(doc)
    perm.require(can.can_issue(actor), _l("Chỉ văn thư được cấp số văn bản đi."))
    check_version(doc, expected_version)
    _check_step(doc, OutAction.ISSUE)
    signed = doc.current_file(FileKind.SIGNED)
    if signed is None:
        raise Conflict(_l("Văn bản chưa có chữ ký số của người ký."), code="not_signed")
    day = _issued_on(issued_on)
    book_id = None
    if register_book_id not in (None, ""):
        try:
            book_id = int(register_book_id)
        except (TypeError, ValueError):
            raise ValidationError(_l("Sổ đăng ký không hợp lệ."), code="invalid_field",
                                  field="register_book_id") from None
    notation = document_notation(doc)
    book = choose_book(doc.agency_id, "outgoing", type_key=doc.type_key,
                       confidential=doc.confidentiality != "thuong", book_id=book_id)
    # From here on the counter row is locked until the transaction ends: keep it short.
    number = take_next_number(book, day.year)
    agency = db.session.get(Agency, doc.agency_id)
    values = {NUMBER_FIELD: format_number_line(number, notation),
              DATE_FIELD: format_date_line(doc.date_place or agency.place_name, day)}
    pdf = _fill(read_file(signed), values)
    f = attach_file(doc, pdf, kind=FileKind.ISSUED, name=signed.name, content_type=PDF_MIMETYPE,
                    actor=actor)
    doc.number, doc.notation, doc.document_date = number, notation, day
    doc.register_book_id, doc.registration_year = book.id, day.year
    doc.issued_at = utcnow()
    move(doc, OutAction.ISSUE, actor,
         data={"number": number, "notation": notation, "book_id": book.id,
               "year": day.year, "document_date": day.isoformat(), "file_id": f.id})
    db.session.flush()
    return doc


def _fill(pdf: bytes, values: dict[str, str]) -> bytes:
    from signing.errors import FieldError
    from signing.formfields import fill_fields

    try:
        return fill_fields(pdf, values)
    except FieldError as exc:
        raise ValidationError(_l("Tệp đã ký không có ô số, ký hiệu và ngày tháng để điền."),
                              code="issue_fields_missing", reason=exc.code) from None


def seal(doc: Document, actor: User, secret: Any = None, *,
         expected_version: int | None = None) -> Document:
    """The clerk adds the agency's digital signature (its seal) to the issued document."""
    lock(doc)
    perm.require(can.can_seal(actor), _l("Chỉ văn thư được ký số của cơ quan."))
    check_version(doc, expected_version)
    _check_step(doc, OutAction.SEAL)
    from edoc.signatures.services import apply_agency_seal

    f = apply_agency_seal(doc, actor, secret=secret or None)
    move(doc, OutAction.SEAL, actor, data={"file_id": f.id})
    notifications.notify([db.session.get(User, doc.drafter_id)] if doc.drafter_id else [], doc,
                         "sealed", str(_l("Văn bản đã được cấp số %(n)s và ký số cơ quan.",
                                          n=doc.number_notation)))
    db.session.flush()
    return doc
