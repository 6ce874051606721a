"""Document ⇄ edXML: the header of an outgoing document, the metadata of an incoming one.

edXML fields the app has no column for are left empty; Decree 30 urgency keys map to the edXML
``Priority`` codes (the ``rank`` of each level); document types travel by their Vietnamese name
(``TypeName``) because the numeric ``Type``/``TypeDetail`` codes are not established (spec §1.5).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from connectors.edxml import (
    Attachment,
    Business,
    DocumentCode,
    DocumentType,
    EdocMessage,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    make_document_id,
)
from edoc.auth.models import Agency, User
from edoc.documents.doctypes import DOCUMENT_TYPES, URGENCIES, find_type
from edoc.documents.files import read_file
from edoc.documents.models import Document, FileKind
from edoc.exchange.errors import ExchangeRefused, reason_message
from edoc.extensions import db
from edoc.i18n import to_local

__all__ = [
    "check_sendable",
    "document_code",
    "document_message",
    "edxml_document_id",
    "incoming_meta",
    "organization",
    "organization_for",
    "promulgation_date",
    "response_for",
]

#: the files that are "the document as dispatched", most final first
SENDABLE_KINDS = (FileKind.SEALED, FileKind.ISSUED, FileKind.SIGNED)

_PRIORITY_BY_URGENCY = {lv.key: Priority(lv.rank) for lv in URGENCIES}
_URGENCY_BY_PRIORITY = {lv.rank: lv.key for lv in URGENCIES}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


_TYPE_BY_NAME = {_fold(t.name): t.key for t in DOCUMENT_TYPES}


def check_sendable(doc: Document) -> None:
    """Documents marked mật or above never go over the axis (Decree 30, QĐ 28/2018): 422."""
    if (doc.confidentiality or "thuong") != "thuong":
        raise ExchangeRefused(reason_message("confidential"), code="confidential_external_dispatch")


def organization(agency: Agency) -> Organization:
    parent = db.session.get(Agency, agency.parent_id) if agency.parent_id else None
    in_charge = parent.name if parent is not None else (agency.governing_body or agency.name)
    return Organization(organ_id=agency.organ_id, organization_in_charge=in_charge,
                        name=agency.name, address=agency.address, email=agency.email,
                        telephone=agency.phone, website=agency.website)


def organization_for(organ_id: str, name: str = "") -> Organization:
    """A receiver: from the directory when we know it, else just its OrganId and name."""
    agency = db.session.scalar(select(Agency).where(Agency.organ_id == organ_id))
    if agency is not None:
        return organization(agency)
    return Organization(organ_id=organ_id, name=name)


def document_code(doc: Document) -> DocumentCode:
    number = f"{doc.number:02d}" if doc.number is not None else ""
    return DocumentCode(number=number, notation=doc.notation or "")


def promulgation_date(doc: Document) -> dt.date | None:
    if doc.document_date is not None:
        return doc.document_date
    if doc.issued_at is not None:
        return to_local(doc.issued_at).date()
    return None


def edxml_document_id(doc: Document, agency: Agency) -> str:
    """The VPCP comma form ``OrganId,yyyy/MM/dd,số/ký hiệu`` of one of our documents (§1.8)."""
    date = promulgation_date(doc)
    if date is None or doc.number is None:
        raise ExchangeRefused(reason_message("no_file"), code="document_not_issued")
    return make_document_id(agency.organ_id, date, document_code(doc))


def response_for(doc: Document, agency: Agency, document_id: str) -> ResponseFor:
    return ResponseFor(organ_id=agency.organ_id, code=str(document_code(doc)),
                       promulgation_date=promulgation_date(doc), document_id=document_id)


def _signer(doc: Document) -> SignerInfo:
    signer = db.session.get(User, doc.signer_id) if doc.signer_id else None
    competence = " ".join(p for p in (doc.signing_capacity or "",
                                      (doc.capacity_holder or "").upper()) if p)
    return SignerInfo(competence=competence,
                      position=doc.signer_position or (signer.position_title if signer else ""),
                      full_name=signer.full_name if signer else "")


def _staff(actor: Any) -> StaffInfo | None:
    if actor is None:
        return None
    unit = getattr(actor, "unit", None)
    return StaffInfo(department=unit.name if unit else "", staff=actor.full_name,
                     email=actor.email or "")


def attachments(doc: Document) -> tuple[Attachment, ...]:
    """The sealed PDF (or the most final signed one) and the appendices filed separately."""
    main = doc.current_file(*SENDABLE_KINDS)
    if main is None:
        raise ExchangeRefused(reason_message("no_file"), code="no_file")
    out = [Attachment(name=main.name, content_type=main.content_type, data=read_file(main),
                      description="Văn bản chính")]
    for f in doc.files:
        if f.kind == FileKind.APPENDIX:
            out.append(Attachment(name=f.name, content_type=f.content_type, data=read_file(f),
                                  description="Phụ lục"))
    return tuple(out)


def document_message(doc: Document, agency: Agency, receivers: list[Organization], *,
                     business: Business, document_id: str | None = None,
                     with_files: bool = True, actor: Any = None) -> EdocMessage:
    """The edXML document message of one of our outgoing documents."""
    check_sendable(doc)
    date = promulgation_date(doc)
    doctype = find_type(doc.type_key)
    planned = doc.planned_recipients or {}
    if business.staff_info is None and actor is not None:
        business = replace(business, staff_info=_staff(actor))
    return EdocMessage(
        sender=organization(agency),
        receivers=tuple(receivers),
        document_id=document_id or edxml_document_id(doc, agency),
        code=document_code(doc),
        subject=doc.subject or "",
        promulgation=PromulgationInfo(place=agency.place_name or "", date=date),
        document_type=DocumentType(type_name=doctype.name if doctype else ""),
        signer=_signer(doc),
        other_info=OtherInfo(priority=_PRIORITY_BY_URGENCY.get(doc.urgency, Priority.NORMAL),
                             page_amount=doc.pages, typer_notation=doc.drafter_notation or ""),
        to_places=tuple(str(n) for n in planned.get("names") or () if str(n).strip()),
        business=business,
        attachments=attachments(doc) if with_files else (),
    )


def type_key_for(type_name: str) -> str | None:
    return _TYPE_BY_NAME.get(_fold(type_name))


def incoming_meta(msg: EdocMessage) -> dict[str, Any]:
    """Metadata for :func:`capture_incoming` (the keys of ``parse_metadata``)."""
    meta: dict[str, Any] = {
        "subject": msg.subject[:10000],
        "issuing_agency": (msg.sender.name or msg.sender.organ_id)[:255],
        "urgency": _URGENCY_BY_PRIORITY.get(min(int(msg.other_info.priority), 3), "thuong"),
        "received_via": "axis",
    }
    type_key = type_key_for(msg.document_type.type_name)
    if type_key:
        meta["type"] = type_key
    number = msg.code.number.strip()
    if number.isdigit():
        meta["number"] = int(number)
        meta["notation"] = msg.code.notation[:80]
    elif str(msg.code):
        meta["notation"] = str(msg.code)[:80]
    if msg.promulgation.date is not None:
        meta["document_date"] = msg.promulgation.date.isoformat()
    if msg.other_info.page_amount:
        meta["pages"] = msg.other_info.page_amount
    if msg.due_date is not None:
        meta["deadline"] = msg.due_date.isoformat()
    return meta


def urgency_for(priority: Priority) -> str:
    return _URGENCY_BY_PRIORITY.get(min(int(priority), 3), "thuong")
