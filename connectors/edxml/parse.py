"""Parse edXML bytes into the model: namespace-aware, order-tolerant, and safe.

Accepted variations seen in the wild (vn-standards §1.2, §1.3): prefixed or unprefixed elements
(only namespaces matter), any order of header children, ``Signature`` in the xmldsig namespace
or (without xmlns) in the QCVN one, ``AttachmentEncoded`` with or without prefix, empty optional
elements, zipped or plain base64 attachments.
"""

from __future__ import annotations

from lxml import etree

from ..errors import EnvelopeInvalid
from .attachments import decode_payload
from .codes import BusinessType, Priority, ReceiverType, SteeringType
from .config import DEFAULT_CONFIG, EdxmlConfig
from .model import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    DocumentCode,
    DocumentType,
    EdocMessage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)
from .reader import Reader
from .schema import canonicalize, validate_tree
from .values import parse_bool, parse_date, parse_int, parse_timestamp
from .xmlsafe import check_text_sizes, parse_bytes

__all__ = ["parse_message"]


def parse_message(
    data: bytes, *, config: EdxmlConfig = DEFAULT_CONFIG, validate: bool = True
) -> EdocMessage | StatusMessage:
    """Parse a document or status message; raise EnvelopeInvalid with a stable code.

    With ``validate`` (the default) the message is also checked against our XSD after its
    elements are put in canonical order.
    """
    root = parse_bytes(data, limits=config.limits).getroot()
    r = _Reader(config)
    r.check_root(root)
    check_text_sizes(
        root, limits=config.limits, large_tags=frozenset({r.q("ContentTransferEncoded")})
    )
    message = r.message(root)
    if validate:
        canonicalize(root, config=config)
        validate_tree(root, config=config)
    return message


class _Reader(Reader):
    """Maps the tree onto the model."""

    # ------------------------------------------------------------------ structure

    def check_root(self, root: etree._Element) -> None:
        qname = etree.QName(root)
        if qname.localname != "edXML":
            raise EnvelopeInvalid("wrong_root", f"root element is {qname.localname!r}, not edXML")
        if qname.namespace != self.ns:
            raise EnvelopeInvalid(
                "wrong_namespace",
                f"root namespace is {qname.namespace!r}, expected {self.ns!r}",
                details={"namespace": qname.namespace or ""},
            )

    def message(self, root: etree._Element) -> EdocMessage | StatusMessage:
        envelope = self.required(root, "edXMLEnvelope", "edXML")
        header = self.required(envelope, "edXMLHeader", "edXMLEnvelope")
        mh = self.required(header, "MessageHeader", "edXMLHeader")
        has_signature = (
            header.find(f"{{{self.config.dsig_namespace}}}Signature") is not None
            or header.find(self.q("Signature")) is not None
            or root.find(f"{{{self.config.dsig_namespace}}}Signature") is not None
        )
        trace_list = self.child(header, "TraceHeaderList")
        traces = tuple(self.trace(t) for t in self.children(trace_list, "TraceHeader"))
        if self.child(mh, "StatusCode") is not None:
            return self.status(mh, traces, has_signature)
        return self.document(root, envelope, mh, trace_list, traces, has_signature)

    def organization(self, el: etree._Element, path: str) -> Organization:
        return Organization(
            organ_id=self.required_text(el, "OrganId", path),
            organization_in_charge=self.text(el, "OrganizationInCharge"),
            name=self.text(el, "OrganName"),
            address=self.text(el, "OrganAdd"),
            email=self.text(el, "Email"),
            telephone=self.text(el, "Telephone"),
            fax=self.text(el, "Fax"),
            website=self.text(el, "Website"),
        )

    def response_for(self, el: etree._Element) -> ResponseFor:
        return ResponseFor(
            organ_id=self.text(el, "OrganId"),
            code=self.text(el, "Code"),
            promulgation_date=parse_date(
                self.text(el, "PromulgationDate"), "ResponseFor/PromulgationDate"
            ),
            document_id=self.text(el, "DocumentId"),
        )

    def staff(self, el: etree._Element | None) -> StaffInfo | None:
        if el is None:
            return None
        return StaffInfo(
            department=self.text(el, "Department"),
            department_id=self.text(el, "DepartmentId"),
            staff=self.text(el, "Staff"),
            staff_id=self.text(el, "StaffId"),
            email=self.text(el, "Email"),
            mobile=self.text(el, "Mobile"),
        )

    def trace(self, el: etree._Element) -> TraceHeader:
        return TraceHeader(
            organ_id=self.text(el, "OrganId"),
            timestamp=parse_timestamp(
                self.text(el, "Timestamp"), "TraceHeader/Timestamp", self.config.timezone
            ),
        )

    def status(
        self, mh: etree._Element, traces: tuple[TraceHeader, ...], has_signature: bool
    ) -> StatusMessage:
        sender = self.organization(self.required(mh, "From", "MessageHeader"), "From")
        ref_el = self.required(mh, "ResponseFor", "MessageHeader")
        ref = self.response_for(ref_el)
        if not ref.organ_id:
            self.required_text(ref_el, "OrganId", "ResponseFor")
        if not ref.document_id and not ref.code:
            raise EnvelopeInvalid(
                "missing_field",
                "ResponseFor needs a DocumentId or a Code",
                details={"field": "ResponseFor/DocumentId"},
            )
        code = self.required_text(mh, "StatusCode", "MessageHeader")
        if code not in self.config.status_codes:
            raise EnvelopeInvalid(
                "invalid_value",
                f"unknown status code {code!r}",
                details={"field": "StatusCode", "value": code},
            )
        timestamp = parse_timestamp(
            self.required_text(mh, "Timestamp", "MessageHeader"),
            "MessageHeader/Timestamp",
            self.config.timezone,
        )
        return StatusMessage(
            sender=sender,
            response_for=ref,
            status_code=code,
            timestamp=timestamp,
            description=self.text(mh, "Description"),
            staff_info=self.staff(self.child(mh, "StaffInfo")),
            trace_headers=traces,
            has_signature=has_signature,
        )

    def document(self, root, envelope, mh, trace_list, traces, has_signature) -> EdocMessage:
        sender = self.organization(self.required(mh, "From", "MessageHeader"), "From")
        to_elements = self.children(mh, "To")
        if not to_elements:
            self.required(mh, "To", "MessageHeader")
        receivers = tuple(self.organization(el, "To") for el in to_elements)
        code_el = self.required(mh, "Code", "MessageHeader")
        prom_el = self.required(mh, "PromulgationInfo", "MessageHeader")
        dtype = self.child(mh, "DocumentType")
        signer = self.child(mh, "SignerInfo")
        other = self.child(mh, "OtherInfo")
        # Empty ResponseFor blocks (all children empty) occur in hand-written samples: skip them.
        refs = tuple(
            ref
            for ref in (self.response_for(el) for el in self.children(mh, "ResponseFor"))
            if ref != ResponseFor()
        )
        return EdocMessage(
            sender=sender,
            receivers=receivers,
            document_id=self.required_text(mh, "DocumentId", "MessageHeader"),
            code=DocumentCode(
                number=self.required_text(code_el, "CodeNumber", "Code"),
                notation=self.text(code_el, "CodeNotation"),
            ),
            promulgation=PromulgationInfo(
                place=self.text(prom_el, "Place"),
                date=parse_date(
                    self.required_text(prom_el, "PromulgationDate", "PromulgationInfo"),
                    "PromulgationInfo/PromulgationDate",
                ),
            ),
            document_type=DocumentType(
                type=self.text(dtype, "Type"),
                type_detail=self.text(dtype, "TypeDetail"),
                type_name=self.text(dtype, "TypeName"),
            ),
            subject=self.required_text(mh, "Subject", "MessageHeader"),
            content=self.text(mh, "Content"),
            signer=SignerInfo(
                competence=self.text(signer, "Competence"),
                position=self.text(signer, "Position"),
                full_name=self.text(signer, "FullName"),
            ),
            due_date=parse_date(self.text(mh, "DueDate"), "DueDate"),
            other_info=self.other_info(other),
            response_for=refs,
            steering_type=self.enum(
                mh, "SteeringType", "MessageHeader", SteeringType, default=None
            ),
            response_for_task=tuple(
                t
                for t in (
                    (el.text or "").strip()
                    for el in self.children(self.child(mh, "ResponseForTask"), "TaskCode")
                )
                if t
            ),
            application_type=self.text(mh, "ApplicationType"),
            to_places=self.texts(self.child(mh, "ToPlaces"), "Place"),
            trace_headers=traces,
            business=self.business(self.child(trace_list, "Bussiness")),
            attachments=self.attachments(root, envelope),
            has_signature=has_signature,
        )

    def other_info(self, el: etree._Element | None) -> OtherInfo:
        if el is None:
            return OtherInfo()
        return OtherInfo(
            priority=self.enum(el, "Priority", "OtherInfo", Priority, default=Priority.NORMAL),
            sphere_of_promulgation=self.text(el, "SphereOfPromulgation"),
            typer_notation=self.text(el, "TyperNotation"),
            promulgation_amount=parse_int(
                self.text(el, "PromulgationAmount"), "OtherInfo/PromulgationAmount"
            ),
            page_amount=parse_int(self.text(el, "PageAmount"), "OtherInfo/PageAmount"),
            reply_fors=self.opaque(self.child(el, "ReplyFors")),
            direction=parse_bool(self.text(el, "Direction"), "OtherInfo/Direction"),
            reference_codes=self.opaque(self.child(el, "ReferenceCodes")),
            appendixes=self.texts(self.child(el, "Appendixes"), "Appendix"),
        )

    def business(self, el: etree._Element | None) -> Business:
        if el is None:
            return Business()  # the 2025 hub samples carry no Bussiness: a new document
        path = "Bussiness"
        btype = self.enum(el, "BussinessDocType", path, BusinessType, default=None)
        if btype is None:
            self.required_text(el, "BussinessDocType", path)
        info_el = self.child(el, "BussinessDocumentInfo")
        info = None
        if info_el is not None:
            info = BusinessDocumentInfo(
                document_info=self.text(info_el, "DocumentInfo"),
                document_receiver=self.text(info_el, "DocumentReceiver"),
                receivers=tuple(
                    Receiver(
                        organ_id=self.required_text(r, "OrganId", "Receiver"),
                        receiver_type=self.enum(
                            r, "ReceiverType", "Receiver", ReceiverType, default=ReceiverType.ADDED
                        ),
                    )
                    for r in self.children(self.child(info_el, "ReceiverList"), "Receiver")
                ),
            )
        replacements = tuple(
            ReplacementInfo(
                document_id=self.required_text(r, "DocumentId", "ReplacementInfo"),
                organ_ids=self.texts(self.child(r, "OrganIdList"), "OrganId"),
            )
            for r in self.children(self.child(el, "ReplacementInfoList"), "ReplacementInfo")
        )
        biz = Business(
            business_type=btype,
            reason=self.text(el, "BussinessDocReason"),
            document_id=self.text(el, "DocumentId"),
            paper=self.text(el, "Paper"),
            document_info=info,
            replacements=replacements,
            staff_info=self.staff(self.child(el, "StaffInfo")),
        )
        # The references update and replace need (vn-standards §2.4).
        if btype == BusinessType.UPDATE and not biz.document_id:
            self.required_text(el, "DocumentId", path)
        if btype == BusinessType.REPLACE and not replacements:
            raise EnvelopeInvalid(
                "missing_field",
                "a replacement must name the replaced document",
                details={"field": "Bussiness/ReplacementInfoList"},
            )
        return biz

    def attachments(self, root: etree._Element, envelope: etree._Element) -> tuple[Attachment, ...]:
        limits = self.config.limits
        manifest = self.child(self.child(envelope, "edXMLBody"), "edXMLManifest")
        refs = self.children(manifest, "Reference")
        encoded = self.children(self.child(root, "AttachmentEncoded"), "Attachment")
        if len(encoded) > limits.max_attachments or len(refs) > limits.max_attachments:
            raise EnvelopeInvalid(
                "too_many_attachments", f"more than {limits.max_attachments} attachments"
            )
        declared: dict[str, etree._Element] = {}
        for ref in refs:
            cid = self.required_text(ref, "ContentId", "Reference")
            if cid in declared:
                raise EnvelopeInvalid("attachment_mismatch", f"duplicate ContentId {cid}")
            declared[cid] = ref
        result = []
        seen: set[str] = set()
        for el in encoded:
            cid = self.required_text(el, "ContentId", "Attachment")
            if cid in seen:
                raise EnvelopeInvalid("attachment_mismatch", f"duplicate ContentId {cid}")
            seen.add(cid)
            ref = declared.get(cid)
            if ref is None:
                raise EnvelopeInvalid(
                    "attachment_mismatch", f"attachment {cid} is not in the manifest"
                )
            payload = self.required(el, "ContentTransferEncoded", "Attachment")
            name = self.text(el, "AttachmentName") or self.text(ref, "AttachmentName")
            if not name:
                self.required_text(el, "AttachmentName", "Attachment")
            result.append(
                Attachment(
                    name=name,
                    content_type=self.text(el, "ContentType") or self.text(ref, "ContentType"),
                    data=decode_payload(payload.text or "", limits=limits),
                    description=self.text(el, "Description") or self.text(ref, "Description"),
                    content_id=cid,
                )
            )
        missing = set(declared) - seen
        if missing:
            raise EnvelopeInvalid(
                "attachment_mismatch",
                f"manifest names attachments that are absent: {sorted(missing)}",
            )
        return tuple(result)
