"""What every document page and API call shares: audited views and file downloads."""
from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context

from edoc import audit
from edoc.documents.models import Document, DocumentFile


def record_view(doc: Document, user: Any) -> None:
    """Every view of a document is an audit entry (Decree 30: who consulted what, when)."""
    audit.record("document.viewed", actor=user, obj=doc)


def file_response(doc: Document, f: DocumentFile, user: Any, *, download: bool) -> Response:
    from edoc.documents.labels import download_name
    from edoc.storage.services import open_stored

    audit.record("document.file_downloaded" if download else "document.file_viewed",
                 actor=user, obj=doc, details={"file_id": f.id, "kind": f.kind})
    reader = open_stored(f.stored)

    def chunks():
        with reader:
            while chunk := reader.read(256 * 1024):
                yield chunk

    disposition = "attachment" if download else "inline"
    from urllib.parse import quote

    resp = Response(stream_with_context(chunks()), mimetype=f.content_type)
    resp.headers["Content-Length"] = str(f.size)
    # The stamped copy of an incoming PDF keeps the original's name: downloads must differ.
    name = download_name(f, doc.files)
    resp.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    resp.headers["ETag"] = f'"{f.sha256}"'
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp
