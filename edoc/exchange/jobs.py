"""Job handlers: the outgoing and incoming workflows enqueue these in their own transaction;
each handler turns the job into an outbox row (built edXML), sent by the exchange worker.

* ``exchange.send_document`` {document_id, delivery_id[, replaces_document_id]}
* ``exchange.send_action`` {document_id, action: revoke|update|replace, reason, delivery_id,
  ...}
* ``exchange.send_status`` {document_id, status, note, actor_id}

Handlers are idempotent (outbox rows carry a per-delivery key), so a job run twice after a
worker crash queues one message.
"""
from __future__ import annotations

from typing import Any

from edoc.auth.models import User
from edoc.documents.models import Document
from edoc.extensions import db
from edoc.jobs import handler

SEND_DOCUMENT = "exchange.send_document"
SEND_ACTION = "exchange.send_action"
SEND_STATUS = "exchange.send_status"
KINDS = frozenset({SEND_DOCUMENT, SEND_ACTION, SEND_STATUS})


@handler(SEND_DOCUMENT, max_attempts=5)
def send_document_job(payload: dict[str, Any]) -> None:
    from edoc.exchange.actions import send_document

    send_document(payload["document_id"], payload["delivery_id"],
                  replaces_document_id=payload.get("replaces_document_id"))


@handler(SEND_ACTION, max_attempts=5)
def send_action_job(payload: dict[str, Any]) -> None:
    from edoc.exchange.actions import send_action

    extra = {k: v for k, v in payload.items()
             if k not in ("document_id", "action", "reason", "delivery_id")}
    send_action(payload["document_id"], payload["action"], payload.get("reason") or "",
                payload.get("delivery_id"), **extra)


@handler(SEND_STATUS, max_attempts=5)
def send_status_job(payload: dict[str, Any]) -> None:
    from edoc.exchange.status import send_status_for

    doc = db.session.get(Document, int(payload["document_id"]))
    if doc is None:
        return
    actor = db.session.get(User, payload["actor_id"]) if payload.get("actor_id") else None
    send_status_for(doc, str(payload["status"]), payload.get("note") or "", actor)
