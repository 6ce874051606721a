"""Typed model of edXML document and status messages (vn-standards.md §1.3-§1.9).

Field names are English; the XML element each one maps to is given in the comment. Every
container is a frozen dataclass; optional text is "" and optional values are None, so a parsed
message and a built one compare equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .codes import BusinessType, Priority, ReceiverType, SteeringType

__all__ = [
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "DocumentCode",
    "DocumentType",
    "EdocMessage",
    "Message",
    "Organization",
    "OtherInfo",
    "PromulgationInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusMessage",
    "TraceHeader",
    "is_addressed_to",
    "make_document_id",
    "receiver_organ_ids",
    "status_reply",
]


@dataclass(frozen=True, kw_only=True)
class Organization:
    """``From`` / ``To``: an agency. Only ``organ_id`` is required by the hubs (P)."""

    organ_id: str  # OrganId (mã định danh), up to 35 characters since Amendment 1:2022
    organization_in_charge: str = ""  # OrganizationInCharge (governing body, a name in samples)
    name: str = ""  # OrganName
    address: str = ""  # OrganAdd
    email: str = ""  # Email
    telephone: str = ""  # Telephone
    fax: str = ""  # Fax
    website: str = ""  # Website


@dataclass(frozen=True, kw_only=True)
class DocumentCode:
    """``Code``: số (CodeNumber) and ký hiệu (CodeNotation)."""

    number: str = ""
    notation: str = ""

    def __str__(self) -> str:
        if self.number and self.notation:
            return f"{self.number}/{self.notation}"
        return self.number or self.notation


@dataclass(frozen=True, kw_only=True)
class PromulgationInfo:
    place: str = ""  # Place
    date: dt.date | None = None  # PromulgationDate, "yyyy/MM/dd" on the wire


@dataclass(frozen=True, kw_only=True)
class DocumentType:
    """``DocumentType``: the codes are not established (U); always fill ``type_name``."""

    type: str = ""  # Type
    type_detail: str = ""  # TypeDetail
    type_name: str = ""  # TypeName, e.g. "Quyết định"


@dataclass(frozen=True, kw_only=True)
class SignerInfo:
    competence: str = ""  # Competence: "KT. GIÁM ĐỐC", "TL.", "TM." ...
    position: str = ""  # Position
    full_name: str = ""  # FullName


@dataclass(frozen=True, kw_only=True)
class OtherInfo:
    priority: Priority = Priority.NORMAL  # Priority (S)
    sphere_of_promulgation: str = ""  # SphereOfPromulgation
    typer_notation: str = ""  # TyperNotation (drafter's initials)
    promulgation_amount: int | None = None  # PromulgationAmount (copies)
    page_amount: int | None = None  # PageAmount
    # ReplyFors / ReferenceCodes: structure unknown (U); carried as text.
    reply_fors: str = ""
    direction: bool = False  # Direction: "false" in every sample (U)
    reference_codes: str = ""
    appendixes: tuple[str, ...] = ()  # Appendixes/Appendix*


@dataclass(frozen=True, kw_only=True)
class ResponseFor:
    """``ResponseFor``: a reference to an earlier document (P)."""

    organ_id: str = ""  # OrganId of the earlier document's sender
    code: str = ""  # Code as "số/ký hiệu" text, e.g. "15/QĐ-SNV"
    promulgation_date: dt.date | None = None  # PromulgationDate
    document_id: str = ""  # DocumentId


@dataclass(frozen=True, kw_only=True)
class StaffInfo:
    department: str = ""  # Department
    department_id: str = ""  # DepartmentId
    staff: str = ""  # Staff
    staff_id: str = ""  # StaffId
    email: str = ""  # Email
    mobile: str = ""  # Mobile


@dataclass(frozen=True, kw_only=True)
class TraceHeader:
    """``TraceHeader``: every system the message passes appends one (P)."""

    organ_id: str = ""  # OrganId (the hub's own entry has none)
    timestamp: dt.datetime | None = None  # Timestamp "yyyy/MM/dd HH:mm:ss"


@dataclass(frozen=True, kw_only=True)
class Receiver:
    organ_id: str
    receiver_type: ReceiverType = ReceiverType.ADDED


@dataclass(frozen=True, kw_only=True)
class BusinessDocumentInfo:
    """``BussinessDocumentInfo`` of an update (flags U: "1" = this part changed)."""

    document_info: str = "1"  # DocumentInfo
    document_receiver: str = "0"  # DocumentReceiver
    receivers: tuple[Receiver, ...] = ()  # ReceiverList/Receiver*


@dataclass(frozen=True, kw_only=True)
class ReplacementInfo:
    """``ReplacementInfo`` of a replacement: the replaced document and the receivers concerned."""

    document_id: str
    organ_ids: tuple[str, ...] = ()  # OrganIdList/OrganId*


@dataclass(frozen=True, kw_only=True)
class Business:
    """``Bussiness`` (sic): what the message does to a document (new/revoke/update/replace)."""

    business_type: BusinessType = BusinessType.NEW  # BussinessDocType
    reason: str = ""  # BussinessDocReason; empty: the builder writes the SDK's default text
    document_id: str = ""  # DocumentId: the earlier document targeted (update)
    paper: str = "0"  # Paper: meaning uncertain (U), "0" in every sample
    document_info: BusinessDocumentInfo | None = None  # update only
    replacements: tuple[ReplacementInfo, ...] = ()  # ReplacementInfoList, replace only
    staff_info: StaffInfo | None = None


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """A file carried in the message; ``data`` is the original file (never the ZIP wrapper)."""

    name: str  # AttachmentName
    content_type: str  # ContentType (MIME type of the original file)
    data: bytes = field(repr=False)
    description: str = ""  # Description
    content_id: str = ""  # ContentId "cid:..."; generated from the content when empty


@dataclass(frozen=True, kw_only=True)
class EdocMessage:
    """A document message (messagetype ``edoc``)."""

    sender: Organization  # From
    receivers: tuple[Organization, ...]  # To (1..n)
    document_id: str  # DocumentId, e.g. "000.00.12.H41,2025/03/05,15/QĐ-SNV"
    code: DocumentCode  # Code
    subject: str  # Subject (trích yếu)
    promulgation: PromulgationInfo = field(default_factory=PromulgationInfo)
    document_type: DocumentType = field(default_factory=DocumentType)
    content: str = ""  # Content
    signer: SignerInfo = field(default_factory=SignerInfo)  # SignerInfo
    due_date: dt.date | None = None  # DueDate
    other_info: OtherInfo = field(default_factory=OtherInfo)
    response_for: tuple[ResponseFor, ...] = ()  # ResponseFor*
    steering_type: SteeringType | None = SteeringType.NOT_DIRECTIVE  # SteeringType
    response_for_task: tuple[str, ...] = ()  # ResponseForTask/TaskCode* (U)
    application_type: str = ""  # ApplicationType (U)
    to_places: tuple[str, ...] = ()  # ToPlaces/Place* ("Nơi nhận" printed on the document)
    trace_headers: tuple[TraceHeader, ...] = ()  # TraceHeaderList/TraceHeader*
    business: Business = field(default_factory=Business)  # TraceHeaderList/Bussiness
    attachments: tuple[Attachment, ...] = ()
    has_signature: bool = False  # set by the parser when a Signature element is present

    kind: Literal["edoc"] = field(default="edoc", init=False)

    @property
    def receiver_organ_ids(self) -> tuple[str, ...]:
        return tuple(r.organ_id for r in self.receivers)

    @property
    def target_document_ids(self) -> tuple[str, ...]:
        """The earlier documents this message acts on (vn-standards §2.4): none for a new
        document; a revocation repeats the revoked document's own DocumentId; an update names it
        in Bussiness/DocumentId; a replacement in ReplacementInfoList."""
        btype = self.business.business_type
        if btype == BusinessType.REVOKE:
            return (self.document_id,)
        if btype == BusinessType.UPDATE:
            return (self.business.document_id,)
        if btype == BusinessType.REPLACE:
            return tuple(r.document_id for r in self.business.replacements)
        return ()


@dataclass(frozen=True, kw_only=True)
class StatusMessage:
    """A status message (messagetype ``status``), sent back to the original sender."""

    sender: Organization  # From: the agency reporting the status
    response_for: ResponseFor  # the document the status is about
    status_code: str  # StatusCode, two digits, see codes.DEFAULT_STATUS_CODES
    timestamp: dt.datetime  # Timestamp
    description: str = ""  # Description (reason when returning / refusing / taking back)
    staff_info: StaffInfo | None = None  # StaffInfo
    trace_headers: tuple[TraceHeader, ...] = ()  # not in SDK samples; hubs may add one
    has_signature: bool = False

    kind: Literal["status"] = field(default="status", init=False)

    @property
    def referenced_document_id(self) -> str:
        return self.response_for.document_id

    @property
    def receiver_organ_ids(self) -> tuple[str, ...]:
        """A status goes back to the original sender named in ResponseFor (vn-standards §2.3).
        When the original sender itself reports (13, take-back request) the message does not
        name its receiver: () here, and the transport must be told (``AxisClient.send(to=)``)."""
        organ_id = self.response_for.organ_id
        if not organ_id or organ_id == self.sender.organ_id:
            return ()
        return (organ_id,)


Message = EdocMessage | StatusMessage


def receiver_organ_ids(message: Message) -> tuple[str, ...]:
    """The agencies a message is addressed to (To for documents, ResponseFor for statuses)."""
    return message.receiver_organ_ids


def is_addressed_to(message: Message, organ_id: str) -> bool:
    """True if ``organ_id`` is one of the message's receivers (exact, whitespace-insensitive)."""
    wanted = organ_id.strip()
    return bool(wanted) and wanted in {o.strip() for o in message.receiver_organ_ids}


def make_document_id(organ_id: str, promulgation_date: dt.date, code: DocumentCode | str) -> str:
    """The VPCP comma form ``OrganId,yyyy/MM/dd,số/ký hiệu`` (vn-standards §1.8)."""
    return f"{organ_id},{promulgation_date:%Y/%m/%d},{code}"


def status_reply(
    original: EdocMessage,
    *,
    sender: Organization,
    status_code: str,
    timestamp: dt.datetime,
    description: str = "",
    staff_info: StaffInfo | None = None,
) -> StatusMessage:
    """A status message about ``original``, addressed back to its sender."""
    return StatusMessage(
        sender=sender,
        response_for=ResponseFor(
            organ_id=original.sender.organ_id,
            code=str(original.code),
            promulgation_date=original.promulgation.date,
            document_id=original.document_id,
        ),
        status_code=str(status_code),
        timestamp=timestamp,
        description=description,
        staff_info=staff_info,
    )
