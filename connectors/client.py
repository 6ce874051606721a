"""HTTP client for the interconnection axis (``trục liên thông``), over urllib3.

Every request is signed afresh (new timestamp and nonce), so a retry is never mistaken for a
replay. Retries happen only on connection errors, timeouts and HTTP 5xx, with exponential
backoff; every operation is idempotent, ``send`` included, because each message carries a
stable id (``message_id``, by default the SHA-256 of the bytes) that the axis deduplicates on.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import urllib3

from .edxml import DEFAULT_CONFIG, EdxmlConfig, parse_message
from .errors import EnvelopeInvalid, RemoteRejected, TransportError
from .protocol import (
    ACK_STATUSES,
    DEFAULT_PROTOCOL,
    AckStatus,
    AgencyInfo,
    AxisProtocol,
    MessageType,
    ReceivedItem,
    SendReceipt,
    SentItem,
    sign_request,
)

__all__ = ["AxisClient"]

_CHUNK = 1024 * 1024


class AxisClient:
    """Talks to one axis endpoint as one connected system (system id + secret)."""

    def __init__(
        self,
        base_url: str,
        system_id: str,
        secret: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        protocol: AxisProtocol = DEFAULT_PROTOCOL,
        edxml_config: EdxmlConfig = DEFAULT_CONFIG,
        validate: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._base_path = parts.path.rstrip("/")
        self.system_id = system_id
        self._secret = secret
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.protocol = protocol
        self.edxml_config = edxml_config
        self.validate = validate
        self._sleep = sleep
        self._clock = clock
        self._timeout = urllib3.Timeout(connect=connect_timeout, read=timeout)
        self._pool = pool or urllib3.PoolManager(num_pools=4, maxsize=4)
        self._max_response = edxml_config.limits.max_envelope_bytes + _CHUNK

    def __repr__(self) -> str:  # never show the secret
        return f"AxisClient({self.base_url!r}, system_id={self.system_id!r})"

    def settings(self) -> dict[str, Any]:
        """Keyword arguments that build an equivalent client elsewhere, e.g. in a worker
        process (the secret included: keep them out of logs)."""
        return {
            "base_url": self.base_url,
            "system_id": self.system_id,
            "secret": self._secret,
            "timeout": self._timeout.read_timeout,
            "connect_timeout": self._timeout.connect_timeout,
            "retries": self.retries,
            "backoff": self.backoff,
            "max_backoff": self.max_backoff,
            "protocol": self.protocol,
            "edxml_config": self.edxml_config,
            "validate": self.validate,
        }

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> AxisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ operations

    def send(
        self,
        data: bytes,
        *,
        message_type: MessageType | None = None,
        message_id: str | None = None,
        to: tuple[str, ...] | list[str] = (),
    ) -> SendReceipt:
        """Send an edXML message. With ``validate`` (default) it is parsed and checked against
        the XSD first, and ``message_type`` defaults to the message's kind.

        ``to`` names receivers explicitly; needed for a status that names no receiver itself
        (a take-back request, code 13), optional otherwise (a subset of a document's To)."""
        if self.validate or message_type is None:
            kind = parse_message(data, config=self.edxml_config).kind
            if message_type is not None and message_type != kind:
                raise EnvelopeInvalid(
                    "invalid_value", f"message_type {message_type!r} but the message is {kind!r}"
                )
            message_type = kind
        message_id = message_id or hashlib.sha256(data).hexdigest()
        h = self.protocol.headers
        extra = {h.message_type: message_type, h.message_id: message_id}
        if to:
            extra[h.to] = ",".join(to)
        reply = self._json(
            self.protocol.paths.send, data, content_type="application/xml", extra=extra
        )
        return SendReceipt(
            doc_id=str(reply["DocId"]),
            message_id=message_id,
            duplicate=bool(reply.get("duplicate", False)),
        )

    def list_received(self, *, message_type: MessageType = "edoc") -> tuple[ReceivedItem, ...]:
        """Messages addressed to us that we have not acknowledged as done/fail yet."""
        reply = self._json(
            self.protocol.paths.list_received,
            _dumps({"servicetype": "eDoc", "messagetype": message_type}),
        )
        return tuple(ReceivedItem.from_json(d) for d in reply.get("data", []))

    def fetch(self, doc_id: str) -> bytes:
        """The edXML bytes of a received message (as routed, with the axis' TraceHeader)."""
        _, body = self._request(
            self.protocol.paths.fetch,
            _dumps({"filePath": "xml", "docId": doc_id}),
            content_type="application/json",
            extra={},
        )
        return body

    def acknowledge(self, doc_id: str, status: AckStatus, *, description: str = "") -> None:
        """Transport-level acknowledgement: ``done`` or ``fail`` removes the message from the
        inbox; ``processing`` keeps it there."""
        if status not in ACK_STATUSES:
            raise ValueError(f"status must be one of {sorted(ACK_STATUSES)}")
        self._json(
            self.protocol.paths.update_status,
            _dumps({"docId": doc_id, "status": status, "description": description}),
        )

    def ack_done(self, doc_id: str) -> None:
        self.acknowledge(doc_id, "done")

    def ack_fail(self, doc_id: str, *, description: str = "") -> None:
        self.acknowledge(doc_id, "fail", description=description)

    def list_sent(
        self, *, message_type: MessageType = "edoc", doc_id: str | None = None
    ) -> tuple[SentItem, ...]:
        """Per-receiver delivery state of what we sent (optionally one message)."""
        query: dict[str, Any] = {"servicetype": "eDoc", "messagetype": message_type}
        if doc_id:
            query["docId"] = doc_id
        reply = self._json(self.protocol.paths.list_sent, _dumps(query))
        return tuple(SentItem.from_json(d) for d in reply.get("data", []))

    def agencies(self) -> tuple[AgencyInfo, ...]:
        """The axis' agency directory."""
        reply = self._json(self.protocol.paths.agencies, _dumps({}))
        return tuple(AgencyInfo.from_json(d) for d in reply.get("data", []))

    # ------------------------------------------------------------------ transport

    def _json(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        _, raw = self._request(path, body, content_type=content_type, extra=extra or {})
        try:
            reply = json.loads(raw)
        except ValueError:
            raise TransportError("bad_response", "the axis answered with invalid JSON") from None
        if not isinstance(reply, dict):
            raise TransportError("bad_response", "the axis answered with unexpected JSON")
        if str(reply.get("status", "OK")).upper() != "OK":
            raise RemoteRejected(
                str(reply.get("ErrorCode") or "remote_rejected"), str(reply.get("ErrorDesc") or "")
            )
        return reply

    def _request(
        self, path: str, body: bytes, *, content_type: str, extra: dict[str, str]
    ) -> tuple[int, bytes]:
        url = self.base_url + path
        signed_path = self._base_path + path
        attempts = max(1, self.retries + 1)
        last: TransportError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
            headers = {
                "Content-Type": content_type,
                "User-Agent": self.protocol.user_agent,
                **extra,
                **sign_request(
                    protocol=self.protocol,
                    method="POST",
                    path=signed_path,
                    body=body,
                    system_id=self.system_id,
                    secret=self._secret,
                    timestamp=int(self._clock()),
                ),
            }
            try:
                response = self._pool.request(
                    "POST",
                    url,
                    body=body,
                    headers=headers,
                    timeout=self._timeout,
                    retries=False,
                    redirect=False,
                    preload_content=False,
                )
                try:
                    data = self._read(response)
                finally:
                    response.release_conn()
            except urllib3.exceptions.HTTPError as exc:
                last = TransportError(
                    "connection_failed",
                    f"{type(exc).__name__}: {exc}",
                    details={"attempts": attempt + 1},
                )
                continue
            if response.status >= 500:
                last = TransportError(
                    "server_error",
                    f"HTTP {response.status}",
                    details={"attempts": attempt + 1},
                    http_status=response.status,
                )
                continue
            if response.status >= 400:
                raise _rejected(response.status, data)
            return response.status, data
        assert last is not None
        raise last

    def _read(self, response: urllib3.BaseHTTPResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.stream(_CHUNK):
            size += len(chunk)
            if size > self._max_response:
                raise EnvelopeInvalid("too_large", "the axis' answer is larger than allowed")
            chunks.append(chunk)
        return b"".join(chunks)


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rejected(status: int, data: bytes) -> RemoteRejected:
    code, message = f"http_{status}", ""
    try:
        reply = json.loads(data)
        if isinstance(reply, dict):
            code = str(reply.get("ErrorCode") or code)
            message = str(reply.get("ErrorDesc") or "")
    except ValueError:
        pass
    return RemoteRejected(code, message or f"HTTP {status}", http_status=status)
