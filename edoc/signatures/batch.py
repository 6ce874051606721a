"""Signing many documents with one passphrase: the key is opened once, each document is signed
in its own SAVEPOINT so that one failure does not undo the others.

Each document goes through ``edoc.documents.outgoing.services.sign`` (state machine, event,
version check), which calls :func:`~edoc.signatures.services.apply_signer_signature`; that finds
the key this batch already unlocked in the per-context key cache (:mod:`edoc.signatures.keys`).
"""
from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from edoc.documents.models import FileKind
from edoc.documents.visibility import get_visible
from edoc.errors import Conflict, EdocError, ValidationError
from edoc.extensions import db
from edoc.signatures.keys import active_credential, unlock
from edoc.signatures.messages import error_message
from edoc.signatures.models import CredentialPurpose

__all__ = ["MAX_BATCH", "sign_batch"]

logger = logging.getLogger(__name__)

MAX_BATCH = 200

def _clean_ids(document_ids: Any) -> list[int]:
    if not isinstance(document_ids, list | tuple) or not document_ids:
        raise ValidationError(_l("Hãy chọn ít nhất một văn bản để ký."), code="no_documents")
    ids: list[int] = []
    for raw in document_ids:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValidationError(_l("Mã văn bản không hợp lệ."), code="bad_document_id",
                                  value=raw)
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(_l("Mã văn bản không hợp lệ."), code="bad_document_id",
                                  value=raw) from None
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_BATCH:
        raise ValidationError(_l("Mỗi lần ký tối đa %(n)s văn bản.", n=MAX_BATCH),
                              code="batch_too_large", max=MAX_BATCH)
    return ids


def _error(doc_id: int, err: EdocError) -> dict[str, Any]:
    return {"document_id": doc_id, "ok": False, "error": err.to_dict()["error"]}


def _sign_one(doc_id: int, signer: Any, secret: str | None) -> dict[str, Any]:
    from edoc.documents.outgoing.services import sign

    try:
        with db.session.begin_nested():
            doc = get_visible(signer, doc_id)
            sign(doc, signer, secret)
            signed = doc.current_file(FileKind.SIGNED)
            result = {"document_id": doc_id, "ok": True,
                      "file_id": signed.id if signed is not None else None,
                      "state": doc.state, "version": doc.version_id}
    except EdocError as err:
        return _error(doc_id, err)
    except (StaleDataError, IntegrityError):
        return _error(doc_id, Conflict(code="conflict"))
    return result


def sign_batch(document_ids: Any, signer: Any, secret: str | None) -> list[dict[str, Any]]:
    """Sign each document with the signer's key; one result per document, in the given order.

    A result is ``{"document_id", "ok": true, "file_id", "state", "version"}`` or
    ``{"document_id", "ok": false, "error": {"code", "message", "details"}}``. Problems with the
    key itself (``no_credential``, ``wrong_secret``, ...) concern every document: they are
    raised before anything is signed.
    """
    ids = _clean_ids(document_ids)
    credential = active_credential(CredentialPurpose.SIGNER, agency_id=signer.agency_id,
                                   user_id=signer.id)
    if credential is None:
        raise ValidationError(error_message("no_credential"), code="no_credential")
    unlock(credential, secret)  # once: every document below finds the key in the cache
    results = [_sign_one(doc_id, signer, secret) for doc_id in ids]
    ok = sum(1 for r in results if r["ok"])
    logger.info("batch signing by %s: %d of %d signed", signer.username, ok, len(results))
    return results
