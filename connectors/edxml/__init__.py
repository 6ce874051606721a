"""edXML (QCVN 102:2016/BTTTT) messages: model, build, parse, XSD validation and XML-DSig.

Typical use::

    data = build_document(message)            # bytes, validated against our XSD
    message = parse_message(data)              # EdocMessage | StatusMessage, or EnvelopeInvalid
"""

from ..errors import ConnectorError, EnvelopeInvalid
from .attachments import content_id_for
from .build import build_document, build_message, build_status
from .codes import (
    BUSINESS_TYPE_INFO,
    DEFAULT_STATUS_CODES,
    BusinessType,
    BusinessTypeInfo,
    Priority,
    ReceiverType,
    StatusCode,
    StatusCodeInfo,
    SteeringType,
)
from .config import DEFAULT_CONFIG, DSIG_NAMESPACE, QCVN_NAMESPACE, EdxmlConfig, EdxmlLimits
from .dsig import VerifiedEnvelope, sign_envelope, verify_envelope
from .model import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    DocumentCode,
    DocumentType,
    EdocMessage,
    Message,
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
    is_addressed_to,
    make_document_id,
    receiver_organ_ids,
    status_reply,
)
from .parse import parse_message
from .schema import canonicalize, schema_text, validate

__all__ = [
    "BUSINESS_TYPE_INFO",
    "DEFAULT_CONFIG",
    "DEFAULT_STATUS_CODES",
    "DSIG_NAMESPACE",
    "QCVN_NAMESPACE",
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "BusinessType",
    "BusinessTypeInfo",
    "ConnectorError",
    "DocumentCode",
    "DocumentType",
    "EdocMessage",
    "EdxmlConfig",
    "EdxmlLimits",
    "EnvelopeInvalid",
    "Message",
    "Organization",
    "OtherInfo",
    "Priority",
    "PromulgationInfo",
    "Receiver",
    "ReceiverType",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusCodeInfo",
    "StatusMessage",
    "SteeringType",
    "TraceHeader",
    "VerifiedEnvelope",
    "build_document",
    "build_message",
    "build_status",
    "canonicalize",
    "content_id_for",
    "is_addressed_to",
    "make_document_id",
    "parse_message",
    "receiver_organ_ids",
    "schema_text",
    "sign_envelope",
    "status_reply",
    "validate",
    "verify_envelope",
]
