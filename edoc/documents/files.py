"""Attaching files to documents: bytes go to the object store, rows keep the pointer."""
from __future__ import annotations

import io
from typing import Any

from edoc import audit
from edoc.documents.models import Document, DocumentFile
from edoc.extensions import db
from edoc.storage.services import open_stored, save_stream


def attach_file(doc: Document, data: bytes, *, kind: str, name: str, content_type: str,
                actor: Any = None) -> DocumentFile:
    """Store ``data`` and add it to ``doc`` as the next revision of ``kind``.

    The object is written first; only then is the row added (a failed store raises 503 before
    any row exists, and a failed commit leaves only an orphan object for ``flask storage gc``).
    """
    stored = save_stream(io.BytesIO(data), content_type=content_type, size=len(data))
    # doc.files is loaded with the document (selectin), so no query is needed here.
    revision = max((f.revision for f in doc.files if f.kind == kind), default=0) + 1
    row = DocumentFile(document_id=doc.id, agency_id=doc.agency_id, stored_object_id=stored.id,
                       kind=kind, revision=revision, name=name, content_type=content_type,
                       created_by_id=getattr(actor, "id", None))
    row.stored = stored
    db.session.add(row)
    doc.files.append(row)
    db.session.flush()
    audit.record("document.file_added", actor=actor, obj=doc,
                 details={"file_id": row.id, "kind": kind, "sha256": stored.sha256,
                          "size": stored.size})
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
