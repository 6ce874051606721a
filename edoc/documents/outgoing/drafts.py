"""Creating and revising outgoing drafts: uploaded (DOCX/PDF) or generated from a template.

Every new file is a new draft version; the old ones stay. A change after the review started
(new file or new metadata) sends the draft back to ``draft``: the approvals restart on the next
submission (:mod:`.review`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.auth import permissions as perm
from edoc.auth.models import User
from edoc.documents.events import add_event, check_version
from edoc.documents.files import attach_file
from edoc.documents.models import Direction, Document, DocumentFile, FileKind
from edoc.documents.outgoing import permissions as can
from edoc.documents.outgoing import rendition, templating
from edoc.documents.outgoing.metadata import parse_outgoing
from edoc.documents.outgoing.review import supersede_open_steps
from edoc.documents.outgoing.workflow import lock, move
from edoc.documents.states import OutAction, OutState, next_state
from edoc.drafting import DOCX_MIMETYPE
from edoc.errors import UnsupportedFileType, ValidationError
from edoc.extensions import db


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def _checked_draft(upload: Upload):
    """Validate an uploaded draft with the capture pipeline: DOCX or PDF only.

    The kind is checked first (by content), so an image is refused before it is converted.
    """
    from edoc.capture import FileKind as CaptureKind
    from edoc.capture import capture, check_type, safe_filename

    kind = check_type(upload.data, safe_filename(upload.filename))
    if kind not in (CaptureKind.PDF, CaptureKind.DOCX):
        raise UnsupportedFileType(_l("Dự thảo phải là tệp DOCX hoặc PDF."),
                                  code="unsupported_draft_type", kind=str(kind))
    return capture(upload.data, upload.filename, text_pages=1)


def _add_draft_file(doc: Document, data: bytes, *, name: str, content_type: str,
                    actor: Any) -> DocumentFile:
    f = attach_file(doc, data, kind=FileKind.DRAFT, name=name, content_type=content_type,
                    actor=actor)
    rendition.prepare(doc, f, actor)
    return f


def _new_document(actor: User, values: dict[str, Any]) -> Document:
    values.setdefault("type_key", "cong_van")
    doc = Document(agency_id=actor.agency_id, direction=Direction.OUTGOING,
                   state=OutState.DRAFT, drafter_id=actor.id, drafting_unit_id=actor.unit_id,
                   created_by_id=actor.id, planned_recipients={})
    for key, value in values.items():
        setattr(doc, key, value)
    if doc.signer_id and not doc.signer_position:
        doc.signer_position = db.session.get(User, doc.signer_id).position_title
    db.session.add(doc)
    db.session.flush()
    return doc


def create_uploaded(actor: User, upload: Upload, raw: dict[str, Any]) -> Document:
    """A draft from an uploaded DOCX or PDF; missing subject/type are read from the file."""
    perm.require(can.can_draft(actor))
    captured = _checked_draft(upload)
    values = parse_outgoing(actor.agency_id, raw)
    s = captured.suggestion
    if not values.get("subject") and s.subject:
        values["subject"] = s.subject
    if "type_key" not in values and s.type_key:
        from edoc.documents.doctypes import get_type

        if not get_type(s.type_key).is_copy:
            values["type_key"] = s.type_key
    doc = _new_document(actor, values)
    add_event(doc, "created", actor, to_state=doc.state, data={"source": "upload"})
    _add_draft_file(doc, captured.original, name=captured.filename,
                    content_type=captured.mime_type, actor=actor)
    return doc


def create_generated(actor: User, raw: dict[str, Any]) -> Document:
    """A draft generated from the Decree 30 template of its type (DOCX, converted later)."""
    perm.require(can.can_draft(actor))
    values = parse_outgoing(actor.agency_id, {k: v for k, v in raw.items()
                                              if k not in ("template", *templating.INPUT_KEYS)})
    values["type_key"] = templating.check_template(raw.get("template"), values.get("type_key"))
    if not values.get("subject"):
        raise ValidationError(_l("Cần nhập trích yếu."), code="draft_field_missing",
                              field="subject")
    values["draft_inputs"] = templating.parse_inputs(raw)
    doc = _new_document(actor, values)
    data = templating.generate_docx(doc)
    add_event(doc, "created", actor, to_state=doc.state, data={"source": "template"})
    _add_draft_file(doc, data, name=templating.docx_name(doc), content_type=DOCX_MIMETYPE,
                    actor=actor)
    return doc


def revise(doc: Document, actor: User, raw: dict[str, Any], *, upload: Upload | None = None,
           expected_version: int | None = None) -> Document:
    """New metadata and/or a new file. A generated draft is regenerated when its content changes.

    Returns the document unchanged when nothing changed.
    """
    lock(doc)
    perm.require(can.can_edit_draft(actor, doc))
    check_version(doc, expected_version)
    next_state(doc.direction, doc.state, OutAction.REVISE)  # before any file is stored
    captured = _checked_draft(upload) if upload is not None else None
    values = parse_outgoing(doc.agency_id, {k: v for k, v in raw.items()
                                            if k not in templating.INPUT_KEYS})
    changed = {k: v for k, v in values.items() if getattr(doc, k) != v}
    inputs_changed = False
    if doc.draft_inputs is not None and captured is None:
        inputs = templating.parse_inputs(raw, base=doc.draft_inputs)
        inputs_changed = inputs != doc.draft_inputs
        if inputs_changed:
            doc.draft_inputs = inputs
    if not changed and not inputs_changed and captured is None:
        return doc

    for key, value in changed.items():
        setattr(doc, key, value)
    if "signer_id" in changed and "signer_position" not in raw:
        doc.signer_position = db.session.get(User, doc.signer_id).position_title
    new_file = None
    if captured is not None:
        doc.draft_inputs = None  # the drafter took over the file: no regeneration any more
        new_file = _add_draft_file(doc, captured.original, name=captured.filename,
                                   content_type=captured.mime_type, actor=actor)
    elif doc.draft_inputs is not None:
        new_file = _add_draft_file(doc, templating.generate_docx(doc),
                                   name=templating.docx_name(doc), content_type=DOCX_MIMETYPE,
                                   actor=actor)
    _revised(doc, actor, {"fields": sorted(changed) + (["content"] if inputs_changed else []),
                          "file_id": new_file.id if new_file else None})
    return doc


def _revised(doc: Document, actor: User, data: dict[str, Any]) -> None:
    """Record a revision; after the review started, the approvals restart."""
    restarted = doc.state in (OutState.IN_REVIEW, OutState.APPROVED)
    if restarted:
        supersede_open_steps(doc)
    move(doc, OutAction.REVISE, actor,
         note=str(_l("Dự thảo đã thay đổi; các bước duyệt bắt đầu lại.")) if restarted
         else "", data={**data, "approvals_restarted": restarted})
    db.session.flush()


def add_appendix(doc: Document, actor: User, upload: Upload, *,
                 expected_version: int | None = None) -> DocumentFile:
    """A separately filed appendix (phụ lục), PDF or DOCX, before the signer signs."""
    lock(doc)
    perm.require(can.can_edit_draft(actor, doc))
    check_version(doc, expected_version)
    next_state(doc.direction, doc.state, OutAction.REVISE)  # before any file is stored
    captured = _checked_draft(upload)
    f = attach_file(doc, captured.original, kind=FileKind.APPENDIX, name=captured.filename,
                    content_type=captured.mime_type, actor=actor)
    _revised(doc, actor, {"fields": ["appendix"], "file_id": f.id})
    return f
