"""Attaching files to documents: bytes go to the object store, rows keep the pointer."""
from __future__ import annotations

import io
from typing import Any

from edoc import audit
from edoc.documents.models import Document, DocumentFile
from edoc.extensions import db
from edoc.storage.models import StoredObject
from edoc.storage.services import Saved, open_stored, store_stream


def attach_file(doc: Document, data: bytes, *, kind: str, name: str, content_type: str,
                actor: Any = None) -> DocumentFile:
    """Store ``data`` and add it to ``doc`` as the next revision of ``kind`` (flushed).

    The object is written first; only then is the row added (a failed store raises 503 before
    any row exists, and a failed commit leaves only an orphan object for ``flask storage gc``).
    """
    row = add_file(doc, store_bytes(data, content_type).obj, kind=kind, name=name,
                   content_type=content_type, actor=actor)
    db.session.flush()
    return row


def store_bytes(data: bytes, content_type: str, *, sha256: str | None = None) -> Saved:
    """Write ``data`` to the object store and record it (a ``stored_objects`` row).
    ``sha256``: the digest of ``data`` when the caller has it (not computed again)."""
    return store_stream(io.BytesIO(data), content_type=content_type, size=len(data),
                        sha256=sha256)


def add_file(doc: Document, stored: StoredObject, *, kind: str, name: str, content_type: str,
             actor: Any = None) -> DocumentFile:
    """Add stored bytes to ``doc`` as the next revision of ``kind``, without flushing: the row
    goes in with the next flush (``doc`` may itself be new) and its audit entry names the file
    id when it is chained at commit."""
    # doc.files is loaded with the document (selectin), or empty on a new one: no query here.
    revision = max((f.revision for f in doc.files if f.kind == kind), default=0) + 1
    row = DocumentFile(agency_id=doc.agency_id, kind=kind, revision=revision, name=name,
                       content_type=content_type, created_by_id=getattr(actor, "id", None))
    row.stored = stored
    doc.files.append(row)  # sets document_id at flush, also for a document not inserted yet
    db.session.add(row)
    sha256, size = stored.sha256, stored.size
    audit.record("document.file_added", actor=actor, obj=doc,
                 details=lambda: {"file_id": row.id, "kind": kind, "sha256": sha256,
                                  "size": size})
    return row


def read_file(f: DocumentFile) -> bytes:
    with open_stored(f.stored) as reader:
        return reader.read()


def get_file(doc: Document, file_id: int) -> DocumentFile:
    from edoc.errors import NotFound

    for f in doc.files:
        if f.id == file_id:
            return f
    raise NotFound()
