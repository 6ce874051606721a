"""The axis simulator: a small Flask app that speaks exactly the client's protocol.

It registers agencies, authenticates requests (HMAC, replay window, nonces), validates and
routes messages by their receivers (To for documents, ResponseFor/OrganId for statuses, or an
explicit ``to`` header, e.g. for a take-back request that names no receiver), appends
a TraceHeader, keeps each delivery until its receiver acknowledges it done/fail, and serves the
sent-items view and the agency directory. State lives in SQLite, so it survives restarts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..edxml import DEFAULT_CONFIG, EdocMessage, EdxmlConfig, parse_message
from ..errors import EnvelopeInvalid
from ..protocol import (
    ACK_STATUSES,
    DEFAULT_PROTOCOL,
    AgencyInfo,
    AuthenticationFailed,
    AxisProtocol,
    ReceivedItem,
    SentItem,
    verify_request,
)
from .faults import FaultPlan
from .store import Agency, SimulatorStore
from .trace import append_trace

__all__ = ["create_simulator_app"]

_EXTENSION = "axis_simulator"


@dataclass(frozen=True)
class _State:
    store: SimulatorStore
    protocol: AxisProtocol
    edxml_config: EdxmlConfig
    hub_organ_id: str
    clock: Callable[[], float]
    faults: FaultPlan | None

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)


def _fail(status: int, code: str, message: str = "", **extra: Any) -> Response:
    response = jsonify({"status": "FAIL", "ErrorCode": code, "ErrorDesc": message, **extra})
    response.status_code = status
    return response


def _ok(**payload: Any) -> Response:
    return jsonify({"status": "OK", "ErrorCode": "", "ErrorDesc": "", **payload})


def create_simulator_app(
    db_path: str,
    *,
    agencies: Iterable[Agency] = (),
    protocol: AxisProtocol = DEFAULT_PROTOCOL,
    edxml_config: EdxmlConfig = DEFAULT_CONFIG,
    hub_organ_id: str = "",
    clock: Callable[[], float] = time.time,
    faults: FaultPlan | None = None,
) -> Flask:
    """A WSGI app simulating the axis, storing its state in the SQLite file ``db_path``.
    ``agencies`` are registered (inserted or updated) at start."""
    store = SimulatorStore(db_path)
    store.upsert_agencies(agencies)
    state = _State(store, protocol, edxml_config, hub_organ_id, clock, faults)
    app = Flask("connectors.simulator")
    app.config["MAX_CONTENT_LENGTH"] = edxml_config.limits.max_envelope_bytes + 64 * 1024
    app.extensions[_EXTENSION] = state
    paths = protocol.paths

    @app.before_request
    def authenticate() -> Response | None:
        if faults is not None:
            faults.record(request.path)
            status = faults.take(request.path, after_processing=False)
            if status is not None:
                return _fail(status, "injected_fault", "planned failure")
        body = request.get_data(cache=True)
        found: dict[str, Agency | None] = {}

        def secret_for(system_id: str) -> str | None:
            found[system_id] = store.agency_by_system(system_id)
            return getattr(found[system_id], "secret", None)

        try:
            system_id = verify_request(
                protocol=protocol,
                method=request.method,
                path=request.script_root + request.path,
                body=body,
                headers=request.headers,
                secret_for=secret_for,
                remember_nonce=lambda s, n, exp: store.remember_nonce(s, n, exp, clock()),
                now=clock(),
            )
        except AuthenticationFailed as exc:
            return _fail(401, exc.code, exc.message)
        g.agency = found[system_id]
        return None

    @app.after_request
    def injected_failure(response: Response) -> Response:
        if faults is not None and response.status_code < 400:
            status = faults.take(request.path, after_processing=True)
            if status is not None:
                return _fail(status, "injected_fault", "planned failure after processing")
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = (exc.name or "http_error").lower().replace(" ", "_")
        return _fail(exc.code or 500, code, exc.description or "")

    def json_body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    def send() -> Response:
        agency: Agency = g.agency
        h = protocol.headers
        body = request.get_data(cache=True)
        received_sha = hashlib.sha256(body).hexdigest()
        message_type = request.headers.get(h.message_type, "")
        client_id = request.headers.get(h.message_id) or received_sha
        if message_type not in ("edoc", "status"):
            return _fail(400, "bad_request", "messagetype must be edoc or status")
        existing = store.find_message(agency.system_id, client_id)
        if existing is not None:
            if existing.received_sha256 != received_sha:
                return _fail(409, "message_id_conflict", "message id reused for other content")
            return _ok(DocId=existing.id, duplicate=True)
        try:
            msg = parse_message(body, config=edxml_config)
        except EnvelopeInvalid as exc:
            return _fail(400, exc.code, exc.message)
        if msg.kind != message_type:
            return _fail(400, "message_type_mismatch", f"the message is {msg.kind!r}")
        if msg.sender.organ_id != agency.organ_id:
            return _fail(403, "sender_mismatch", "From/OrganId is not the sending system's agency")
        explicit = tuple(o.strip() for o in request.headers.get(h.to, "").split(",") if o.strip())
        receivers = explicit or msg.receiver_organ_ids
        if explicit and isinstance(msg, EdocMessage):
            outside = sorted(set(explicit) - set(msg.receiver_organ_ids))
            if outside:
                return _fail(
                    400, "receiver_not_in_message", "to names an agency not in To", unknown=outside
                )
        if not receivers:
            return _fail(422, "no_receiver", "the message names no receiver; pass 'to'")
        known = {a.organ_id for a in store.agencies()}
        unknown = sorted(set(receivers) - known)
        if unknown:
            return _fail(422, "unknown_receiver", "receivers are not registered", unknown=unknown)
        now = state.now()
        routed = append_trace(body, config=edxml_config, organ_id=hub_organ_id, now=now)
        if isinstance(msg, EdocMessage):
            document_id, title, notation = msg.document_id, msg.subject, str(msg.code)
        else:
            ref = msg.response_for
            document_id, title, notation = ref.document_id, msg.description, ref.code
        stored = store.add_message(
            sender_system=agency.system_id,
            sender_organ=agency.organ_id,
            client_message_id=client_id,
            message_type=message_type,
            document_id=document_id,
            title=title,
            notation=notation,
            received_sha256=received_sha,
            body=routed,
            body_sha256=hashlib.sha256(routed).hexdigest(),
            receivers=receivers,
            now=now,
        )
        return _ok(DocId=stored.id, duplicate=stored.duplicate)

    def list_received() -> Response:
        message_type = str(json_body().get("messagetype") or "edoc")
        items = [
            ReceivedItem(
                doc_id=d.id,
                message_type=d.message_type,
                sender=d.sender,
                receiver=d.receiver,
                status=d.status,
                created_at=d.created_at,
                updated_at=d.updated_at,
                content_sha256=d.body_sha256,
                content_length=d.body_length,
            ).to_json()
            for d in store.inbox(g.agency.organ_id, message_type)
        ]
        return _ok(data=items)

    def fetch() -> Response:
        doc_id = str(json_body().get("docId") or "")
        body = store.body_for(doc_id, g.agency.organ_id)
        if body is None:
            return _fail(404, "not_found", "no such message for this agency")
        return Response(body, mimetype="application/xml")

    def update_status() -> Response:
        data = json_body()
        status = str(data.get("status") or "").lower()
        if status not in ACK_STATUSES:
            return _fail(400, "bad_request", "status must be done, fail or processing")
        result = store.acknowledge(
            str(data.get("docId") or ""),
            g.agency.organ_id,
            status,
            str(data.get("description") or ""),
            state.now(),
        )
        if result == "not_found":
            return _fail(404, "not_found", "no such message for this agency")
        if result == "conflict":
            return _fail(409, "already_acknowledged", "the message has another final status")
        return _ok()

    def list_sent() -> Response:
        data = json_body()
        items = [
            SentItem(
                sender_doc_id=d.message_id,
                receiver_doc_id=d.id,
                message_type=d.message_type,
                from_code=d.sender,
                to_code=d.receiver,
                document_id=d.document_id,
                title=d.title,
                notation=d.notation,
                sent_at=d.created_at,
                received_at=d.acked_at,
                receive_status=d.status,
                receive_status_desc=d.description,
            ).to_json()
            for d in store.sent(
                g.agency.organ_id,
                str(data.get("messagetype") or "edoc"),
                str(data.get("docId") or "") or None,
            )
        ]
        return _ok(data=items)

    def agencies_list() -> Response:
        items = [
            AgencyInfo(
                organ_id=a.organ_id,
                name=a.name,
                parent_id=a.parent_id,
                email=a.email,
                telephone=a.telephone,
                fax=a.fax,
            ).to_json()
            for a in store.agencies()
        ]
        return _ok(data=items)

    for path, view in (
        (paths.send, send),
        (paths.list_received, list_received),
        (paths.fetch, fetch),
        (paths.update_status, update_status),
        (paths.list_sent, list_sent),
        (paths.agencies, agencies_list),
    ):
        app.add_url_rule(path, endpoint=view.__name__, view_func=view, methods=["POST"])
    return app
