"""The HTTP protocol spoken by ``AxisClient`` and the axis simulator.

Shaped after the VXP SDK (vn-standards §2.2): operation names and paths, a system id + secret,
and HMAC-SHA256 request signing. The exact VXP string-to-sign and timestamp format are not
public (U), so every path and header name is configurable here; the defaults below are ours.

String to sign (one line each, UTF-8)::

    METHOD \\n PATH \\n system id \\n timestamp (Unix seconds) \\n nonce \\n hex SHA-256 of body

The server refuses a timestamp outside ``replay_window`` seconds and a nonce it has already
seen within that window, so a captured request cannot be replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ConnectorError

__all__ = [
    "ACK_STATUSES",
    "DEFAULT_PROTOCOL",
    "AgencyInfo",
    "AuthenticationFailed",
    "AxisHeaders",
    "AxisPaths",
    "AxisProtocol",
    "MessageType",
    "ReceivedItem",
    "SendReceipt",
    "SentItem",
    "body_sha256",
    "sign_request",
    "string_to_sign",
    "verify_request",
]

MessageType = Literal["edoc", "status"]
AckStatus = Literal["done", "fail", "processing"]
ACK_STATUSES: frozenset[str] = frozenset({"done", "fail", "processing"})


@dataclass(frozen=True, kw_only=True)
class AxisPaths:
    """Operation paths relative to the endpoint (names from the VXP SDK, P; wire format U)."""

    send: str = "/sendEdoc"
    list_received: str = "/getReceivedEdocList"
    fetch: str = "/getEdoc"
    update_status: str = "/updateStatus"
    list_sent: str = "/getSentEdocList"
    agencies: str = "/getAgenciesList"


@dataclass(frozen=True, kw_only=True)
class AxisHeaders:
    """Request header names (the VXP names where known, P; their exact use U)."""

    system_id: str = "systemid"
    timestamp: str = "timestamp"
    nonce: str = "XroadVnpt-sign-header-key"
    body_hash: str = "XroadVnpt-hash-header"
    signature: str = "XroadVnpt-sign-header"
    message_type: str = "messagetype"
    message_id: str = "X-Edoc-Message-Id"
    # Explicit receivers (comma-separated OrganIds), the SDK header JSON's optional "to" (P).
    to: str = "to"


@dataclass(frozen=True, kw_only=True)
class AxisProtocol:
    paths: AxisPaths = field(default_factory=AxisPaths)
    headers: AxisHeaders = field(default_factory=AxisHeaders)
    replay_window: int = 300  # seconds either side of the server clock
    user_agent: str = "edoc-axis-client/1.0"


DEFAULT_PROTOCOL = AxisProtocol()


class AuthenticationFailed(ConnectorError):
    """Server side: the request's signature, timestamp or nonce is not acceptable."""

    default_code = "authentication_failed"


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(
    *, method: str, path: str, system_id: str, timestamp: str, nonce: str, body_hash: str
) -> bytes:
    return "\n".join((method.upper(), path, system_id, timestamp, nonce, body_hash)).encode("utf-8")


def _mac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_request(
    *,
    protocol: AxisProtocol,
    method: str,
    path: str,
    body: bytes,
    system_id: str,
    secret: str,
    timestamp: int,
    nonce: str | None = None,
) -> dict[str, str]:
    """The authentication headers for one request (a fresh nonce unless one is given)."""
    h = protocol.headers
    nonce = nonce or secrets.token_hex(16)
    digest = body_sha256(body)
    ts = str(int(timestamp))
    signature = _mac(
        secret,
        string_to_sign(
            method=method,
            path=path,
            system_id=system_id,
            timestamp=ts,
            nonce=nonce,
            body_hash=digest,
        ),
    )
    return {
        h.system_id: system_id,
        h.timestamp: ts,
        h.nonce: nonce,
        h.body_hash: digest,
        h.signature: signature,
    }


def verify_request(
    *,
    protocol: AxisProtocol,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    secret_for: Callable[[str], str | None],
    remember_nonce: Callable[[str, str, float], bool],
    now: float,
) -> str:
    """Check a request's signature; return the system id or raise AuthenticationFailed.

    ``remember_nonce(system_id, nonce, expires_at)`` stores the nonce and returns False if it was
    already stored. It is called only once the signature is valid, so unauthenticated requests
    cannot fill the nonce store.
    """
    h = protocol.headers
    values = {
        name: headers.get(name)
        for name in (h.system_id, h.timestamp, h.nonce, h.body_hash, h.signature)
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise AuthenticationFailed("auth_missing", f"missing headers: {', '.join(missing)}")
    system_id = values[h.system_id]
    ts_text = values[h.timestamp]
    if not ts_text.isascii() or not ts_text.isdigit():
        raise AuthenticationFailed("timestamp_invalid", "timestamp must be Unix seconds")
    if abs(now - int(ts_text)) > protocol.replay_window:
        raise AuthenticationFailed("timestamp_expired", "timestamp outside the replay window")
    secret = secret_for(system_id)
    if secret is None:
        raise AuthenticationFailed("unknown_system", "unknown system id")
    digest = body_sha256(body)
    if not hmac.compare_digest(digest, values[h.body_hash]):
        raise AuthenticationFailed("body_hash_mismatch", "body does not match its hash header")
    expected = _mac(
        secret,
        string_to_sign(
            method=method,
            path=path,
            system_id=system_id,
            timestamp=ts_text,
            nonce=values[h.nonce],
            body_hash=digest,
        ),
    )
    if not hmac.compare_digest(expected, values[h.signature]):
        raise AuthenticationFailed("bad_signature", "request signature does not match")
    if not remember_nonce(system_id, values[h.nonce], int(ts_text) + protocol.replay_window):
        raise AuthenticationFailed("replayed", "this request was already received")
    return system_id


# --------------------------------------------------------------------------- wire records


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def format_time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


@dataclass(frozen=True, kw_only=True)
class SendReceipt:
    doc_id: str  # the axis' id of the sent message (VXP "DocId")
    message_id: str  # our stable id the axis deduplicates on
    duplicate: bool  # True if the axis already had this message


@dataclass(frozen=True, kw_only=True)
class ReceivedItem:
    """One message waiting in the inbox ("knobstick")."""

    doc_id: str
    message_type: str
    sender: str  # OrganId of the sender
    receiver: str
    status: str  # initial | processing
    created_at: dt.datetime
    updated_at: dt.datetime
    content_sha256: str
    content_length: int

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ReceivedItem:
        return cls(
            doc_id=str(d["id"]),
            message_type=str(d["messageType"]),
            sender=str(d["from"]),
            receiver=str(d["to"]),
            status=str(d["status"]),
            created_at=_time(d["createdTime"]),
            updated_at=_time(d["updatedTime"]),
            content_sha256=str(d["contentSha256"]),
            content_length=int(d["contentLength"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "messageType": self.message_type,
            "serviceType": "eDoc",
            "from": self.sender,
            "to": self.receiver,
            "status": self.status,
            "createdTime": format_time(self.created_at),
            "updatedTime": format_time(self.updated_at),
            "contentSha256": self.content_sha256,
            "contentLength": self.content_length,
        }


@dataclass(frozen=True, kw_only=True)
class SentItem:
    """Delivery state of a sent message for one receiver."""

    sender_doc_id: str
    receiver_doc_id: str
    message_type: str
    from_code: str
    to_code: str
    document_id: str  # edXML DocumentId (or the referenced one for a status)
    title: str
    notation: str
    sent_at: dt.datetime
    received_at: dt.datetime | None  # when the receiver acknowledged
    receive_status: str  # initial | processing | done | fail
    receive_status_desc: str

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> SentItem:
        return cls(
            sender_doc_id=str(d["senderDocId"]),
            receiver_doc_id=str(d["receiverDocId"]),
            message_type=str(d["messageType"]),
            from_code=str(d["fromCode"]),
            to_code=str(d["toCode"]),
            document_id=str(d.get("documentId") or ""),
            title=str(d.get("title") or ""),
            notation=str(d.get("notation") or ""),
            sent_at=_time(d["sentTime"]),
            received_at=_time(d.get("receivedTime")),
            receive_status=str(d["receiveStatus"]),
            receive_status_desc=str(d.get("receiveStatusDesc") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "senderDocId": self.sender_doc_id,
            "receiverDocId": self.receiver_doc_id,
            "messageType": self.message_type,
            "fromCode": self.from_code,
            "toCode": self.to_code,
            "documentId": self.document_id,
            "title": self.title,
            "notation": self.notation,
            "sentTime": format_time(self.sent_at),
            "receivedTime": format_time(self.received_at),
            "sendStatus": "done",
            "receiveStatus": self.receive_status,
            "receiveStatusDesc": self.receive_status_desc,
        }


@dataclass(frozen=True, kw_only=True)
class AgencyInfo:
    """An entry of the axis' agency directory (no secrets)."""

    organ_id: str
    name: str
    parent_id: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AgencyInfo:
        return cls(
            organ_id=str(d["code"]),
            name=str(d.get("name") or ""),
            parent_id=str(d.get("pid") or ""),
            email=str(d.get("mail") or ""),
            telephone=str(d.get("mobile") or ""),
            fax=str(d.get("fax") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.organ_id,
            "code": self.organ_id,
            "pid": self.parent_id,
            "name": self.name,
            "mail": self.email,
            "mobile": self.telephone,
            "fax": self.fax,
        }
